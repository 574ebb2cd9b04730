/**
 * How often the bot answered with each knowledge entry, per UTC day (table `knowledge_hit`): the
 * source of the self-service "hot questions" (猜你想问). Bot answers live in `message.body`, which has
 * no index to count them by entry over a window, so the bot stage adds one to a counter row per
 * matched answer instead (one upsert), and a window is a small indexed sum.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { newId } from '../db/ids.ts';
import { systemEm } from '../db/orm.ts';

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Counts one answer of the bot with `entryId` (at `at`, today by default). */
export async function recordKnowledgeHit(orm: MikroORM, workspaceId: string, entryId: string, at: Date = new Date()): Promise<void> {
  await systemEm(orm).getConnection().execute(
    'insert into knowledge_hit (id, workspace_id, created_at, entry_id, day, hits, updated_at) values (?, ?, ?, ?, ?, 1, ?) on duplicate key update hits = hits + 1, updated_at = values(updated_at)',
    [newId(), workspaceId, at, entryId.slice(0, 36), utcDay(at), at],
  );
}

export interface EntryHits { entryId: string; hits: number }

/**
 * The entries the bot answered most over the last `days` UTC days up to `now` (today included), most
 * first (ties: entry id, for a stable order).
 */
export async function hotEntries(orm: MikroORM, workspaceId: string, days: number, now: Date = new Date(), limit = 100): Promise<EntryHits[]> {
  const from = utcDay(now.getTime() - (Math.max(1, days) - 1) * 86_400_000);
  const rows = await systemEm(orm).getConnection().execute<{ entry_id: string; hits: number | string }[]>(
    'select entry_id, sum(hits) hits from knowledge_hit where workspace_id = ? and day >= ? and day <= ? group by entry_id order by hits desc, entry_id limit ?',
    [workspaceId, from, utcDay(now), limit],
  );
  return rows.map((r) => ({ entryId: r.entry_id, hits: Number(r.hits) }));
}
