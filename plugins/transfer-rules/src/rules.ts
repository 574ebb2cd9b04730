/**
 * Transfer-to-human rules, one contribution per rule name. Each rule is a config schema (must accept
 * `{}`), a label for the flow composer and an `evaluate` that is pure over its input, so rules can be
 * tested without a hub. Add a rule by writing it here and listing it in `rules` below.
 */
import { z, type TransferRuleContribution, type TransferRuleInput } from '@kefu-hub/plugin-sdk';

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
    const { keywords } = keywordRuleConfig.parse(ruleConfig ?? {});
    const hit = findKeyword(input.text, keywords);
    return hit ? { fire: true, reason: `keyword:${hit}` } : { fire: false };
  },
};

// ── all rules of this plugin, by (hub-wide unique) name ───────────────────────────────────────────

export const rules: Record<string, TransferRuleContribution> = {
  keyword: keywordRule,
};
