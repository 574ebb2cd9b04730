import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestHub, signUp, ok, type TestHub } from './helpers/hub.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Channel, Conversation, Customer, FlowVersion, KnowledgeEntry } from '../core/db/entities/index.ts';
import { resolvePublishedFlow } from '../core/flows/store.ts';
import { defaultFlow } from '../core/flows/registry.ts';
import { ConversationService } from '../core/conversations/service.ts';
import { BotPipeline, type BotPipelineLogger } from '../core/conversations/bot-pipeline.ts';
import type { BotAnswer } from '@kefu-hub/plugin-sdk';
import { completionsUrl, groundingPrompt, parseReply } from '../plugins/llm-bot/src/index.ts';

void describe('llm-bot reply parsing', () => {
  void test('NOT_SURE or nothing means not sure; a leading [n] cites an entry', () => {
    assert.equal(parseReply('NOT_SURE'), null);
    assert.equal(parseReply('  not sure.  '), null);
    assert.equal(parseReply(''), null);
    assert.equal(parseReply('[2] NOT_SURE'), null);
    assert.deepEqual(parseReply('[2] 退款 1–3 个工作日到账。'), { text: '退款 1–3 个工作日到账。', cited: 2 });
    assert.deepEqual(parseReply('Refunds take 3 days. [1]'), { text: 'Refunds take 3 days.', cited: null });
    assert.equal(completionsUrl('http://h:1/v1/'), 'http://h:1/v1/chat/completions');
    const prompt = groundingPrompt('persona', [{ entryId: 'e', question: 'Q?', answer: 'A.', confidence: 1 }]);
    assert.match(prompt, /^persona\n/);
    assert.match(prompt, /\[1\] 问题 Q: Q\?\n {4}答案 A: A\./);
    assert.match(prompt, /NOT_SURE/);
  });
});

// ── against a local stand-in of the OpenAI chat-completions API ────────────────────────────────────

type Mode = 'ok' | 'not_sure' | 'slow' | 'error500' | 'garbage' | 'no_choices';
interface Seen { method: string; url: string; authorization: string | undefined; body: { model: string; temperature: number; messages: { role: string; content: string }[] } }

const silent: BotPipelineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

void describe('llm-bot', () => {
  let th: TestHub;
  let server: Server;
  let mode: Mode = 'ok';
  const seen: Seen[] = [];
  let wsId = '';
  const TIMEOUT_MS = 400;
  const entryIds: Record<string, string> = {};

  function standIn(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(raw) as Seen['body'] });
      const reply = (content: string) => JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'stand-in',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
      const send = (status: number, body: string, type = 'application/json') => { res.writeHead(status, { 'content-type': type }); res.end(body); };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(404, '{"error":{"message":"not found"}}');
      switch (mode) {
        case 'ok': return send(200, reply('[1] 您好！在“我的订单”中点击“申请退货”，审核通过后寄回即可。'));
        case 'not_sure': return send(200, reply('NOT_SURE'));
        case 'slow': { const t = setTimeout(() => send(200, reply('[1] too late')), 3000); res.on('close', () => clearTimeout(t)); return; }
        case 'error500': return send(500, '{"error":{"message":"model crashed","type":"server_error"}}');
        case 'garbage': return send(200, '{"choices": [ {"message": ', 'application/json');
        case 'no_choices': return send(200, '{"object":"chat.completion","choices":[]}');
      }
    });
  }

  async function ask(text: string): Promise<BotAnswer> {
    const { registry } = th.hub.services;
    const rt = await registry.runtime('llm-bot', wsId);
    return registry.get('llm-bot')!.bot!.answer({ text, conversationId: randomUUID(), customerId: randomUUID() }, rt);
  }

  before(async () => {
    server = createServer(standIn);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    process.env.KEFU_TEST_LLM_KEY = 'sk-stand-in';
    th = await startTestHub({ temporal: false });
    const s = await signUp(th.gql, `llm-${randomUUID().slice(0, 8)}`);
    wsId = s.workspaceId;
    ok(await th.gql('mutation { installPlugin(name: "faq-bot") { id } }', {}, s.token));
    ok(await th.gql('mutation { installPlugin(name: "transfer-rules") { id } }', {}, s.token));
    ok(await th.gql('mutation($c: JSON) { installPlugin(name: "llm-bot", config: $c) { id } }', {
      c: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'stand-in-7b', timeoutMs: TIMEOUT_MS, apiKeyEnv: 'KEFU_TEST_LLM_KEY', maxEntries: 3 },
    }, s.token));
    const em = workspaceEm(th.hub.services.orm, wsId);
    for (const [key, question, variants, answer] of [
      ['return', '如何退货？', ['我想退货', 'How do I return an item?'], '在“我的订单”中点击“申请退货”即可。'],
      ['refund', '退款多久到账？', ['钱什么时候退回来'], '退款 1–3 个工作日到账。'],
      ['invoice', '怎么开发票', ['申请发票'], '在订单详情中申请开票。'],
    ] as const) {
      const e = em.create(KnowledgeEntry, { workspaceId: wsId, question, variants: [...variants], answer, visibility: 'public', category: null });
      entryIds[key] = e.id;
    }
    await em.flush();
  });

  after(async () => {
    await th?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    delete process.env.KEFU_TEST_LLM_KEY;
  });

  void test('a normal answer, grounded in the retrieved entries (OpenAI-compatible API, local stand-in server)', async () => {
    mode = 'ok';
    seen.length = 0;
    const a = await ask('东西不想要了怎么退');
    assert.equal(seen.length, 1);
    const req = seen[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/chat/completions');
    assert.equal(req.authorization, 'Bearer sk-stand-in', 'the key comes from apiKeyEnv');
    assert.equal(req.body.model, 'stand-in-7b');
    assert.equal(typeof req.body.temperature, 'number');
    assert.deepEqual(req.body.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(req.body.messages[1]!.content, '东西不想要了怎么退');
    const system = req.body.messages[0]!.content;
    assert.match(system, /\[1\] 问题 Q: 如何退货？\n {4}答案 A: 在“我的订单”中点击“申请退货”即可。/, 'the best entry is first in the prompt');
    assert.match(system, /NOT_SURE/);
    assert.ok(!system.includes('怎么开发票') || system.indexOf('如何退货') < system.indexOf('怎么开发票'));
    assert.equal(a.matched, true);
    assert.equal(a.entryId, entryIds.return, 'the cited entry [1]');
    assert.equal(a.answer?.body.text, '您好！在“我的订单”中点击“申请退货”，审核通过后寄回即可。');
    assert.equal((a.answer?.body.llm as { model: string }).model, 'stand-in-7b');
    assert.ok(a.confidence > 0 && a.confidence <= 1);
  });

  void test('the model is not sure → not matched, retrieved entries offered as suggestions (OpenAI-compatible API, local stand-in server)', async () => {
    mode = 'not_sure';
    const a = await ask('退款的事');
    assert.equal(a.matched, false);
    assert.ok(a.suggestions?.some((s) => s.entryId === entryIds.refund), JSON.stringify(a.suggestions));
  });

  void test('nothing in the knowledge base to ground on → no model call, the FAQ bot’s unmatched answer (OpenAI-compatible API, local stand-in server)', async () => {
    mode = 'ok';
    seen.length = 0;
    const a = await ask('今天天气怎么样');
    assert.equal(seen.length, 0);
    assert.equal(a.matched, false);
  });

  const fallbackCases: [Mode, RegExp][] = [
    ['slow', /^timeout: no answer within 400 ms/],
    ['error500', /^http: HTTP 500: .*model crashed/],
    ['garbage', /^malformed: response is not JSON/],
    ['no_choices', /^malformed: response has no choices\[0\]\.message\.content/],
  ];
  for (const [m, error] of fallbackCases) {
    void test(`${m === 'slow' ? 'a slow server (> timeoutMs)' : m === 'error500' ? 'an HTTP 500' : m === 'garbage' ? 'garbage JSON' : 'a response without choices'} → the FAQ bot answers, the error is recorded (OpenAI-compatible API, local stand-in server)`, async () => {
      mode = m;
      const started = Date.now();
      const a = await ask('我想退货');
      const ms = Date.now() - started;
      assert.equal(a.matched, true, 'the FAQ bot answered');
      assert.equal(a.entryId, entryIds.return);
      assert.equal(a.answer?.body.text, '在“我的订单”中点击“申请退货”即可。');
      const llm = a.answer?.body.llm as { fallback: string; error: string };
      assert.equal(llm.fallback, 'faq-bot');
      assert.match(llm.error, error);
      if (m === 'slow') assert.ok(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + 1500, `fell back after ${ms} ms (timeout ${TIMEOUT_MS} ms)`);
    });
  }

  void test('through the pipeline: a flow whose bot node uses llm-bot posts its answer, and the fallback with its error (OpenAI-compatible API, local stand-in server)', async () => {
    const { orm, pubsub, outbox, registry } = th.hub.services;
    const conversations = new ConversationService({ orm, pubsub, outbox });
    const errors: unknown[] = [];
    const pipeline = new BotPipeline({ orm, registry, conversations, requestHuman: async () => undefined, logger: { ...silent, error: (m) => { errors.push(m); } } });
    const em = workspaceEm(orm, wsId);
    const flow = defaultFlow();
    flow.nodes.find((n) => n.id === 'bot')!.config = { bot: 'llm-bot', transferRules: [{ rule: 'keyword', config: {} }] };
    const base = await em.findOneOrFail(FlowVersion, { id: (await resolvePublishedFlow(em, wsId)).flowVersionId });
    const v = em.create(FlowVersion, { workspaceId: wsId, flowId: base.flowId, version: 77, definition: flow as unknown as Record<string, unknown>, createdById: null, publishedAt: new Date() });
    const channel = em.create(Channel, { workspaceId: wsId, kind: 'web-widget', name: 'Web', publicKey: `ch_${randomUUID().replace(/-/g, '').slice(0, 20)}`, config: {} });
    const customer = em.create(Customer, { workspaceId: wsId, displayName: 'V', email: null, phone: null, tags: [], attributes: {} });
    const conv = em.create(Conversation, { workspaceId: wsId, channelId: channel.id, customerId: customer.id, status: 'bot', flowVersionId: v.id, currentNodeId: 'bot', trail: [] });
    await em.flush();
    const askPipeline = async (text: string) => {
      const { message } = await conversations.post({ workspaceId: wsId, conversationId: conv.id, senderType: 'customer', senderId: customer.id, type: 'text', body: { text }, clientMessageId: randomUUID() });
      await pipeline.onCustomerMessage(wsId, message);
      const replies = await conversations.messagesAfter(wsId, conv.id, message.seq);
      assert.equal(replies.length, 1);
      return replies[0]!;
    };
    mode = 'ok';
    const good = await askPipeline('怎么退货');
    assert.equal(good.body.bot, 'llm-bot');
    assert.equal(good.body.text, '您好！在“我的订单”中点击“申请退货”，审核通过后寄回即可。');
    mode = 'error500';
    const fallback = await askPipeline('怎么退货');
    assert.equal(fallback.body.text, '在“我的订单”中点击“申请退货”即可。');
    assert.match((fallback.body.llm as { error: string }).error, /HTTP 500/, 'the error is kept on the bot message');
    assert.deepEqual(errors, []);
  });
});
