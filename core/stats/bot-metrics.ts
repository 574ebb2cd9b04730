/**
 * Bot metrics (F5, F21): per day (in the workspace's time zone) and channel.
 *
 * Question counts come from the bot's replies — every customer question the bot handled gets one
 * reply carrying `body.matched` (see core/conversations/bot-pipeline.ts):
 *   asked      bot replies with a boolean `matched` (answered, suggestions or fallback)
 *   answered   replies with matched = true           recall = answered / asked
 *   unmatched  replies with matched = false (suggested: of those, the ones that offered suggestions)
 * A message that made a transfer rule fire gets no bot reply and is not counted as a question.
 * Conversation counts are bucketed by the conversation's start:
 *   botConversations  conversations with a bot phase (a bot message other than a self-service card,
 *                     or a transfer request from the bot stage)
 *   transferred       … that were handed to a human (a transfer rule fired or they were queued)
 *   resolvedByBot     … that ended without a transfer, a queue or an agent (smart resolution)
 *   resolutionRate = resolvedByBot / botConversations, transferRate = transferred / botConversations.
 * Conversations still open count in botConversations but in neither outcome.
 * Day boundaries are computed here (the database needs no time-zone tables) and passed to SQL as
 * UTC windows, so days with a DST change are as long as they really are.
 */
import type { EntityManager } from '@mikro-orm/mysql';

export interface BotMetricsCounts {
  asked: number;
  answered: number;
  unmatched: number;
  suggested: number;
  botConversations: number;
  transferred: number;
  resolvedByBot: number;
}
export interface BotMetricsRow extends BotMetricsCounts { day: string; channelId: string }
export interface BotMetricsResult { timezone: string; from: Date; to: Date; rows: BotMetricsRow[]; total: BotMetricsCounts }

export const BOT_METRICS_MAX_DAYS = 366;

const ZERO: BotMetricsCounts = { asked: 0, answered: 0, unmatched: 0, suggested: 0, botConversations: 0, transferred: 0, resolvedByBot: 0 };

/** Milliseconds to add to UTC to get the wall-clock time in `timeZone` at `at`. */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: number, timeZone: string): string {
  return new Date(at + offsetMs(at, timeZone)).toISOString().slice(0, 10);
}

/** The instant a local calendar day starts (handles DST: the offset is re-read at the guess). */
export function startOfLocalDay(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  let t = wall - offsetMs(wall, timeZone);
  t = wall - offsetMs(t, timeZone);
  return t;
}

/** The local days overlapping [from, to), each with its UTC window clipped to [from, to). */
export function dayWindows(from: Date, to: Date, timeZone: string): { day: string; start: Date; end: Date }[] {
  const out: { day: string; start: Date; end: Date }[] = [];
  let day = localDate(from.getTime(), timeZone);
  while (out.length <= BOT_METRICS_MAX_DAYS) {
    const start = startOfLocalDay(day, timeZone);
    if (start >= to.getTime()) break;
    const nextDay = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const end = startOfLocalDay(nextDay, timeZone);
    const s = Math.max(start, from.getTime());
    const e = Math.min(end, to.getTime());
    if (e > s) out.push({ day, start: new Date(s), end: new Date(e) });
    day = nextDay;
  }
  return out;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const num = (v: unknown) => Number(v ?? 0) || 0;

/** Computes the metrics with two grouped queries over message and conversation. */
export async function botMetrics(
  em: EntityManager, workspaceId: string,
  opts: { from: Date; to: Date; channelId?: string | null; timeZone: string; conversationScope?: { sql: string; params: string[] } },
): Promise<BotMetricsResult> {
  const tz = isTimeZone(opts.timeZone) ? opts.timeZone : 'UTC';
  const windows = dayWindows(opts.from, opts.to, tz);
  const result: BotMetricsResult = { timezone: tz, from: opts.from, to: opts.to, rows: [], total: { ...ZERO } };
  if (windows.length === 0) return result;
  const days = windows.map(() => 'select ? as day, ? as s, ? as e').join(' union all ');
  const dayParams = windows.flatMap((w) => [w.day, w.start, w.end]);
  // `conversationScope` (SQL over alias c) limits the figures to the conversations a supervisor may see.
  const channelCond = (opts.channelId ? ' and c.channel_id = ?' : '') + (opts.conversationScope ? ` and ${opts.conversationScope.sql}` : '');
  const channelParam = [...(opts.channelId ? [opts.channelId] : []), ...(opts.conversationScope?.params ?? [])];
  const conn = em.getConnection();
  const matched = "json_unquote(json_extract(m.body, '$.matched'))";

  const questions = await conn.execute<Record<string, unknown>[]>(
    `select d.day, c.channel_id,
            count(*) as asked,
            sum(${matched} = 'true') as answered,
            sum(${matched} = 'false') as unmatched,
            sum(${matched} = 'false' and json_length(coalesce(json_extract(m.body, '$.suggestions'), json_array())) > 0) as suggested
       from message m
       join conversation c on c.id = m.conversation_id and c.workspace_id = m.workspace_id
       join (${days}) d on m.created_at >= d.s and m.created_at < d.e
      where m.workspace_id = ? and m.sender_type = 'bot' and ${matched} in ('true', 'false')
        and m.created_at >= ? and m.created_at < ?${channelCond}
      group by d.day, c.channel_id`,
    [...dayParams, workspaceId, opts.from, opts.to, ...channelParam],
  );

  const conversations = await conn.execute<Record<string, unknown>[]>(
    `select d.day, c.channel_id,
            count(*) as bot_conversations,
            sum(c.transfer_rule is not null or c.queued_at is not null) as transferred,
            sum(c.status = 'ended' and c.transfer_rule is null and c.queued_at is null and c.assigned_at is null) as resolved_by_bot
       from conversation c
       join (${days}) d on c.created_at >= d.s and c.created_at < d.e
      where c.workspace_id = ? and c.created_at >= ? and c.created_at < ?${channelCond}
        and exists (
          select 1 from message m
           where m.conversation_id = c.id and m.workspace_id = c.workspace_id
             and ((m.sender_type = 'bot' and coalesce(json_unquote(json_extract(m.body, '$.kind')), '') <> 'faq')
               or (m.sender_type = 'system' and json_unquote(json_extract(m.body, '$.event')) = 'transfer_requested')))
      group by d.day, c.channel_id`,
    [...dayParams, workspaceId, opts.from, opts.to, ...channelParam],
  );

  // Zero-filled: every day × every channel that had any activity in the range (or the one asked for).
  const channels = new Set<string>(opts.channelId ? [opts.channelId] : []);
  for (const r of [...questions, ...conversations]) channels.add(String(r.channel_id));
  const rows = new Map<string, BotMetricsRow>();
  for (const w of windows) for (const ch of [...channels].sort()) rows.set(`${w.day}|${ch}`, { day: w.day, channelId: ch, ...ZERO });
  for (const r of questions) {
    const row = rows.get(`${String(r.day)}|${String(r.channel_id)}`);
    if (!row) continue;
    row.asked = num(r.asked);
    row.answered = num(r.answered);
    row.unmatched = num(r.unmatched);
    row.suggested = num(r.suggested);
  }
  for (const r of conversations) {
    const row = rows.get(`${String(r.day)}|${String(r.channel_id)}`);
    if (!row) continue;
    row.botConversations = num(r.bot_conversations);
    row.transferred = num(r.transferred);
    row.resolvedByBot = num(r.resolved_by_bot);
  }
  result.rows = [...rows.values()];
  for (const row of result.rows) for (const k of Object.keys(ZERO) as (keyof BotMetricsCounts)[]) result.total[k] += row[k];
  return result;
}

/** A ratio, or null when there is nothing to divide by. */
export function rate(n: number, d: number): number | null {
  return d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null;
}
