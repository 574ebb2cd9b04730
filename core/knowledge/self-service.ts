/**
 * Self-service (自助服务, F4): what the web widget shows before and beside the chat, configured per
 * channel (`Channel.config.selfService`, validated by SelfServiceSettings) or per flow node (the
 * `self_service` node, SelfServiceNodeConfig in core/flows/registry.ts, built on SelfServiceContent):
 *
 *  - 猜你想问 (guesses): the node's/channel's pinned questions first, then public entries ranked by
 *      score = 3 · [an entry page pattern matches the page]
 *            + 2 · page-words coverage (0..1: how much of the entry's best question form the page's
 *                  title and URL words contain — the FAQ bot's retrieval, `plugin.faq-bot.related`;
 *                  core's own feature overlap when the bot is not installed; counted from 0.5)
 *            + 1 · hits / most hits (how often the bot answered with it over the last `hotDays` days)
 *    Entries scoring 0 are not guessed. Every guess lists its reasons (`pinned`, `page:<pattern>`,
 *    `page-words:<coverage>`, `hot:<hits>`), so the order can be explained to an operator;
 *  - FAQ lists by category: the configured categories (or every root category), each with its public
 *    questions (sub-categories included), most answered first;
 *  - business cards (名片): configured title, description, image, link and button;
 *  - guide bubbles (引导气泡, channel only: a prompt beside the launcher before any chat): those whose
 *    page patterns match the page (none: every page), with their delay.
 * Only public, enabled entries are offered: this is what visitors see.
 */
import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/mysql';
import type { z } from 'zod';
import { systemEm, workspaceEm } from '../db/orm.ts';
import { hotEntries } from '../stats/knowledge-hits.ts';
import { categoryTree, questionKey } from './entries.ts';
import { firstMatch, parsePageUrl } from './pages.ts';
import { features } from './search.ts';
import type { GuideBubble, SelfServiceCard, SelfServiceContent } from './self-service-config.ts';

export { GuideBubble, SelfServiceCard, SelfServiceContent, SelfServiceSettings } from './self-service-config.ts';

export interface SelfServiceGuess { entryId: string | null; question: string; score: number; hits: number; reasons: string[] }
export interface SelfServiceCategory { id: string; name: string; questions: { entryId: string; question: string }[] }
export interface SelfServiceBubble { id: string; text: string; delaySec: number; question: string | null }
export interface SelfServiceView {
  title: string;
  guesses: SelfServiceGuess[];
  categories: SelfServiceCategory[];
  cards: SelfServiceCard[];
  bubbles: SelfServiceBubble[];
}

/** Entries a page's text is about (entry id → coverage 0..1), or null when the matcher is not available. */
export type PageMatcher = (text: string) => Promise<Map<string, number> | null>;

export interface PageInfo { url?: string | null; title?: string | null }

/** Page-words coverage counts from here (below it a page only shares a word or two with the question). */
export const PAGE_WORDS_MIN = 0.5;
const W_PATTERN = 3;
const W_PAGE_WORDS = 2;
const W_HOT = 1;

// ── the public entries of a workspace (cached by a fingerprint, like agent assist) ───────────────────

interface Candidate { id: string; question: string; categoryId: string | null; pagePatterns: string[]; forms: Set<string>[] }
const candidatesCache = new Map<string, { stamp: string; list: Promise<Candidate[]> }>();
const MAX_CANDIDATES = 20_000;

function jsonList(raw: unknown): string[] {
  let v = raw;
  if (typeof v === 'string') {
    try { v = JSON.parse(v); } catch { return []; }
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

async function candidates(orm: MikroORM, workspaceId: string): Promise<Candidate[]> {
  const conn = systemEm(orm).getConnection();
  const where = "workspace_id = ? and enabled = 1 and visibility = 'public'";
  const [fp] = await conn.execute<{ n: number; v: string | number | null; x: string | number | null }[]>(
    `select count(*) n, sum(version) v, bit_xor(crc32(concat(id, ':', version))) x from knowledge_entry where ${where}`, [workspaceId],
  );
  const stamp = `${fp?.n ?? 0}:${fp?.v ?? 0}:${fp?.x ?? 0}`;
  const hit = candidatesCache.get(workspaceId);
  if (hit && hit.stamp === stamp) return hit.list;
  const list = conn.execute<{ id: string; question: string; variants: unknown; category_id: string | null; page_patterns: unknown }[]>(
    `select id, question, variants, category_id, page_patterns from knowledge_entry where ${where} order by created_at, id limit ?`, [workspaceId, MAX_CANDIDATES],
  ).then((rows) => rows.map((r) => ({
    id: r.id, question: r.question, categoryId: r.category_id, pagePatterns: jsonList(r.page_patterns),
    forms: [r.question, ...jsonList(r.variants)].map((f) => new Set(features(f))).filter((f) => f.size > 0),
  })));
  if (candidatesCache.size >= 200) candidatesCache.clear();
  candidatesCache.set(workspaceId, { stamp, list });
  list.catch(() => { if (candidatesCache.get(workspaceId)?.list === list) candidatesCache.delete(workspaceId); });
  return list;
}

// ── page words ───────────────────────────────────────────────────────────────────────────────────────

/** The words a page is about: its title and the words of its URL path and query values (not the host). */
export function pageText(page: PageInfo): string {
  const url = parsePageUrl(page.url);
  const parts: string[] = [];
  if (page.title) parts.push(page.title);
  if (url) {
    let path = url.pathname;
    try { path = decodeURIComponent(path); } catch { /* keep it */ }
    parts.push(path.replace(/[/_.\-+]+/g, ' '));
    for (const v of url.searchParams.values()) if (v.length <= 100 && !/^[A-Za-z0-9_-]{16,}$/.test(v)) parts.push(v.replace(/[_.\-+]+/g, ' '));
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/** Core's fallback page matcher: the share of an entry's best form whose features the page has. */
function overlapCoverage(text: string, list: Candidate[]): Map<string, number> {
  const page = new Set(features(text));
  const out = new Map<string, number>();
  if (page.size === 0) return out;
  for (const c of list) {
    let best = 0;
    for (const f of c.forms) {
      let common = 0;
      for (const x of f) if (page.has(x)) common++;
      best = Math.max(best, common / f.size);
    }
    if (best > 0) out.set(c.id, best);
  }
  return out;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function bubbleId(b: z.output<typeof GuideBubble>): string {
  return createHash('sha256').update(JSON.stringify([b.text, b.pages, b.question ?? null])).digest('base64url').slice(0, 12);
}

/**
 * What the widget shows for a page. `settings` is a channel's SelfServiceSettings or a flow node's
 * content (title: its greeting; no bubbles). `matchPage` is the bot's page matcher (null or returning
 * null: core's overlap is used).
 */
export async function selfServiceView(
  orm: MikroORM, workspaceId: string,
  settings: z.output<typeof SelfServiceContent> & { title: string; bubbles?: z.output<typeof GuideBubble>[] },
  page: PageInfo,
  opts: { matchPage?: PageMatcher | null; now?: Date } = {},
): Promise<SelfServiceView> {
  const url = parsePageUrl(page.url);
  const list = await candidates(orm, workspaceId);
  const byId = new Map(list.map((c) => [c.id, c]));
  const byQuestion = new Map(list.map((c) => [questionKey(c.question), c]));
  const needHits = settings.guess.enabled || settings.categories.enabled;
  const hitsById = new Map<string, number>();
  if (needHits && list.length) {
    for (const h of await hotEntries(orm, workspaceId, settings.guess.hotDays, opts.now, 500)) if (byId.has(h.entryId)) hitsById.set(h.entryId, h.hits);
  }

  // 猜你想问
  const guesses: SelfServiceGuess[] = [];
  const taken = new Set<string>();
  for (const q of settings.questions) {
    const c = byQuestion.get(questionKey(q));
    if (c && taken.has(c.id)) continue;
    if (c) taken.add(c.id);
    guesses.push({ entryId: c?.id ?? null, question: c?.question ?? q, score: 0, hits: c ? hitsById.get(c.id) ?? 0 : 0, reasons: ['pinned'] });
  }
  const limit = Math.max(settings.guess.limit, guesses.length);
  if (settings.guess.enabled && guesses.length < limit && list.length) {
    const text = settings.guess.pageWords ? pageText(page) : '';
    let coverage: Map<string, number> | null = null;
    if (text) coverage = (await opts.matchPage?.(text).catch(() => null)) ?? overlapCoverage(text, list);
    const maxHits = Math.max(0, ...hitsById.values());
    const scored: SelfServiceGuess[] = [];
    for (const c of list) {
      if (taken.has(c.id)) continue;
      const reasons: string[] = [];
      let score = 0;
      const pattern = firstMatch(c.pagePatterns, url);
      if (pattern) { score += W_PATTERN; reasons.push(`page:${pattern}`); }
      const cov = coverage?.get(c.id) ?? 0;
      if (cov >= PAGE_WORDS_MIN) { score += W_PAGE_WORDS * cov; reasons.push(`page-words:${round(cov)}`); }
      const hits = hitsById.get(c.id) ?? 0;
      if (hits > 0 && maxHits > 0) { score += W_HOT * (hits / maxHits); reasons.push(`hot:${hits}`); }
      if (score > 0) scored.push({ entryId: c.id, question: c.question, score: round(score), hits, reasons });
    }
    scored.sort((a, b) => b.score - a.score || b.hits - a.hits || (a.question < b.question ? -1 : a.question > b.question ? 1 : 0));
    guesses.push(...scored.slice(0, limit - guesses.length));
  }

  // FAQ lists by category
  const categories: SelfServiceCategory[] = [];
  if (settings.categories.enabled && list.length) {
    const tree = await categoryTree(workspaceEm(orm, workspaceId));
    const roots = settings.categories.ids.length
      ? settings.categories.ids.filter((id) => tree.byId.has(id))
      : [...tree.byId.values()].filter((c) => !c.parentId).map((c) => c.id); // already ordered by sort, name
    for (const id of roots) {
      const within = new Set(tree.descendants(id));
      const questions = list.filter((c) => c.categoryId && within.has(c.categoryId))
        .sort((a, b) => (hitsById.get(b.id) ?? 0) - (hitsById.get(a.id) ?? 0) || (a.question < b.question ? -1 : a.question > b.question ? 1 : 0))
        .slice(0, settings.categories.perCategory)
        .map((c) => ({ entryId: c.id, question: c.question }));
      if (questions.length) categories.push({ id, name: tree.byId.get(id)!.name, questions });
    }
  }

  const bubbles = (settings.bubbles ?? [])
    .filter((b) => !b.pages.length || !!firstMatch(b.pages, url))
    .map((b) => ({ id: bubbleId(b), text: b.text, delaySec: b.delaySec, question: b.question ?? null }));
  return { title: settings.title, guesses, categories, cards: settings.cards, bubbles };
}
