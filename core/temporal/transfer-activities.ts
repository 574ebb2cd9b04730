import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/mysql';
import { AgentProfile, Conversation, ConversationTransfer, User } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import type { ConversationService } from '../conversations/service.ts';
import { convTopics } from '../conversations/topics.ts';
import type { HubActivities, TransferOutcome } from './activity-types.ts';
import type { RoutingPort } from './lifecycle-activities.ts';

export interface TransferActivityDeps {
  orm: MikroORM;
  conversations: ConversationService;
  routing: RoutingPort;
  nudgeOutbox: () => void;
  /** Posts a workflow system message once per key. */
  system: (workspaceId: string, conversationId: string, key: string, body: Record<string, unknown>) => Promise<unknown>;
}

type TransferActivities = Pick<HubActivities, 'offerTransfer' | 'acceptTransfer' | 'settleTransfer' | 'reassignToAgent'>;

/** Why an agent cannot take a chat offered or reassigned to them now; null if they can. */
async function unavailable(orm: MikroORM, workspaceId: string, agentId: string): Promise<string | null> {
  const em = workspaceEm(orm, workspaceId);
  const [user, profile] = await Promise.all([em.findOne(User, { id: agentId }), em.findOne(AgentProfile, { userId: agentId })]);
  if (!user || user.disabled || !profile) return 'this user is not an active agent';
  // Busy and away agents keep their chats but take no new ones, offers included.
  if (profile.status !== 'online') return `the agent is ${profile.status}: only online agents take transfers`;
  return null;
}

/**
 * The transfer activities of the conversation workflow: offers to a colleague and their answers, and a
 * supervisor's reassign to a named agent. Each is idempotent: rows are keyed by the transfer id the
 * workflow chose, messages by the transfer id and step, and slots are released with a key, so a retry
 * after a crash finishes the step without repeating it.
 */
export function createTransferActivities({ orm, conversations, routing, nudgeOutbox, system }: TransferActivityDeps): TransferActivities {
  const refuse = (type: 'AgentUnavailable' | 'NoFreeSlot' | 'InvalidState', reason: string): TransferOutcome => ({ ok: false, type, reason });

  /** Takes a slot of `agentId` for the conversation (atomic in routing); says why not when it can't. */
  async function takeSlot(workspaceId: string, conversationId: string, agentId: string, transferId: string): Promise<TransferOutcome> {
    // Keyed by the transfer: a retry after dying before the row was written takes no second slot.
    if (await routing.assignDirect({ workspaceId, conversationId, agentId, key: `transfer:${transferId}` })) return { ok: true };
    const why = await unavailable(orm, workspaceId, agentId);
    if (why) return refuse('AgentUnavailable', why);
    if (await routing.isPending({ workspaceId, conversationId })) return refuse('InvalidState', 'routing is assigning this conversation right now');
    return refuse('NoFreeSlot', 'no free chat slot: the agent is at their maximum of concurrent chats');
  }

  const publishStatus = (c: Conversation) => conversations.publish({ kind: 'status', conversationId: c.id, status: c.status, assigneeId: c.assigneeId ?? null });

  return {
    async offerTransfer({ workspaceId, conversationId, transferId, fromAgentId, toAgentId, note, timeoutSec }) {
      const em = workspaceEm(orm, workspaceId);
      if (!(await em.findOne(ConversationTransfer, { id: transferId }))) {
        const why = await unavailable(orm, workspaceId, toAgentId);
        if (why) return refuse('AgentUnavailable', why);
        await em.transactional(async (tx) => {
          tx.create(ConversationTransfer, {
            id: transferId, workspaceId, conversationId, kind: 'agent', status: 'pending', fromAgentId, toAgentId, toSkillGroupId: null, note,
            requestedById: fromAgentId, decidedById: null, reason: null, expiresAt: new Date(Date.now() + timeoutSec * 1000), decidedAt: null,
          });
          recordEvent(tx, workspaceId, 'conversation.transfer_offered', { conversationId, transferId, fromAgentId, toAgentId, note });
        });
        nudgeOutbox();
      }
      await system(workspaceId, conversationId, `transfer:${transferId}:offered`, { event: 'transfer_offered', internal: true, transferId, fromAgentId, toAgentId, note, timeoutSec });
      conversations.publishTo(convTopics.inbox(toAgentId), { kind: 'transfer_offered', conversationId, transferId, fromAgentId, note });
      return { ok: true };
    },

    async acceptTransfer({ workspaceId, conversationId, transferId, fromAgentId, toAgentId }) {
      const em = workspaceEm(orm, workspaceId);
      const t = await em.findOneOrFail(ConversationTransfer, { id: transferId });
      if (t.status !== 'accepted') {
        const c = await em.findOneOrFail(Conversation, { id: conversationId });
        // Already with the receiver: an earlier attempt took the slot and committed the row only in part.
        if (c.assigneeId !== toAgentId) {
          const slot = await takeSlot(workspaceId, conversationId, toAgentId, transferId);
          if (!slot.ok) return slot; // nothing written: the offer stays pending
        }
        await em.transactional(async (tx) => {
          const conv = await tx.findOneOrFail(Conversation, { id: conversationId });
          const tr = await tx.findOneOrFail(ConversationTransfer, { id: transferId });
          conv.assigneeId = toAgentId;
          conv.assignedAt = new Date();
          tr.status = 'accepted';
          tr.decidedById = toAgentId;
          tr.decidedAt = new Date();
          recordEvent(tx, workspaceId, 'conversation.transferred', { conversationId, transferId, kind: 'agent', fromAgentId, toAgentId, note: tr.note ?? null });
        });
        nudgeOutbox();
      }
      await routing.release({ workspaceId, agentId: fromAgentId, key: `transfer:${conversationId}:${transferId}` });
      await system(workspaceId, conversationId, `transfer:${transferId}:accepted`, { event: 'transferred', transferId, kind: 'agent', fromAgentId, toAgentId });
      publishStatus(await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId }));
      conversations.publishTo(convTopics.inbox(toAgentId), { kind: 'assigned', conversationId, transferId, fromAgentId });
      conversations.publishTo(convTopics.inbox(fromAgentId), { kind: 'transfer_accepted', conversationId, transferId, fromAgentId });
      return { ok: true };
    },

    async settleTransfer({ workspaceId, conversationId, transferId, status, decidedById, reason }) {
      const em = workspaceEm(orm, workspaceId);
      const t = await em.transactional(async (tx) => {
        const tr = await tx.findOneOrFail(ConversationTransfer, { id: transferId });
        if (tr.status === 'pending') {
          tr.status = status;
          tr.decidedById = decidedById;
          tr.decidedAt = new Date();
          tr.reason = reason;
          recordEvent(tx, workspaceId, `conversation.transfer_${status}`, { conversationId, transferId, fromAgentId: tr.fromAgentId, toAgentId: tr.toAgentId, decidedById, reason });
        }
        return tr;
      });
      nudgeOutbox();
      await system(workspaceId, conversationId, `transfer:${transferId}:${t.status}`, {
        event: `transfer_${t.status}`, internal: true, transferId, fromAgentId: t.fromAgentId, toAgentId: t.toAgentId, decidedById: t.decidedById ?? null, reason: t.reason ?? null,
      });
      const notice = { kind: `transfer_${t.status}`, conversationId, transferId, fromAgentId: t.fromAgentId, note: t.reason ?? null };
      if (t.fromAgentId) conversations.publishTo(convTopics.inbox(t.fromAgentId), notice);
      if (t.toAgentId) conversations.publishTo(convTopics.inbox(t.toAgentId), notice);
    },

    async reassignToAgent({ workspaceId, conversationId, transferId, fromAgentId, toAgentId, requestedById, note }) {
      const em = workspaceEm(orm, workspaceId);
      if (!(await em.findOne(ConversationTransfer, { id: transferId }))) {
        const before = await em.findOneOrFail(Conversation, { id: conversationId });
        if (before.assigneeId !== toAgentId) {
          const slot = await takeSlot(workspaceId, conversationId, toAgentId, transferId);
          if (!slot.ok) return slot;
        }
        const stale = await em.transactional(async (tx) => {
          const c = await tx.findOneOrFail(Conversation, { id: conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          // Pulled out of a queue: routing delivered an assignment just before the slot was taken.
          if (!fromAgentId && c.status !== 'queued' && c.assigneeId !== toAgentId) return true;
          c.assigneeId = toAgentId;
          c.assignedAt = new Date();
          if (!fromAgentId) c.status = 'assigned';
          tx.create(ConversationTransfer, {
            id: transferId, workspaceId, conversationId, kind: 'reassign', status: 'completed', fromAgentId, toAgentId, toSkillGroupId: null, note,
            requestedById, decidedById: requestedById, reason: null, expiresAt: null, decidedAt: new Date(),
          });
          recordEvent(tx, workspaceId, 'conversation.transferred', { conversationId, transferId, kind: 'reassign', fromAgentId, toAgentId, requestedById, note });
          return false;
        });
        if (stale) {
          await routing.release({ workspaceId, agentId: toAgentId, key: `reassign-undo:${conversationId}:${transferId}` });
          return refuse('InvalidState', 'the conversation was just assigned by routing');
        }
        nudgeOutbox();
      }
      if (fromAgentId) await routing.release({ workspaceId, agentId: fromAgentId, key: `transfer:${conversationId}:${transferId}` });
      if (note) await system(workspaceId, conversationId, `transfer:${transferId}:note`, { event: 'transfer_note', internal: true, transferId, kind: 'reassign', fromAgentId, toAgentId, requestedById, note });
      // The customer sees who joins (pulled from the queue) or that they were transferred; never the note.
      await system(workspaceId, conversationId, `transfer:${transferId}`, fromAgentId
        ? { event: 'transferred', transferId, kind: 'reassign', fromAgentId, toAgentId }
        : { event: 'agent_joined', agentId: toAgentId, transferId });
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      publishStatus(c);
      conversations.publishTo(convTopics.inbox(toAgentId), { kind: 'assigned', conversationId, transferId, fromAgentId, note });
      if (fromAgentId) conversations.publishTo(convTopics.inbox(fromAgentId), { kind: 'reassigned_away', conversationId, transferId, fromAgentId, note });
      else conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId });
      return { ok: true };
    },
  };
}
