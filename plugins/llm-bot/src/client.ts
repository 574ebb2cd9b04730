/**
 * A minimal client of the OpenAI-compatible chat-completions API (OpenAI, Azure-style gateways,
 * Ollama, vLLM, llama.cpp server, LM Studio, DeepSeek, Qwen/DashScope compatible mode …):
 *
 *   POST {baseUrl}/chat/completions
 *   { "model": "…", "messages": [{ "role": "system" | "user" | "assistant", "content": "…" }],
 *     "temperature": 0.2, "stream": false }
 *   → 200 { "choices": [{ "message": { "role": "assistant", "content": "…" } }], … }
 *
 * Anything else — no answer within the timeout, a non-2xx status, a body that is not that JSON — is
 * a `ChatCompletionError` whose `kind` says which.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  baseUrl: string;
  apiKey?: string;
  model: string;
  messages: ChatMessage[];
  temperature: number;
  timeoutMs: number;
  /** Injected in tests; defaults to global fetch. */
  fetch?: typeof fetch;
}

export type ChatErrorKind = 'timeout' | 'http' | 'malformed' | 'network';

export class ChatCompletionError extends Error {
  override name = 'ChatCompletionError';
  readonly kind: ChatErrorKind;
  readonly status?: number;
  constructor(kind: ChatErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    if (status !== undefined) this.status = status;
  }
}

/** The endpoint URL for a base URL (with or without a trailing slash). */
export function completionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

/** Sends one chat completion and returns the assistant's content (may be empty). */
export async function chatCompletion(req: ChatRequest): Promise<string> {
  const doFetch = req.fetch ?? fetch;
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Response;
  let raw: string;
  try {
    res = await doFetch(completionsUrl(req.baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: req.model, messages: req.messages, temperature: req.temperature, stream: false }),
      signal,
    });
    raw = await res.text();
  } catch (err) {
    if (signal.aborted) throw new ChatCompletionError('timeout', `no answer within ${req.timeoutMs} ms`);
    throw new ChatCompletionError('network', `request failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new ChatCompletionError('http', `HTTP ${res.status}: ${raw.slice(0, 200)}`, res.status);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ChatCompletionError('malformed', `response is not JSON: ${raw.slice(0, 120)}`);
  }
  const choice = (body as { choices?: unknown }).choices;
  const content = Array.isArray(choice) ? (choice[0] as { message?: { content?: unknown } } | undefined)?.message?.content : undefined;
  if (typeof content !== 'string') throw new ChatCompletionError('malformed', 'response has no choices[0].message.content string');
  return content;
}
