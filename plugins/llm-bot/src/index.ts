/**
 * LLM bot (kind `bot`): an alternative to the FAQ bot that answers through any OpenAI-compatible
 * chat-completions endpoint (client.ts), grounded in the workspace's knowledge base.
 *
 * For each customer message:
 *  1. retrieval: the top `maxEntries` public entries for the message, from the FAQ bot's index
 *     (Moleculer action `plugin.faq-bot.search`: the same segmentation, synonyms and BM25; the FAQ bot
 *     must be installed in the workspace). No entry at all → the fallback bot answers, no model call;
 *  2. the prompt: the configured system prompt, the answering rules (only from the entries; reply
 *     `NOT_SURE` when they do not answer; cite the entry as `[n]`) and the numbered entries; the
 *     customer's message as the user turn;
 *  3. the reply: `NOT_SURE` (or nothing) → not matched, the retrieved entries as suggestions; a leading
 *     `[n]` names the entry that answered (`entryId`, for feedback and metrics);
 *  4. failure — no answer within `timeoutMs`, an HTTP error, a malformed response — → the fallback
 *     bot's answer (`plugin.<fallbackBot>.answer`, the FAQ bot by default), with the error recorded on
 *     the answer (`llm.error`, kept on the bot message) and logged.
 */
import { definePlugin, z, type BotAnswer, type PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { ChatCompletionError, chatCompletion, type ChatMessage } from './client.ts';

export { ChatCompletionError, chatCompletion, completionsUrl } from './client.ts';
export type { ChatMessage, ChatRequest } from './client.ts';

export const NOT_SURE = 'NOT_SURE';

export const DEFAULT_SYSTEM_PROMPT = [
  '你是一家网店的在线客服助手，语气友好、简洁。You are the friendly, concise customer-service assistant of an online shop.',
  '用顾客使用的语言回答。Answer in the language the customer writes in.',
].join('\n');

export const llmBotConfig = z.object({
  baseUrl: z.url().default('http://127.0.0.1:11434/v1').describe('OpenAI-compatible API base URL (…/v1); the bot POSTs to {baseUrl}/chat/completions'),
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name').optional().describe('Environment variable holding the API key (preferred over apiKey)'),
  apiKey: z.string().max(500).optional().describe('API key (stored in the plugin config; prefer apiKeyEnv)'),
  model: z.string().min(1).max(200).default('qwen2.5:7b-instruct').describe('Model name as the endpoint knows it'),
  temperature: z.number().min(0).max(2).default(0.2),
  timeoutMs: z.number().int().min(100).max(120_000).default(8000).describe('Give up on the model after this long and answer with the fallback bot'),
  maxEntries: z.number().int().min(1).max(20).default(5).describe('Knowledge-base entries put in the prompt'),
  systemPrompt: z.string().max(8000).default(DEFAULT_SYSTEM_PROMPT).describe('Persona and tone; the answering rules and the entries are appended'),
  fallbackBot: z.string().regex(/^[a-z][a-z0-9-]{1,48}$/).default('faq-bot').describe('Bot plugin whose `plugin.<name>.answer` action answers when the model fails'),
});
export type LlmBotConfig = z.output<typeof llmBotConfig>;

export interface RetrievedEntry {
  entryId: string;
  question: string;
  answer: string;
  confidence: number;
}

/** The answering rules and the numbered entries, appended to the system prompt. */
export function groundingPrompt(systemPrompt: string, entries: readonly RetrievedEntry[]): string {
  const kb = entries.map((e, i) => `[${i + 1}] 问题 Q: ${e.question}\n    答案 A: ${e.answer}`).join('\n');
  return [
    systemPrompt.trim(),
    '',
    '只根据下面的知识库条目回答；条目里没有答案时，只回复 NOT_SURE，不要编造。回答时以所用条目的编号开头，例如 [2]。',
    `Answer only from the knowledge-base entries below. If they do not answer the question, reply exactly ${NOT_SURE} and nothing else — never make things up. Start your answer with the number of the entry you used, e.g. [2].`,
    '',
    '知识库 Knowledge base:',
    kb,
  ].join('\n');
}

/** Reads the model's reply: not sure (null), or the text and the cited entry number (1-based). */
export function parseReply(content: string): { text: string; cited: number | null } | null {
  const t = content.trim();
  if (!t || /^\W*not[_\s-]?sure\b/i.test(t) || t.toUpperCase() === NOT_SURE) return null;
  const m = /^\s*\[(\d{1,2})\]\s*[:：-]?\s*/.exec(t);
  const text = (m ? t.slice(m[0].length) : t).replace(/\s*\[\d{1,2}\]\s*$/, '').trim();
  if (!text || /^not[_\s-]?sure$/i.test(text)) return null;
  return { text, cited: m ? Number(m[1]) : null };
}

function apiKeyOf(cfg: LlmBotConfig): string | undefined {
  if (cfg.apiKeyEnv) {
    const v = process.env[cfg.apiKeyEnv];
    if (v) return v;
  }
  return cfg.apiKey || undefined;
}

async function retrieve(rt: PluginRuntimeContext<LlmBotConfig>, text: string): Promise<RetrievedEntry[]> {
  const r = await rt.call<{ hits: RetrievedEntry[] }>('plugin.faq-bot.search', { text, limit: rt.config.maxEntries });
  return Array.isArray(r?.hits) ? r.hits : [];
}

/** The fallback bot's answer, annotated with why it was used; unmatched when the fallback fails too. */
async function fallback(rt: PluginRuntimeContext<LlmBotConfig>, text: string, error: string | null): Promise<BotAnswer> {
  let answer: BotAnswer;
  try {
    answer = await rt.call<BotAnswer>(`plugin.${rt.config.fallbackBot}.answer`, { text });
  } catch (err) {
    rt.logger.error('fallback bot failed', { fallbackBot: rt.config.fallbackBot, error: err instanceof Error ? err.message : String(err) });
    return { matched: false, confidence: 0, suggestions: [] };
  }
  const llm = { fallback: rt.config.fallbackBot, ...(error ? { error } : {}) };
  return answer.answer ? { ...answer, answer: { ...answer.answer, body: { ...answer.answer.body, llm } } } : answer;
}

export async function answerWithLlm(rt: PluginRuntimeContext<LlmBotConfig>, text: string, fetchImpl?: typeof fetch): Promise<BotAnswer> {
  const cfg = rt.config;
  let entries: RetrievedEntry[];
  try {
    entries = await retrieve(rt, text);
  } catch (err) {
    const error = `retrieval failed: ${err instanceof Error ? err.message : String(err)}`;
    rt.logger.warn('knowledge retrieval failed; using the fallback bot', { error });
    return fallback(rt, text, error);
  }
  if (!entries.length) return fallback(rt, text, null); // nothing to ground an answer in

  const messages: ChatMessage[] = [
    { role: 'system', content: groundingPrompt(cfg.systemPrompt, entries) },
    { role: 'user', content: text },
  ];
  let content: string;
  const started = Date.now();
  try {
    const apiKey = apiKeyOf(cfg);
    content = await chatCompletion({
      baseUrl: cfg.baseUrl, model: cfg.model, messages, temperature: cfg.temperature, timeoutMs: cfg.timeoutMs,
      ...(apiKey ? { apiKey } : {}), ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
  } catch (err) {
    const kind = err instanceof ChatCompletionError ? err.kind : 'error';
    const error = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
    rt.logger.warn('LLM call failed; using the fallback bot', { model: cfg.model, error, ms: Date.now() - started });
    return fallback(rt, text, error);
  }
  const suggestions = entries.slice(0, 3).map((e) => ({ question: e.question, entryId: e.entryId }));
  const reply = parseReply(content);
  if (!reply) return { matched: false, confidence: 0, suggestions };
  const cited = reply.cited && reply.cited <= entries.length ? entries[reply.cited - 1]! : null;
  return {
    matched: true,
    confidence: Math.max(0, Math.min(1, (cited ?? entries[0]!).confidence)),
    ...(cited ? { entryId: cited.entryId } : {}),
    answer: { type: 'text', body: { text: reply.text, llm: { model: cfg.model, entryIds: entries.map((e) => e.entryId) } } },
  };
}

export default definePlugin({
  name: 'llm-bot',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['bot'],
  displayName: { en: 'LLM bot (OpenAI-compatible)', 'zh-CN': '大模型机器人（OpenAI 兼容接口）' },
  description: {
    en: 'Answers from the knowledge base through any OpenAI-compatible chat-completions endpoint; falls back to the FAQ bot on timeout or error. Needs the FAQ bot installed (retrieval).',
    'zh-CN': '通过任意 OpenAI 兼容的对话接口、依据知识库回答；超时或出错时由常见问题机器人兜底。需同时安装常见问题机器人（检索）。',
  },
  config: llmBotConfig,
  bot: {
    answer: async (question, rt) => answerWithLlm(rt, question.text),
  },
});
