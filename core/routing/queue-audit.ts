/**
 * The queue audit: customers the database says are waiting (`queued`) but routing no longer holds in
 * Redis — Redis restarted without persistence, was failed over to a replica that had not caught up,
 * or was wiped. Without it they would wait, unseen by any agent, until their queue timeout sent them
 * to the offline message. Each one found is handed back to its workflow (`queueLost`), which owns the
 * queue phase: it enqueues the conversation again at the place it had, or ignores the signal if an
 * assignment got there first (the signal is ordered after the `assigned` one routing sent before it
 * cleared its pending entry, and the enqueue activity and script refuse an assigned conversation too).
 * Run periodically on the maintenance queue; idempotent.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation } from '../db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm } from '../db/orm.ts';
import type { RoutingService } from './routing.ts';

export interface QueueAuditDeps {
  orm: MikroORM;
  routing: Pick<RoutingService, 'tracked'>;
  /** Signals the conversation's workflow (LifecycleClient.queueLost). */
  queueLost: (conversationId: string) => Promise<void>;
  logger: { warn: (message: string) => void };
}

export interface QueueAuditResult { checked: number; lost: number; signalled: number }

/**
 * minAgeMs: rows queued more recently are left alone (their enqueue may still be on its way to Redis).
 * limit bounds one run; the next run continues. workspaceId: audit one workspace only.
 */
export async function auditQueues(deps: QueueAuditDeps, opts: { minAgeMs?: number; limit?: number; workspaceId?: string } = {}): Promise<QueueAuditResult> {
  const before = new Date(Date.now() - (opts.minAgeMs ?? 30_000));
  const rows = await systemEm(deps.orm).find(
    Conversation,
    { status: 'queued', queuedAt: { $lt: before }, ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}) },
    { ...NO_TENANT_FILTER, fields: ['id', 'workspaceId'], orderBy: { queuedAt: 'asc' }, limit: opts.limit ?? 5000 },
  );
  const byWorkspace = new Map<string, string[]>();
  for (const r of rows) byWorkspace.set(r.workspaceId, [...(byWorkspace.get(r.workspaceId) ?? []), r.id]);
  let lost = 0;
  let signalled = 0;
  for (const [ws, ids] of byWorkspace) {
    const known = await deps.routing.tracked(ws, ids);
    for (const id of ids) {
      if (known.has(id)) continue;
      lost++;
      try {
        await deps.queueLost(id);
        signalled++;
      } catch (err) {
        // The workflow ended meanwhile (the row is about to change), or Temporal is away: next run.
        deps.logger.warn(`queue audit: could not hand conversation ${id} back to its workflow: ${(err as Error).message}`);
      }
    }
  }
  if (lost) deps.logger.warn(`queue audit: ${lost} waiting conversation(s) missing from routing (Redis lost them); ${signalled} re-queued by their workflows`);
  return { checked: rows.length, lost, signalled };
}
