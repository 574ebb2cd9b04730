/**
 * Retrieval over a knowledge base: BM25 over every form of every entry (the standard question and
 * each of its variants is a document), the best form standing for its entry. Pure and synchronous:
 * build an index once (per workspace, cached by the plugin), then search it many times.
 *
 * Features come from tokenize.ts (jieba words, character bigrams and unigrams, pinyin bigrams,
 * stemmed English words), each class with its weight w. An entry's score is
 *   score(q, e) = max_f BM25(q, f) + μ · BM25(q, all forms of e as one document) + γ · BM25(q, answer of e)
 *   BM25(q, d)  = Σ_{t ∈ q ∩ d} w_t · idf_t · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avg|d|))
 * with idf over entries (a word repeated in an entry's variants counts once). The whole-entry term
 * rewards questions whose words are spread over several variants; the answer is a weak field that
 * names what customers ask about.
 *
 * Each question feature is a slot with alternatives: itself; for an unknown Latin word, the closest
 * known word — compared as written and as stems (Damerau–Levenshtein ≤ 1, ≤ 2 from 8 letters:
 * "refnud" → refund, "delivry" → delivery), else the known word sharing most character trigrams
 * (Dice ≥ `trigramMin`, same first letter: "instalationss" → installation) — at a reduced weight;
 * for a word in the English ↔ Chinese glossary (glossary.ts), its translations at a reduced weight,
 * so an English question also meets an entry's Chinese forms; for an English word, the English words
 * customers use for the same thing (glossary.ts RELATED: spend ↔ use, collect ↔ pick up) at a reduced weight.
 *
 * Coverage (0..1, the basis of the confidence): how much of the question the best form explains and
 * how much of the form the question covers, both weighted by idf,
 *   qCov = Σ_{q∩f} w·idf / Σ_slots w·idf     fCov = Σ_{q∩f} w·idf / Σ_f w·idf
 *   coverage = qCov^α · fCov^(1−α)
 * A slot the knowledge base has never seen counts in Σ_slots with a high idf (`unknownIdf` × the
 * highest): a question about something else ("今天天气怎么样") explains nothing and scores 0. The
 * matcher then discounts a top entry that is barely ahead of the next one (see matcher.ts).
 *
 * The defaults (DEFAULT_PARAMS, FEATURE_WEIGHTS) were chosen on a development set — leave-one-variant-
 * out over the demo knowledge base and out-of-scope questions that are not in the evaluation set
 * (bench/bot/dev.ts) — and are reported on bench/bot/eval.json by bench/bot/run.ts.
 */
import { GLOSSARY } from './glossary.ts';
import { FEATURE_WEIGHTS, NO_SYNONYMS, SynonymTable, analyse, editDistance, type FeatureBag, type Synonym } from './tokenize.ts';

export interface KnowledgeItem {
  id: string;
  question: string;
  variants: string[];
  answer: string;
}

export interface RetrievalParams {
  k1: number;
  b: number;
  /** Weight of the question side in the coverage (α). */
  alpha: number;
  /** Idf of a query feature the index has never seen, as a fraction of the highest idf. */
  unknownIdf: number;
  /** Weight of a corrected (fuzzy) Latin word, relative to an exact one. */
  fuzzyWeight: number;
  /** Weight of the entry as a whole (all its forms as one document) added to its best form's score. */
  unionWeight: number;
  /** Weight of the answer text (a weak field: it names things customers ask about). */
  answerWeight: number;
  /** Weight of a glossary translation (English ↔ Chinese), relative to the word itself; 0 disables. */
  glossaryWeight: number;
  /** Weight of a related English word (glossary.ts RELATED: ship ↔ deliver, spend ↔ use), relative to the word; 0 disables. */
  relatedWeight: number;
  /** Least trigram Dice (0..1) for a trigram typo correction when no known word is within edit distance; 0 disables. */
  trigramMin: number;
}

export const DEFAULT_PARAMS: RetrievalParams = { k1: 1.2, b: 0.5, alpha: 0.5, unknownIdf: 0.6, fuzzyWeight: 0.7, unionWeight: 1, answerWeight: 0.4, glossaryWeight: 0.8, relatedWeight: 0.6, trigramMin: 0.6 };

interface Posting {
  forms: Int32Array;
  /** Entries having the feature in any form (each once). */
  entries: Int32Array;
  tf: Float32Array;
  /** idf · class weight. */
  wIdf: number;
  df: number;
}

export interface KnowledgeIndex {
  readonly items: readonly KnowledgeItem[];
  readonly synonyms: SynonymTable;
  /** Number of forms (documents). */
  readonly forms: number;
  readonly formEntry: Int32Array;
  /** Which form of its entry: 0 = the standard question, i = variant i. */
  readonly formIndex: Int32Array;
  readonly formLen: Float64Array;
  /** Σ w·idf over the form's distinct features (for coverage). */
  readonly formMass: Float64Array;
  readonly avgLen: number;
  readonly maxIdf: number;
  readonly postings: Map<string, Posting>;
  /** Answer text: feature → entries (and term frequencies), with each answer's length. */
  readonly answers: { postings: Map<string, { entries: Int32Array; tf: Float32Array; wIdf: number }>; len: Float64Array; avgLen: number };
  /** Length (Σ class weight) of each entry's distinct features, and its average. */
  readonly entryLen: Float64Array;
  readonly avgEntryLen: number;
  /** Known Latin words by length (for typo correction): stems and the words as written, each with its feature. */
  readonly latinWords: Map<number, { word: string; key: string }[]>;
  /** Scratch buffers reused by every search (search is synchronous). */
  readonly scratch: { score: Float64Array; inter: Float64Array; touched: Int32Array; union: Float64Array; eScore: Float64Array; eCov: Float64Array; eFCov: Float64Array; eForm: Int32Array; eTouched: Int32Array };
}

export interface SearchHit {
  item: KnowledgeItem;
  /** Position of the entry in the index. */
  entry: number;
  /** The form that matched best: 0 = standard question, i = variant i. */
  form: number;
  /** BM25 of the best form (unbounded). */
  score: number;
  /** Coverage of the best form (0..1). */
  coverage: number;
  /** Share (0..1, idf-weighted) of the best-covered form of the entry that the text contains: the form side of the coverage alone. */
  formCoverage: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Features of the question after synonyms (and typo correction). */
  features: string[];
  /** Query features the index knows, weighted by idf, as a share of all (0..1). */
  known: number;
}

const classWeight = (key: string) => FEATURE_WEIGHTS[key.slice(0, key.indexOf(':'))] ?? 1;
const LATIN_WORD = /^w:[a-z][a-z]+$/;

function asTable(s: SynonymTable | readonly Synonym[] | undefined): SynonymTable {
  if (!s) return NO_SYNONYMS;
  return s instanceof SynonymTable ? s : new SynonymTable(s);
}

/** Builds the index of a knowledge base (entries without any usable form are kept but never match). */
export function buildIndex(items: readonly KnowledgeItem[], opts: { synonyms?: SynonymTable | readonly Synonym[]; params?: Partial<RetrievalParams> } = {}): KnowledgeIndex {
  const synonyms = asTable(opts.synonyms);
  const params = { ...DEFAULT_PARAMS, ...opts.params };
  const bags: FeatureBag[] = [];
  const formEntry: number[] = [];
  const formIndex: number[] = [];
  const entryDf = new Map<string, number>();
  const entryLists = new Map<string, number[]>();
  const entryLen = new Float64Array(items.length);
  const surfaces = new Map<string, string>();
  const onSurface = (word: string, key: string) => { if (word.length >= 3 && !surfaces.has(word)) surfaces.set(word, key); };
  items.forEach((item, e) => {
    const seen = new Set<string>();
    [item.question, ...item.variants].forEach((text, i) => {
      const bag = analyse(text, synonyms, onSurface);
      if (bag.size === 0) return;
      bags.push(bag);
      formEntry.push(e);
      formIndex.push(i);
      for (const k of bag.keys()) seen.add(k);
    });
    for (const k of seen) {
      entryDf.set(k, (entryDf.get(k) ?? 0) + 1);
      let l = entryLists.get(k);
      if (!l) entryLists.set(k, (l = []));
      l.push(e);
      entryLen[e] = entryLen[e]! + classWeight(k);
    }
  });
  const n = Math.max(1, items.length);
  const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const maxIdf = idf(0);

  const lists = new Map<string, { forms: number[]; tf: number[] }>();
  const formLen = new Float64Array(bags.length);
  const formMass = new Float64Array(bags.length);
  bags.forEach((bag, f) => {
    let len = 0;
    let mass = 0;
    for (const [k, tf] of bag) {
      const w = classWeight(k);
      len += w * tf;
      mass += w * idf(entryDf.get(k)!);
      let l = lists.get(k);
      if (!l) lists.set(k, (l = { forms: [], tf: [] }));
      l.forms.push(f);
      l.tf.push(tf);
    }
    formLen[f] = len;
    formMass[f] = mass;
  });
  const postings = new Map<string, Posting>();
  const latinWords = new Map<number, { word: string; key: string }[]>();
  const known = (word: string, key: string) => {
    let bucket = latinWords.get(word.length);
    if (!bucket) latinWords.set(word.length, (bucket = []));
    bucket.push({ word, key });
  };
  for (const [k, l] of lists) {
    const df = entryDf.get(k)!;
    postings.set(k, { forms: Int32Array.from(l.forms), entries: Int32Array.from(entryLists.get(k)!), tf: Float32Array.from(l.tf), wIdf: classWeight(k) * idf(df), df });
    if (LATIN_WORD.test(k)) known(k.slice(2), k);
  }
  for (const [word, key] of surfaces) if (word !== key.slice(2) && postings.has(key)) known(word, key);
  const avgLen = bags.length ? formLen.reduce((a, b) => a + b, 0) / bags.length : 1;
  const avgEntryLen = items.length ? entryLen.reduce((a, b) => a + b, 0) / items.length : 1;
  // The answer field: its own document frequencies.
  const ansLists = new Map<string, { entries: number[]; tf: number[] }>();
  const ansLen = new Float64Array(items.length);
  if (params.answerWeight > 0) {
    items.forEach((item, e) => {
      for (const [k, tf] of analyse(item.answer, synonyms)) {
        let l = ansLists.get(k);
        if (!l) ansLists.set(k, (l = { entries: [], tf: [] }));
        l.entries.push(e);
        l.tf.push(tf);
        ansLen[e] = ansLen[e]! + classWeight(k) * tf;
      }
    });
  }
  const ansPostings = new Map<string, { entries: Int32Array; tf: Float32Array; wIdf: number }>();
  for (const [k, l] of ansLists) ansPostings.set(k, { entries: Int32Array.from(l.entries), tf: Float32Array.from(l.tf), wIdf: classWeight(k) * idf(l.entries.length) });
  const answers = { postings: ansPostings, len: ansLen, avgLen: items.length ? ansLen.reduce((a, b) => a + b, 0) / items.length || 1 : 1 };
  return {
    items, synonyms, forms: bags.length, entryLen, avgEntryLen, answers,
    formEntry: Int32Array.from(formEntry), formIndex: Int32Array.from(formIndex), formLen, formMass,
    avgLen, maxIdf, postings, latinWords,
    scratch: { score: new Float64Array(bags.length), inter: new Float64Array(bags.length), touched: new Int32Array(bags.length), union: new Float64Array(items.length),
      eScore: new Float64Array(items.length), eCov: new Float64Array(items.length), eFCov: new Float64Array(items.length), eForm: new Int32Array(items.length).fill(-1), eTouched: new Int32Array(items.length),
    },
  };
}

/** Boundary-marked character trigrams of a word ("^de", "del", …, "ry$"). */
function trigrams(word: string): Set<string> {
  const x = `^${word}$`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= x.length; i++) out.add(x.slice(i, i + 3));
  return out;
}

/**
 * The known Latin word closest to an unknown one — given as written and/or as its stem — as the
 * feature key and a similarity (1 for an edit-distance match, the trigram Dice otherwise), or null.
 * Ties go to the more common word.
 */
export function correct(index: KnowledgeIndex, forms: readonly string[], trigramMin = DEFAULT_PARAMS.trigramMin): { key: string; similarity: number } | null {
  const words = [...new Set(forms)].filter((w) => w.length >= 4);
  if (!words.length) return null;
  let best: string | null = null;
  let bestD = Infinity;
  let bestDf = -1;
  for (const word of words) {
    const max = word.length >= 8 ? 2 : 1;
    for (let len = word.length - max; len <= word.length + max; len++) {
      for (const cand of index.latinWords.get(len) ?? []) {
        const d = editDistance(word, cand.word, max);
        if (d > max) continue;
        const df = index.postings.get(cand.key)!.df;
        if (d < bestD || (d === bestD && df > bestDf)) {
          best = cand.key;
          bestD = d;
          bestDf = df;
        }
      }
    }
  }
  if (best) return { key: best, similarity: 1 };
  if (!(trigramMin > 0)) return null;
  // No word within edit distance: the one sharing most trigrams (same first letter, similar length).
  const word = words[0]!;
  const grams = trigrams(word);
  let bestDice = 0;
  for (let len = word.length - 3; len <= word.length + 3; len++) {
    for (const cand of index.latinWords.get(len) ?? []) {
      if (cand.word[0] !== word[0]) continue;
      // The candidate's trigrams are read off the padded word (no set per candidate: this loop is hot).
      const x = `^${cand.word}$`;
      let common = 0;
      for (let i = 0; i + 3 <= x.length; i++) if (grams.has(x.slice(i, i + 3))) common++;
      const dice = Math.min(1, (2 * common) / (grams.size + x.length - 2));
      const df = index.postings.get(cand.key)!.df;
      if (dice > bestDice || (dice === bestDice && df > bestDf)) {
        best = cand.key;
        bestDice = dice;
        bestDf = df;
      }
    }
  }
  return best && bestDice >= trigramMin ? { key: best, similarity: bestDice } : null;
}

interface Slot {
  /** The feature as the question has it (after synonyms). */
  key: string;
  /** Features that stand for it, with their weights: itself, a typo correction, glossary translations. */
  alts: { key: string; weight: number }[];
}

/** The question's features as slots: each counts once in the question's mass, matched by any of its alternatives. */
function querySlots(index: KnowledgeIndex, text: string, params: RetrievalParams): Slot[] {
  const slots: Slot[] = [];
  const seen = new Set<string>();
  const written = new Map<string, string>();
  const bag = analyse(text, index.synonyms, (word, key) => { if (!written.has(key)) written.set(key, word); });
  for (const k of bag.keys()) {
    let key = k;
    let weight = classWeight(k);
    if (params.fuzzyWeight > 0 && !index.postings.has(k) && LATIN_WORD.test(k)) {
      const fixed = correct(index, [written.get(k) ?? k.slice(2), k.slice(2)], params.trigramMin);
      if (fixed) {
        key = fixed.key;
        weight *= params.fuzzyWeight * fixed.similarity;
      }
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const alts = [{ key, weight }];
    if (params.glossaryWeight > 0 && key.startsWith('w:')) {
      const word = key.slice(2);
      const other = (LATIN_WORD.test(key) ? GLOSSARY.en : GLOSSARY.zh).get(word);
      for (const o of other ?? []) {
        const ok = `w:${o}`;
        if (!seen.has(ok) && index.postings.has(ok)) alts.push({ key: ok, weight: weight * params.glossaryWeight });
      }
      if (params.relatedWeight > 0 && LATIN_WORD.test(key)) {
        for (const o of GLOSSARY.related.get(word) ?? []) {
          const ok = `w:${o}`;
          if (!seen.has(ok) && index.postings.has(ok) && !alts.some((a) => a.key === ok)) alts.push({ key: ok, weight: weight * params.relatedWeight });
        }
      }
    }
    slots.push({ key: k, alts });
  }
  return slots;
}

/** The best `limit` entries for a question, by BM25 of their best form. */
export function search(index: KnowledgeIndex, text: string, limit = 5, p: Partial<RetrievalParams> = {}): SearchResult {
  const params = { ...DEFAULT_PARAMS, ...p };
  const slots = querySlots(index, text, params);
  const { score, inter, touched, union } = index.scratch;
  const mu = params.unionWeight;
  let nTouched = 0;
  let qMass = 0;
  let qKnown = 0;
  const { k1, b } = params;
  const gamma = params.answerWeight;
  const features: string[] = [];
  for (const slot of slots) {
    let slotMass = 0;
    for (const { key, weight } of slot.alts) {
      features.push(key);
      const cw = weight / classWeight(key);
      if (gamma) {
        const ap = index.answers.postings.get(key);
        if (ap) {
          const { entries, tf } = ap;
          const aw = cw * ap.wIdf * gamma;
          for (let i = 0; i < entries.length; i++) {
            const e = entries[i]!;
            const t = tf[i]!;
            union[e] = union[e]! + (aw * t * (k1 + 1)) / (t + k1 * (1 - b + (b * index.answers.len[e]!) / index.answers.avgLen));
          }
        }
      }
      const post = index.postings.get(key);
      if (!post) continue;
      const wIdf = cw * post.wIdf;
      if (wIdf > slotMass) slotMass = wIdf;
      const { forms, tf } = post;
      for (let i = 0; i < forms.length; i++) {
        const f = forms[i]!;
        const t = tf[i]!;
        if (score[f] === 0 && inter[f] === 0) touched[nTouched++] = f;
        score[f] = score[f]! + (wIdf * t * (k1 + 1)) / (t + k1 * (1 - b + (b * index.formLen[f]!) / index.avgLen));
        inter[f] = inter[f]! + wIdf;
      }
      if (mu) {
        const { entries } = post;
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i]!;
          union[e] = union[e]! + (mu * wIdf * (k1 + 1)) / (1 + k1 * (1 - b + (b * index.entryLen[e]!) / index.avgEntryLen));
        }
      }
    }
    if (slotMass > 0) {
      qMass += slotMass;
      qKnown += slotMass;
    } else {
      qMass += classWeight(slot.key) * index.maxIdf * params.unknownIdf;
    }
  }
  // Best form per entry (typed arrays: a query may touch thousands of forms on a large knowledge base).
  const { eScore, eCov, eFCov, eForm, eTouched } = index.scratch;
  let nEntries = 0;
  for (let i = 0; i < nTouched; i++) {
    const f = touched[i]!;
    const s = score[f]!;
    const qCov = qMass > 0 ? inter[f]! / qMass : 0;
    const fCov = index.formMass[f]! > 0 ? Math.min(1, inter[f]! / index.formMass[f]!) : 0;
    const coverage = Math.pow(qCov, params.alpha) * Math.pow(fCov, 1 - params.alpha);
    score[f] = 0;
    inter[f] = 0;
    const e = index.formEntry[f]!;
    if (eForm[e] === -1) {
      eTouched[nEntries++] = e;
      eForm[e] = f;
      eScore[e] = s;
      eCov[e] = coverage;
      eFCov[e] = fCov;
    } else {
      if (s > eScore[e]!) { eScore[e] = s; eForm[e] = f; }
      if (coverage > eCov[e]!) eCov[e] = coverage;
      if (fCov > eFCov[e]!) eFCov[e] = fCov;
    }
  }
  // The best `limit` entries (insertion into a short list; ties: earlier entry first).
  const top: number[] = [];
  const better = (x: number, y: number) => eScore[x]! > eScore[y]! || (eScore[x] === eScore[y] && x < y);
  for (let i = 0; i < nEntries; i++) {
    const e = eTouched[i]!;
    if (mu || gamma) eScore[e] = eScore[e]! + union[e]!;
    if (top.length === limit && !better(e, top[top.length - 1]!)) continue;
    let j = Math.min(top.length, limit - 1);
    if (top.length < limit) top.push(e);
    while (j > 0 && better(e, top[j - 1]!)) { top[j] = top[j - 1]!; j--; }
    top[j] = e;
  }
  const hits = top.map((e) => ({ item: index.items[e]!, entry: e, form: index.formIndex[eForm[e]!]!, score: eScore[e]!, coverage: eCov[e]!, formCoverage: eFCov[e]! }));
  for (let i = 0; i < nEntries; i++) eForm[eTouched[i]!] = -1;
  if (mu || gamma) union.fill(0);
  return { hits, features, known: qMass > 0 ? qKnown / qMass : 0 };
}

/**
 * Entries a longer text is about — a web page's title and URL words (self-service 猜你想问): the
 * best `limit` entries by BM25 whose best-covered question form the text contains for at least
 * `minCoverage` of its weight, most covered first. Unlike the bot's confidence, words of the text
 * that no entry has do not count against an entry (a page title is mostly about other things).
 */
export function relatedEntries(index: KnowledgeIndex, text: string, limit = 10, minCoverage = 0.5, p: Partial<RetrievalParams> = {}): SearchHit[] {
  return search(index, text, Math.max(limit * 3, 20), p).hits
    .filter((h) => h.formCoverage >= minCoverage)
    .sort((a, b) => b.formCoverage - a.formCoverage || b.score - a.score)
    .slice(0, limit);
}
