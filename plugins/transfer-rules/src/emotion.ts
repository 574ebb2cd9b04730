/**
 * Emotion detection for the `emotion` transfer rule: is the customer angry or anxious?
 *
 * Detectors are pluggable: anything implementing `EmotionDetector` can be registered under a name
 * (`registerEmotionDetector`) and chosen by the plugin config (`emotionDetector`) or per rule use
 * (`detector`). The built-in `lexicon` detector is rule-based and needs no model:
 *
 *  - a lexicon of ~170 Chinese and English terms, each with an emotion (anger, anxiety) and a weight
 *    (0..1), plus positive terms (满意, happy …) whose negation expresses anger or anxiety;
 *  - modifiers right before a term, read backwards within its clause: negators (不, 没有, 并不, not,
 *    never, n't …), intensifiers (很, 太, 非常, absolutely, so …) and diminishers (有点, 稍微, a bit …);
 *    glue words (都, 也, 是, is, am …) are skipped. Composition, nearest modifier first:
 *      intensifier/diminisher  w ← w · k
 *      negator on anger/anxiety → neutral ("不生气", "没有不满意", "I'm not angry")
 *      negator on a positive    → its negative emotion, weak when the positive was intensified
 *                                  ("不满意"-like 0.55; "不是很满意" 0.25; soft negators 不太 0.3)
 *  - boosts for the whole message: each "!"/"！" (up to 3) ×1.12, "??" ×1.05, SHOUTING (mostly
 *    capitals) ×1.25 — they only amplify emotion that is there;
 *  - per emotion the hits combine as a noisy-or: 1 − Π(1 − wᵢ).
 */

export const EMOTIONS = ['anger', 'anxiety'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export interface EmotionCue {
  term: string;
  emotion: Emotion;
  /** Weight after modifiers and boosts (0..1). */
  weight: number;
}

export interface EmotionResult {
  /** 0..1 per emotion. */
  scores: Record<Emotion, number>;
  /** What was found (strongest first), for the recorded reason. */
  cues: EmotionCue[];
}

/** A pluggable emotion detector. */
export interface EmotionDetector {
  readonly name: string;
  detect(text: string): EmotionResult | Promise<EmotionResult>;
}

// ── the lexicon ────────────────────────────────────────────────────────────────────────────────────

type Polarity = Emotion | 'positive';
interface Term { term: string; polarity: Polarity; weight: number; /** For positives: what their negation expresses. */ negated?: Emotion }

const a = (weight: number, ...terms: string[]): Term[] => terms.map((term) => ({ term, polarity: 'anger', weight }));
const x = (weight: number, ...terms: string[]): Term[] => terms.map((term) => ({ term, polarity: 'anxiety', weight }));
const pos = (negated: Emotion, weight: number, ...terms: string[]): Term[] => terms.map((term) => ({ term, polarity: 'positive', weight, negated }));

const ZH_TERMS: Term[] = [
  ...a(0.9, '气死', '气死了', '忍无可忍', '混蛋', '脑残', '白痴', '骗子'),
  ...a(0.85, '愤怒', '岂有此理', '不要脸', '受够了'),
  ...a(0.8, '骗人', '奸商', '废物', '烂透了', '糟透了', '态度恶劣', '太坑了'),
  ...a(0.75, '恼火', '火大', '垃圾', '坑人', '欺骗', '黑心', '扯淡', '耍我', '烦死', '烦死了'),
  ...a(0.7, '生气', '坑爹', '恶心', '气人', '可恶', '有病', '破玩意', '搞什么鬼', '什么玩意', '太离谱'),
  ...a(0.65, '离谱', '过分', '不负责任', '态度差', '曝光', '12315', '什么东西啊'),
  ...a(0.6, '差劲', '不满', '发火', '忽悠', '敷衍', '踢皮球', '不像话', '搞什么', '消协', '报警', '起诉', '破东西', '什么破', '太慢了', '这么慢'),
  ...a(0.55, '不满意', '失望', '糟糕', '讨厌', '烦人', '莫名其妙', '胡说', '不耐烦', '没用', '不高兴'),
  ...a(0.5, '差评', '无语', '不靠谱', '律师', '郁闷', '窝火', '闹心'),
  ...a(0.45, '烦', '不爽'),
  ...a(0.4, '投诉'),
  ...x(0.9, '十万火急', '急死', '急死了', '火急火燎'),
  ...x(0.8, '坐立不安', '救命'),
  ...x(0.7, '焦急', '焦虑', '等不及', '急疯了'),
  ...x(0.6, '着急', '心慌', '急需', '来不及', '等了好久', '等了很久', '等了好几天'),
  ...x(0.55, '害怕', '急用', '耽误', '怎么还没', '求求', '等了半天'),
  ...x(0.5, '担心', '担忧', '慌', '不安', '赶紧', '赶快', '快点', '迟迟', '怎么办啊', '催了'),
  ...x(0.45, '急', '紧张', '还没到', '还没收到', '还没发货', '一直没'),
  ...x(0.4, '尽快', '马上', '催'),
  ...pos('anger', 1, '满意', '满足', '开心', '高兴', '喜欢'),
  ...pos('anger', 0.8, '靠谱', '好用', '专业', '耐心', '舒服', '合理'),
  ...pos('anxiety', 1, '放心', '安心'),
];

const EN_TERMS: Term[] = [
  ...a(0.9, 'furious', 'wtf', 'bullshit'),
  ...a(0.85, 'outraged', 'pissed off', 'livid', 'fuming'),
  ...a(0.8, 'outrageous', 'scam', 'scammed', 'liar', 'liars', 'pissed'),
  ...a(0.75, 'disgusting', 'disgusted', 'pathetic', 'incompetent', 'rip off', 'ripoff', 'ripped off', 'cheated', 'fraud'),
  ...a(0.7, 'angry', 'unacceptable', 'worst', 'fed up', 'hate', 'crap', 'screw you'),
  ...a(0.65, 'horrible', 'sick of', 'garbage', 'infuriating', 'what the hell'),
  ...a(0.6, 'ridiculous', 'absurd', 'terrible', 'awful', 'useless', 'rubbish', 'frustrated', 'frustrating', 'irritated', 'mad', 'damn', 'sue', 'lies', 'lying'),
  ...a(0.55, 'annoyed', 'annoying', 'disappointed', 'disappointing', 'unhappy', 'dissatisfied', 'nonsense', 'upset'),
  ...a(0.5, 'tired of', 'lawyer', 'shameful'),
  ...a(0.4, 'complaint', 'complain', 'joke'),
  ...x(0.75, 'desperate', 'desperately', 'panicking'),
  ...x(0.65, 'panic', 'emergency'),
  ...x(0.6, 'anxious', 'freaking out'),
  ...x(0.55, 'worried', 'urgent', 'urgently', 'asap', 'scared', 'stressed', 'still waiting'),
  ...x(0.5, 'worry', 'nervous', 'afraid', 'hurry'),
  ...x(0.45, 'still not', 'still haven', 'immediately', 'right now'),
  ...x(0.4, 'concerned'),
  ...pos('anger', 1, 'happy', 'satisfied', 'pleased', 'acceptable', 'fair', 'helpful'),
  ...pos('anger', 0.8, 'good', 'great', 'ok', 'okay'),
  ...pos('anxiety', 1, 'calm', 'relaxed'),
];

interface Modifier { kind: 'neg' | 'int'; k: number; soft?: boolean }

const ZH_MODIFIERS = new Map<string, Modifier>([
  ...['不', '没', '没有', '并不', '并没有', '并非', '不是', '别', '无', '未', '从不', '从没', '从来不', '从来没有', '一点也不', '一点都不', '根本不', '根本没有', '绝不', '毫不', '决不', '不用', '无需', '不必']
    .map((w): [string, Modifier] => [w, { kind: 'neg', k: 1 }]),
  ...['不太', '不怎么', '不算', '不大', '不是很', '不是太', '不够'].map((w): [string, Modifier] => [w, { kind: 'neg', k: 1, soft: true }]),
  ...([['很', 1.3], ['非常', 1.5], ['太', 1.6], ['特别', 1.5], ['超', 1.5], ['超级', 1.6], ['极其', 1.7], ['极', 1.6], ['十分', 1.5], ['相当', 1.4],
    ['真', 1.3], ['真的', 1.3], ['好', 1.2], ['巨', 1.5], ['贼', 1.5], ['实在', 1.4], ['简直', 1.5], ['这么', 1.3], ['那么', 1.2], ['如此', 1.4],
    ['更', 1.2], ['最', 1.5], ['越来越', 1.3], ['太过', 1.6], ['严重', 1.4], ['非常非常', 1.8]] as const)
    .map(([w, k]): [string, Modifier] => [w, { kind: 'int', k }]),
  ...([['有点', 0.6], ['有一点', 0.6], ['有些', 0.65], ['有点儿', 0.6], ['稍微', 0.5], ['稍', 0.6], ['略', 0.6], ['略微', 0.5], ['一点', 0.6], ['些许', 0.6]] as const)
    .map(([w, k]): [string, Modifier] => [w, { kind: 'int', k }]),
]);
const ZH_GLUE = ['都', '也', '就', '还', '又', '是', '得', '的', '了', '觉得', '感到', '感觉', '让人', '令人', '我', '我们', '你们', '你', '真是', '可', '挺'];

const EN_MODIFIERS = new Map<string, Modifier>([
  ...['not', 'no', 'never', 't', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'cant', 'cannot', 'wont', 'hardly', 'barely', 'without', 'nothing', 'neither', 'nor']
    .map((w): [string, Modifier] => [w, { kind: 'neg', k: 1 }]),
  ...([['very', 1.3], ['so', 1.3], ['really', 1.3], ['extremely', 1.6], ['absolutely', 1.6], ['totally', 1.5], ['completely', 1.5], ['utterly', 1.6],
    ['incredibly', 1.6], ['super', 1.4], ['too', 1.3], ['most', 1.4], ['truly', 1.4], ['seriously', 1.4], ['beyond', 1.5], ['such', 1.3], ['fucking', 1.7], ['bloody', 1.5], ['damn', 1.4], ['highly', 1.4]] as const)
    .map(([w, k]): [string, Modifier] => [w, { kind: 'int', k }]),
  ...([['slightly', 0.5], ['somewhat', 0.6], ['little', 0.6], ['bit', 0.6], ['kinda', 0.6], ['kind', 0.6], ['sort', 0.6], ['rather', 0.8], ['quite', 1.1], ['pretty', 1.1], ['fairly', 0.8]] as const)
    .map(([w, k]): [string, Modifier] => [w, { kind: 'int', k }]),
]);
const EN_GLUE = new Set(['i', 'm', 'im', 'am', 'is', 's', 'are', 're', 'was', 'were', 'be', 'been', 'being', 'feel', 'feeling', 'felt', 'it', 'this', 'that', 'you', 'your', 'a', 'of', 'at', 'all', 'just', 'getting', 'get', 'got', 'do', 'does', 'did']);

const ZH_BY_TERM = new Map(ZH_TERMS.map((t) => [t.term, t]));
const ZH_MAX_TERM = Math.max(...ZH_TERMS.map((t) => t.term.length));
const ZH_MAX_MOD = Math.max(...[...ZH_MODIFIERS.keys(), ...ZH_GLUE].map((m) => m.length));
const ZH_GLUE_SET = new Set(ZH_GLUE);
/** English terms by their first word; phrases longest first. */
const EN_BY_FIRST = new Map<string, { words: string[]; term: Term }[]>();
for (const t of EN_TERMS) {
  const words = t.term.split(' ');
  const l = EN_BY_FIRST.get(words[0]!) ?? [];
  l.push({ words, term: t });
  l.sort((p, q) => q.words.length - p.words.length);
  EN_BY_FIRST.set(words[0]!, l);
}

/** Number of terms in the built-in lexicon (Chinese, English). */
export const LEXICON_SIZE = { zh: ZH_TERMS.length, en: EN_TERMS.length };

const HAN = /\p{Script=Han}/u;
const CLAUSE_RE = /[，。！？；、,.!?;:：\n\r()（）【】[\]~…]+|\s(?:but|however)\s|但是|可是|不过/u;

function compose(term: Term, mods: Modifier[]): { emotion: Emotion; weight: number } | null {
  let polarity: Polarity | 'none' = term.polarity;
  let w = term.weight;
  let intensified = false;
  for (const m of mods) {
    if (m.kind === 'int') {
      if (polarity === 'none') continue;
      w *= m.k;
      if (m.k > 1) intensified = true;
    } else if (polarity === 'positive') {
      polarity = term.negated ?? 'anger';
      w = (intensified ? 0.25 : m.soft ? 0.3 : 0.55) * term.weight;
      intensified = false;
    } else if (polarity !== 'none') {
      polarity = 'none';
      w = 0;
    }
  }
  if (polarity === 'none' || polarity === 'positive' || w <= 0) return null;
  return { emotion: polarity, weight: Math.min(1, w) };
}

/** Modifiers right before position `end` of a Chinese clause, nearest first. */
function zhModifiers(clause: string, end: number): Modifier[] {
  const mods: Modifier[] = [];
  let pos = end;
  for (let steps = 0; steps < 5 && pos > 0; steps++) {
    let found = false;
    for (let len = Math.min(ZH_MAX_MOD, pos); len >= 1; len--) {
      const w = clause.slice(pos - len, pos);
      const m = ZH_MODIFIERS.get(w);
      if (m) { mods.push(m); pos -= len; found = true; break; }
      if (ZH_GLUE_SET.has(w)) { pos -= len; found = true; break; }
    }
    if (!found) break;
  }
  return mods;
}

function zhClause(clause: string, cues: EmotionCue[]): void {
  let i = 0;
  while (i < clause.length) {
    let hit: Term | undefined;
    for (let len = Math.min(ZH_MAX_TERM, clause.length - i); len >= 1; len--) {
      hit = ZH_BY_TERM.get(clause.slice(i, i + len));
      if (hit) break;
    }
    if (!hit) { i++; continue; }
    const r = compose(hit, zhModifiers(clause, i));
    if (r) cues.push({ term: hit.term, ...r });
    i += hit.term.length;
  }
}

function enClause(clause: string, cues: EmotionCue[]): void {
  const words = clause.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let i = 0;
  while (i < words.length) {
    const cands = EN_BY_FIRST.get(words[i]!);
    const m = cands?.find((c) => c.words.every((w, j) => words[i + j] === w));
    if (!m) { i++; continue; }
    const mods: Modifier[] = [];
    for (let j = i - 1, steps = 0; j >= 0 && steps < 4; j--, steps++) {
      const w = words[j]!;
      const mod = EN_MODIFIERS.get(w);
      if (mod) mods.push(mod);
      else if (!EN_GLUE.has(w)) break;
    }
    const r = compose(m.term, mods);
    if (r) cues.push({ term: m.term.term, ...r });
    i += m.words.length;
  }
}

/** The boost a whole message gets from exclamation marks, repeated question marks and shouting. */
export function intensityBoost(text: string): number {
  const bangs = Math.min(3, (text.match(/[!！]/g) ?? []).length);
  const questions = /[?？]{2,}/.test(text) ? 1.05 : 1;
  const letters = text.match(/[A-Za-z]/g) ?? [];
  const upper = letters.filter((c) => c >= 'A' && c <= 'Z').length;
  const shouting = letters.length >= 5 && upper / letters.length >= 0.7 ? 1.25 : 1;
  return Math.pow(1.12, bangs) * questions * shouting;
}

/** The built-in lexicon-based detector (Chinese and English). */
export const lexiconDetector: EmotionDetector = {
  name: 'lexicon',
  detect(text: string): EmotionResult {
    const cues: EmotionCue[] = [];
    const norm = text.normalize('NFKC');
    for (const clause of norm.split(CLAUSE_RE)) {
      if (!clause?.trim()) continue;
      // Han and Latin parts of a clause are read by their own rules.
      for (const part of clause.match(/[\p{Script=Han}\d]+|[^\p{Script=Han}]+/gu) ?? []) {
        if (HAN.test(part)) zhClause(part, cues);
        else enClause(part, cues);
      }
    }
    const boost = intensityBoost(norm);
    const scores: Record<Emotion, number> = { anger: 0, anxiety: 0 };
    for (const e of EMOTIONS) {
      let keep = 1;
      for (const c of cues) if (c.emotion === e) keep *= 1 - Math.min(1, c.weight * boost);
      scores[e] = Math.round((1 - keep) * 1000) / 1000;
    }
    for (const c of cues) c.weight = Math.round(Math.min(1, c.weight * boost) * 1000) / 1000;
    cues.sort((p, q) => q.weight - p.weight);
    return { scores, cues };
  },
};

const detectors = new Map<string, EmotionDetector>([[lexiconDetector.name, lexiconDetector]]);

/** Makes a detector available by name (plugin config `emotionDetector`, rule config `detector`). */
export function registerEmotionDetector(detector: EmotionDetector): void {
  detectors.set(detector.name, detector);
}

export function emotionDetector(name: string): EmotionDetector | undefined {
  return detectors.get(name);
}

export function emotionDetectorNames(): string[] {
  return [...detectors.keys()];
}
