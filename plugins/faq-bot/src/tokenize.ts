/**
 * Text → features for retrieval. Pure functions (the segmenter is the only state).
 *
 *  1. normalise: NFKC (full-width → half-width), lowercase, punctuation/symbols → spaces;
 *  2. synonyms: each workspace synonym is rewritten to its term (Han text as substrings, Latin words
 *     as whole words), in questions and in the knowledge base alike;
 *  3. Han runs: jieba words (search mode) without filler words (请问, 怎么, 吗 …) — `w:` features;
 *     character bigrams of the content left once filler is removed — `c:` features (robust to
 *     segmentation differences); pinyin bigrams of the same — `p:` features (robust to homophone
 *     typos: 推货/退货 share `p:tui huo`);
 *  4. Latin runs: words without stopwords, lightly stemmed (plural, -ing, -ed, final e) — `w:`;
 *     digits-only tokens (order numbers, phone numbers) are dropped.
 *
 * Feature classes carry different weights in the index (see FEATURE_WEIGHTS).
 */

import { bigrams, reading, segment } from './segmenter.ts';

/** Weight of each feature class in scoring (words count fully; bigrams and readings back them up). */
export const FEATURE_WEIGHTS: Readonly<Record<string, number>> = { w: 1, c: 0.45, p: 0.35, u: 0.35 };

const HAN = '\\p{Script=Han}';
const RUN_RE = new RegExp(`[${HAN}]+|[^${HAN}\\s]+`, 'gu');
const HAN_START_RE = new RegExp(`^[${HAN}]`, 'u');
const HAN_ANY_RE = new RegExp(`[${HAN}]`, 'u');

/** Chinese filler: greetings, question words, pronouns, particles — they say nothing about the topic. */
export const ZH_STOPWORDS: ReadonlySet<string> = new Set([
  '请问', '问下', '问一下', '请教', '你好', '您好', 'hello', '亲', '亲亲', '麻烦', '谢谢', '多谢', '客服', '小二',
  '我', '我们', '俺', '你', '你们', '您', '他', '她', '它', '自己', '人家',
  '想', '想要', '要', '需要', '打算', '准备', '希望',
  '怎么', '怎么样', '怎样', '如何', '咋', '咋样', '咋整', '咋办', '怎么办', '怎么回事', '怎么弄', '怎么搞', '肿么', '啥', '什么', '哪些', '为啥', '为什么', '干嘛',
  '能', '能不能', '可以', '可不可以', '可否', '行不行', '行', '是不是', '是否', '有没有', '会不会', '一下', '下', '弄', '办',
  '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '哈', '哇', '呗', '咯', '啦', '么', '嗯', '滴', '哎', '诶', '喂',
  '的', '了', '地', '得', '着', '过', '是', '在', '就', '都', '也', '还', '又', '才', '再', '这', '那', '这个', '那个', '这样', '那样',
  '个', '和', '与', '跟', '或', '或者', '还是', '给', '把', '被', '让', '对', '用来', '一个', '一些', '有点', '现在', '刚刚', '刚才',
  '请', '帮', '帮忙', '帮我', '一直', '已经', '到底', '究竟', '所以', '但是', '可是', '而且', '然后', '那么', '这么',
]);

/** English stopwords (question words are kept only when they carry meaning: when, where, long …). */
export const EN_STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'i', 'me', 'my', 'mine', 'we', 'us', 'our', 'you', 'your', 'it', 'its', 'this', 'that', 'these', 'those',
  'is', 'am', 'are', 'was', 'were', 'be', 'been', 'being', 'do', 'does', 'did', 'done', 'can', 'could', 'will', 'would', 'shall', 'should',
  'may', 'might', 'must', 'has', 'have', 'had', 'how', 'what', 'which', 'who', 'whom', 'please', 'pls', 'plz', 'hi', 'hello', 'hey',
  'thanks', 'thank', 'to', 'of', 'for', 'in', 'on', 'at', 'by', 'with', 'from', 'and', 'or', 'so', 'just', 'want', 'like', 'need',
  'get', 'got', 'there', 'any', 'some', 'about', 'if', 'im', 'id', 'ive', 'dont', 'doesnt', 'isnt', 's', 't', 'm', 've', 'll', 're',
  'd', 'don', 'doesn', 'isn', 'then', 'than', 'too', 'very', 'also', 'already', 'yet', 'into', 'up', 'out', 'u', 'ur', 'possible',
  'way', 'ways', 'someone', 'something', 'anything', 'one', 'ok', 'okay', 'now',
]);

/** Lowercase, NFKC (full-width → half-width), punctuation/symbols/whitespace runs → one space. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Z}\s]+/gu, ' ').trim();
}

const IRREGULAR: Readonly<Record<string, string>> = {
  paid: 'pay', bought: 'buy', sent: 'send', sold: 'sell', broke: 'break', broken: 'break', lost: 'lose', colour: 'color', colours: 'color',
  cancelation: 'cancel', cancellation: 'cancel', installment: 'installment', instalment: 'installment', instalments: 'installment', installments: 'installment',
};

/**
 * A deliberately light English stemmer: plural -s/-es/-ies, -ing, -ed, -ment, -ation, -able, -ship,
 * -ery/-iry, final -e and -ll, a few irregular forms — so change/changed/changing, delivery/delivered,
 * payment/pay, cancelled/cancel agree. It is not Porter: it only needs questions and answers to meet.
 */
export function stem(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (/^\d+$/.test(word) || word.length <= 3) return word;
  let w = word;
  let cut = false;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) { w = w.slice(0, -3); cut = true; }
  else if (w.length > 4 && w.endsWith('ed')) { w = w.slice(0, -2); cut = true; }
  else if (w.length > 4 && /(ss|x|ch|sh|zz)es$/.test(w)) w = w.slice(0, -2); // boxes, watches
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 7 && w.endsWith('ship')) w = w.slice(0, -4); // membership → member
  if (w.length > 7 && w.endsWith('ation')) w = w.slice(0, -5);
  else if (w.length > 6 && w.endsWith('ment')) w = w.slice(0, -4);
  else if (w.length > 6 && w.endsWith('able')) w = w.slice(0, -4);
  else if (w.length > 5 && /[ei]ry$/.test(w)) w = w.slice(0, -1);
  if (cut && w.length > 3 && /([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1); // shipp(ing) → ship
  if (w.length > 4 && w.endsWith('ll')) w = w.slice(0, -1); // cancell(ed), install → instal
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

// ── synonyms ───────────────────────────────────────────────────────────────────────────────────────

export interface Synonym {
  /** The canonical term. */
  term: string;
  /** Words or phrases that mean the same; each is rewritten to `term`. */
  synonyms: string[];
}

/** A compiled synonym table: rewrites every synonym to its term in normalised text. */
export class SynonymTable {
  private readonly re: RegExp | null;
  private readonly map: Map<string, string>;
  /** A stable signature of the table (cache keys). */
  readonly signature: string;

  constructor(list: readonly Synonym[] = []) {
    this.map = new Map();
    for (const { term, synonyms } of list) {
      const t = normalise(term);
      if (!t) continue;
      for (const s of synonyms) {
        const n = normalise(s);
        if (n && n !== t && !this.map.has(n)) this.map.set(n, t);
      }
    }
    const keys = [...this.map.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.signature = keys.map((k) => `${k}=${this.map.get(k)}`).join('|');
    if (!keys.length) {
      this.re = null;
      return;
    }
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    // Han synonyms match anywhere; Latin/digit edges must not touch another letter or digit.
    const alts = keys.map((k) => {
      const chars = [...k];
      const before = HAN_ANY_RE.test(chars[0]!) ? '' : '(?<![\\p{L}\\p{N}])';
      const after = HAN_ANY_RE.test(chars[chars.length - 1]!) ? '' : '(?![\\p{L}\\p{N}])';
      return `${before}${esc(k)}${after}`;
    });
    this.re = new RegExp(alts.join('|'), 'gu');
  }

  get size(): number { return this.map.size; }

  /** Rewrites synonyms to their terms in already-normalised text. */
  apply(normalised: string): string {
    if (!this.re) return normalised;
    return normalised.replace(this.re, (m) => this.map.get(m.replace(/\s+/g, ' ')) ?? m);
  }
}

export const NO_SYNONYMS = new SynonymTable([]);

// ── features ───────────────────────────────────────────────────────────────────────────────────────

/** Feature → term frequency. Keys are `<class>:<value>` (w: word, c: character bigram, p: pinyin bigram). */
export type FeatureBag = Map<string, number>;

function add(bag: FeatureBag, key: string): void {
  bag.set(key, (bag.get(key) ?? 0) + 1);
}

// Without a dictionary only filler phrases and sentence-final particles can be cut out safely (a
// single character like 地 or 的 is also part of words: 地址, 目的).
const ZH_STOP_RE = new RegExp(
  [...[...ZH_STOPWORDS].filter((w) => HAN_ANY_RE.test(w) && [...w].length > 1), ...'吗呢吧啊呀嘛哦哈呗啦么哎诶喂'].sort((a, b) => b.length - a.length).join('|'),
  'gu',
);

/** Chunks of content (filler removed) and the words of a Han run. */
function hanWords(run: string): { chunks: string[]; words: string[] } {
  const seg = segment(run);
  if (!seg) {
    // Fallback without a dictionary: filler phrases cut the run; each chunk yields its bigrams.
    const chunks = run.replace(ZH_STOP_RE, ' ').split(' ').filter(Boolean);
    return { chunks, words: chunks.flatMap((c) => bigrams(c)) };
  }
  const chunks: string[] = [];
  let chunk = '';
  for (const w of seg.cover) {
    if (ZH_STOPWORDS.has(w)) {
      if (chunk) chunks.push(chunk);
      chunk = '';
    } else {
      chunk += w;
    }
  }
  if (chunk) chunks.push(chunk);
  return { chunks, words: seg.search.filter((w) => !ZH_STOPWORDS.has(w) && !/^\d+$/.test(w)) };
}

function hanFeatures(run: string, bag: FeatureBag): void {
  const { chunks, words } = hanWords(run);
  for (const w of words) add(bag, `w:${w}`);
  for (const c of chunks) {
    const chars = [...c];
    if (FEATURE_WEIGHTS.u) for (const ch of chars) add(bag, `u:${ch}`);
    if (chars.length < 2) continue;
    for (const b of bigrams(c)) add(bag, `c:${b}`);
    const py = reading(c);
    if (py && py.length === chars.length) {
      for (let i = 0; i + 1 < py.length; i++) add(bag, `p:${py[i]} ${py[i + 1]}`);
    }
  }
}

/** Called with each Latin word as written (lowercased) and the feature it became. */
export type SurfaceSink = (surface: string, key: string) => void;

function latinFeatures(run: string, bag: FeatureBag, onSurface?: SurfaceSink): void {
  for (const word of run.split(/[^\p{L}\p{N}]+/u)) {
    if (!word || EN_STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    const key = `w:${stem(word)}`;
    add(bag, key);
    onSurface?.(word, key);
  }
}

/**
 * Features of a text (after synonyms). `onSurface` hears every Latin word as written with its
 * feature: the index keeps them so a misspelt question word is compared with real words, not stems.
 */
export function analyse(text: string, synonyms: SynonymTable = NO_SYNONYMS, onSurface?: SurfaceSink): FeatureBag {
  const s = synonyms.apply(normalise(text));
  const bag: FeatureBag = new Map();
  for (const run of s.match(RUN_RE) ?? []) {
    if (HAN_START_RE.test(run)) hanFeatures(run, bag);
    else latinFeatures(run, bag, onSurface);
  }
  return bag;
}

/** The distinct features of a text, in order of appearance (handy for tests and debugging). */
export function features(text: string, synonyms: SynonymTable = NO_SYNONYMS): string[] {
  return [...analyse(text, synonyms).keys()];
}

/** The distinct words of a text (the `w:` features without their prefix). */
export function words(text: string, synonyms: SynonymTable = NO_SYNONYMS): string[] {
  return features(text, synonyms).filter((f) => f.startsWith('w:')).map((f) => f.slice(2));
}

/** Damerau–Levenshtein distance (optimal string alignment), stopping early once above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}
