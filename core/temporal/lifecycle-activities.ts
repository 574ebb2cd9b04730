import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation, ConversationTransfer, Message, SurveyResponse } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import type { ConversationService } from '../conversations/service.ts';
import { convTopics } from '../conversations/topics.ts';
import type { HubActivities } from './activity-types.ts';
import { createTransferActivities } from './transfer-activities.ts';

/** What lifecycle activities need from routing (implemented by core/routing). */
export interface RoutingPort {
  /** Diversion, priority, limits and overflow on arrival (core/routing/engine.ts); `ok: false` when no group can take it. */
  enqueue(i: { workspaceId: string; conversationId: string; skillGroupId: string | null; maxQueueLength: number; keepPlace?: boolean; restore?: boolean }): Promise<{ ok: true; position: number; estimatedWaitSec?: number | null } | { ok: false; reason: 'full' | 'closed' }>;
  dequeue(i: { workspaceId: string; conversationId: string; skillGroupId: string | null }): Promise<boolean>;
  /** A retried arrival found the conversation already assigned: log its 'queued' decision if the first attempt could not. */
  arrivalRecovered?(i: { workspaceId: string; conversationId: string }): Promise<void>;
  /** An assignment made by routing and not yet delivered (acknowledged) for this conversation? */
  isPending(i: { workspaceId: string; conversationId: string }): Promise<boolean>;
  /** Frees a slot; with a key, at most once per key (a retried release is a no-op). */
  release(i: { workspaceId: string; agentId: string; key?: string }): Promise<void>;
  assignDirect(i: { workspaceId: string; conversationId: string; agentId: string; key?: string }): Promise<boolean>;
}

export interface LifecycleDeps {
  orm: MikroORM;
  conversations: ConversationService;
  routing: RoutingPort;
  nudgeOutbox: () => void;
  /** Answers customer messages that arrived before the bot node was entered (they found no bot yet). */
  botCatchUp?: (workspaceId: string, conversationId: string) => Promise<void>;
}

type LifecycleActivities = Omit<HubActivities, 'runPluginActivity'>;

/**
 * Activities of the conversation workflow. Each is idempotent, so a retry after a failure at any
 * point (a crash, a Redis or database error) finishes the work without repeating any of it: state
 * writes are "set to", messages carry a client id derived from the node visit, events are recorded
 * only on a real change, and agent slots are released with a key (once per key).
 */
export function createLifecycleActivities({ orm, conversations, routing, nudgeOutbox, botCatchUp }: LifecycleDeps): LifecycleActivities {
  const system = (workspaceId: string, conversationId: string, key: string, body: Record<string, unknown>, senderType: 'system' | 'bot' = 'system', type = 'system') =>
    conversations.post({ workspaceId, conversationId, senderType, senderId: null, type, body, clientMessageId: `wf:${key}` });

  /** A workflow message with this key exists: the step it ends was done by an earlier attempt. */
  const posted = async (workspaceId: string, conversationId: string, key: string): Promise<boolean> =>
    (await workspaceEm(orm, workspaceId).count(Message, { conversationId, clientMessageId: `wf:${key}` })) > 0;

  /** Sets `fields`; `stamps` (times) and `events` only when `fields` really changed, so a retry repeats neither. */
  async function setStatus(workspaceId: string, conversationId: string, fields: Partial<Conversation>, events: [string, Record<string, unknown>][] = [], stamps: Partial<Conversation> = {}): Promise<Conversation> {
    const em = workspaceEm(orm, workspaceId);
    const conv = await em.transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, { id: conversationId });
      const changed = Object.entries(fields).some(([k, v]) => (c as unknown as Record<string, unknown>)[k] !== v);
      tx.assign(c, changed ? { ...fields, ...stamps } : fields);
      if (changed) for (const [type, payload] of events) recordEvent(tx, workspaceId, type, { conversationId, ...payload });
      return c;
    });
    if (events.length) nudgeOutbox();
    conversations.publish({ kind: 'status', conversationId, status: conv.status, assigneeId: conv.assigneeId ?? null });
    return conv;
  }

  return {
    async enterNode({ workspaceId, conversationId, nodeId, nodeType, phase, config, visitKey }) {
      const fields: Partial<Conversation> = { status: phase, currentNodeId: nodeId };
      const events: [string, Record<string, unknown>][] = [];
      const stamps: Partial<Conversation> = {};
      if (nodeType === 'queue') {
        stamps.queuedAt = new Date(); // a stamp: a retried visit keeps the first time and records no second event
        fields.assigneeId = null;
        events.push(['conversation.queued', { nodeId }]);
      }
      await setStatus(workspaceId, conversationId, fields, events, stamps);
      switch (nodeType) {
        case 'bot':
          await system(workspaceId, conversationId, visitKey, { text: typeof config.greeting === 'string' ? config.greeting : '' }, 'bot', 'text');
          // A customer who wrote before the workflow got here (e.g. 转人工 right after opening) is answered now.
          await botCatchUp?.(workspaceId, conversationId);
          break;
        case 'self_service':
          // The card names its node: the widget asks `selfService(conversationId, nodeId, page)` for the
          // guesses, category lists and cards of the visitor's page (they depend on the page and on today).
          await system(workspaceId, conversationId, visitKey, { kind: 'faq', title: config.greeting, questions: config.questions ?? [], selfService: { nodeId } }, 'bot', 'card');
          break;
        case 'survey':
          await system(workspaceId, conversationId, visitKey, { event: 'survey_requested', prompt: config.prompt });
          break;
        case 'offline_message':
          await system(workspaceId, conversationId, visitKey, { event: 'offline_form', prompt: config.prompt });
          break;
        case 'end':
          await system(workspaceId, conversationId, visitKey, { event: 'ended' });
          break;
        default:
          break;
      }
    },

    async activityTimes({ workspaceId, conversationId }) {
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      return {
        startedAt: c.createdAt.getTime(),
        customerAt: c.lastCustomerMessageAt?.getTime() ?? null,
        agentAt: c.lastAgentMessageAt?.getTime() ?? null,
        assignedAt: c.assignedAt?.getTime() ?? null,
      };
    },

    async enqueue({ workspaceId, conversationId, skillGroupId, maxQueueLength, keepPlace, restore }) {
      const before = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      // enterNode set `queued`; anything else means routing already assigned it and the assignment was
      // delivered (a retry of this activity): queueing it again would assign it a second time.
      if (before.status !== 'queued') {
        // The earlier attempt may have died between the Redis enqueue (assigned at once) and its log row.
        await routing.arrivalRecovered?.({ workspaceId, conversationId });
        return { ok: true as const, position: 0 };
      }
      // A retried attempt finds the group the engine chose (diversion, overflow) already on the row.
      if (before.skillGroupId !== skillGroupId && !before.firstQueuedAt) await setStatus(workspaceId, conversationId, { skillGroupId });
      const r = await routing.enqueue({ workspaceId, conversationId, skillGroupId, maxQueueLength, keepPlace, restore });
      if (r.ok) conversations.publish({ kind: 'queue_position', conversationId, position: r.position, estimatedWaitSec: r.estimatedWaitSec ?? null });
      conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId });
      return r.ok ? { ok: true as const, position: r.position } : { ok: false as const, reason: r.reason };
    },

    async dequeue({ workspaceId, conversationId, skillGroupId }) {
      const removed = await routing.dequeue({ workspaceId, conversationId, skillGroupId });
      if (removed) {
        conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId });
        return true;
      }
      // Not queued: either routing assigned it (pending in Redis, or delivered: the row says assigned;
      // checked in this order because delivery commits the row before it clears the pending entry), or
      // an earlier attempt of this activity removed it. Answering false then would have the workflow
      // wait forever for an assignment that does not exist.
      if (await routing.isPending({ workspaceId, conversationId })) return false;
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      return !(c.status === 'assigned' && c.assigneeId);
    },

    async checkFirstResponse({ workspaceId, conversationId, agentId, slaSec }) {
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      const responded = !!c.firstResponseAt && (!c.assignedAt || c.firstResponseAt >= c.assignedAt);
      const key = `sla:${agentId}:${c.assignedAt?.getTime() ?? 0}`;
      if (!responded && !(await posted(workspaceId, conversationId, key))) {
        const em = workspaceEm(orm, workspaceId);
        await em.transactional(async (tx) => {
          recordEvent(tx, workspaceId, 'conversation.sla_breached', { conversationId, agentId, slaSec, kind: 'first_response' });
        });
        nudgeOutbox();
        await system(workspaceId, conversationId, key, { event: 'sla_breached', internal: true, slaSec });
      }
      return { responded };
    },

    async closeConversation({ workspaceId, conversationId, by, actorId, reason, assigneeId }) {
      const em = workspaceEm(orm, workspaceId);
      const before = await em.findOneOrFail(Conversation, { id: conversationId });
      if (!before.closedAt) {
        await setStatus(workspaceId, conversationId, { closedAt: new Date(), closeReason: reason }, [['conversation.closed', { by, actorId, reason, assigneeId }]]);
      }
      // Not under `!closedAt`: a retry after the row was written must still free the slot and post.
      if (assigneeId) await routing.release({ workspaceId, agentId: assigneeId, key: `close:${conversationId}` });
      await system(workspaceId, conversationId, `closed:${conversationId}`, { event: 'closed', by, reason });
    },

    async transferToAgent({ workspaceId, conversationId, fromAgentId, toAgentId, note, key }) {
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      // Already with the target (the workflow never transfers to the current assignee): an earlier
      // attempt took the slot and committed; taking another slot would leak it, or be refused.
      if (c.assigneeId !== toAgentId) {
        const ok = await routing.assignDirect({ workspaceId, conversationId, agentId: toAgentId, key: `transfer:${conversationId}:${key}` });
        if (!ok) return { ok: false, reason: 'the agent is not online or has no free slot' };
        await setStatus(workspaceId, conversationId, { assigneeId: toAgentId, assignedAt: new Date() }, [['conversation.transferred', { fromAgentId, toAgentId, note }]]);
      }
      await routing.release({ workspaceId, agentId: fromAgentId, key: `transfer:${conversationId}:${key}` });
      await system(workspaceId, conversationId, `transfer:${key}`, { event: 'transferred', fromAgentId, toAgentId, note, internal: false });
      conversations.publishTo(convTopics.inbox(toAgentId), { kind: 'transferred_to_you', conversationId, fromAgentId, note });
      return { ok: true };
    },

    async transferToGroup({ workspaceId, conversationId, fromAgentId, toSkillGroupId, note, key, transferId, kind, requestedById, reason }) {
      const event: Record<string, unknown> = { fromAgentId, toSkillGroupId, note, ...(transferId ? { transferId, kind: kind ?? 'group', reason: reason ?? null } : {}) };
      await setStatus(workspaceId, conversationId, { skillGroupId: toSkillGroupId, assigneeId: null }, [['conversation.transferred', event]]);
      if (transferId) {
        // Recorded after the move: a retry finds the row and creates no second one.
        const em = workspaceEm(orm, workspaceId);
        if (!(await em.findOne(ConversationTransfer, { id: transferId }))) {
          await em.transactional(async (tx) => {
            tx.create(ConversationTransfer, {
              id: transferId, workspaceId, conversationId, kind: kind ?? 'group', status: 'completed', fromAgentId, toAgentId: null, toSkillGroupId, note,
              requestedById: requestedById ?? null, decidedById: requestedById ?? null, reason: reason ?? null, expiresAt: null, decidedAt: new Date(),
            });
          });
        }
      }
      if (fromAgentId) await routing.release({ workspaceId, agentId: fromAgentId, key: `transfer:${conversationId}:${key}` });
      if (transferId) {
        // The note is for agents only; the customer is told they were transferred.
        if (note) await system(workspaceId, conversationId, `transfer:${transferId}:note`, { event: 'transfer_note', internal: true, transferId, kind: kind ?? 'group', fromAgentId, toSkillGroupId, requestedById: requestedById ?? null, note });
        await system(workspaceId, conversationId, `transfer:${key}`, { event: 'transferred', transferId, kind: kind ?? 'group', fromAgentId, toSkillGroupId, reason: reason ?? null });
        if (fromAgentId && kind === 'reassign') conversations.publishTo(convTopics.inbox(fromAgentId), { kind: 'reassigned_away', conversationId, transferId, fromAgentId, note: reason ?? note });
      } else {
        await system(workspaceId, conversationId, `transfer:${key}`, { event: 'transferred', fromAgentId, toSkillGroupId, note });
      }
    },

    ...createTransferActivities({ orm, conversations, routing, nudgeOutbox, system: (ws, conv, key, body) => system(ws, conv, key, body) }),

    async saveSurvey({ workspaceId, conversationId, stars, comment, agentId }) {
      const em = workspaceEm(orm, workspaceId);
      try {
        await em.transactional(async (tx) => {
          tx.create(SurveyResponse, { workspaceId, conversationId, stars, comment, agentId });
          recordEvent(tx, workspaceId, 'survey.submitted', { conversationId, stars, comment, agentId });
        });
        nudgeOutbox();
      } catch (err) {
        if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err; // a retry after commit: already saved
      }
    },
  };
}
