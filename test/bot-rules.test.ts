import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, signUp, ok, code, type TestHub } from './helpers/hub.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation, Customer, FlowVersion, KnowledgeEntry, Message } from '../core/db/entities/index.ts';
import { resolvePublishedFlow } from '../core/flows/store.ts';
import { defaultFlow } from '../core/flows/registry.ts';
import { ConversationService } from '../core/conversations/service.ts';
import { BotPipeline, BOT_SUGGESTIONS_TEXT, type BotPipelineLogger } from '../core/conversations/bot-pipeline.ts';
import type { MessageView } from '../core/conversations/topics.ts';
import type { PluginRuntimeContext, TransferRuleInput } from '@kefu-hub/plugin-sdk';
import {
  customerTagRule, emotionRule, notUsefulRule, unmatchedRule, rules,
} from '../plugins/transfer-rules/src/rules.ts';
import { RECHECK_MS, CACHE_TTL_MS, clearKnowledgeCache, knowledge, type FaqBotConfig } from '../plugins/faq-bot/src/index.ts';
import { LEXICON_SIZE, lexiconDetector, registerEmotionDetector, type EmotionDetector } from '../plugins/transfer-rules/src/emotion.ts';

const input = (over: Partial<TransferRuleInput> = {}): TransferRuleInput => ({
  text: '', bot: null, consecutiveUnmatched: 0, customerMessages: 1, customer: { id: 'c', tags: [], attributes: {} }, ...over,
});

// ── the rules, pure ────────────────────────────────────────────────────────────────────────────────

void describe('transfer rules', () => {
  void test('the plugin contributes keyword, unmatched, customer_tag, not_useful and emotion', () => {
    assert.deepEqual(Object.keys(rules).sort(), ['customer_tag', 'emotion', 'keyword', 'not_useful', 'unmatched']);
    for (const r of Object.values(rules)) assert.ok(r.config.safeParse({}).success, 'every rule config accepts {}');
  });

  void test('unmatched fires at N consecutive unanswered messages (default 3), never on a rating', async () => {
    assert.deepEqual(await unmatchedRule.evaluate(input({ consecutiveUnmatched: 2 }), {}), { fire: false });
    assert.deepEqual(await unmatchedRule.evaluate(input({ consecutiveUnmatched: 3 }), {}), { fire: true, reason: 'unmatched:3' });
    assert.deepEqual(await unmatchedRule.evaluate(input({ consecutiveUnmatched: 1 }), { count: 1 }), { fire: true, reason: 'unmatched:1' });
    assert.deepEqual(await unmatchedRule.evaluate(input({ consecutiveUnmatched: 5, feedback: { useful: false } }), {}), { fire: false });
    assert.equal(unmatchedRule.config.safeParse({ count: 0 }).success, false);
  });

  void test('customer_tag fires on the first message of a tagged customer (VIP by default)', async () => {
    const vip = { id: 'c', tags: ['vip', 'wholesale'], attributes: {} };
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip, text: 'hi' }), {}), { fire: true, reason: 'customer_tag:vip' });
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip, customerMessages: 2 }), {}), { fire: false }, 'later messages stay with the bot');
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip, customerMessages: 4 }), { firstMessageOnly: false }), { fire: true, reason: 'customer_tag:vip' });
    assert.deepEqual(await customerTagRule.evaluate(input(), {}), { fire: false }, 'untagged customer');
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip }), { tags: ['Wholesale'] }), { fire: true, reason: 'customer_tag:wholesale' });
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip }), { tags: ['gold'] }), { fire: false });
    assert.deepEqual(await customerTagRule.evaluate(input({ customer: vip, feedback: { useful: false } }), {}), { fire: false });
  });

  void test('not_useful fires on a "not useful" rating only', async () => {
    assert.deepEqual(await notUsefulRule.evaluate(input({ feedback: { useful: false, entryId: 'e1' } }), {}), { fire: true, reason: 'not_useful:e1' });
    assert.deepEqual(await notUsefulRule.evaluate(input({ feedback: { useful: false } }), {}), { fire: true, reason: 'not_useful' });
    assert.deepEqual(await notUsefulRule.evaluate(input({ feedback: { useful: true } }), {}), { fire: false });
    assert.deepEqual(await notUsefulRule.evaluate(input({ text: '没用，答非所问' }), {}), { fire: false }, 'a message is not a rating');
  });

  void test('emotion: negation and intensity in Chinese', async () => {
    const fire = async (text: string, cfg: Record<string, unknown> = {}) => (await emotionRule.evaluate(input({ text }), cfg)).fire;
    assert.equal(await fire('不满意'), true, '不满意 fires');
    assert.equal(await fire('我对这次服务不是很满意'), false, '不是很满意 is weaker and does not fire at the default threshold');
    assert.equal(await fire('我没有不满意'), false, 'double negation');
    assert.equal(await fire('我一点都不生气，就问问'), false);
    assert.equal(await fire('不着急，慢慢来'), false);
    const strong = await emotionRule.evaluate(input({ text: '太差劲了！！！' }), {});
    assert.equal(strong.fire, true);
    assert.match(strong.reason!, /^emotion:anger:(0\.9\d|1\.00):差劲$/);
    assert.equal(await fire('很不满意'), true);
    assert.equal(await fire('有点不满意'), false, 'a diminisher weakens it');
    assert.equal(await fire('快点发货啊，急死了'), true);
    assert.equal(await fire('我想问一下退货流程'), false);
    assert.equal(await fire('差价怎么退'), false, '差 inside 差价 is not an emotion');
  });

  void test('emotion: negation and intensity in English; shouting and exclamations boost', async () => {
    const score = (text: string) => lexiconDetector.detect(text) as { scores: { anger: number; anxiety: number } };
    const fire = async (text: string, cfg: Record<string, unknown> = {}) => (await emotionRule.evaluate(input({ text }), cfg)).fire;
    assert.equal(await fire("I'm not angry"), false);
    assert.equal(await fire('this is absolutely ridiculous'), true);
    assert.equal(await fire('I am not happy with this'), true);
    assert.equal(await fire('not very happy'), false);
    assert.equal(await fire('where is my parcel'), false);
    assert.ok(score('ridiculous!!!').scores.anger > score('ridiculous').scores.anger);
    assert.ok(score('THIS IS RIDICULOUS').scores.anger > score('this is ridiculous').scores.anger);
    assert.ok(score('I need it urgently, please hurry').scores.anxiety >= 0.5);
  });

  void test('emotion: config picks emotions and threshold', async () => {
    const anxious = input({ text: '急死了，什么时候到' });
    assert.equal((await emotionRule.evaluate(anxious, {})).fire, true);
    assert.equal((await emotionRule.evaluate(anxious, { emotions: ['anger'] })).fire, false);
    assert.match((await emotionRule.evaluate(anxious, { emotions: ['anxiety'] })).reason!, /^emotion:anxiety:/);
    assert.equal((await emotionRule.evaluate(input({ text: '不满意' }), { threshold: 0.9 })).fire, false);
    assert.equal((await emotionRule.evaluate(input({ text: '不是很满意' }), { threshold: 0.2 })).fire, true);
    assert.equal((await emotionRule.evaluate(input({ text: '不满意', feedback: { useful: false } }), {})).fire, false);
  });

  void test('emotion: the detector is pluggable (plugin config or rule config names it)', async () => {
    assert.ok(LEXICON_SIZE.zh + LEXICON_SIZE.en >= 150, `lexicon has ${LEXICON_SIZE.zh} + ${LEXICON_SIZE.en} terms`);
    const seen: string[] = [];
    const always: EmotionDetector = { name: 'always-anxious', detect: (text) => { seen.push(text); return { scores: { anger: 0, anxiety: 0.99 }, cues: [] }; } };
    registerEmotionDetector(always);
    const rt = (config: unknown) => ({ config }) as unknown as PluginRuntimeContext<unknown>;
    const calm = input({ text: 'hello there' });
    assert.equal((await emotionRule.evaluate(calm, {}, rt({ emotionDetector: 'lexicon' }))).fire, false);
    assert.deepEqual(await emotionRule.evaluate(calm, {}, rt({ emotionDetector: 'always-anxious' })), { fire: true, reason: 'emotion:anxiety:0.99' });
    assert.equal((await emotionRule.evaluate(calm, { detector: 'always-anxious' }, rt({ emotionDetector: 'lexicon' }))).fire, true);
    assert.deepEqual(seen, ['hello there', 'hello there']);
    await assert.rejects(async () => emotionRule.evaluate(calm, { detector: 'nope' }), /unknown emotion detector "nope"/);
  });
});

// ── the rules and the FAQ bot through the real pipeline ────────────────────────────────────────────

const silent: BotPipelineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

void describe('bot rules on the real services', () => {
  let th: TestHub;
  let conversations: ConversationService;
  let pipeline: BotPipeline;
  const humanCalls: { conversationId: string; rule: string }[] = [];
  const errors: Record<string, unknown>[] = [];
  let wsId = '';
  let adminToken = '';
  let channel: { id: string; publicKey: string };
  let flowVersionId = '';

  type Conv = { id: string; customerId: string; workspaceId: string };

  async function newConversation(opts: { tags?: string[]; customerId?: string } = {}): Promise<Conv> {
    const em = workspaceEm(th.hub.services.orm, wsId);
    let customerId = opts.customerId;
    if (!customerId) {
      const customer = em.create(Customer, { workspaceId: wsId, displayName: 'Visitor', email: null, phone: null, tags: opts.tags ?? [], attributes: {} });
      customerId = customer.id;
    }
    const conv = em.create(Conversation, {
      workspaceId: wsId, channelId: channel.id, customerId, status: 'bot', flowVersionId, currentNodeId: 'bot', trail: [],
    });
    await em.flush();
    return { id: conv.id, customerId, workspaceId: wsId };
  }

  async function ask(conv: Conv, text: string): Promise<MessageView[]> {
    const { message } = await conversations.post({
      workspaceId: wsId, conversationId: conv.id, senderType: 'customer', senderId: conv.customerId, type: 'text', body: { text }, clientMessageId: randomUUID(),
    });
    await pipeline.onCustomerMessage(wsId, message);
    return conversations.messagesAfter(wsId, conv.id, message.seq);
  }

  async function only(conv: Conv, text: string): Promise<MessageView> {
    const replies = await ask(conv, text);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    return replies[0]!;
  }

  const transferRuleOf = async (conv: Conv) => (await workspaceEm(th.hub.services.orm, wsId).findOneOrFail(Conversation, { id: conv.id })).transferRule;

  before(async () => {
    th = await startTestHub({ temporal: false });
    const { orm, pubsub, outbox, registry } = th.hub.services;
    conversations = new ConversationService({ orm, pubsub, outbox });
    pipeline = new BotPipeline({
      orm, registry, conversations,
      requestHuman: async (_ws, conversationId, rule) => { humanCalls.push({ conversationId, rule }); },
      logger: { ...silent, error: (msg, data) => { errors.push({ msg, ...data }); } },
    });
    const s = await signUp(th.gql, `rules-${randomUUID().slice(0, 8)}`);
    wsId = s.workspaceId;
    adminToken = s.token;
    for (const name of ['faq-bot', 'transfer-rules']) ok(await th.gql('mutation($name: String!) { installPlugin(name: $name) { id } }', { name }, adminToken));
    channel = ok(await th.gql<{ createChannel: { id: string; publicKey: string } }>('mutation { createChannel(kind: "web-widget", name: "site") { id publicKey } }', {}, adminToken)).createChannel;

    // A flow whose bot node combines every rule (order matters: the first that fires wins).
    const em = workspaceEm(orm, wsId);
    const flow = defaultFlow();
    flow.nodes.find((n) => n.id === 'bot')!.config = {
      transferRules: [
        { rule: 'keyword', config: {} },
        { rule: 'customer_tag', config: { tags: ['VIP'] } },
        { rule: 'emotion', config: {} },
        { rule: 'not_useful', config: {} },
        { rule: 'unmatched', config: { count: 2 } },
      ],
    };
    const base = await em.findOneOrFail(FlowVersion, { id: (await resolvePublishedFlow(em, wsId)).flowVersionId });
    const v = em.create(FlowVersion, { workspaceId: wsId, flowId: base.flowId, version: 50, definition: flow as unknown as Record<string, unknown>, createdById: null, publishedAt: new Date() });
    for (const [question, variants, answer] of [
      ['如何退货？', ['我想退货', 'How do I return an item?'], '在“我的订单”中点击“申请退货”即可。'],
      ['退款多久到账？', ['钱什么时候退回来', 'how long does a refund take'], '退款 1–3 个工作日到账。'],
      ['如何修改收货地址', ['收货地址填错了'], '发货前可在订单详情中修改地址。'],
      ['运费怎么算？', ['包邮吗'], '满 99 元包邮。'],
      ['怎么开发票', ['申请发票'], '在订单详情中申请开票。'],
    ] as const) em.create(KnowledgeEntry, { workspaceId: wsId, question, variants: [...variants], answer, visibility: 'public', category: null });
    await em.flush();
    flowVersionId = v.id;
  });

  after(async () => {
    await th?.close();
  });

  void test('an answer, and suggestions ("您是不是想问…") when unsure', async () => {
    const conv = await newConversation();
    const answered = await only(conv, '怎么退货呀');
    assert.equal(answered.body.matched, true);
    assert.equal(answered.body.text, '在“我的订单”中点击“申请退货”即可。');
    const unsure = await only(conv, '退货后退款');
    assert.equal(unsure.body.matched, false);
    assert.equal(unsure.body.fallback, false);
    const suggested = (unsure.body.suggestions as { question: string }[]).map((s) => s.question);
    assert.ok(suggested.length >= 2 && suggested.length <= 3, JSON.stringify(suggested));
    assert.ok(suggested.includes('如何退货？') && suggested.includes('退款多久到账？'), JSON.stringify(suggested));
    assert.ok(String(unsure.body.text).startsWith(BOT_SUGGESTIONS_TEXT));
    assert.equal(humanCalls.filter((h) => h.conversationId === conv.id).length, 0);
  });

  void test('unmatched: the second unanswered message in a row hands over (count 2), an answer resets it', async () => {
    const conv = await newConversation();
    assert.equal((await only(conv, '今天天气怎么样')).senderType, 'bot');
    assert.equal((await only(conv, '怎么开发票')).body.matched, true, 'an answer resets the count');
    assert.equal((await only(conv, '附近有好吃的吗')).senderType, 'bot');
    const replies = await ask(conv, '你们老板是谁');
    assert.deepEqual(replies.map((r) => r.body), [{ event: 'transfer_requested', rule: 'unmatched', reason: 'unmatched:2' }]);
    assert.equal(await transferRuleOf(conv), 'unmatched');
    assert.deepEqual(humanCalls.filter((h) => h.conversationId === conv.id), [{ conversationId: conv.id, rule: 'unmatched' }]);
  });

  void test('customer_tag: a VIP goes to a human on the first message; others do not', async () => {
    const vip = await newConversation({ tags: ['VIP'] });
    const replies = await ask(vip, '怎么退货');
    assert.deepEqual(replies.map((r) => r.body), [{ event: 'transfer_requested', rule: 'customer_tag', reason: 'customer_tag:VIP' }]);
    assert.equal(await transferRuleOf(vip), 'customer_tag');
    const regular = await newConversation({ tags: ['newcomer'] });
    assert.equal((await only(regular, '怎么退货')).senderType, 'bot');
    assert.equal(await transferRuleOf(regular), null);
  });

  void test('emotion: an angry customer is handed over; "不是很满意" and "我没有不满意" are not', async () => {
    for (const text of ['我没有不满意，就是问问运费怎么算', '对物流不是很满意', "I'm not angry, just asking about shipping"]) {
      const calm = await newConversation();
      assert.equal((await only(calm, text)).senderType, 'bot', text);
      assert.equal(await transferRuleOf(calm), null, text);
    }
    const angry = await newConversation();
    const replies = await ask(angry, '你们的服务太差劲了！！！');
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.body.rule, 'emotion');
    assert.match(String(replies[0]!.body.reason), /^emotion:anger:/);
    assert.equal(await transferRuleOf(angry), 'emotion');
    const english = await newConversation();
    assert.equal((await ask(english, 'this is absolutely ridiculous'))[0]!.body.rule, 'emotion');
  });

  void test('a "not useful" rating fires the not_useful rule through the pipeline, once', async () => {
    const conv = await newConversation();
    const answer = await only(conv, '退款多久能到');
    assert.equal(answer.body.matched, true);
    assert.equal(await pipeline.onBotFeedback(wsId, conv.id, answer.id, true), null, 'useful: nothing happens');
    const fired = await pipeline.onBotFeedback(wsId, conv.id, answer.id, false);
    assert.deepEqual(fired, { rule: 'not_useful', reason: `not_useful:${String(answer.body.entryId)}` });
    const after = await conversations.messagesAfter(wsId, conv.id, answer.seq);
    assert.deepEqual(after.map((m) => [m.clientMessageId, m.body.rule]), [[`transfer:fb:${answer.id}`, 'not_useful']]);
    assert.equal(await transferRuleOf(conv), 'not_useful');
    assert.equal(await pipeline.onBotFeedback(wsId, conv.id, answer.id, false), null, 'a repeated rating hands over once');
    assert.equal(humanCalls.filter((h) => h.conversationId === conv.id).length, 1);
  });

  void test('rateBotAnswer: the visitor rates bot answers of their own conversation; not useful hands over', async () => {
    const session = ok(await th.gql<{ startVisitorSession: { token: string; customerId: string } }>(
      'mutation($k: String!) { startVisitorSession(channelKey: $k) { token customerId } }', { k: channel.publicKey },
    )).startVisitorSession;
    const conv = await newConversation({ customerId: session.customerId });
    const answer = await only(conv, '包邮吗');
    assert.equal(answer.body.matched, true);
    const question = (await conversations.messagesAfter(wsId, conv.id, 0)).find((m) => m.senderType === 'customer')!;
    const rate = (messageId: string, useful: boolean, token = session.token) =>
      th.gql<{ rateBotAnswer: { id: string; body: { feedback?: { useful: boolean } } } }>(
        'mutation($m: ID!, $u: Boolean!) { rateBotAnswer(messageId: $m, useful: $u) { id body } }', { m: messageId, u: useful }, token,
      );

    const useful = ok(await rate(answer.id, true)).rateBotAnswer;
    assert.equal(useful.body.feedback?.useful, true);
    assert.equal(await transferRuleOf(conv), null);

    assert.equal(code(await rate(question.id, false)), 'BAD_USER_INPUT', 'only bot answers');
    assert.equal(code(await rate(randomUUID(), false)), 'NOT_FOUND');
    assert.equal(code(await rate(answer.id, false, adminToken)), 'FORBIDDEN', 'visitors only');
    const other = ok(await th.gql<{ startVisitorSession: { token: string } }>('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession;
    assert.equal(code(await rate(answer.id, false, other.token)), 'NOT_FOUND', "another visitor's conversation");

    const notUseful = ok(await rate(answer.id, false)).rateBotAnswer;
    assert.equal(notUseful.body.feedback?.useful, false);
    assert.equal(await transferRuleOf(conv), 'not_useful', 'the hub pipeline ran the rules');
    ok(await rate(answer.id, false)); // idempotent
    const notices = (await conversations.messagesAfter(wsId, conv.id, 0)).filter((m) => m.body.event === 'transfer_requested');
    assert.equal(notices.length, 1);
    const stored = await workspaceEm(th.hub.services.orm, wsId).findOneOrFail(Message, { id: answer.id });
    assert.equal((stored.body.feedback as { useful: boolean }).useful, false);
    const rated: { n: number }[] = await th.hub.services.orm.em.fork().getConnection().execute(
      "select count(*) as n from outbox_event where workspace_id = ? and type = 'bot.answer_rated'", [wsId],
    );
    assert.equal(Number(rated[0]!.n), 2, 'one event per change of rating');
  });

  void test('the index is cached per workspace and rebuilt when the knowledge base changes (checked every few seconds) or after the TTL', async () => {
    const rt = (await th.hub.services.registry.runtime('faq-bot', wsId)) as PluginRuntimeContext<FaqBotConfig>;
    const t0 = Date.now() + 60 * 60_000; // a clock of our own, past anything cached so far
    const first = await knowledge(rt, t0);
    assert.equal(await knowledge(rt, t0 + 10), first, 'cached');
    const em = workspaceEm(th.hub.services.orm, wsId);
    em.create(KnowledgeEntry, { workspaceId: wsId, question: '可以开收据吗', variants: [], answer: '可以。', visibility: 'public', category: null });
    await em.flush();
    assert.equal(await knowledge(rt, t0 + RECHECK_MS - 10), first, 'not re-checked yet');
    const second = await knowledge(rt, t0 + RECHECK_MS + 10);
    assert.notEqual(second, first, 'the fingerprint changed: rebuilt');
    assert.ok(second.items.some((i) => i.question === '可以开收据吗'));
    assert.equal(await knowledge(rt, t0 + 2 * RECHECK_MS + 20), second, 'unchanged since: kept');
    assert.notEqual(await knowledge(rt, t0 + RECHECK_MS + 10 + CACHE_TTL_MS), second, 'rebuilt after the TTL anyway');
    clearKnowledgeCache(wsId); // back to the real clock for the other tests
  });

  void test('synonyms set over GraphQL change the answer at once', async () => {
    const conv = await newConversation();
    assert.equal((await only(conv, '返现要几天')).body.matched, false);
    const set = ok(await th.gql<{ setFaqBotSynonyms: { term: string; synonyms: string[] } }>(
      'mutation { setFaqBotSynonyms(term: "退款", synonyms: ["返现", "退钱", "返现"]) { term synonyms } }', {}, adminToken,
    )).setFaqBotSynonyms;
    assert.deepEqual(set, { term: '退款', synonyms: ['返现', '退钱'] });
    const listed = ok(await th.gql<{ faqBotSynonyms: { term: string }[] }>('{ faqBotSynonyms { term synonyms } }', {}, adminToken)).faqBotSynonyms;
    assert.deepEqual(listed.map((s) => s.term), ['退款']);
    const now = await only(conv, '返现要几天');
    assert.equal(now.body.matched, true);
    assert.equal(now.body.text, '退款 1–3 个工作日到账。');
    assert.equal(code(await th.gql('mutation { setFaqBotSynonyms(term: " ", synonyms: ["x"]) { term } }', {}, adminToken)), 'BAD_USER_INPUT');
    assert.equal(ok(await th.gql('mutation { setFaqBotSynonyms(term: "退款", synonyms: []) { term } }', {}, adminToken)).setFaqBotSynonyms, null);
    assert.deepEqual(ok(await th.gql<{ faqBotSynonyms: unknown[] }>('{ faqBotSynonyms { term } }', {}, adminToken)).faqBotSynonyms, []);
    assert.equal((await only(conv, '返现要几天')).body.matched, false, 'removed again');
    assert.deepEqual(errors, []);
  });
});
