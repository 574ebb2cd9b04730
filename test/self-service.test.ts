/**
 * Self-service (F4) on a real hub: hot questions counted from the bot's answers, page relevance
 * (entry page patterns and the page's words through the FAQ bot), category lists, business cards,
 * guide bubbles, per-channel and per-flow-node configuration with validation, and who may ask.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import { hotEntries, recordKnowledgeHit, utcDay } from '../core/stats/knowledge-hits.ts';
import { firstMatch, pageMatches, parsePageUrl } from '../core/knowledge/pages.ts';
import { pageText } from '../core/knowledge/self-service.ts';

let th: TestHub;
before(async () => { th = await startTestHub(); });
after(async () => { await th?.close(); });

const SS = `query($k: String, $u: String, $t: String, $c: ID, $n: String) {
  selfService(channelKey: $k, pageUrl: $u, pageTitle: $t, conversationId: $c, nodeId: $n) {
    title guesses { entryId question score hits reasons } categories { id name questions { entryId question } }
    cards { title description imageUrl url buttonLabel } bubbles { id text delaySec question }
  }
}`;
const ENTRY = `mutation($q: String!, $v: [String!], $a: String, $c: ID, $vis: KnowledgeVisibility, $e: Boolean, $p: [String!]) {
  createKnowledgeEntry(question: $q, variants: $v, answer: $a, categoryId: $c, visibility: $vis, enabled: $e, pagePatterns: $p) { id version pagePatterns }
}`;

interface Ws { slug: string; admin: string; workspaceId: string }

async function workspace(slug: string, plugins = ['faq-bot', 'transfer-rules']): Promise<Ws> {
  const { token, workspaceId } = await signUp(th.gql, slug);
  for (const n of plugins) ok(await th.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n }, token));
  return { slug, admin: token, workspaceId };
}
const category = async (w: Ws, name: string, parentId?: string, sort = 0): Promise<string> =>
  ok(await th.gql('mutation($n: String!, $p: ID, $s: Int) { createKnowledgeCategory(name: $n, parentId: $p, sort: $s) { id } }', { n: name, p: parentId, s: sort }, w.admin)).createKnowledgeCategory.id;
const entry = async (w: Ws, q: string, v: string[], a: string, extra: { c?: string; vis?: string; e?: boolean; p?: string[] } = {}): Promise<string> =>
  ok(await th.gql(ENTRY, { q, v, a, ...extra }, w.admin)).createKnowledgeEntry.id;
const channel = async (w: Ws, config: Record<string, unknown>) =>
  ok(await th.gql('mutation($c: JSON) { createChannel(kind: "web-widget", name: "官网", config: $c) { id publicKey config } }', { c: config }, w.admin)).createChannel as { id: string; publicKey: string; config: any };
const visitorOf = async (key: string): Promise<string> =>
  ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: key })).startVisitorSession.token;
const selfService = async (vars: Record<string, unknown>, token?: string) => ok(await th.gql(SS, vars, token)).selfService;
const issuesOf = (r: any): string[] => (r.errors?.[0]?.extensions?.details?.issues ?? []).map((i: any) => i.path);

/** A visitor conversation on the default flow (bot node), with a helper that asks and waits for the bot's reply. */
async function chat(key: string) {
  const token = await visitorOf(key);
  const conv = ok(await th.gql('mutation { startConversation { id } }', {}, token)).startConversation;
  await waitFor(async () => ok(await th.gql('query($id: ID!) { conversation(id: $id) { status } }', { id: conv.id }, token)).conversation.status === 'bot', 'the bot node');
  let n = 0;
  return {
    token, id: conv.id as string,
    async ask(text: string): Promise<any> {
      n += 1;
      const sent = ok(await th.gql('mutation($c: ID!, $t: JSON!, $m: String) { sendMessage(conversationId: $c, type: "text", body: $t, clientMessageId: $m) { seq } }',
        { c: conv.id, t: { text }, m: `ss-${conv.id.slice(0, 8)}-${n}` }, token)).sendMessage;
      return waitFor(async () => {
        const msgs = ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { id seq senderType body } } }', { id: conv.id }, token)).conversation.messages;
        return msgs.find((m: any) => m.seq > sent.seq && m.senderType === 'bot');
      }, `the bot's reply to "${text}"`);
    },
  };
}

void test('page patterns: path, host and full-URL forms, * wildcard, whole match, case-insensitive', () => {
  const u = parsePageUrl('https://Shop.Example.com/help/returns?from=nav#top')!;
  assert.ok(pageMatches('/help/returns*', u));
  assert.ok(pageMatches('/HELP/*', u));
  assert.ok(!pageMatches('/help', u), 'a pattern matches as a whole');
  assert.ok(pageMatches('shop.example.com/help*', u));
  assert.ok(!pageMatches('other.example.com/help*', u));
  assert.ok(pageMatches('https://shop.example.com/help/*', u));
  assert.ok(!pageMatches('http://shop.example.com/help/*', u), 'the scheme counts in a full-URL pattern');
  assert.ok(pageMatches('*from=nav*', u));
  assert.ok(!pageMatches('*top*', u), 'the #fragment is not part of the page');
  assert.ok(pageMatches('/help/退货*', parsePageUrl('https://s.example/help/%E9%80%80%E8%B4%A7')!), 'percent-encoded paths compare decoded');
  assert.equal(firstMatch(['/cart*', '/help*'], u), '/help*');
  assert.equal(firstMatch(['/help*'], null), null);
  assert.equal(parsePageUrl('javascript:alert(1)'), null);
  assert.equal(pageText({ url: 'https://s.example/help/return-policy?lang=zh&channel=ch_abcdefghijklmnopqrstu', title: '帮助中心' }), '帮助中心 help return policy zh');
});

void test('config is validated: bad channel self-service, node config and entry page patterns are BAD_USER_INPUT naming the field; nothing is written', async () => {
  const w = await workspace('ss-valid');
  const channels = async () => ok(await th.gql('{ channels { id config } }', {}, w.admin)).channels;
  const bad = await th.gql('mutation($c: JSON) { createChannel(kind: "web-widget", name: "x", config: $c) { id } }', {
    c: { selfService: { guess: { limit: 0 }, cards: [{ title: '' }, { title: '券', buttonLabel: '领取' }], bubbles: [{ text: '需要帮助吗？', pages: ['/has space'] }], colour: 'red' } },
  }, w.admin);
  assert.equal(code(bad), 'BAD_USER_INPUT');
  const paths = issuesOf(bad);
  for (const p of ['config.selfService.guess.limit', 'config.selfService.cards.0.title', 'config.selfService.cards.1.url', 'config.selfService.bubbles.0.pages.0', 'config.selfService']) assert.ok(paths.includes(p), `${p} in ${JSON.stringify(paths)}`);
  assert.equal((await channels()).length, 0, 'no channel was created');

  const ch = await channel(w, { title: '官网', selfService: {} });
  const unknownCategory = await th.gql('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }',
    { id: ch.id, c: { selfService: { categories: { ids: ['00000000-0000-4000-8000-000000000000'] } } } }, w.admin);
  assert.equal(code(unknownCategory), 'BAD_USER_INPUT');
  assert.deepEqual(issuesOf(unknownCategory), ['config.selfService.categories.ids.0']);
  assert.deepEqual((await channels())[0].config, { title: '官网', selfService: {} }, 'the channel keeps its config');

  // A flow node: validated when the version is saved, each issue on its node.
  const flows = ok(await th.gql('{ flows { id versions { definition } } }', {}, w.admin)).flows;
  const def = structuredClone(flows[0].versions[0].definition);
  const start = def.nodes.find((n: any) => n.type === 'start');
  def.nodes.push({ id: 'ss', type: 'self_service', config: { guess: { hotDays: 0 }, cards: [{ title: '门店', imageUrl: 'ftp://x' }] }, next: { next: start.next.next } });
  start.next.next = 'ss';
  const badFlow = await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, w.admin);
  assert.equal(code(badFlow), 'BAD_USER_INPUT');
  const flowIssues = badFlow.errors![0]!.extensions!.details as { issues: { nodeId: string; path: string }[] };
  assert.deepEqual(flowIssues.issues.map((i) => `${i.nodeId}:${i.path}`).sort(), ['ss:config.cards.0.imageUrl', 'ss:config.guess.hotDays']);

  const badPattern = await th.gql(ENTRY, { q: '如何退货？', a: '申请退货', p: ['/help returns'] }, w.admin);
  assert.equal(code(badPattern), 'BAD_USER_INPUT');
  assert.equal(ok(await th.gql('{ knowledgeEntries { total } }', {}, w.admin)).knowledgeEntries.total, 0);
});

void test('hot questions: each bot answer counts once for its entry and day; 猜你想问 ranks by the window and says why', async () => {
  const w = await workspace('ss-hot');
  const returns = await entry(w, '如何退货？', ['我想退货', '怎么退货'], '在订单页申请退货。');
  const invoice = await entry(w, '发票怎么开？', ['开发票'], '在订单详情申请电子发票。');
  const quiet = await entry(w, '积分怎么用？', ['积分抵现'], '结算时抵扣。');
  const ch = await channel(w, { selfService: { categories: { enabled: false } } });
  const c = await chat(ch.publicKey);
  for (const q of ['怎么退货', '我想退货', '发票怎么开']) assert.equal((await c.ask(q)).body.matched, true, q);
  assert.equal((await c.ask('今天天气怎么样')).body.matched, false, 'an unmatched question…');
  assert.deepEqual(await hotEntries(th.hub.services.orm, w.workspaceId, 7), [{ entryId: returns, hits: 2 }, { entryId: invoice, hits: 1 }], '…counts for no entry');

  // The bot stage run again for an answered message (a retry) counts nothing more.
  const msgs = ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { id seq senderType type body createdAt clientMessageId } } }', { id: c.id }, c.token)).conversation.messages;
  const first = msgs.find((m: any) => m.senderType === 'customer' && m.body.text === '怎么退货');
  await th.hub.services.bots.onCustomerMessage(w.workspaceId, { ...first, conversationId: c.id, senderId: null, recalledAt: null });
  assert.deepEqual((await hotEntries(th.hub.services.orm, w.workspaceId, 7)).map((h) => h.hits), [2, 1]);

  // Hits older than the window do not count; a longer window sees them.
  await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, quiet, new Date(Date.now() - 10 * 86_400_000));
  await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, quiet, new Date(Date.now() - 10 * 86_400_000));
  await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, quiet, new Date(Date.now() - 11 * 86_400_000));
  assert.equal((await hotEntries(th.hub.services.orm, w.workspaceId, 7)).length, 2);
  assert.deepEqual((await hotEntries(th.hub.services.orm, w.workspaceId, 30))[0], { entryId: quiet, hits: 3 });
  assert.equal(utcDay(Date.UTC(2026, 10, 22, 23, 59)), '2026-11-22');

  const view = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/', t: '首页' });
  assert.equal(view.title, '猜你想问');
  assert.deepEqual(view.guesses.map((g: any) => [g.question, g.hits, g.score, g.reasons]), [
    ['如何退货？', 2, 1, ['hot:2']],
    ['发票怎么开？', 1, 0.5, ['hot:1']],
  ], 'hot entries by hits, scored against the most hit; the quiet entry (outside 7 days) is not guessed');
  assert.deepEqual(view.categories, []);

  // With a 30-day window (the channel's own setting) the older hits count.
  ok(await th.gql('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }', { id: ch.id, c: { selfService: { guess: { hotDays: 30, limit: 2 } } } }, w.admin));
  const longer = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/' });
  assert.deepEqual(longer.guesses.map((g: any) => g.question), ['积分怎么用？', '如何退货？'], 'limit 2, the 30-day counts');
});

void test('page relevance: an entry page pattern and the page words (FAQ bot, or core without it) rank 猜你想问 before hot questions, with reasons', async () => {
  const w = await workspace('ss-page');
  const other = await workspace('ss-page-other');
  const returns = await entry(w, '如何退货？', ['我想退货'], '在订单页申请退货。', { p: ['/help/returns*'] });
  const invoice = await entry(w, '发票怎么开？', ['开发票', 'how do I get an invoice'], '在订单详情申请电子发票。');
  const points = await entry(w, '积分怎么用？', ['积分抵现'], '结算时抵扣。');
  await entry(w, '内部：退货审核标准', [], '仅内部。', { vis: 'internal', p: ['/help/returns*'] });
  await entry(w, '旧版退货政策', [], '已停用。', { e: false, p: ['/help/returns*'] });
  await entry(other, '别家的退货说明', [], 'other', { p: ['/help/returns*'] });
  for (let i = 0; i < 4; i++) await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, points);
  await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, returns);
  const ch = await channel(w, { selfService: { categories: { enabled: false } } });

  // The returns page: the entry that names it first (pattern 3 + its hot share), then hot ones.
  const onReturns = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/help/returns?from=nav', t: '帮助中心' });
  assert.deepEqual(onReturns.guesses.map((g: any) => [g.entryId, g.reasons]), [
    [returns, ['page:/help/returns*', 'hot:1']],
    [points, ['hot:4']],
  ]);
  assert.equal(onReturns.guesses[0].score, 3.25);

  // A page about invoices (its title and URL words), through the FAQ bot's retrieval.
  const onInvoice = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/service/invoice', t: '发票怎么开 - 帮助中心' });
  assert.equal(onInvoice.guesses[0].entryId, invoice);
  assert.match(onInvoice.guesses[0].reasons[0], /^page-words:(0\.[5-9]\d*|1)$/);
  assert.ok(onInvoice.guesses[0].score > 1, 'page words outrank the hottest entry');
  assert.equal(onInvoice.guesses[1].entryId, points);
  const english = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/how-do-i-get-an-invoice', t: 'Invoices' });
  assert.equal(english.guesses[0].entryId, invoice, 'URL words count too');
  assert.ok(!JSON.stringify([onReturns, onInvoice]).includes('内部') && !JSON.stringify([onReturns, onInvoice]).includes('旧版') && !JSON.stringify(onReturns).includes('别家'),
    'internal, disabled and other workspaces\' entries are never offered');

  // Without the FAQ bot the page words are matched by core's own features.
  const plain = await workspace('ss-page-nobot', []);
  const plainInvoice = await entry(plain, '发票怎么开？', ['开发票'], '在订单详情申请电子发票。');
  await entry(plain, '积分怎么用？', [], '结算时抵扣。');
  const plainCh = await channel(plain, { selfService: {} });
  const fallback = await selfService({ k: plainCh.publicKey, u: 'https://shop.example.com/service', t: '发票怎么开' });
  assert.deepEqual(fallback.guesses.map((g: any) => [g.entryId, g.reasons]), [[plainInvoice, ['page-words:1']]]);
  // Page words switched off: nothing but hot questions.
  ok(await th.gql('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }', { id: plainCh.id, c: { selfService: { guess: { pageWords: false } } } }, plain.admin));
  assert.deepEqual((await selfService({ k: plainCh.publicKey, u: 'https://shop.example.com/service', t: '发票怎么开' })).guesses, []);
});

void test('category lists (public questions, sub-categories included, configured order), business cards, guide bubbles by page and pinned questions', async () => {
  const w = await workspace('ss-lists');
  const afterSale = await category(w, '售后', undefined, 1);
  const returnsCat = await category(w, '退换货', afterSale);
  const pay = await category(w, '支付', undefined, 2);
  const empty = await category(w, '空分类', undefined, 0);
  const r1 = await entry(w, '如何退货？', [], '申请退货。', { c: returnsCat });
  const r2 = await entry(w, '退货运费谁出？', [], '质量问题我们承担。', { c: returnsCat });
  const a1 = await entry(w, '保修多久？', [], '一年。', { c: afterSale });
  await entry(w, '内部售后流程', [], '内部。', { c: afterSale, vis: 'internal' });
  await entry(w, '停用的售后问题', [], '停用。', { c: afterSale, e: false });
  const p1 = await entry(w, '支持哪些支付方式？', [], '微信、支付宝。', { c: pay });
  for (let i = 0; i < 3; i++) await recordKnowledgeHit(th.hub.services.orm, w.workspaceId, r2);
  const card = { title: '星河旗舰店', description: '官方直营，正品保障', imageUrl: 'https://img.example.com/shop.png', url: 'https://shop.example.com/store', buttonLabel: '进店看看' };
  const ch = await channel(w, {
    selfService: {
      title: '您可能想问', questions: ['怎么联系人工？', '保修多久？'],
      cards: [card, { title: '客服热线 400-800-1234' }],
      bubbles: [{ text: '退货遇到问题？点我咨询', pages: ['/help*'], delaySec: 3, question: '如何退货？' }, { text: '有问题随时问我', delaySec: 10 }],
    },
  });

  const onHelp = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/help/faq', t: '帮助' });
  assert.equal(onHelp.title, '您可能想问');
  assert.deepEqual(onHelp.guesses.slice(0, 3).map((g: any) => [g.entryId, g.question, g.reasons]), [
    [null, '怎么联系人工？', ['pinned']],
    [a1, '保修多久？', ['pinned']],
    [r2, '退货运费谁出？', ['hot:3']],
  ], 'pinned questions first (an entry when one has that question), then guesses');
  // Root categories by their sort (the empty one left out); sub-category entries under their root; most answered first.
  assert.deepEqual(onHelp.categories.map((c: any) => [c.id, c.name, c.questions.map((q: any) => q.entryId)]), [
    [afterSale, '售后', [r2, a1, r1]],
    [pay, '支付', [p1]],
  ]);
  assert.ok(!onHelp.categories.some((c: any) => c.id === empty));
  assert.deepEqual(onHelp.cards, [card, { title: '客服热线 400-800-1234', description: null, imageUrl: null, url: null, buttonLabel: null }]);
  assert.deepEqual(onHelp.bubbles.map((b: any) => [b.text, b.delaySec, b.question]), [['退货遇到问题？点我咨询', 3, '如何退货？'], ['有问题随时问我', 10, null]]);
  const onCart = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/cart' });
  assert.deepEqual(onCart.bubbles.map((b: any) => b.text), ['有问题随时问我'], 'a bubble with pages shows only there');
  assert.equal(onCart.bubbles[0].id, onHelp.bubbles[1].id, 'bubble ids are stable');

  // Configured categories in their order, at most perCategory questions each.
  ok(await th.gql('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }', { id: ch.id, c: { selfService: { categories: { ids: [pay, returnsCat], perCategory: 1 } } } }, w.admin));
  const configured = await selfService({ k: ch.publicKey, u: 'https://shop.example.com/' });
  assert.deepEqual(configured.categories.map((c: any) => [c.name, c.questions.map((q: any) => q.entryId)]), [['支付', [p1]], ['退换货', [r2]]]);
  assert.deepEqual(configured.bubbles, [], 'the new config has no bubbles');
  ok(await th.gql('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }', { id: ch.id, c: { selfService: { enabled: false } } }, w.admin));
  assert.equal(await selfService({ k: ch.publicKey }), null, 'switched off');
});

void test('who may ask: anonymous with the channel key, the visitor token of that channel; typed errors otherwise', async () => {
  const w = await workspace('ss-access');
  await entry(w, '如何退货？', [], '申请退货。', { p: ['/returns*'] });
  const a = await channel(w, { selfService: { bubbles: [{ text: '你好' }] } });
  const b = await channel(w, {});
  const visitor = await visitorOf(a.publicKey);
  const anon = await selfService({ k: a.publicKey, u: 'https://s.example/returns' });
  assert.equal(anon.guesses[0].question, '如何退货？');
  assert.deepEqual(await selfService({ u: 'https://s.example/returns' }, visitor), anon, 'the token names the channel');
  assert.equal(await selfService({ k: b.publicKey }), null, 'a channel without self-service');
  assert.equal(code(await th.gql(SS, {})), 'UNAUTHENTICATED');
  assert.equal(code(await th.gql(SS, { k: 'ch_nope' })), 'BAD_USER_INPUT');
  assert.equal(code(await th.gql(SS, { k: 'ch_AAAAAAAAAAAAAAAAAAAA' })), 'NOT_FOUND');
  assert.equal(code(await th.gql(SS, { k: b.publicKey }, visitor)), 'BAD_USER_INPUT', "another channel's key with this visitor's token");
  assert.equal(code(await th.gql(SS, { k: a.publicKey, u: `https://s.example/${'x'.repeat(2100)}` })), 'BAD_USER_INPUT');
  assert.equal(code(await th.gql(SS, { c: '00000000-0000-4000-8000-000000000000', n: 'ss' })), 'UNAUTHENTICATED', 'a conversation needs its visitor');
  ok(await th.gql('mutation($id: ID!) { updateChannel(id: $id, enabled: false) { id } }', { id: a.id }, w.admin));
  assert.equal(code(await th.gql(SS, { k: a.publicKey })), 'NOT_FOUND', 'a disabled channel');
});

void test("a flow's self_service node: its card names the node; selfService(conversationId, nodeId) gives the node's content; only to its visitor", async () => {
  const w = await workspace('ss-node');
  const pay = await category(w, '支付');
  const returns = await entry(w, '如何退货？', ['我想退货'], '申请退货。');
  const payEntry = await entry(w, '支持哪些支付方式？', [], '微信、支付宝。', { c: pay });
  const flows = ok(await th.gql('{ flows { id versions { definition } } }', {}, w.admin)).flows;
  const def = structuredClone(flows[0].versions[0].definition);
  const start = def.nodes.find((n: any) => n.type === 'start');
  const cards = [{ title: '会员中心', url: 'https://shop.example.com/vip', buttonLabel: '查看' }];
  def.nodes.push({ id: 'ss', type: 'self_service', config: { greeting: '自助服务 Self-service', questions: ['如何退货？'], categories: { ids: [pay] }, cards }, next: { next: start.next.next } });
  start.next.next = 'ss';
  const v = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, w.admin)).saveFlowVersion;
  ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, w.admin));
  const ch = await channel(w, {}); // no channel self-service: the node's own configuration applies

  const c = await chat(ch.publicKey);
  const msgs = ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { senderType type body } } }', { id: c.id }, c.token)).conversation.messages;
  const card = msgs.find((m: any) => m.type === 'card' && m.body.kind === 'faq');
  assert.deepEqual(card.body, { kind: 'faq', title: '自助服务 Self-service', questions: ['如何退货？'], selfService: { nodeId: 'ss' } });
  assert.equal(card.senderType, 'bot');

  const view = await selfService({ c: c.id, n: 'ss', u: 'https://shop.example.com/', t: '首页' }, c.token);
  assert.equal(view.title, '自助服务 Self-service');
  assert.deepEqual(view.guesses.map((g: any) => [g.entryId, g.reasons]), [[returns, ['pinned']]]);
  assert.deepEqual(view.categories.map((x: any) => [x.name, x.questions.map((q: any) => q.entryId)]), [['支付', [payEntry]]]);
  assert.deepEqual(view.cards, [{ ...cards[0], description: null, imageUrl: null }]);
  assert.deepEqual(view.bubbles, []);
  // Asked from the list, the bot answers as usual.
  assert.equal((await c.ask('如何退货？')).body.entryId, returns);

  const other = await chat(ch.publicKey);
  assert.equal(code(await th.gql(SS, { c: c.id, n: 'ss' }, other.token)), 'NOT_FOUND', "another visitor's conversation");
  assert.equal(code(await th.gql(SS, { c: c.id, n: 'bot' }, c.token)), 'NOT_FOUND', 'not a self_service node');
  assert.equal(code(await th.gql(SS, { c: c.id, n: 'bad node!' }, c.token)), 'BAD_USER_INPUT');
});

void test('entry page patterns are versioned and travel through export and import', async () => {
  const w = await workspace('ss-kb');
  const id = await entry(w, '如何退货？', ['我想退货'], '申请退货。', { p: ['/help/returns*', '/help/returns*', '*page=help*'] });
  const get = async () => ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { version pagePatterns revisions { version snapshot } } }', { id }, w.admin)).knowledgeEntry;
  assert.deepEqual((await get()).pagePatterns, ['/help/returns*', '*page=help*'], 'duplicates dropped');
  ok(await th.gql('mutation($id: ID!) { updateKnowledgeEntry(id: $id, expectedVersion: 1, pagePatterns: ["/returns*"]) { version } }', { id }, w.admin));
  const after = await get();
  assert.equal(after.version, 2);
  assert.deepEqual(after.revisions.map((r: any) => r.snapshot.pagePatterns), [['/returns*'], ['/help/returns*', '*page=help*']]);
  ok(await th.gql('mutation($id: ID!) { updateKnowledgeEntry(id: $id, expectedVersion: 2, pagePatterns: ["/returns*"]) { version } }', { id }, w.admin));
  assert.equal((await get()).version, 2, 'the same patterns make no new version');

  const csv = ok(await th.gql('{ exportKnowledge(format: CSV) }', {}, w.admin)).exportKnowledge as string;
  assert.ok(csv.startsWith('\uFEFFcategory,question,variants,answer,visibility,answerType,answerBody,enabled,pages'));
  assert.ok(csv.includes('/returns*'));
  const dst = await workspace('ss-kb-dst', []);
  const imp = ok(await th.gql('mutation($c: String!) { importKnowledge(format: CSV, content: $c) { id } }', { c: csv }, dst.admin)).importKnowledge;
  await waitFor(async () => ok(await th.gql('query($id: ID!) { knowledgeImport(id: $id) { status } }', { id: imp.id }, dst.admin)).knowledgeImport.status === 'completed', 'import');
  const imported = ok(await th.gql('{ knowledgeEntries { items { question pagePatterns } } }', {}, dst.admin)).knowledgeEntries.items;
  assert.deepEqual(imported, [{ question: '如何退货？', pagePatterns: ['/returns*'] }]);
  const badJson = ok(await th.gql('mutation($c: String!) { importKnowledge(format: JSON, content: $c) { id } }', { c: JSON.stringify([{ question: 'Q2', answer: 'A', pages: ['has space'] }]) }, dst.admin)).importKnowledge;
  const failed = await waitFor(async () => {
    const i = ok(await th.gql('query($id: ID!) { knowledgeImport(id: $id) { status errors { row field message } } }', { id: badJson.id }, dst.admin)).knowledgeImport;
    return i.status === 'completed' ? i : null;
  }, 'import with a bad pattern');
  assert.deepEqual(failed.errors.map((e: any) => [e.row, e.field]), [[1, 'pagePatterns']]);
});
