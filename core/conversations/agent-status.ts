/**
 * What an agent's status does to the chats around them (routing decides only who gets new chats):
 *   online  — gets new chats, keeps held ones, can be offered transfers and accept them;
 *   busy    — no new chats, keeps held ones, transfer offers to them are refused;
 *   away    — as busy, and after the workspace's `awayRequeueAfterSec` their held chats go back to
 *             their queues (the maintenance job `requeue-away-agents`);
 *   offline — no new chats, held chats go back to their queues at once.
 * Leaving `online` also withdraws the offers waiting for them (they could not accept them). A chat sent
 * back keeps its place in its queue. Every move goes through the conversation's workflow (a system
 * reassign), which refuses a move the chat no longer needs (already closed, or with someone else).
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type { AgentStatus } from '../db/entities/index.ts';
import { AgentProfile, Conversation, ConversationTransfer, Workspace } from '../db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm, workspaceEm } from '../db/orm.ts';
import { LifecycleRefusedError, type LifecycleClient } from './lifecycle.ts';

export interface AgentStatusDeps {
  orm: MikroORM;
  lifecycle: LifecycleClient | null;
  logger?: { warn(msg: string): void };
}

export interface StatusEffects { offersCancelled: number; requeued: number }

/** A refusal means the workflow had nothing left to do (the chat moved on meanwhile): not an error. */
async function quietly(deps: AgentStatusDeps, what: string, work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    if (!(err instanceof LifecycleRefusedError)) deps.logger?.warn(`${what} failed: ${(err as Error).message}`);
    return false;
  }
}

/** Sends an agent's held chats back to their queues (keeping their place). */
export async function requeueHeldChats(deps: AgentStatusDeps, workspaceId: string, agentId: string, reason: 'agent_offline' | 'agent_away'): Promise<number> {
  const lifecycle = deps.lifecycle;
  if (!lifecycle) return 0;
  const held = await workspaceEm(deps.orm, workspaceId).find(Conversation, { assigneeId: agentId, status: 'assigned' }, { fields: ['id'], limit: 1000 });
  const done = await Promise.all(held.map((c) => quietly(deps, `requeue of conversation ${c.id}`, () => lifecycle.reassign(c.id, {
    by: 'system', actorId: null, requeue: true, expectAssigneeId: agentId, keepPlace: true, reason,
  }))));
  return done.filter(Boolean).length;
}

/** Applies the effects of an agent's new status on the chats they hold and the offers waiting for them. */
export async function applyAgentStatus(deps: AgentStatusDeps, workspaceId: string, agentId: string, status: AgentStatus): Promise<StatusEffects> {
  const lifecycle = deps.lifecycle;
  if (!lifecycle || status === 'online') return { offersCancelled: 0, requeued: 0 };
  const offers = await workspaceEm(deps.orm, workspaceId).find(ConversationTransfer, { toAgentId: agentId, status: 'pending' }, { limit: 1000 });
  const cancelled = await Promise.all(offers.map((o) => quietly(deps, `withdrawal of transfer offer ${o.id}`, () => lifecycle.cancelTransfer(o.conversationId, {
    transferId: o.id, by: 'system', actorId: null, reason: `receiver_${status}`,
  }))));
  const requeued = status === 'offline' ? await requeueHeldChats(deps, workspaceId, agentId, 'agent_offline') : 0;
  return { offersCancelled: cancelled.filter(Boolean).length, requeued };
}

/**
 * The away grace, run periodically on the maintenance queue (idempotent: a chat already requeued is
 * no longer held, and the workflow refuses a second move). Agents of every workspace.
 */
export async function requeueAwayAgents(deps: AgentStatusDeps, now = new Date()): Promise<{ agents: number; requeued: number }> {
  const em = systemEm(deps.orm);
  const away = await em.find(AgentProfile, { status: 'away' }, { ...NO_TENANT_FILTER, limit: 10_000 });
  if (!away.length) return { agents: 0, requeued: 0 };
  const workspaces = await em.find(Workspace, { id: { $in: [...new Set(away.map((a) => a.workspaceId))] } }, NO_TENANT_FILTER);
  const graceSec = new Map(workspaces.map((w) => [w.id, w.awayRequeueAfterSec]));
  let agents = 0;
  let requeued = 0;
  for (const a of away) {
    const since = (a.statusChangedAt ?? a.updatedAt).getTime();
    if (since + (graceSec.get(a.workspaceId) ?? 300) * 1000 > now.getTime()) continue;
    const n = await requeueHeldChats(deps, a.workspaceId, a.userId, 'agent_away');
    if (n) agents += 1;
    requeued += n;
  }
  return { agents, requeued };
}
