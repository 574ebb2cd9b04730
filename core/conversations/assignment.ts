import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation, Message } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import type { ConversationService } from './service.ts';
import type { LifecycleClient } from './lifecycle.ts';
import { convTopics } from './topics.ts';
import { recordDecision } from '../routing/engine.ts';
import type { AssignDecision } from '../routing/policy.ts';

export interface AssignmentDelivery {
  workspaceId: string; conversationId: string; agentId: string; skillGroupId: string | null; assignedAt: string;
  /** The routing decision (inputs, candidates, scores) recorded in the decision log with the assignment. */
  decision?: AssignDecision;
}

/**
 * Persists a routing decision and hands it to the workflow. Idempotent (routing re-delivers after a
 * crash): the row is set to the same values, the join message has a fixed client id, the event is
 * recorded only when the row changed, and the workflow ignores a second identical signal.
 * Only a conversation waiting in a queue takes an assignment: a late redelivery of one handled before
 * (the conversation has moved on: closed, transferred, queued again) is dropped instead of moving the
 * conversation back to `assigned`; one that was never delivered gives the agent's slot back.
 */
export function createAssignmentHandler(deps: {
  orm: MikroORM; conversations: ConversationService; lifecycle: () => LifecycleClient | null; nudgeOutbox: () => void;
  release: (i: { workspaceId: string; agentId: string; key?: string }) => Promise<void>;
  logger?: { warn(msg: string): void };
}) {
  return async (a: AssignmentDelivery): Promise<void> => {
    const em = workspaceEm(deps.orm, a.workspaceId);
    const joinKey = `assigned:${a.agentId}:${a.assignedAt}`;
    const outcome = await em.transactional(async (tx): Promise<'changed' | 'again' | 'stale'> => {
      const c = await tx.findOneOrFail(Conversation, { id: a.conversationId });
      if (c.status === 'assigned' && c.assigneeId === a.agentId) return 'again';
      if (c.status !== 'queued' || (await tx.count(Message, { conversationId: a.conversationId, clientMessageId: joinKey }))) return 'stale';
      c.status = 'assigned';
      c.assigneeId = a.agentId;
      c.skillGroupId = a.skillGroupId; // the queue it was served from (overflow may have moved it)
      c.assignedAt = new Date(a.assignedAt);
      recordEvent(tx, a.workspaceId, 'conversation.assigned', { conversationId: a.conversationId, agentId: a.agentId, skillGroupId: a.skillGroupId });
      const d = a.decision;
      await recordDecision(deps.orm, a.workspaceId, {
        conversationId: a.conversationId, kind: 'assigned', key: `assigned:${a.conversationId}:${a.assignedAt}`,
        skillGroupId: a.skillGroupId, agentId: a.agentId, strategy: d?.strategy ?? null, decidedAt: new Date(a.assignedAt),
        summary: d
          ? `assigned to ${a.agentId} by ${d.strategy}${d.strategyFallbackFrom ? ` (instead of ${d.strategyFallbackFrom}, unavailable)` : ''}: ${d.reason.replace(/^[^:]*: /, '')}; position ${d.conversation.position}, waited ${d.conversation.waitedSec} s${d.conversation.advanceSec ? `, ${d.conversation.advanceSec} s ahead by priority` : ''}`
          : `assigned to ${a.agentId} (decision details lost: delivered after a Redis restore)`,
        detail: (d ?? {}) as unknown as Record<string, unknown>,
      }, tx);
      return 'changed';
    });
    if (outcome === 'stale') {
      const delivered = (await em.count(Message, { conversationId: a.conversationId, clientMessageId: joinKey })) > 0;
      deps.logger?.warn(`assignment of conversation ${a.conversationId} to ${a.agentId} (made ${a.assignedAt}) dropped: the conversation is no longer waiting${delivered ? ' (delivered before)' : ''}`);
      if (!delivered) await deps.release({ workspaceId: a.workspaceId, agentId: a.agentId, key: `drop:${a.conversationId}:${joinKey}` });
      return;
    }
    if (outcome === 'changed') deps.nudgeOutbox();
    await deps.conversations.post({
      workspaceId: a.workspaceId, conversationId: a.conversationId, senderType: 'system', senderId: null, type: 'system',
      body: { event: 'agent_joined', agentId: a.agentId }, clientMessageId: joinKey,
    });
    deps.conversations.publish({ kind: 'status', conversationId: a.conversationId, status: 'assigned', assigneeId: a.agentId });
    deps.conversations.publishTo(convTopics.inbox(a.agentId), { kind: 'assigned', conversationId: a.conversationId });
    deps.conversations.publishTo(convTopics.queue(a.workspaceId), { kind: 'queue_changed', conversationId: a.conversationId });
    const lifecycle = deps.lifecycle();
    if (!lifecycle) throw new Error('no Temporal client on this node: cannot signal the assignment');
    await lifecycle.assigned(a.conversationId, a.agentId, a.skillGroupId);
  };
}
