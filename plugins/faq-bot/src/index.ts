/**
 * FAQ bot (kind `bot`): answers customer messages from the workspace's public knowledge base (the
 * core `knowledge_entry` table: a standard question, its variants, the answer). Matching is in
 * `matcher.ts`; entries are read once per workspace and kept in memory for 30 s.
 */
import { definePlugin, z, type PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { matchKnowledge, prepareEntries, type KnowledgeItem, type PreparedEntry } from './matcher.ts';

export { features, matchKnowledge, normalise, prepareEntries, rank, similarity, stem } from './matcher.ts';
export type { KnowledgeItem, MatchOptions, PreparedEntry } from './matcher.ts';

export const CACHE_TTL_MS = 30_000;
/** Entries read per workspace at most (a knowledge base larger than this needs a search index). */
export const MAX_ENTRIES = 10_000;

export const faqBotConfig = z.object({
  threshold: z.number().min(0).max(1).default(0.45).describe('Score (0–1) at or above which the best entry answers'),
  suggestThreshold: z.number().min(0).max(1).default(0.2).describe('Score (0–1) at or above which entries are suggested when nothing matched'),
}).refine((c) => c.suggestThreshold <= c.threshold, { message: 'suggestThreshold must not be above threshold', path: ['suggestThreshold'] });
export type FaqBotConfig = z.output<typeof faqBotConfig>;

const cache = new Map<string, { at: number; entries: Promise<PreparedEntry[]> }>();

/** Forgets the cached knowledge of one workspace (or of all), e.g. after the knowledge base changed. */
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

async function loadEntries(rt: PluginRuntimeContext<FaqBotConfig>): Promise<PreparedEntry[]> {
  // Plugins depend only on the SDK, so the core table is read by name; the workspace condition is
  // explicit because raw SQL bypasses the ORM's tenant filter.
  const rows = (await rt.em.getConnection().execute(
    'select id, question, variants, answer from knowledge_entry where workspace_id = ? and visibility = ? order by created_at, id limit ?',
    [rt.workspaceId, 'public', MAX_ENTRIES],
  )) as { id: string; question: string; variants: unknown; answer: string }[];
  if (rows.length >= MAX_ENTRIES) rt.logger.warn('knowledge base truncated', { workspaceId: rt.workspaceId, max: MAX_ENTRIES });
  const items: KnowledgeItem[] = rows.map((r) => ({ id: r.id, question: r.question, variants: parseVariants(r.variants), answer: r.answer }));
  return prepareEntries(items);
}

/** The workspace's public entries, prepared; cached for CACHE_TTL_MS (concurrent callers share one load). */
export async function knowledge(rt: PluginRuntimeContext<FaqBotConfig>, now = Date.now()): Promise<PreparedEntry[]> {
  const hit = cache.get(rt.workspaceId);
  if (hit && now - hit.at < CACHE_TTL_MS) return hit.entries;
  for (const [ws, e] of cache) if (now - e.at >= CACHE_TTL_MS) cache.delete(ws);
  const entries = loadEntries(rt);
  cache.set(rt.workspaceId, { at: now, entries });
  // A failed load is not cached: the next question tries again.
  entries.catch(() => { if (cache.get(rt.workspaceId)?.entries === entries) cache.delete(rt.workspaceId); });
  return entries;
}

export default definePlugin({
  name: 'faq-bot',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['bot'],
  displayName: { en: 'FAQ bot', 'zh-CN': '常见问题机器人' },
  description: {
    en: 'Answers customers from the public knowledge base (standard questions and their variants).',
    'zh-CN': '根据公开知识库（标准问题及相似问法）自动回答客户。',
  },
  config: faqBotConfig,
  bot: {
    answer: async (question, rt) => matchKnowledge(question.text, await knowledge(rt), rt.config),
  },
});
