import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation, SurveyResponse } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import type { ConversationService } from '../conversations/service.ts';
import { convTopics } from '../conversations/topics.ts';
import type { HubActivities } from './activity-types.ts';

/** What lifecycle activities need from routing (implemented by core/routing). */
export interface RoutingPort {
  enqueue(i: { workspaceId: string; conversationId: string; skillGroupId: string | null; maxQueueLength: number }): Promise<{ ok: true; position: number } | { ok: false; reason: 'full' }>;
  dequeue(i: { workspaceId: string; conversationId: string; skillGroupId: string | null }): Promise<boolean>;
  release(i: { workspaceId: string; agentId: string }): Promise<void>;
  assignDirect(i: { workspaceId: string; conversationId: string; agentId: string }): Promise<boolean>;
}

export interface LifecycleDeps {
  orm: MikroORM;
  conversations: ConversationService;
  routing: RoutingPort;
  nudgeOutbox: () => void;
}

type LifecycleActivities = Omit<HubActivities, 'runPluginActivity'>;

/**
 * Activities of the conversation workflow. Each is idempotent: state writes are "set to", messages
 * carry a client id derived from the node visit, and events are recorded only on a real change.
 */
export function createLifecycleActivities({ orm, conversations, routing, nudgeOutbox }: LifecycleDeps): LifecycleActivities {
  const system = (workspaceId: string, conversationId: string, key: string, body: Record<string, unknown>, senderType: 'system' | 'bot' = 'system', type = 'system') =>
    conversations.post({ workspaceId, conversationId, senderType, senderId: null, type, body, clientMessageId: `wf:${key}` });

  async function setStatus(workspaceId: string, conversationId: string, fields: Partial<Conversation>, events: [string, Record<string, unknown>][] = []): Promise<Conversation> {
    const em = workspaceEm(orm, workspaceId);
    const conv = await em.transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, { id: conversationId });
      const changed = Object.entries(fields).some(([k, v]) => (c as unknown as Record<string, unknown>)[k] !== v);
      tx.assign(c, fields);
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
      if (nodeType === 'queue') {
        fields.queuedAt = new Date();
        fields.assigneeId = null;
        events.push(['conversation.queued', { nodeId }]);
      }
      const conv = await setStatus(workspaceId, conversationId, fields, events);
      switch (nodeType) {
        case 'bot':
          await system(workspaceId, conversationId, visitKey, { text: typeof config.greeting === 'string' ? config.greeting : '' }, 'bot', 'text');
          break;
        case 'self_service':
          await system(workspaceId, conversationId, visitKey, { kind: 'faq', title: config.greeting, questions: config.questions ?? [] }, 'bot', 'card');
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
      void conv;
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

    async enqueue({ workspaceId, conversationId, skillGroupId, maxQueueLength }) {
      await setStatus(workspaceId, conversationId, { skillGroupId });
      const r = await routing.enqueue({ workspaceId, conversationId, skillGroupId, maxQueueLength });
      if (r.ok) conversations.publish({ kind: 'queue_position', conversationId, position: r.position, estimatedWaitSec: null });
      conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId });
      return r;
    },

    async dequeue({ workspaceId, conversationId, skillGroupId }) {
      const removed = await routing.dequeue({ workspaceId, conversationId, skillGroupId });
      if (removed) conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId });
      return removed;
    },

    async checkFirstResponse({ workspaceId, conversationId, agentId, slaSec }) {
      const c = await workspaceEm(orm, workspaceId).findOneOrFail(Conversation, { id: conversationId });
      const responded = !!c.firstResponseAt && (!c.assignedAt || c.firstResponseAt >= c.assignedAt);
      if (!responded) {
        const em = workspaceEm(orm, workspaceId);
        await em.transactional(async (tx) => {
          recordEvent(tx, workspaceId, 'conversation.sla_breached', { conversationId, agentId, slaSec, kind: 'first_response' });
        });
        nudgeOutbox();
        await system(workspaceId, conversationId, `sla:${agentId}:${c.assignedAt?.getTime() ?? 0}`, { event: 'sla_breached', internal: true, slaSec });
      }
      return { responded };
    },

    async closeConversation({ workspaceId, conversationId, by, actorId, reason, assigneeId }) {
      const em = workspaceEm(orm, workspaceId);
      const before = await em.findOneOrFail(Conversation, { id: conversationId });
      if (!before.closedAt) {
        await setStatus(workspaceId, conversationId, { closedAt: new Date(), closeReason: reason }, [['conversation.closed', { by, actorId, reason, assigneeId }]]);
        if (assigneeId) await routing.release({ workspaceId, agentId: assigneeId });
        await system(workspaceId, conversationId, `closed:${conversationId}`, { event: 'closed', by, reason });
      }
    },

    async transferToAgent({ workspaceId, conversationId, fromAgentId, toAgentId, note, key }) {
      const ok = await routing.assignDirect({ workspaceId, conversationId, agentId: toAgentId });
      if (!ok) return { ok: false, reason: 'the agent is not online or has no free slot' };
      await setStatus(workspaceId, conversationId, { assigneeId: toAgentId, assignedAt: new Date() }, [['conversation.transferred', { fromAgentId, toAgentId, note }]]);
      await routing.release({ workspaceId, agentId: fromAgentId });
      await system(workspaceId, conversationId, `transfer:${key}`, { event: 'transferred', fromAgentId, toAgentId, note, internal: false });
      conversations.publishTo(convTopics.inbox(toAgentId), { kind: 'transferred_to_you', conversationId, fromAgentId, note });
      return { ok: true };
    },

    async transferToGroup({ workspaceId, conversationId, fromAgentId, toSkillGroupId, note, key }) {
      await setStatus(workspaceId, conversationId, { skillGroupId: toSkillGroupId, assigneeId: null }, [['conversation.transferred', { fromAgentId, toSkillGroupId, note }]]);
      await routing.release({ workspaceId, agentId: fromAgentId });
      await system(workspaceId, conversationId, `transfer:${key}`, { event: 'transferred', fromAgentId, toSkillGroupId, note });
    },

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
