/**
 * FAQ bot (kind `bot`): answers customer messages from the workspace's public knowledge base (the
 * core `knowledge_entry` table: a standard question, its variants, the answer).
 *
 *  - matching: jieba segmentation (bigram fallback), pinyin, stemming, synonyms, BM25 over every
 *    question form with a calibrated confidence — see tokenize.ts, retrieval.ts, matcher.ts;
 *  - synonyms per workspace: entity `plugin_faq_bot_synonym`, GraphQL `faqBotSynonyms` /
 *    `setFaqBotSynonyms`, on top of the built-in list (config `builtinSynonyms`);
 *  - one index per workspace, cached: rebuilt after CACHE_TTL_MS, when a cheap fingerprint of the
 *    knowledge base or the synonyms changes (checked at most every RECHECK_MS), or at once on this
 *    node when synonyms are edited;
 *  - Moleculer actions `plugin.faq-bot.search` (top entries for a text: the LLM bot's retrieval,
 *    agent assist), `plugin.faq-bot.answer` (the bot's answer: the LLM bot's fallback) and
 *    `plugin.faq-bot.related` (entries a page's title and URL are about: self-service 猜你想问; public
 *    entries only, so widget visitors may call it).
 */
import { randomUUID } from 'node:crypto';
import { definePlugin, defineEntity, p, z, type BotAnswer, type PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { BUILTIN_SYNONYMS } from './builtin-synonyms.ts';
import { DEFAULT_SUGGEST_THRESHOLD, DEFAULT_THRESHOLD, matchKnowledge, rank, type KnowledgeIndex, type KnowledgeItem } from './matcher.ts';
import { buildIndex, relatedEntries } from './retrieval.ts';
import { segmenterError, segmenterName } from './segmenter.ts';
import { SynonymTable, normalise, type Synonym } from './tokenize.ts';

export { BUILTIN_SYNONYMS } from './builtin-synonyms.ts';
export { confidenceOf, matchKnowledge, prepareEntries, rank } from './matcher.ts';
export type { KnowledgeIndex, KnowledgeItem, MatchOptions } from './matcher.ts';
export { buildIndex, relatedEntries, search } from './retrieval.ts';
export { segmenterName, useSegmenter } from './segmenter.ts';
export { SynonymTable, analyse, features, normalise, stem, words } from './tokenize.ts';

export const CACHE_TTL_MS = 30_000;
/** How often (at most) a cached index checks whether the knowledge base or the synonyms changed. */
export const RECHECK_MS = 5_000;
/** Entries read per workspace at most. */
export const MAX_ENTRIES = 20_000;

export const faqBotConfig = z.object({
  threshold: z.number().min(0).max(1).default(DEFAULT_THRESHOLD).describe('Confidence (0–1) at or above which the best entry answers'),
  suggestThreshold: z.number().min(0).max(1).default(DEFAULT_SUGGEST_THRESHOLD).describe('Confidence (0–1) at or above which entries are suggested when nothing answered'),
  maxSuggestions: z.number().int().min(0).max(10).default(3).describe('How many "您是不是想问…" suggestions at most'),
  builtinSynonyms: z.boolean().default(true).describe('Use the built-in e-commerce synonyms and misspellings (帐号→账号, 邮费→运费, parcel→package …)'),
}).refine((c) => c.suggestThreshold <= c.threshold, { message: 'suggestThreshold must not be above threshold', path: ['suggestThreshold'] });
export type FaqBotConfig = z.output<typeof faqBotConfig>;

// ── synonyms entity ────────────────────────────────────────────────────────────────────────────────

export const FaqBotSynonymSchema = defineEntity({
  name: 'FaqBotSynonym',
  tableName: 'plugin_faq_bot_synonym',
  uniques: [{ properties: ['workspaceId', 'term'] }],
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    workspaceId: p.string().length(36).index(),
    term: p.string().length(100),
    synonyms: p.json<string[]>(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
    updatedAt: p.datetime(3).onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class FaqBotSynonym extends FaqBotSynonymSchema.class {}
FaqBotSynonymSchema.setClass(FaqBotSynonym);

const TermInput = z.string().trim().min(1, 'term is empty').max(100);
const SynonymsInput = z.array(z.string().trim().min(1, 'a synonym is empty').max(100)).max(100, 'at most 100 synonyms per term');

// ── the cached index ───────────────────────────────────────────────────────────────────────────────

interface CacheEntry {
  builtAt: number;
  checkedAt: number;
  key: string;
  fingerprint: string;
  index: Promise<KnowledgeIndex>;
}
const cache = new Map<string, CacheEntry>();

/** Forgets the cached index of one workspace (or of all), e.g. after the knowledge base changed. */
export function clearKnowledgeCache(workspaceId?: string): void {
  if (workspaceId) cache.delete(workspaceId);
  else cache.clear();
}

function parseVariants(raw: unknown): string[] {
  let v = raw;
  if (typeof v === 'string') {
    try { v = JSON.parse(v); } catch { return []; }
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

function answerText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw && typeof raw === 'object' && typeof (raw as { text?: unknown }).text === 'string') return (raw as { text: string }).text;
  return raw == null ? '' : JSON.stringify(raw);
}

type Rows = Record<string, unknown>[];

/**
 * A cheap signature of what the index is built from: entry count and last edit, synonym count and
 * last edit. A failing query (a column renamed under us) yields '' and the TTL alone applies.
 */
async function fingerprint(rt: PluginRuntimeContext<FaqBotConfig>): Promise<string> {
  try {
    const conn = rt.em.getConnection();
    const [k] = (await conn.execute('select count(*) as n, max(updated_at) as u from knowledge_entry where workspace_id = ?', [rt.workspaceId])) as Rows;
    const [s] = (await conn.execute('select count(*) as n, max(updated_at) as u from plugin_faq_bot_synonym where workspace_id = ?', [rt.workspaceId])) as Rows;
    const t = (v: unknown) => (v instanceof Date ? String(v.getTime()) : typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    return `${t(k?.n)}:${t(k?.u)}|${t(s?.n)}:${t(s?.u)}`;
  } catch {
    return '';
  }
}

let segmenterLogged = false;

async function loadIndex(rt: PluginRuntimeContext<FaqBotConfig>): Promise<KnowledgeIndex> {
  // Plugins depend only on the SDK, so the core table is read by name; the workspace condition is
  // explicit because raw SQL bypasses the ORM's tenant filter. `select *` keeps working when the
  // knowledge base gains columns; an `enabled` column, if there is one, is honoured.
  const rows = (await rt.em.getConnection().execute(
    'select * from knowledge_entry where workspace_id = ? and visibility = ? order by created_at, id limit ?',
    [rt.workspaceId, 'public', MAX_ENTRIES],
  )) as Rows;
  if (rows.length >= MAX_ENTRIES) rt.logger.warn('knowledge base truncated', { workspaceId: rt.workspaceId, max: MAX_ENTRIES });
  const items: KnowledgeItem[] = rows
    .filter((r) => !('enabled' in r) || (r.enabled !== 0 && r.enabled !== false && r.enabled !== '0'))
    .map((r) => ({ id: String(r.id), question: typeof r.question === 'string' ? r.question : '', variants: parseVariants(r.variants), answer: answerText(r.answer) }));
  const own = await rt.em.find(FaqBotSynonym, {}, { orderBy: { term: 'asc' } });
  // The workspace's own synonyms win: a word it maps is taken out of the built-in groups.
  const ownWords = new Set(own.flatMap((s) => [s.term, ...s.synonyms].map(normalise)));
  const builtin = rt.config.builtinSynonyms ? BUILTIN_SYNONYMS.map((g) => ({ term: g.term, synonyms: g.synonyms.filter((w) => !ownWords.has(normalise(w))) })) : [];
  const synonyms: Synonym[] = [...own.map((s) => ({ term: s.term, synonyms: s.synonyms })), ...builtin];
  if (!segmenterLogged) {
    segmenterLogged = true;
    const err = segmenterError();
    if (segmenterName() === 'bigram' && err) rt.logger.warn('jieba is not available; Chinese is matched by character bigrams', { error: err });
  }
  return buildIndex(items, { synonyms: new SynonymTable(synonyms) });
}

/**
 * The workspace's index; cached for CACHE_TTL_MS, rebuilt earlier when the fingerprint changes
 * (checked at most every RECHECK_MS). Concurrent callers share one build; a failed build is not kept.
 */
export async function knowledge(rt: PluginRuntimeContext<FaqBotConfig>, now = Date.now()): Promise<KnowledgeIndex> {
  const key = `${rt.config.builtinSynonyms}`;
  const hit = cache.get(rt.workspaceId);
  let fp: string | null = null;
  if (hit && hit.key === key && now - hit.builtAt < CACHE_TTL_MS) {
    if (now - hit.checkedAt < RECHECK_MS) return hit.index;
    hit.checkedAt = now; // callers meanwhile keep using it
    fp = await fingerprint(rt);
    if (!fp || fp === hit.fingerprint) return hit.index; // unchanged (or cannot tell: the TTL applies)
  }
  for (const [ws, e] of cache) if (now - e.builtAt >= CACHE_TTL_MS) cache.delete(ws);
  fp ??= await fingerprint(rt);
  const index = loadIndex(rt);
  const entry: CacheEntry = { builtAt: now, checkedAt: now, key, fingerprint: fp, index };
  cache.set(rt.workspaceId, entry);
  index.catch(() => { if (cache.get(rt.workspaceId) === entry) cache.delete(rt.workspaceId); });
  return index;
}

/** Top entries for a text, with their BM25 score and confidence (0..1). */
export async function searchKnowledge(rt: PluginRuntimeContext<FaqBotConfig>, text: string, limit = 5): Promise<{ entryId: string; question: string; answer: string; score: number; confidence: number }[]> {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return rank(text, await knowledge(rt), limit).map((r) => ({
    entryId: r.item.id, question: r.item.question, answer: r.item.answer, score: round(r.score), confidence: round(r.confidence),
  }));
}

/** Entries a page (its title and URL words) is about, with the share of their question the page covers. */
export async function relatedToText(rt: PluginRuntimeContext<FaqBotConfig>, text: string, limit = 10, minCoverage = 0.5): Promise<{ entryId: string; question: string; coverage: number }[]> {
  return relatedEntries(await knowledge(rt), text, limit, minCoverage).map((h) => ({ entryId: h.item.id, question: h.item.question, coverage: Math.round(h.formCoverage * 1000) / 1000 }));
}

export async function answerQuestion(rt: PluginRuntimeContext<FaqBotConfig>, text: string): Promise<BotAnswer> {
  return matchKnowledge(text, await knowledge(rt), rt.config);
}

function badInput(message: string): Error {
  return Object.assign(new Error(message), { extensions: { code: 'BAD_USER_INPUT' } });
}

export default definePlugin({
  name: 'faq-bot',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['bot'],
  displayName: { en: 'FAQ bot', 'zh-CN': '常见问题机器人' },
  description: {
    en: 'Answers customers from the public knowledge base (standard questions and their variants), in Chinese and English, with synonyms and "did you mean" suggestions.',
    'zh-CN': '根据公开知识库（标准问题及相似问法）自动回答客户，支持中英文、同义词和“您是不是想问”推荐。',
  },
  config: faqBotConfig,
  entities: [FaqBotSynonymSchema],
  migrations: [
    {
      name: '0001_create_synonym',
      up: [
        'create table `plugin_faq_bot_synonym` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `term` varchar(100) not null, `synonyms` json not null, `created_at` datetime(3) not null, `updated_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
        'alter table `plugin_faq_bot_synonym` add index `plugin_faq_bot_synonym_workspace_id_index` (`workspace_id`)',
        'alter table `plugin_faq_bot_synonym` add unique `plugin_faq_bot_synonym_workspace_id_term_unique` (`workspace_id`, `term`)',
      ],
      down: ['drop table if exists `plugin_faq_bot_synonym`'],
    },
  ],
  bot: {
    answer: async (question, rt) => answerQuestion(rt, question.text),
  },
  events: {
    // Edits through the knowledge-base API: rebuild at once on the node that hears it (other nodes
    // notice through the fingerprint within RECHECK_MS).
    'knowledge.changed': (event) => { clearKnowledgeCache(event.workspaceId); },
  },
  services: ({ runtime }) => [
    {
      name: 'plugin.faq-bot',
      actions: {
        search: {
          permissions: ['plugin', 'agent', 'admin:read'],
          handler: async (ctx: { params: { text?: unknown; limit?: unknown }; meta: { workspaceId?: string } }) => {
            if (!ctx.meta.workspaceId) throw new Error('workspaceId missing in meta');
            const text = z.string().max(5000).parse(ctx.params.text ?? '');
            const limit = z.number().int().min(1).max(20).catch(5).parse(ctx.params.limit ?? 5);
            return { hits: await searchKnowledge(await runtime(ctx.meta.workspaceId), text, limit) };
          },
        },
        related: {
          permissions: ['plugin', 'agent', 'admin:read', 'visitor'],
          handler: async (ctx: { params: { text?: unknown; limit?: unknown; minCoverage?: unknown }; meta: { workspaceId?: string } }) => {
            if (!ctx.meta.workspaceId) throw new Error('workspaceId missing in meta');
            const text = z.string().max(5000).parse(ctx.params.text ?? '');
            const limit = z.number().int().min(1).max(50).catch(10).parse(ctx.params.limit ?? 10);
            const minCoverage = z.number().min(0).max(1).catch(0.5).parse(ctx.params.minCoverage ?? 0.5);
            return { hits: await relatedToText(await runtime(ctx.meta.workspaceId), text, limit, minCoverage) };
          },
        },
        answer: {
          permissions: ['plugin', 'agent', 'admin:read'],
          handler: async (ctx: { params: { text?: unknown }; meta: { workspaceId?: string } }) => {
            if (!ctx.meta.workspaceId) throw new Error('workspaceId missing in meta');
            const text = z.string().max(5000).parse(ctx.params.text ?? '');
            return answerQuestion(await runtime(ctx.meta.workspaceId), text);
          },
        },
      },
    },
  ],
  graphql: ({ builder, runtime }) => {
    const b = builder as any;
    const SynonymRef = b.objectRef('FaqBotSynonym').implement({
      description: 'A word and the words customers use for it; the FAQ bot reads them all as the term.',
      authScopes: { $any: { user: true, apiScope: 'plugins:read' } },
      fields: (t: any) => ({
        id: t.exposeID('id'),
        term: t.exposeString('term'),
        synonyms: t.stringList({ resolve: (s: FaqBotSynonym) => s.synonyms }),
        updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      }),
    });
    b.queryField('faqBotSynonyms', (t: any) =>
      t.field({
        type: [SynonymRef],
        description: "The workspace's FAQ-bot synonyms (on top of the built-in ones), by term.",
        authScopes: { $any: { user: true, apiScope: 'plugins:read' } },
        resolve: async (_r: unknown, _a: unknown, ctx: unknown) => {
          const rt = await runtime(ctx);
          return rt.em.find(FaqBotSynonym, {}, { orderBy: { term: 'asc' } });
        },
      }),
    );
    b.mutationField('setFaqBotSynonyms', (t: any) =>
      t.field({
        type: SynonymRef,
        nullable: true,
        description: 'Sets the synonyms of a term (replacing its list); an empty list removes the term. Takes effect at once.',
        authScopes: { $any: { role: 'operator', apiScope: 'plugins:write' } },
        args: { term: t.arg.string(), synonyms: t.arg.stringList() },
        resolve: async (_r: unknown, args: { term: string; synonyms: string[] }, ctx: unknown) => {
          const rt = await runtime(ctx);
          const term = TermInput.safeParse(args.term);
          if (!term.success) throw badInput(term.error.issues[0]!.message);
          const list = SynonymsInput.safeParse(args.synonyms);
          if (!list.success) throw badInput(list.error.issues[0]!.message);
          const key = normalise(term.data);
          if (!key) throw badInput('term has no letters');
          const synonyms = [...new Set(list.data)].filter((s) => normalise(s) && normalise(s) !== key);
          const existing = await rt.em.findOne(FaqBotSynonym, { term: term.data });
          let result: FaqBotSynonym | null;
          if (!synonyms.length) {
            if (existing) await rt.em.remove(existing).flush();
            result = null;
          } else if (existing) {
            existing.synonyms = synonyms;
            await rt.em.flush();
            result = existing;
          } else {
            result = rt.em.create(FaqBotSynonym, { workspaceId: rt.workspaceId, term: term.data, synonyms });
            await rt.em.flush();
          }
          clearKnowledgeCache(rt.workspaceId);
          return result;
        },
      }),
    );
  },
});
