/**
 * Knowledge-base domain rules shared by the GraphQL API and the import job: what a valid entry is,
 * how a rich answer yields the plain `answer` the bot sends, category paths, and versioned writes
 * (every change bumps `version` and writes an immutable KnowledgeEntryRevision).
 */
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/mysql';
import {
  KNOWLEDGE_ANSWER_TYPES, KNOWLEDGE_VISIBILITIES, KnowledgeCategory, KnowledgeEntry, KnowledgeEntryRevision,
  type KnowledgeSnapshot,
} from '../db/entities/index.ts';
import { PagePatterns } from './pages.ts';

export const QUESTION_MAX = 500;
export const VARIANT_MAX = 500;
export const VARIANTS_MAX = 50;
export const ANSWER_MAX = 10_000;
export const CATEGORY_NAME_MAX = 120;
/** Separates category names in a path (`售后 > 退换货`), in exports, imports and `KnowledgeEntry.category`. */
export const CATEGORY_SEPARATOR = ' > ';

const httpUrl = z.string().trim().max(2000).regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');
const imageUrl = z.string().trim().max(1_400_000, 'data: URLs are limited to about 1 MB')
  .refine((u) => (/^https?:\/\/\S+$/i.test(u) && u.length <= 2000) || /^data:image\/(png|jpeg|gif|webp);base64,/.test(u), 'must be an http(s) or data:image URL');

/** The rich answer of each type (`text` has none: the plain `answer` is the answer). */
export const ANSWER_BODIES = {
  rich_text: z.object({ html: z.string().min(1).max(20_000) }),
  image: z.object({ url: imageUrl, alt: z.string().max(200).optional(), width: z.number().int().positive().optional(), height: z.number().int().positive().optional() }),
  link: z.object({ url: httpUrl, title: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() }),
  card: z.object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(1000).optional(),
    url: httpUrl.optional(),
    image: imageUrl.optional(),
    actions: z.array(z.object({ label: z.string().trim().min(1).max(50), value: z.string().max(200) })).max(5).optional(),
  }),
} as const;

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Plain text of an HTML fragment: block ends become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .split('\n').map((l) => l.replace(/[ \t\f\v]+/g, ' ').trim()).filter(Boolean).join('\n');
}

/** The plain-text answer a rich answer stands for (what the bot sends and search shows). */
function plainAnswer(type: string, body: Record<string, unknown>): string {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k]).trim() : '');
  switch (type) {
    case 'rich_text': return htmlToText(s('html'));
    case 'image': return s('alt') || (/^https?:/i.test(s('url')) ? s('url') : '[图片 image]');
    case 'link': return [s('title'), s('description'), s('url')].filter(Boolean).join('\n');
    case 'card': return [s('title'), s('description'), s('url')].filter(Boolean).join('\n');
    default: return '';
  }
}

/** A valid entry's editable content (category is resolved separately). */
export interface EntryContent {
  question: string;
  variants: string[];
  answer: string;
  answerType: KnowledgeSnapshot['answerType'];
  answerBody: Record<string, unknown> | null;
  visibility: KnowledgeSnapshot['visibility'];
  enabled: boolean;
  /** Pages the entry belongs to (self-service 猜你想问), see pages.ts. */
  pagePatterns: string[];
}

/** Question and variants compare on this key (case, width and spacing ignored). */
export function questionKey(q: string): string {
  return q.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Validates an entry's content. `answer` may be omitted for rich answers (it is derived from the
 * body); variants are trimmed, de-duplicated and never repeat the question.
 */
export const EntryContentSchema = z.object({
  question: z.string({ error: 'question is required' }).trim()
    .min(1, 'question is empty').max(QUESTION_MAX, `question is longer than ${QUESTION_MAX} characters`),
  variants: z.array(z.string().trim().max(VARIANT_MAX, `a variant is longer than ${VARIANT_MAX} characters`))
    .max(VARIANTS_MAX, `at most ${VARIANTS_MAX} variants`).nullish(),
  answer: z.string().trim().max(ANSWER_MAX, `answer is longer than ${ANSWER_MAX} characters`).nullish(),
  answerType: z.enum(KNOWLEDGE_ANSWER_TYPES, { error: `answerType must be one of ${KNOWLEDGE_ANSWER_TYPES.join(', ')}` }).nullish(),
  answerBody: z.unknown().optional(),
  visibility: z.enum(KNOWLEDGE_VISIBILITIES, { error: 'visibility must be public or internal' }).nullish(),
  enabled: z.boolean().nullish(),
  pagePatterns: PagePatterns.nullish(),
}).transform((v, ctx): EntryContent => {
  const answerType = v.answerType ?? 'text';
  let answerBody: Record<string, unknown> | null = null;
  if (answerType !== 'text') {
    const parsed = ANSWER_BODIES[answerType].safeParse(v.answerBody);
    if (!parsed.success) {
      for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['answerBody', ...i.path.map(String)], message: `${answerType} answer: ${i.message}` });
      return z.NEVER;
    }
    answerBody = parsed.data;
  }
  const answer = v.answer || (answerBody ? plainAnswer(answerType, answerBody).slice(0, ANSWER_MAX) : '');
  if (!answer) {
    ctx.addIssue({ code: 'custom', path: ['answer'], message: 'answer is empty' });
    return z.NEVER;
  }
  const qKey = questionKey(v.question);
  const seen = new Set([qKey]);
  const variants: string[] = [];
  for (const x of v.variants ?? []) {
    const k = questionKey(x);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    variants.push(x);
  }
  const pagePatterns = [...new Set(v.pagePatterns ?? [])];
  return { question: v.question, variants, answer, answerType, answerBody, visibility: v.visibility ?? 'public', enabled: v.enabled ?? true, pagePatterns };
});

// ── categories ─────────────────────────────────────────────────────────────────────────────────────

export interface CategoryTree {
  byId: Map<string, KnowledgeCategory>;
  /** The full path (`售后 > 退换货`), or null. */
  path(id: string | null | undefined): string | null;
  /** The path as stored in `KnowledgeEntry.category` (at most 120 characters). */
  storedPath(id: string | null | undefined): string | null;
  /** The category itself and every category below it. */
  descendants(id: string): string[];
}

/** All categories of the workspace the EntityManager is bound to, with path helpers. */
export async function categoryTree(em: EntityManager): Promise<CategoryTree> {
  const all = await em.find(KnowledgeCategory, {}, { orderBy: { sort: 'asc', name: 'asc' } });
  const byId = new Map(all.map((c) => [c.id, c]));
  const path = (id: string | null | undefined): string | null => {
    if (!id) return null;
    const names: string[] = [];
    const seen = new Set<string>();
    for (let c = byId.get(id); c && !seen.has(c.id); c = c.parentId ? byId.get(c.parentId) : undefined) {
      seen.add(c.id);
      names.unshift(c.name);
    }
    return names.length ? names.join(CATEGORY_SEPARATOR) : null;
  };
  const descendants = (id: string): string[] => {
    const out = [id];
    for (let i = 0; i < out.length; i++) for (const c of all) if (c.parentId === out[i] && !out.includes(c.id)) out.push(c.id);
    return out;
  };
  return { byId, path, storedPath: (id) => path(id)?.slice(0, CATEGORY_NAME_MAX) ?? null, descendants };
}

/** Splits a category path (`售后 > 退换货`, spaces optional) into names; names cannot contain `>`. */
export function splitCategoryPath(path: string): string[] {
  return path.split('>').map((s) => s.trim()).filter(Boolean);
}

export const CategoryName = z.string().trim().min(1, 'name is empty').max(CATEGORY_NAME_MAX, `name is longer than ${CATEGORY_NAME_MAX} characters`)
  .refine((n) => !n.includes('>'), 'name cannot contain ">" (it separates category paths)');

// ── versioned writes ───────────────────────────────────────────────────────────────────────────────

export function snapshotOf(e: KnowledgeEntry): KnowledgeSnapshot {
  return {
    question: e.question,
    variants: [...(e.variants ?? [])],
    answer: e.answer,
    answerType: e.answerType,
    answerBody: e.answerBody ?? null,
    visibility: e.visibility,
    categoryId: e.categoryId ?? null,
    category: e.category ?? null,
    enabled: e.enabled,
    pagePatterns: [...(e.pagePatterns ?? [])],
  };
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
  x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x);

/** Whether two snapshots hold the same content (the denormalised category path is not compared). */
export function sameContent(a: KnowledgeSnapshot, b: KnowledgeSnapshot): boolean {
  const strip = ({ category: _c, ...rest }: KnowledgeSnapshot) => ({ ...rest, pagePatterns: rest.pagePatterns ?? [] });
  return stable(strip(a)) === stable(strip(b));
}

function revision(tx: EntityManager, e: KnowledgeEntry, action: string, authorId: string | null): KnowledgeEntryRevision {
  return tx.create(KnowledgeEntryRevision, { workspaceId: e.workspaceId, entryId: e.id, version: e.version, action, snapshot: snapshotOf(e), authorId });
}

/** Creates an entry at version 1 with its first revision (not flushed). */
export function createEntry(tx: EntityManager, workspaceId: string, snap: KnowledgeSnapshot, authorId: string | null, action = 'create'): KnowledgeEntry {
  const e = tx.create(KnowledgeEntry, { workspaceId, ...snap, version: 1, updatedById: authorId });
  revision(tx, e, action, authorId);
  return e;
}

/**
 * Applies new content to an entry as its next version (with a revision); returns false and changes
 * nothing when the content is the same. The caller holds the row lock and checked the version.
 */
export function changeEntry(tx: EntityManager, e: KnowledgeEntry, snap: KnowledgeSnapshot, authorId: string | null, action = 'update'): boolean {
  if (sameContent(snapshotOf(e), snap)) {
    if ((e.category ?? null) !== snap.category) e.category = snap.category; // a renamed category: not a new version
    return false;
  }
  tx.assign(e, { ...snap, version: e.version + 1, updatedById: authorId, updatedAt: new Date() });
  revision(tx, e, action, authorId);
  return true;
}

/** A snapshot's content in the shape of EntryContent (for re-validation before a restore). */
export function contentOf(s: KnowledgeSnapshot): Record<string, unknown> {
  return {
    question: s.question, variants: s.variants, answer: s.answer, answerType: s.answerType,
    answerBody: s.answerBody ?? undefined, visibility: s.visibility, enabled: s.enabled !== false && (s.enabled as unknown) !== 0,
    pagePatterns: s.pagePatterns ?? [],
  };
}
