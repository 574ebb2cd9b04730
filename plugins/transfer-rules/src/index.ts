/**
 * Transfer rules (kind `rule`): conditions, configured per flow bot node, that hand a conversation
 * from the bot to a human: keyword, unmatched (N in a row), customer_tag (VIP), not_useful (a bad
 * rating of a bot answer), emotion (anger/anxiety). The rules live in `rules.ts`, the pluggable
 * emotion detectors in `emotion.ts`.
 */
import { definePlugin } from '@kefu-hub/plugin-sdk';
import { rules, transferRulesConfig } from './rules.ts';

export {
  DEFAULT_KEYWORDS, customerTagRule, customerTagRuleConfig, emotionRule, emotionRuleConfig, findKeyword, keywordRule, keywordRuleConfig,
  notUsefulRule, rules, transferRulesConfig, unmatchedRule, unmatchedRuleConfig,
} from './rules.ts';
export { EMOTIONS, emotionDetector, emotionDetectorNames, intensityBoost, lexiconDetector, registerEmotionDetector } from './emotion.ts';
export type { Emotion, EmotionCue, EmotionDetector, EmotionResult } from './emotion.ts';

export default definePlugin({
  name: 'transfer-rules',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['rule'],
  displayName: { en: 'Transfer-to-human rules', 'zh-CN': '转人工规则' },
  description: {
    en: 'Rules a flow bot node can use to hand the customer to a human: keyword, N unanswered in a row, customer tag (VIP), a "not useful" rating, emotion (anger/anxiety).',
    'zh-CN': '流程中机器人节点可用的转人工规则：关键词、连续未匹配、客户标签（VIP）、回答没帮助、情绪识别（愤怒/焦虑）。',
  },
  config: transferRulesConfig,
  rules,
});
