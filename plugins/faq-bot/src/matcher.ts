/**
 * The FAQ bot's matcher: pure functions, no I/O, so they can be tested (and tuned) on their own.
 *
 * Text is normalised (NFKC: full-width → half-width; lowercase; punctuation and symbols dropped),
 * filler words are removed (请问 / 怎么 / 如何 / 我想 …, "how", "can", "i", …), then turned into a
 * set of features: character bigrams for CJK runs (a single-character run is kept as a unigram) and
 * lightly stemmed words for Latin/digit runs. A question is scored against the standard question and
 * every variant of an entry; the best form wins. The score is a Dice overlap, nudged up when the
 * customer's message covers all of the form (a long message that contains a short variant):
 *   score = 0.7 · dice(q, f) + 0.3 · |q ∩ f| / |f|        (0..1)
 */
import type { BotAnswer } from '@kefu-hub/plugin-sdk';

export interface KnowledgeItem {
  id: string;
  question: string;
  variants: string[];
  answer: string;
}

/** A knowledge entry with the features of its question and variants computed once. */
export interface PreparedEntry extends KnowledgeItem {
  forms: string[][];
}

export interface MatchOptions {
  /** Score at or above which the entry answers (matched). */
  threshold: number;
  /** Score at or above which an entry is offered as "您是不是想问…" when nothing matched. */
  suggestThreshold: number;
  /** At most this many suggestions (default 3). */
  maxSuggestions?: number;
}

const CJK_CHAR = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const SEGMENT_RE = new RegExp(`[${CJK_CHAR}]+|[^${CJK_CHAR}]+`, 'gu');
const CJK_RE = new RegExp(`^[${CJK_CHAR}]`, 'u');

/** Chinese filler: greetings, question words, pronouns and particles that say nothing about the topic. */
const ZH_FILLER = [
  '请问', '你好', '您好', '麻烦', '谢谢', '我想', '我要', '想要', '怎么样', '怎么', '怎样', '如何', '咋',
  '能不能', '可不可以', '可以', '是不是', '是否', '一下', '什么', '我们', '你们', '我', '你', '您', '请',
  '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '哈', '的',
].sort((a, b) => b.length - a.length);
const ZH_FILLER_RE = new RegExp(ZH_FILLER.join('|'), 'gu');

const EN_STOPWORDS = new Set([
  'a', 'an', 'the', 'i', 'me', 'my', 'mine', 'we', 'us', 'our', 'you', 'your', 'it', 'its', 'this', 'that', 'these', 'those',
  'is', 'am', 'are', 'was', 'were', 'be', 'been', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'shall', 'should', 'may', 'might',
  'how', 'what', 'which', 'who', 'whom', 'please', 'pls', 'hi', 'hello', 'hey', 'thanks', 'thank', 'to', 'of', 'for', 'in', 'on', 'at',
  'by', 'with', 'from', 'and', 'or', 'so', 'just', 'want', 'like', 'need', 'get', 'there', 'any', 'some', 'about', 'if', 'im', 'id',
]);

/** Lowercase, NFKC (full-width → half-width), punctuation/symbols/whitespace runs → one space. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Z}\s]+/gu, ' ').trim();
}

/** A deliberately light English stemmer: plural -s/-ies, -ing, -ed, final -e (so change/changed/changing agree). */
export function stem(word: string): string {
  if (/^\d+$/.test(word) || word.length <= 3) return word;
  let w = word;
  let cut = false;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) { w = w.slice(0, -3); cut = true; }
  else if (w.length > 4 && w.endsWith('ed')) { w = w.slice(0, -2); cut = true; }
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (cut && w.length > 3 && /([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1); // shipp(ing) → ship
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** The feature set of a text: CJK bigrams (unigram for a lone character) and stemmed Latin words. */
export function features(text: string): string[] {
  const s = normalise(text).replace(ZH_FILLER_RE, ' ');
  const out = new Set<string>();
  for (const run of s.split(' ')) {
    if (!run) continue;
    for (const seg of run.match(SEGMENT_RE) ?? []) {
      if (CJK_RE.test(seg)) {
        const chars = [...seg];
        if (chars.length === 1) out.add(chars[0]!);
        for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
      } else if (!EN_STOPWORDS.has(seg)) {
        out.add(stem(seg));
      }
    }
  }
  return [...out];
}

/** Similarity of a question's features to one form's features, 0..1 (see the module comment). */
export function similarity(question: readonly string[], form: readonly string[]): number {
  if (question.length === 0 || form.length === 0) return 0;
  const q = new Set(question);
  let common = 0;
  for (const f of form) if (q.has(f)) common++;
  const dice = (2 * common) / (q.size + form.length);
  return 0.7 * dice + 0.3 * (common / form.length);
}

export function prepareEntries(items: readonly KnowledgeItem[]): PreparedEntry[] {
  return items.map((e) => ({ ...e, forms: [e.question, ...e.variants].map(features).filter((f) => f.length > 0) }));
}

/** Best score of each entry for a question, highest first (ties keep the entries' order). */
export function rank(question: string, entries: readonly PreparedEntry[]): { entry: PreparedEntry; score: number }[] {
  const q = features(question);
  return entries
    .map((entry) => ({ entry, score: entry.forms.reduce((best, f) => Math.max(best, similarity(q, f)), 0) }))
    .sort((a, b) => b.score - a.score);
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The bot's answer for a question: the best entry when it scores ≥ threshold; otherwise not
 * matched, with up to `maxSuggestions` entries that score ≥ suggestThreshold.
 */
export function matchKnowledge(question: string, entries: readonly PreparedEntry[], opts: MatchOptions): BotAnswer {
  const ranked = rank(question, entries);
  const top = ranked[0];
  if (top && top.score > 0 && top.score >= opts.threshold) {
    return { matched: true, confidence: round(top.score), entryId: top.entry.id, answer: { type: 'text', body: { text: top.entry.answer } } };
  }
  const suggestions = ranked
    .filter((r) => r.score > 0 && r.score >= opts.suggestThreshold)
    .slice(0, opts.maxSuggestions ?? 3)
    .map((r) => ({ question: r.entry.question, entryId: r.entry.id }));
  return { matched: false, confidence: round(top?.score ?? 0), suggestions };
}
