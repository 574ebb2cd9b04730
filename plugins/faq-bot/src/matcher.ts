/**
 * The FAQ bot's decision: pure functions over a knowledge index (retrieval.ts), no I/O, so they can
 * be tested and benchmarked on their own.
 *
 * The best entry answers when its confidence reaches the threshold. Confidence is the coverage of
 * its best form (0..1, see retrieval.ts), discounted when the runner-up is nearly as good:
 *   margin     = (score₁ − score₂) / score₁                    (BM25 scores, 0..1)
 *   confidence = coverage₁ · (1 − MARGIN_WEIGHT · (1 − margin))
 * so a clear winner keeps its coverage and a dead heat loses MARGIN_WEIGHT of it — two entries that
 * fit equally well are offered as suggestions ("您是不是想问…") instead of answering one at random.
 * When nothing answers, up to `maxSuggestions` entries whose coverage reaches `suggestThreshold` are
 * suggested.
 */
import type { BotAnswer } from '@kefu-hub/plugin-sdk';
import { buildIndex, search, type KnowledgeIndex, type KnowledgeItem, type RetrievalParams, type SearchHit } from './retrieval.ts';
import type { Synonym, SynonymTable } from './tokenize.ts';

export type { KnowledgeIndex, KnowledgeItem, SearchHit };

/** How much a dead heat with the runner-up costs the top entry's confidence. */
export const MARGIN_WEIGHT = 0.25;
/** Defaults the plugin config starts from (chosen on the demo knowledge base; see bench/bot). */
export const DEFAULT_THRESHOLD = 0.45;
export const DEFAULT_SUGGEST_THRESHOLD = 0.25;

export interface MatchOptions {
  /** Confidence (0..1) at or above which the best entry answers. */
  threshold: number;
  /** Coverage (0..1) at or above which an entry is offered as "您是不是想问…" when nothing answered. */
  suggestThreshold: number;
  /** At most this many suggestions (default 3). */
  maxSuggestions?: number;
  /** Retrieval tuning (benchmarks). */
  params?: Partial<RetrievalParams>;
}

/** Indexes entries (question + variants) with the workspace's synonyms. */
export function prepareEntries(items: readonly KnowledgeItem[], synonyms?: SynonymTable | readonly Synonym[]): KnowledgeIndex {
  return buildIndex(items, { synonyms });
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Confidence of the top hit given the runner-up (see the module comment). */
export function confidenceOf(top: SearchHit | undefined, second: SearchHit | undefined): number {
  if (!top || top.score <= 0) return 0;
  const margin = second ? Math.max(0, (top.score - second.score) / top.score) : 1;
  return top.coverage * (1 - MARGIN_WEIGHT * (1 - margin));
}

/** Ranked entries with their confidence (the first one's as defined above; the others' is their coverage). */
export function rank(question: string, index: KnowledgeIndex, limit = 5, params?: Partial<RetrievalParams>): { item: KnowledgeItem; score: number; confidence: number }[] {
  const { hits } = search(index, question, Math.max(limit, 2), params);
  return hits.slice(0, limit).map((h, i) => ({ item: h.item, score: h.score, confidence: i === 0 ? confidenceOf(h, hits[1]) : h.coverage }));
}

/**
 * The bot's answer for a question: the best entry when its confidence reaches the threshold;
 * otherwise not matched, with up to `maxSuggestions` entries whose coverage reaches suggestThreshold.
 */
export function matchKnowledge(question: string, index: KnowledgeIndex, opts: MatchOptions): BotAnswer {
  const max = opts.maxSuggestions ?? 3;
  const { hits } = search(index, question, Math.max(max, 2), opts.params);
  const top = hits[0];
  const confidence = confidenceOf(top, hits[1]);
  if (top && confidence > 0 && confidence >= opts.threshold) {
    return { matched: true, confidence: round(confidence), entryId: top.item.id, answer: { type: 'text', body: { text: top.item.answer } } };
  }
  const suggestions = hits
    .filter((h) => h.coverage > 0 && h.coverage >= opts.suggestThreshold)
    .slice(0, max)
    .map((h) => ({ question: h.item.question, entryId: h.item.id }));
  return { matched: false, confidence: round(confidence), suggestions };
}
