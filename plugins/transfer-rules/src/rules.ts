/**
 * Transfer-to-human rules, one contribution per rule name. Each rule is a config schema (must accept
 * `{}`), a label for the flow composer and an `evaluate` that is pure over its input (the emotion rule
 * also reads the plugin config to pick its detector), so rules can be tested without a hub. Add a
 * rule by writing it here and listing it in `rules` below.
 *
 * Rules run on every customer message in a bot node and, with `input.feedback` set, when the customer
 * rates a bot answer; the message rules ignore feedback runs and the feedback rule ignores messages.
 */
import { z, type PluginRuntimeContext, type TransferRuleContribution, type TransferRuleInput } from '@kefu-hub/plugin-sdk';
import { EMOTIONS, emotionDetector, type Emotion } from './emotion.ts';

export const transferRulesConfig = z.object({
  emotionDetector: z.string().trim().min(1).max(64).default('lexicon')
    .describe('Emotion detector the `emotion` rule uses unless a rule names its own (built in: lexicon)'),
});
export type TransferRulesConfig = z.output<typeof transferRulesConfig>;

// ── keyword ────────────────────────────────────────────────────────────────────────────────────────

export const DEFAULT_KEYWORDS: readonly string[] = ['人工', '转人工', '人工客服', '真人', 'human', 'agent', 'real person'];

export const keywordRuleConfig = z.object({
  keywords: z.array(z.string().trim().min(1).max(50)).max(200).default([...DEFAULT_KEYWORDS])
    .describe('Phrases that ask for a human. Case-insensitive; Latin words match whole words only (plural -s allowed).'),
});

const LATIN_OR_DIGIT = /[\p{Script=Latin}\p{N}]/u;
const matchers = new Map<string, (text: string) => boolean>();

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/**
 * A matcher for one keyword. CJK has no word boundaries, so CJK keywords match as substrings; a
 * keyword that starts/ends with a Latin letter or digit must not touch another one there
 * ("agent" fires in "找agent" and "agents", not in "management"). Spaces in a keyword match any run
 * of whitespace.
 */
function matcherFor(keyword: string): (text: string) => boolean {
  let m = matchers.get(keyword);
  if (m) return m;
  const k = fold(keyword).trim();
  const chars = [...k];
  if (!chars.length) {
    m = () => false;
  } else if (!LATIN_OR_DIGIT.test(k)) {
    m = (text) => text.includes(k);
  } else {
    const body = k.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
    const before = LATIN_OR_DIGIT.test(chars[0]!) ? '(?<![\\p{Script=Latin}\\p{N}])' : '';
    const after = LATIN_OR_DIGIT.test(chars[chars.length - 1]!) ? 's?(?![\\p{Script=Latin}\\p{N}])' : '';
    const re = new RegExp(`${before}${body}${after}`, 'u');
    m = (text) => re.test(text);
  }
  if (matchers.size > 5000) matchers.clear();
  matchers.set(keyword, m);
  return m;
}

/** The longest of `keywords` found in `text` (as configured), or null. */
export function findKeyword(text: string, keywords: readonly string[]): string | null {
  const t = fold(text);
  let hit: string | null = null;
  for (const k of keywords) {
    if ((hit === null || k.trim().length > hit.length) && matcherFor(k)(t)) hit = k.trim();
  }
  return hit;
}

export const keywordRule: TransferRuleContribution = {
  label: { en: 'Customer asks for a human (keywords)', 'zh-CN': '关键词转人工' },
  config: keywordRuleConfig,
  evaluate: (input: TransferRuleInput, ruleConfig: unknown) => {
    if (input.feedback) return { fire: false };
    const { keywords } = keywordRuleConfig.parse(ruleConfig ?? {});
    const hit = findKeyword(input.text, keywords);
    return hit ? { fire: true, reason: `keyword:${hit}` } : { fire: false };
  },
};

// ── unmatched: N consecutive questions the bot could not answer ────────────────────────────────────

export const unmatchedRuleConfig = z.object({
  count: z.number().int().min(1).max(50).default(3).describe('Consecutive unanswered customer messages (including this one) that hand over'),
});

export const unmatchedRule: TransferRuleContribution = {
  label: { en: 'The bot could not answer N times in a row', 'zh-CN': '连续 N 次未匹配转人工' },
  config: unmatchedRuleConfig,
  evaluate: (input: TransferRuleInput, ruleConfig: unknown) => {
    if (input.feedback) return { fire: false };
    const { count } = unmatchedRuleConfig.parse(ruleConfig ?? {});
    return input.consecutiveUnmatched >= count ? { fire: true, reason: `unmatched:${input.consecutiveUnmatched}` } : { fire: false };
  },
};

// ── customer_tag: tagged customers (VIP) go to a human at once ─────────────────────────────────────

export const customerTagRuleConfig = z.object({
  tags: z.array(z.string().trim().min(1).max(64)).max(100).default(['VIP']).describe('Customer tags that hand over (case-insensitive)'),
  firstMessageOnly: z.boolean().default(true).describe('Fire on the first customer message only (later messages stay with the bot)'),
});

export const customerTagRule: TransferRuleContribution = {
  label: { en: 'Tagged customer (e.g. VIP)', 'zh-CN': '客户标签（如 VIP）转人工' },
  config: customerTagRuleConfig,
  evaluate: (input: TransferRuleInput, ruleConfig: unknown) => {
    if (input.feedback) return { fire: false };
    const { tags, firstMessageOnly } = customerTagRuleConfig.parse(ruleConfig ?? {});
    if (firstMessageOnly && input.customerMessages !== undefined && input.customerMessages > 1) return { fire: false };
    const wanted = new Set(tags.map((t) => t.normalize('NFKC').toLowerCase()));
    const hit = input.customer.tags.find((t) => wanted.has(t.normalize('NFKC').toLowerCase()));
    return hit ? { fire: true, reason: `customer_tag:${hit}` } : { fire: false };
  },
};

// ── not_useful: the customer rated a bot answer as not useful ──────────────────────────────────────

export const notUsefulRuleConfig = z.object({});

export const notUsefulRule: TransferRuleContribution = {
  label: { en: 'Customer rated a bot answer "not useful"', 'zh-CN': '客户评价机器人回答“没帮助”转人工' },
  config: notUsefulRuleConfig,
  evaluate: (input: TransferRuleInput) => {
    if (!input.feedback || input.feedback.useful) return { fire: false };
    return { fire: true, reason: input.feedback.entryId ? `not_useful:${input.feedback.entryId}` : 'not_useful' };
  },
};

// ── emotion: an angry or anxious customer ──────────────────────────────────────────────────────────

export const emotionRuleConfig = z.object({
  threshold: z.number().min(0).max(1).default(0.5).describe('Score (0–1) at or above which an emotion hands over'),
  emotions: z.array(z.enum(EMOTIONS)).min(1).default(['anger', 'anxiety']).describe('Emotions that hand over'),
  detector: z.string().trim().min(1).max(64).optional().describe('Detector for this rule (default: the plugin config’s emotionDetector)'),
});

export const emotionRule: TransferRuleContribution = {
  label: { en: 'Angry or anxious customer (emotion recognition)', 'zh-CN': '情绪识别（愤怒、焦虑）转人工' },
  config: emotionRuleConfig,
  evaluate: async (input: TransferRuleInput, ruleConfig: unknown, rt?: PluginRuntimeContext<unknown>) => {
    if (input.feedback || !input.text.trim()) return { fire: false };
    const cfg = emotionRuleConfig.parse(ruleConfig ?? {});
    const pluginConfig = transferRulesConfig.safeParse(rt?.config ?? {});
    const name = cfg.detector ?? (pluginConfig.success ? pluginConfig.data.emotionDetector : 'lexicon');
    const detector = emotionDetector(name);
    if (!detector) throw new Error(`unknown emotion detector "${name}"`);
    const { scores, cues } = await detector.detect(input.text);
    let best: { emotion: Emotion; score: number } | null = null;
    for (const e of cfg.emotions) {
      const score = scores[e] ?? 0;
      if (score >= cfg.threshold && (!best || score > best.score)) best = { emotion: e, score };
    }
    if (!best) return { fire: false };
    const cue = cues.find((c) => c.emotion === best.emotion);
    return { fire: true, reason: `emotion:${best.emotion}:${best.score.toFixed(2)}${cue ? `:${cue.term}` : ''}` };
  },
};

// ── all rules of this plugin, by (hub-wide unique) name ───────────────────────────────────────────

export const rules: Record<string, TransferRuleContribution> = {
  keyword: keywordRule,
  unmatched: unmatchedRule,
  customer_tag: customerTagRule,
  not_useful: notUsefulRule,
  emotion: emotionRule,
};
