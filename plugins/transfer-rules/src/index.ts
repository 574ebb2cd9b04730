/**
 * Transfer rules (kind `rule`): conditions, configured per flow bot node, that hand a conversation
 * from the bot to a human. The rules themselves live in `rules.ts`.
 */
import { definePlugin, z } from '@kefu-hub/plugin-sdk';
import { rules } from './rules.ts';

export { DEFAULT_KEYWORDS, findKeyword, keywordRule, keywordRuleConfig, rules } from './rules.ts';

export default definePlugin({
  name: 'transfer-rules',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['rule'],
  displayName: { en: 'Transfer-to-human rules', 'zh-CN': '转人工规则' },
  description: {
    en: 'Rules a flow bot node can use to hand the customer to a human: keyword, …',
    'zh-CN': '流程中机器人节点可用的转人工规则：关键词等。',
  },
  config: z.object({}),
  rules,
});
