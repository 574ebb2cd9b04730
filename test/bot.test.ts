import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, signUp, ok, type TestHub } from './helpers/hub.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Channel, Conversation, Customer, FlowVersion, KnowledgeEntry, PluginInstallation, type ConversationStatus } from '../core/db/entities/index.ts';
import { resolvePublishedFlow } from '../core/flows/store.ts';
import { defaultFlow } from '../core/flows/registry.ts';
import { ConversationService } from '../core/conversations/service.ts';
import { BotPipeline, BOT_FALLBACK_TEXT, type BotPipelineLogger } from '../core/conversations/bot-pipeline.ts';
import type { MessageView } from '../core/conversations/topics.ts';
import type { TransferRuleInput } from '@kefu-hub/plugin-sdk';
import { clearKnowledgeCache } from '../plugins/faq-bot/src/index.ts';
import { matchKnowledge, prepareEntries, rank } from '../plugins/faq-bot/src/matcher.ts';
import { correct, relatedEntries, search } from '../plugins/faq-bot/src/retrieval.ts';
import { hotEntries } from '../core/stats/knowledge-hits.ts';
import { SynonymTable, features, normalise, stem, words } from '../plugins/faq-bot/src/tokenize.ts';
import { segmenterName, useSegmenter } from '../plugins/faq-bot/src/segmenter.ts';
import { DEFAULT_KEYWORDS, findKeyword, keywordRule, keywordRuleConfig } from '../plugins/transfer-rules/src/rules.ts';

// ── pure functions: matcher and keyword rule ───────────────────────────────────────────────────────

void describe('faq-bot matcher', () => {
  const entries = prepareEntries([
    { id: 'ret', question: '如何退货？', variants: ['我想退货'], answer: '退货说明' },
    { id: 'addr', question: '如何修改收货地址', variants: ['收货地址填错了'], answer: '地址说明' },
    { id: 'refund', question: 'How do I get a refund?', variants: ['I want my money back', 'refund request'], answer: 'Refund policy' },
    { id: 'ship', question: 'How long does shipping take?', variants: [], answer: 'Shipping times' },
  ]);
  const opts = { threshold: 0.45, suggestThreshold: 0.2 };

  void test('normalises full-width characters, case and punctuation', () => {
    assert.equal(normalise('ＲＥＦＵＮＤ！  如何退货？'), 'refund 如何退货');
    assert.equal(normalise('Hello,\u3000World...'), 'hello world');
  });

  void test('jieba words without filler words; stemmed Latin words without stopwords', () => {
    assert.equal(segmenterName(), 'jieba', 'the native segmenter loads here');
    assert.deepEqual(words('怎么退货'), ['退货']);
    assert.deepEqual(words('如何退货？'), ['退货']);
    assert.deepEqual(words('修改收货地址'), ['修改', '收货', '地址']);
    assert.ok(words('我想退货，订单号是12345，怎么操作').includes('订单号'));
    assert.ok(!words('我想退货，订单号是12345，怎么操作').includes('12345'), 'digits-only tokens (order numbers) are dropped');
    assert.deepEqual(words('How can I return my items?'), ['return', 'item']);
    assert.deepEqual(words('你好'), []);
    assert.equal(stem('changed'), stem('change'));
    assert.equal(stem('shipping'), 'ship');
    assert.equal(stem('delivery'), stem('delivered'));
    assert.equal(stem('payment'), 'pay');
    assert.equal(stem('cancelled'), 'cancel');
    assert.equal(stem('address'), 'address');
  });

  void test('Chinese features carry character bigrams, unigrams and pinyin readings', () => {
    const f = features('退货');
    for (const k of ['w:退货', 'c:退货', 'p:tui huo', 'u:退', 'u:货']) assert.ok(f.includes(k), k);
    // A homophone typo shares the reading with the right word.
    assert.ok(features('推货').includes('p:tui huo'));
  });

  void test('Chinese question matches through a question word and a variant', () => {
    const a = matchKnowledge('怎么退货', entries, opts);
    assert.equal(a.matched, true);
    assert.equal(a.entryId, 'ret');
    assert.deepEqual(a.answer, { type: 'text', body: { text: '退货说明' } });
    assert.ok(a.confidence >= 0.45 && a.confidence <= 1);
    // A long message that contains a short variant still finds it (first, and suggested if not answered).
    assert.equal(rank('我想退货，订单号是12345，怎么操作', entries)[0]!.item.id, 'ret');
    assert.equal(matchKnowledge('我想退货，怎么操作', entries, opts).entryId, 'ret');
  });

  void test('English paraphrases, typos and homophones find the right entry', () => {
    assert.equal(matchKnowledge('Can I get my money back please?', entries, opts).entryId, 'refund');
    assert.equal(matchKnowledge('how can I request a refund', entries, opts).entryId, 'refund');
    assert.equal(matchKnowledge('ＲＥＦＵＮＤ', entries, opts).entryId, 'refund');
    assert.equal(rank('how do i get a refnud', entries)[0]!.item.id, 'refund', 'Latin typo corrected against the vocabulary');
    assert.equal(rank('我想推货', entries)[0]!.item.id, 'ret', 'homophone typo matched by pinyin');
    assert.equal(rank('收货地趾填错了', entries)[0]!.item.id, 'addr');
  });

  void test('typos are corrected as written and by character trigrams; related English words and plural/-ship forms meet', () => {
    const idx = prepareEntries([
      { id: 'ship', question: 'How long does delivery take?', variants: [], answer: 'S' },
      { id: 'sub', question: 'How do I cancel my subscription?', variants: [], answer: 'C' },
      { id: 'pick', question: 'Can a courier pick up my parcel?', variants: [], answer: 'P' },
      { id: 'send', question: 'Where do I send my parcel?', variants: [], answer: 'A' },
      { id: 'member', question: 'How do I become a member?', variants: [], answer: 'M' },
    ]);
    // "delivry" is 2 edits from the stem "deliver" but 1 from the word "delivery" as the entry has it.
    assert.equal(rank('how long will delivry take', idx)[0]!.item.id, 'ship');
    assert.deepEqual(correct(idx, ['delivry']), { key: 'w:deliver', similarity: 1 });
    // Too far for edit distance, close in trigrams: corrected (at a weight scaled by the Dice similarity).
    const fixed = correct(idx, ['subscriptionnss'], 0.6);
    assert.equal(fixed?.key, 'w:subscription');
    assert.ok(fixed.similarity >= 0.6 && fixed.similarity < 1);
    assert.equal(correct(idx, ['subscriptionnss'], 0), null, 'trigram correction can be switched off');
    assert.equal(correct(idx, ['zebra'], 0.6), null, 'an unknown word with nothing close stays unknown');
    assert.equal(rank('cancel my subscriptionnss', idx)[0]!.item.id, 'sub');
    // collect ↔ pick (up): the related word decides between two parcel entries.
    assert.ok(search(idx, 'can you collect my parcel').features.includes('w:pick'));
    assert.equal(rank('can you collect my parcel', idx)[0]!.item.id, 'pick');
    const plain = rank('can you collect my parcel', idx, 5, { relatedWeight: 0 });
    assert.equal(plain[0]!.score, plain[1]!.score, 'without related words the two parcel entries tie');
    assert.equal(rank('how do I join the membership', idx)[0]!.item.id, 'member');
    assert.equal(stem('boxes'), 'box');
    assert.equal(stem('watches'), 'watch');
    assert.equal(stem('memberships'), 'member');
  });

  void test('relatedEntries: what a page title and URL words are about (form coverage, other words do not count against it)', () => {
    const idx = prepareEntries([
      { id: 'inv', question: '发票怎么开？', variants: ['how do I get an invoice'], answer: '在订单详情申请电子发票。' },
      { id: 'pts', question: '积分怎么用？', variants: [], answer: '结算时抵扣。' },
    ]);
    const hits = relatedEntries(idx, '发票怎么开 - 星河数码商城帮助中心 service invoice');
    assert.deepEqual(hits.map((h) => h.item.id), ['inv']);
    assert.equal(hits[0]!.formCoverage, 1);
    assert.ok(hits[0]!.coverage < 1, "the bot's own coverage counts the page's other words against it");
    assert.deepEqual(relatedEntries(idx, 'how-do-i-get-an-invoice').map((h) => h.item.id), ['inv']);
    assert.deepEqual(relatedEntries(idx, '星河数码商城 帮助中心'), []);
  });

  void test('a near question is not matched but suggested; an unrelated one gets nothing', () => {
    const near = matchKnowledge('地址', entries, { threshold: 0.8, suggestThreshold: 0.2 });
    assert.equal(near.matched, false);
    assert.deepEqual(near.suggestions, [{ question: '如何修改收货地址', entryId: 'addr' }]);
    const none = matchKnowledge('今天天气怎么样', entries, opts);
    assert.equal(none.matched, false);
    assert.deepEqual(none.suggestions, []);
    assert.equal(none.confidence, 0);
    assert.equal(matchKnowledge('what is the weather today', entries, opts).matched, false);
  });

  void test('thresholds are honoured and suggestions are capped at 3', () => {
    assert.equal(matchKnowledge('修改收货地址', entries, opts).matched, true);
    assert.equal(matchKnowledge('修改收货地址', entries, { threshold: 0.99, suggestThreshold: 0.2 }).matched, false);
    const many = prepareEntries(['订单查询', '订单取消', '订单修改', '订单发票', '订单物流'].map((q, i) => ({ id: String(i), question: q, variants: [], answer: q })));
    const r = matchKnowledge('订单', many, { threshold: 0.95, suggestThreshold: 0.1 });
    assert.equal(r.matched, false);
    assert.equal(r.suggestions?.length, 3);
    assert.equal(matchKnowledge('anything', prepareEntries([]), opts).matched, false);
  });

  void test('two equally good entries lower the confidence (suggest rather than guess)', () => {
    const twins = prepareEntries([
      { id: 'a', question: '会员积分怎么用', variants: [], answer: 'A' },
      { id: 'b', question: '会员积分怎么用呢', variants: [], answer: 'B' },
      { id: 'c', question: '发票怎么开', variants: [], answer: 'C' },
    ]);
    const alone = prepareEntries([{ id: 'a', question: '会员积分怎么用', variants: [], answer: 'A' }, { id: 'c', question: '发票怎么开', variants: [], answer: 'C' }]);
    assert.ok(matchKnowledge('会员积分怎么用', twins, opts).confidence < matchKnowledge('会员积分怎么用', alone, opts).confidence);
  });

  void test('synonyms rewrite words to their term, in questions and entries alike', () => {
    const table = new SynonymTable([{ term: '退款', synonyms: ['退钱', '返现'] }, { term: 'parcel', synonyms: ['package'] }]);
    assert.equal(table.apply(normalise('我想退钱')), '我想退款');
    assert.equal(table.apply('where is my package'), 'where is my parcel');
    assert.equal(table.apply('packages'), 'packages', 'Latin synonyms match whole words only');
    const kb = [{ id: 'r', question: '退钱多久到账', variants: [], answer: 'R' }, { id: 's', question: '发货要几天', variants: [], answer: 'S' }];
    assert.equal(matchKnowledge('返现多久能到', prepareEntries(kb), opts).matched, false);
    const withSynonyms = matchKnowledge('返现多久能到', prepareEntries(kb, table), opts);
    assert.equal(withSynonyms.matched, true, 'with 返现 = 退钱 = 退款 the refund entry answers');
    assert.equal(withSynonyms.entryId, 'r');
  });

  void test('without jieba the matcher falls back to character bigrams and still works', () => {
    useSegmenter('bigram');
    try {
      assert.equal(segmenterName(), 'bigram');
      assert.ok(features('修改收货地址').includes('w:收货'));
      const fallbackIndex = prepareEntries([
        { id: 'ret', question: '如何退货？', variants: ['我想退货'], answer: '退货说明' },
        { id: 'addr', question: '如何修改收货地址', variants: ['收货地址填错了'], answer: '地址说明' },
      ]);
      assert.equal(matchKnowledge('怎么退货', fallbackIndex, opts).entryId, 'ret');
      assert.equal(matchKnowledge('收货地址写错了', fallbackIndex, opts).entryId, 'addr');
    } finally {
      useSegmenter(null);
    }
  });
});

void describe('transfer-rules keyword rule', () => {
  const input = (text: string): TransferRuleInput => ({ text, bot: null, consecutiveUnmatched: 1, customer: { id: 'c', tags: [], attributes: {} } });

  void test('fires on Chinese keywords, reporting the longest one', async () => {
    assert.deepEqual(await keywordRule.evaluate(input('我要转人工'), {}), { fire: true, reason: 'keyword:转人工' });
    assert.deepEqual(await keywordRule.evaluate(input('请帮我接人工客服'), {}), { fire: true, reason: 'keyword:人工客服' });
    assert.deepEqual(await keywordRule.evaluate(input('找个真人'), {}), { fire: true, reason: 'keyword:真人' });
  });

  void test('English keywords match whole words, case-insensitively', () => {
    assert.equal(findKeyword('management question', DEFAULT_KEYWORDS), null);
    assert.equal(findKeyword('humanity', DEFAULT_KEYWORDS), null);
    assert.equal(findKeyword('realperson', DEFAULT_KEYWORDS), null);
    assert.equal(findKeyword('I need an AGENT now', DEFAULT_KEYWORDS), 'agent');
    assert.equal(findKeyword('agents please', DEFAULT_KEYWORDS), 'agent');
    assert.equal(findKeyword('找agent', DEFAULT_KEYWORDS), 'agent');
    assert.equal(findKeyword('a Real   Person please', DEFAULT_KEYWORDS), 'real person');
    assert.equal(findKeyword('Ｈｕｍａｎ', DEFAULT_KEYWORDS), 'human');
  });

  void test('config: {} gives the defaults; custom keywords replace them', async () => {
    assert.deepEqual(keywordRuleConfig.parse({}).keywords, [...DEFAULT_KEYWORDS]);
    assert.deepEqual(await keywordRule.evaluate(input('我要投诉'), { keywords: ['投诉', 'c++'] }), { fire: true, reason: 'keyword:投诉' });
    assert.deepEqual(await keywordRule.evaluate(input('我要转人工'), { keywords: ['投诉'] }), { fire: false });
    assert.equal(findKeyword('I write C++ code', ['c++']), 'c++');
    assert.equal(findKeyword('anything', []), null);
    assert.throws(() => keywordRuleConfig.parse({ keywords: [''] }));
  });
});

// ── the pipeline on the real services ──────────────────────────────────────────────────────────────

const silent: BotPipelineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

void describe('bot pipeline', () => {
  let th: TestHub;
  let conversations: ConversationService;
  let pipeline: BotPipeline;
  const humanCalls: { workspaceId: string; conversationId: string; rule: string }[] = [];
  const errors: Record<string, unknown>[] = [];
  const ws: Record<'a' | 'b' | 'c', { id: string; token: string; flowVersionId: string; channelId: string }> = {} as never;

  async function install(token: string, name: string): Promise<void> {
    ok(await th.gql('mutation($name: String!) { installPlugin(name: $name) { id } }', { name }, token));
  }

  async function newConversation(w: { id: string; flowVersionId: string; channelId: string }, opts: { status?: ConversationStatus; flowVersionId?: string | null; nodeId?: string | null; tags?: string[] } = {}) {
    const em = workspaceEm(th.hub.services.orm, w.id);
    const customer = em.create(Customer, { workspaceId: w.id, displayName: 'Visitor', email: null, phone: null, tags: opts.tags ?? [], attributes: {} });
    const conv = em.create(Conversation, {
      workspaceId: w.id, channelId: w.channelId, customerId: customer.id, status: opts.status ?? 'bot',
      flowVersionId: opts.flowVersionId === undefined ? w.flowVersionId : opts.flowVersionId,
      currentNodeId: opts.nodeId === undefined ? 'bot' : opts.nodeId, trail: [],
    });
    await em.flush();
    return { id: conv.id, customerId: customer.id, workspaceId: w.id };
  }

  async function say(conv: { id: string; customerId: string; workspaceId: string }, text: string): Promise<MessageView> {
    const { message } = await conversations.post({
      workspaceId: conv.workspaceId, conversationId: conv.id, senderType: 'customer', senderId: conv.customerId,
      type: 'text', body: { text }, clientMessageId: randomUUID(),
    });
    return message;
  }

  /** Posts a customer message, runs the bot stage, returns what was posted after it. */
  async function ask(conv: { id: string; customerId: string; workspaceId: string }, text: string): Promise<MessageView[]> {
    const m = await say(conv, text);
    await pipeline.onCustomerMessage(conv.workspaceId, m);
    return conversations.messagesAfter(conv.workspaceId, conv.id, m.seq);
  }

  async function only(conv: { id: string; customerId: string; workspaceId: string }, text: string): Promise<MessageView> {
    const replies = await ask(conv, text);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    return replies[0]!;
  }

  before(async () => {
    th = await startTestHub({ temporal: false });
    const { orm, pubsub, outbox, registry } = th.hub.services;
    conversations = new ConversationService({ orm, pubsub, outbox });
    pipeline = new BotPipeline({
      orm, registry, conversations,
      requestHuman: async (workspaceId, conversationId, rule) => { humanCalls.push({ workspaceId, conversationId, rule }); },
      logger: { ...silent, error: (msg, data) => { errors.push({ msg, ...data }); } },
    });
    for (const key of ['a', 'b', 'c'] as const) {
      const s = await signUp(th.gql, `bot-${key}-${randomUUID().slice(0, 8)}`);
      if (key !== 'c') await install(s.token, 'faq-bot');
      await install(s.token, 'transfer-rules');
      const em = workspaceEm(orm, s.workspaceId);
      const flow = await resolvePublishedFlow(em, s.workspaceId);
      const channel = em.create(Channel, { workspaceId: s.workspaceId, kind: 'web-widget', name: 'Web', publicKey: randomUUID().replace(/-/g, ''), config: {} });
      await em.flush();
      ws[key] = { id: s.workspaceId, token: s.token, flowVersionId: flow.flowVersionId, channelId: channel.id };
    }
    const kb = (wsId: string, question: string, variants: string[], answer: string, visibility: 'public' | 'internal' = 'public') =>
      ({ workspaceId: wsId, question, variants, answer, visibility, category: null });
    const emA = workspaceEm(orm, ws.a.id);
    for (const e of [
      kb(ws.a.id, '如何退货？', ['我想退货'], '在“我的订单”中点击“申请退货”即可。'),
      kb(ws.a.id, 'How do I get a refund?', ['I want my money back', 'refund request'], 'Refunds reach your card within 3 working days.'),
      kb(ws.a.id, '如何修改收货地址', ['收货地址填错了'], '发货前可在订单详情中修改地址。'),
      kb(ws.a.id, '内部折扣政策', [], 'internal only', 'internal'),
    ]) emA.create(KnowledgeEntry, e);
    await emA.flush();
    const emB = workspaceEm(orm, ws.b.id);
    emB.create(KnowledgeEntry, kb(ws.b.id, '会员积分怎么用', [], 'B: 积分可抵现。'));
    await emB.flush();
  });

  after(async () => {
    await th?.close();
  });

  void test('a Chinese FAQ is answered through a variant and a synonym question word', async () => {
    const conv = await newConversation(ws.a);
    const reply = await only(conv, '怎么退货');
    assert.equal(reply.senderType, 'bot');
    assert.equal(reply.type, 'text');
    assert.equal(reply.body.text, '在“我的订单”中点击“申请退货”即可。');
    assert.equal(reply.body.matched, true);
    assert.equal(typeof reply.body.entryId, 'string');
    assert.ok((reply.body.confidence as number) >= 0.45);
    assert.deepEqual(reply.body.suggestions, []);
    assert.equal(reply.body.fallback, false);
    assert.equal(reply.clientMessageId?.startsWith('bot:'), true);
    assert.equal(humanCalls.length, 0);
  });

  void test('an English paraphrase is answered', async () => {
    const conv = await newConversation(ws.a);
    const reply = await only(conv, 'Can I get my money back please?');
    assert.equal(reply.body.matched, true);
    assert.equal(reply.body.text, 'Refunds reach your card within 3 working days.');
  });

  void test('an unrelated question gets the fallback; internal entries and other workspaces are not used', async () => {
    const conv = await newConversation(ws.a);
    for (const q of ['今天天气怎么样', '内部折扣政策', '会员积分怎么用']) {
      const reply = await only(conv, q);
      assert.equal(reply.body.matched, false, q);
      assert.equal(reply.body.text, BOT_FALLBACK_TEXT, q);
      assert.equal(reply.body.fallback, true);
      assert.deepEqual(reply.body.suggestions, []);
    }
    // …while workspace B's own bot answers its own entry.
    const convB = await newConversation(ws.b);
    assert.equal((await only(convB, '会员积分怎么用')).body.text, 'B: 积分可抵现。');
  });

  void test('a near question gets suggestions', async () => {
    const conv = await newConversation(ws.a);
    const reply = await only(conv, '地址错了');
    assert.equal(reply.body.matched, false);
    assert.equal(reply.body.fallback, false);
    const suggestions = reply.body.suggestions as { question: string; entryId: string }[];
    assert.equal(suggestions.length, 1);
    assert.equal(suggestions[0]!.question, '如何修改收货地址');
    assert.match(String(reply.body.text), /如何修改收货地址/);
  });

  void test('"我要转人工" requests a human with rule keyword and posts no bot answer', async () => {
    const conv = await newConversation(ws.a);
    const before = humanCalls.length;
    const replies = await ask(conv, '我要转人工');
    assert.deepEqual(humanCalls.slice(before), [{ workspaceId: ws.a.id, conversationId: conv.id, rule: 'keyword' }]);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    assert.equal(replies[0]!.senderType, 'system');
    assert.deepEqual(replies[0]!.body, { event: 'transfer_requested', rule: 'keyword', reason: 'keyword:转人工' });
    const saved = await workspaceEm(th.hub.services.orm, ws.a.id).findOneOrFail(Conversation, { id: conv.id });
    assert.equal(saved.transferRule, 'keyword');
  });

  void test('"management question" does not fire the keyword rule', async () => {
    const conv = await newConversation(ws.a);
    const before = humanCalls.length;
    const reply = await only(conv, 'management question');
    assert.equal(reply.senderType, 'bot');
    assert.equal(humanCalls.length, before);
    const saved = await workspaceEm(th.hub.services.orm, ws.a.id).findOneOrFail(Conversation, { id: conv.id });
    assert.equal(saved.transferRule, null);
  });

  void test('the bot stage is idempotent per customer message (answers and transfers)', async () => {
    const conv = await newConversation(ws.a);
    const m = await say(conv, '怎么退货');
    await pipeline.onCustomerMessage(ws.a.id, m);
    await pipeline.onCustomerMessage(ws.a.id, m);
    await Promise.all([pipeline.onCustomerMessage(ws.a.id, m), pipeline.onCustomerMessage(ws.a.id, m)]);
    const replies = await conversations.messagesAfter(ws.a.id, conv.id, m.seq);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    assert.equal(replies[0]!.clientMessageId, `bot:${m.id}`);

    const before = humanCalls.length;
    const t = await say(conv, '转人工');
    await pipeline.onCustomerMessage(ws.a.id, t);
    await pipeline.onCustomerMessage(ws.a.id, t);
    assert.equal((await conversations.messagesAfter(ws.a.id, conv.id, t.seq)).length, 1);
    assert.equal(humanCalls.length, before + 1);
  });

  void test('each matched answer counts a hit for its entry (hot questions); re-runs and unmatched answers count nothing', async () => {
    const hits = async () => new Map((await hotEntries(th.hub.services.orm, ws.a.id, 1)).map((h) => [h.entryId, h.hits]));
    const before = await hits();
    const conv = await newConversation(ws.a);
    const m = await say(conv, '我想退货');
    await pipeline.onCustomerMessage(ws.a.id, m);
    const entryId = String((await conversations.messagesAfter(ws.a.id, conv.id, m.seq))[0]!.body.entryId);
    await pipeline.onCustomerMessage(ws.a.id, m);
    assert.equal((await only(conv, '今天天气怎么样')).body.matched, false);
    const after = await hits();
    assert.equal((after.get(entryId) ?? 0) - (before.get(entryId) ?? 0), 1);
    assert.equal([...after.values()].reduce((a, b) => a + b, 0) - [...before.values()].reduce((a, b) => a + b, 0), 1);
  });

  void test('bot plugin not installed → fallback, rules still apply, nothing thrown', async () => {
    const conv = await newConversation(ws.c);
    const reply = await only(conv, '怎么退货');
    assert.equal(reply.body.matched, false);
    assert.equal(reply.body.text, BOT_FALLBACK_TEXT);
    const before = humanCalls.length;
    await ask(conv, 'talk to a human');
    assert.deepEqual(humanCalls.slice(before), [{ workspaceId: ws.c.id, conversationId: conv.id, rule: 'keyword' }]);
  });

  void test('a conversation that is not in bot status is left alone', async () => {
    const before = humanCalls.length;
    for (const status of ['queued', 'assigned', 'ended'] as const) {
      const conv = await newConversation(ws.a, { status });
      const m = status === 'ended' ? null : await say(conv, '转人工');
      if (m) {
        await pipeline.onCustomerMessage(ws.a.id, m);
        assert.deepEqual(await conversations.messagesAfter(ws.a.id, conv.id, m.seq), [], status);
      } else {
        // An ended conversation refuses customer messages; a stray call still must not throw or post.
        const fake: MessageView = {
          id: randomUUID(), conversationId: conv.id, seq: 1, clientMessageId: null, senderType: 'customer', senderId: conv.customerId,
          type: 'text', body: { text: '转人工' }, createdAt: new Date().toISOString(), recalledAt: null,
        };
        await pipeline.onCustomerMessage(ws.a.id, fake);
        assert.deepEqual(await conversations.messagesAfter(ws.a.id, conv.id, 0), []);
      }
    }
    assert.equal(humanCalls.length, before);
  });

  void test('messages the bot cannot read are ignored (non-text, agent messages)', async () => {
    const conv = await newConversation(ws.a);
    const { message: img } = await conversations.post({ workspaceId: ws.a.id, conversationId: conv.id, senderType: 'customer', senderId: conv.customerId, type: 'image', body: { url: 'https://x/y.png' } });
    await pipeline.onCustomerMessage(ws.a.id, img);
    const { message: sys } = await conversations.post({ workspaceId: ws.a.id, conversationId: conv.id, senderType: 'system', senderId: null, type: 'system', body: { text: '转人工' } });
    await pipeline.onCustomerMessage(ws.a.id, sys);
    assert.deepEqual(await conversations.messagesAfter(ws.a.id, conv.id, sys.seq), []);
  });

  void test('the node config comes from the flow version: custom rules, unknown rules skipped', async () => {
    const orm = th.hub.services.orm;
    const em = workspaceEm(orm, ws.a.id);
    const flow = defaultFlow();
    const botNode = flow.nodes.find((n) => n.id === 'bot')!;
    botNode.config = { transferRules: [{ rule: 'no-such-rule', config: {} }, { rule: 'keyword', config: { keywords: ['投诉'] } }] };
    const base = await em.findOneOrFail(FlowVersion, { id: ws.a.flowVersionId });
    const v = em.create(FlowVersion, { workspaceId: ws.a.id, flowId: base.flowId, version: 99, definition: flow as unknown as Record<string, unknown>, createdById: null, publishedAt: new Date() });
    await em.flush();
    const conv = await newConversation(ws.a, { flowVersionId: v.id });
    const before = humanCalls.length;
    assert.equal((await only(conv, '转人工')).senderType, 'bot', 'default keywords replaced by the node config');
    assert.equal(humanCalls.length, before);
    const replies = await ask(conv, '我要投诉');
    assert.equal(replies[0]!.body.reason, 'keyword:投诉');
    assert.equal(humanCalls.length, before + 1);
    // A node of another type: the bot stage does nothing.
    const queued = await newConversation(ws.a, { nodeId: 'queue' });
    assert.deepEqual(await ask(queued, '怎么退货'), []);
  });

  void test('rules see consecutive unmatched counts; a failing rule or bot is recorded and contained', async () => {
    const { registry, orm } = th.hub.services;
    const rule = registry.rule('keyword')!.rule;
    const original = rule.evaluate;
    const seen: number[] = [];
    rule.evaluate = (input, cfg) => { seen.push(input.consecutiveUnmatched); return original(input, cfg); };
    try {
      const conv = await newConversation(ws.a);
      for (const q of ['今天天气怎么样', '你好', 'blah blah', '怎么退货', '天气']) await ask(conv, q);
      assert.deepEqual(seen, [1, 2, 3, 0, 1]);

      rule.evaluate = () => { throw new Error('rule exploded'); };
      const reply = await only(conv, '怎么退货');
      assert.equal(reply.body.matched, true, 'the bot still answers when a rule throws');
    } finally {
      rule.evaluate = original;
    }
    const em = workspaceEm(orm, ws.a.id);
    let inst = await em.findOneOrFail(PluginInstallation, { pluginName: 'transfer-rules' });
    assert.match(inst.lastError ?? '', /rule exploded/);

    const bot = registry.get('faq-bot')!.bot!;
    const answer = bot.answer;
    bot.answer = async () => { throw new Error('bot exploded'); };
    try {
      const conv = await newConversation(ws.a);
      const reply = await only(conv, '怎么退货');
      assert.equal(reply.body.matched, false);
      assert.equal(reply.body.text, BOT_FALLBACK_TEXT);
      bot.answer = async () => ({ matched: 'yes' }) as never;
      assert.equal((await only(conv, '怎么退货')).body.text, BOT_FALLBACK_TEXT, 'a malformed answer is a failure too');
    } finally {
      bot.answer = answer;
    }
    em.clear();
    inst = await em.findOneOrFail(PluginInstallation, { pluginName: 'faq-bot' });
    assert.match(inst.lastError ?? '', /malformed answer: matched: /);
    assert.deepEqual(errors, [], 'nothing reached the pipeline logger as an unexpected error');
  });

  void test('knowledge is cached per workspace for a while', async () => {
    const em = workspaceEm(th.hub.services.orm, ws.a.id);
    const conv = await newConversation(ws.a);
    await only(conv, '发票怎么开'); // warm (or reuse) the cache
    em.create(KnowledgeEntry, { workspaceId: ws.a.id, question: '发票怎么开', variants: ['开发票'], answer: '在订单详情申请发票。', visibility: 'public', category: null });
    await em.flush();
    assert.equal((await only(conv, '怎么开发票')).body.matched, false, 'served from the cache');
    clearKnowledgeCache(ws.a.id);
    assert.equal((await only(conv, '怎么开发票')).body.text, '在订单详情申请发票。');
  });
});
