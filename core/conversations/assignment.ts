import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import type { ConversationService } from './service.ts';
import type { LifecycleClient } from './lifecycle.ts';
import { convTopics } from './topics.ts';

export interface AssignmentDelivery { workspaceId: string; conversationId: string; agentId: string; skillGroupId: string | null; assignedAt: string }

/**
 * Persists a routing decision and hands it to the workflow. Idempotent (routing re-delivers after a
 * crash): the row is set to the same values, the join message has a fixed client id, the event is
 * recorded only when the row changed, and the workflow ignores a second identical signal.
 */
export function createAssignmentHandler(deps: { orm: MikroORM; conversations: ConversationService; lifecycle: () => LifecycleClient | null; nudgeOutbox: () => void }) {
  return async (a: AssignmentDelivery): Promise<void> => {
    const em = workspaceEm(deps.orm, a.workspaceId);
    const changed = await em.transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, { id: a.conversationId });
      if (c.status === 'assigned' && c.assigneeId === a.agentId) return false;
      c.status = 'assigned';
      c.assigneeId = a.agentId;
      c.assignedAt = new Date(a.assignedAt);
      recordEvent(tx, a.workspaceId, 'conversation.assigned', { conversationId: a.conversationId, agentId: a.agentId, skillGroupId: a.skillGroupId });
      return true;
    });
    if (changed) deps.nudgeOutbox();
    await deps.conversations.post({
      workspaceId: a.workspaceId, conversationId: a.conversationId, senderType: 'system', senderId: null, type: 'system',
      body: { event: 'agent_joined', agentId: a.agentId }, clientMessageId: `assigned:${a.agentId}:${a.assignedAt}`,
    });
    deps.conversations.publish({ kind: 'status', conversationId: a.conversationId, status: 'assigned', assigneeId: a.agentId });
    deps.conversations.publishTo(convTopics.inbox(a.agentId), { kind: 'assigned', conversationId: a.conversationId });
    deps.conversations.publishTo(convTopics.queue(a.workspaceId), { kind: 'queue_changed', conversationId: a.conversationId });
    const lifecycle = deps.lifecycle();
    if (!lifecycle) throw new Error('no Temporal client on this node: cannot signal the assignment');
    await lifecycle.assigned(a.conversationId, a.agentId, a.skillGroupId);
  };
}
