/**
 * Knowledge search for agent assist (F16): a small, dependency-free scorer in core (plugins have
 * their own, better matchers; core must not import them).
 *
 * Text is normalised (NFKC, lowercase, punctuation → space), Chinese filler words are dropped, and
 * it becomes a set of features: character bigrams for CJK runs (a lone character as a unigram) and
 * lightly stemmed words for Latin/digit runs (stop words dropped). An entry scores the best of its
 * standard question and variants:  0.7 · Dice(text, form) + 0.3 · |text ∩ form| / |form|.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { systemEm } from '../db/orm.ts';

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const SEGMENT_RE = new RegExp(`[${CJK}]+|[^${CJK}]+`, 'gu');
const CJK_RE = new RegExp(`^[${CJK}]`, 'u');
const ZH_FILLER_RE = new RegExp(
  ['请问', '你好', '您好', '麻烦', '谢谢', '我想', '我要', '想要', '怎么样', '怎么', '怎样', '如何', '能不能', '可不可以', '可以',
    '是不是', '是否', '一下', '什么', '我们', '你们', '我', '你', '您', '请', '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '的', '了']
    .sort((a, b) => b.length - a.length).join('|'),
  'gu',
);
const EN_STOP = new Set(
  ('a an the i me my we us our you your it its this that is am are was were be been do does did can could will would should may might ' +
    'how what which who please pls hi hello hey thanks thank to of for in on at by with from and or so just want like need get there any some about if')
    .split(' '),
);

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Z}\s]+/gu, ' ').trim();
}

/** Light English stemming: plural -s/-ies, -ing, -ed, final -e. */
export function stem(word: string): string {
  if (/^\d+$/.test(word) || word.length <= 3) return word;
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** The feature set of a text (see the module comment). */
export function features(text: string): string[] {
  const out = new Set<string>();
  for (const run of normalise(text).replace(ZH_FILLER_RE, ' ').split(' ')) {
    if (!run) continue;
    for (const seg of run.match(SEGMENT_RE) ?? []) {
      if (CJK_RE.test(seg)) {
        const chars = [...seg];
        if (chars.length === 1) out.add(chars[0]!);
        for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
      } else if (!EN_STOP.has(seg)) {
        out.add(stem(seg));
      }
    }
  }
  return [...out];
}

/** 0..1: Dice overlap, nudged up when the text covers the whole form. */
export function similarity(text: ReadonlySet<string>, form: readonly string[]): number {
  if (text.size === 0 || form.length === 0) return 0;
  let common = 0;
  for (const f of form) if (text.has(f)) common++;
  return 0.7 * ((2 * common) / (text.size + form.length)) + 0.3 * (common / form.length);
}

export interface SearchItem { id: string; question: string; variants: string[] }
export interface PreparedItem extends SearchItem { forms: string[][] }

export function prepare(items: readonly SearchItem[]): PreparedItem[] {
  return items.map((e) => ({ ...e, forms: [e.question, ...e.variants].map(features).filter((f) => f.length > 0) }));
}

/** The best `limit` items scoring above `minScore`, highest first (ties: earlier item first). */
export function rank<T extends PreparedItem>(text: string, items: readonly T[], limit = 5, minScore = 0.1): { item: T; score: number }[] {
  const q = new Set(features(text));
  if (q.size === 0) return [];
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    let best = 0;
    for (const f of item.forms) best = Math.max(best, similarity(q, f));
    if (best > 0 && best >= minScore) scored.push({ item, score: Math.round(best * 1000) / 1000 });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, limit);
}

// ── per-workspace index of enabled entries ─────────────────────────────────────────────────────────

interface CachedIndex { stamp: string; items: Promise<PreparedItem[]> }
const indexes = new Map<string, CachedIndex>();
const MAX_CACHED_WORKSPACES = 200;
/** Entries searched per workspace at most. */
export const MAX_SEARCH_ENTRIES = 20_000;

function parseVariants(raw: unknown): string[] {
  let v = raw;
  if (typeof v === 'string') {
    try { v = JSON.parse(v); } catch { return []; }
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The prepared enabled entries (internal and public) of a workspace. A cheap fingerprint of the set
 * of (id, version) pairs is checked on every call, so edits on any hub node are seen at once.
 */
export async function knowledgeIndex(orm: MikroORM, workspaceId: string): Promise<PreparedItem[]> {
  const conn = systemEm(orm).getConnection();
  const [fp] = await conn.execute<{ n: number; v: string | number | null; x: string | number | null }[]>(
    'select count(*) n, sum(version) v, bit_xor(crc32(concat(id, \':\', version))) x from knowledge_entry where workspace_id = ? and enabled = 1',
    [workspaceId],
  );
  const stamp = `${fp?.n ?? 0}:${fp?.v ?? 0}:${fp?.x ?? 0}`;
  const hit = indexes.get(workspaceId);
  if (hit && hit.stamp === stamp) return hit.items;
  const items = conn.execute<{ id: string; question: string; variants: unknown }[]>(
    'select id, question, variants from knowledge_entry where workspace_id = ? and enabled = 1 order by created_at, id limit ?',
    [workspaceId, MAX_SEARCH_ENTRIES],
  ).then((rows) => prepare(rows.map((r) => ({ id: r.id, question: r.question, variants: parseVariants(r.variants) }))));
  if (indexes.size >= MAX_CACHED_WORKSPACES) indexes.clear();
  indexes.set(workspaceId, { stamp, items });
  items.catch(() => { if (indexes.get(workspaceId)?.items === items) indexes.delete(workspaceId); });
  return items;
}
