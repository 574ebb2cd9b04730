/**
 * The web widget (F3) in a real Chromium against a real hub: the demo page embeds widget.js, a
 * visitor chats through bot → queue → agent → survey while an agent works through the GraphQL API;
 * out of hours the offline form; a dropped connection loses and repeats nothing; mobile is full screen;
 * self-service (guide bubble, 猜你想问, category tabs, a card) and useful / not-useful ratings.
 * Chromium comes from Debian (/usr/bin/chromium); core/cli/run-tests.ts installs it when missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'mysql2/promise';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createClient, type Client } from 'graphql-ws';
import NodeWebSocket from 'ws';
import { startTestHub, signUp, ok, waitFor, type TestHub } from './helpers/hub.ts';
import { conversationWorkflowId } from '../workflows/conversation/contract.ts';
import { ROOT } from '../core/hub.ts';
import { WIDGET_SIZE } from '../plugins/web-widget/src/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, '.artifacts', 'screenshots');
const UI_TIMEOUT = 30_000;

let th: TestHub;
let browser: Browser;
let shop: Setup; // workspace of the main and reconnect tests (agent stays online)

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the suite with core/cli/run-tests.ts (it installs chromium with apt-get) or apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  [th, browser] = await Promise.all([
    startTestHub(),
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }),
  ]);
});
after(async () => {
  await browser?.close();
  await th?.close();
});

interface Setup { slug: string; admin: string; agent: string; agentId: string; channelKey: string; workspaceId: string; agentWs: Client }

async function setup(slug: string, opts: { flow?: (def: any) => any; channelConfig?: Record<string, unknown> } = {}): Promise<Setup> {
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  for (const name of ['faq-bot', 'transfer-rules']) ok(await th.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin));
  await th.hub.services.orm.em.fork().getConnection().execute(
    "insert into knowledge_entry (id, workspace_id, created_at, question, variants, answer, visibility, updated_at) values (?, ?, now(3), '如何退货？', '[\"我想退货\",\"how do I return an item\"]', '登录后在订单页点击“申请退货”即可。', 'public', now())",
    [randomUUID(), workspaceId],
  );
  const agentUser = ok(await th.gql(`mutation { createUser(email: "agent@${slug}.test", name: "小李", password: "agent password 1", roles: [agent], maxConcurrentChats: 3) { id } }`, {}, admin)).createUser;
  const agent = ok(await th.gql(`mutation { login(workspace: "${slug}", email: "agent@${slug}.test", password: "agent password 1") { token } }`)).login.token;
  const channel = ok(await th.gql('mutation($c: JSON) { createChannel(kind: "web-widget", name: "官网", config: $c) { publicKey } }', { c: opts.channelConfig ?? {} }, admin)).createChannel;
  if (opts.flow) {
    const flows = ok(await th.gql('{ flows { id versions { id definition } } }', {}, admin)).flows;
    const def = opts.flow(structuredClone(flows[0].versions[0].definition));
    const v = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, admin)).saveFlowVersion;
    ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, admin));
  }
  const agentWs = createClient({ url: `${th.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: NodeWebSocket, connectionParams: { authorization: `Bearer ${agent}` }, lazy: true, retryAttempts: 0 });
  return { slug, admin, agent, agentId: agentUser.id, channelKey: channel.publicKey, workspaceId, agentWs };
}

/** The agent's live view of one conversation (graphql-ws, from the start). */
function watch(s: Setup, conversationId: string) {
  const events: any[] = [];
  const stop = s.agentWs.subscribe(
    { query: 'subscription($c: ID!) { conversationEvents(conversationId: $c, afterSeq: 0) { kind seq side preview message { seq senderType type body clientMessageId } } }', variables: { c: conversationId } },
    { next: (r) => { if (r.data) events.push(r.data.conversationEvents); }, error: (e) => events.push({ kind: 'error', error: e }), complete: () => undefined },
  );
  return { events, messages: () => events.filter((e) => e.kind === 'message').map((e) => e.message), stop };
}

const demoUrl = (s: Setup, q = '') => `${th.url}/plugins/web-widget/demo?channel=${s.channelKey}${q}`;
const gqlAgent = (s: Setup, query: string, variables: Record<string, unknown> = {}) => th.gql(query, variables, s.agent);

async function openWidget(page: Page): Promise<Locator> {
  const w = page.locator('#kefu-hub-widget');
  await w.locator('.launcher').click();
  await w.locator('.panel').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return w;
}
async function type(w: Locator, text: string) {
  const input = w.locator('.composer textarea');
  await input.fill(text);
  await input.press('Enter');
}
const see = (loc: Locator) => loc.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
/** Seqs of the widget's message rows, in document order. */
const rowSeqs = (w: Locator) => w.locator('.list > [data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));

async function currentConversation(s: Setup, status: string): Promise<string> {
  return waitFor(async () => ok(await gqlAgent(s, 'query($s: [String!]) { conversations(status: $s) { id } }', { s: [status] })).conversations[0]?.id as string | undefined, `a ${status} conversation`);
}

/** A small real PNG (RGB gradient). */
function png(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = 22 + x * 4; raw[o + 1] = 119 + y * 3; raw[o + 2] = 255 - x * 2;
    }
  }
  const chunk = (kind: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(kind, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

void test('widget: trail, bot answer, 转人工 and queue position, agent joins, text and image both ways, read receipts, survey; stored in MariaDB and Temporal history', async () => {
  const s = (shop = await setup('widget-a'));
  // widget.js is one small file, served compacted and gzipped.
  const js = await fetch(`${th.url}/plugins/web-widget/widget.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.ok(WIDGET_SIZE < 48_000, `widget.js is ${WIDGET_SIZE} bytes`);
  const gz = await fetch(`${th.url}/plugins/web-widget/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.ok(Number(gz.headers.get('content-length') ?? (await gz.arrayBuffer()).byteLength) < 16_500, 'widget.js gzipped under 16.5 kB');
  assert.equal((await fetch(`${th.url}/plugins/web-widget/demo`)).status, 400, 'the demo needs ?channel=');

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'warning' && m.text().startsWith('[kefu]')) pageErrors.push(m.text()); });
  // Two pages of the site first: the trail records every page load.
  await page.goto(demoUrl(s, '&page=products'));
  await page.goto(demoUrl(s, '&page=help#returns'));
  await page.goto(demoUrl(s));
  const w = await openWidget(page);

  // Bot: greeting, then an FAQ answer.
  await see(w.locator('.row[data-sender=bot]', { hasText: '智能客服' }));
  await type(w, '我想退货怎么办');
  await see(w.locator('.row[data-sender=bot]', { hasText: '申请退货' }));
  assert.equal(await w.locator('.row[data-sender=customer]', { hasText: '我想退货怎么办' }).count(), 1);

  // 转人工 → queued, position shown (the agent is offline).
  await type(w, '转人工');
  await see(w.locator('.notice.queue', { hasText: '第 1 位' }));
  const convId = await currentConversation(s, 'queued');
  const agentView = watch(s, convId);

  // The agent sees where the visitor has been.
  const trail = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { trail transferRule } }', { id: convId })).conversation;
  assert.equal(trail.transferRule, 'keyword');
  assert.equal(trail.trail.length, 3);
  assert.deepEqual(trail.trail.map((e: any) => new URL(e.url).searchParams.get('page')), ['products', 'help', null]);
  assert.equal(trail.trail[0].title, '星河数码商城 · 全部商品');
  assert.ok(trail.trail.every((e: any) => !Number.isNaN(Date.parse(e.at))));

  // Agent goes online → assigned → the widget shows who joined.
  ok(await gqlAgent(s, 'mutation { setMyStatus(status: online) { status } }'));
  await see(w.locator('.row[data-event=agent_joined]', { hasText: '小李' }));
  await see(w.locator('.sub', { hasText: '小李' }));
  assert.ok(await w.locator('.notice.queue').isHidden(), 'queue notice gone once assigned');

  // Agent → visitor.
  ok(await gqlAgent(s, 'mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "您好，我是小李，请问订单号是多少？" }, clientMessageId: "agent-000001") { seq } }', { c: convId }));
  await see(w.locator('.row[data-sender=agent]', { hasText: '订单号是多少' }));
  assert.equal(await w.locator('.row[data-sender=agent] .who', { hasText: '小李' }).count(), 1);
  // The widget marks what the visitor has seen as read.
  await waitFor(async () => ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { customerReadSeq lastSeq } }', { id: convId })).conversation.customerReadSeq > 0, 'customer read receipt');

  // Visitor → agent: typing preview (预读), text, image.
  const input = w.locator('.composer textarea');
  await input.fill('订单号 2026112200');
  await waitFor(async () => agentView.events.find((e) => e.kind === 'typing' && e.side === 'customer' && e.preview?.includes('2026112200')), 'typing preview at the agent');
  await input.press('Enter');
  const image = png(48, 32);
  await w.locator('input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: image });
  await see(w.locator('.row[data-sender=customer][data-seq] img'));
  assert.match(await w.locator('.row[data-sender=customer] img').getAttribute('src') ?? '', /^data:image\/png;base64,/);
  const atAgent = await waitFor(async () => agentView.messages().find((m) => m.type === 'image'), 'image at the agent');
  assert.equal(atAgent.body.url, `data:image/png;base64,${image.toString('base64')}`);
  assert.equal(atAgent.body.width, 48);

  // Agent typing shows; the agent reads → "已读" on the visitor's messages.
  ok(await gqlAgent(s, 'mutation($c: ID!) { sendTyping(conversationId: $c) }', { c: convId }));
  await see(w.locator('.typing'));
  const lastSeq = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { lastSeq } }', { id: convId })).conversation.lastSeq;
  ok(await gqlAgent(s, 'mutation($c: ID!, $s: Int!) { markRead(conversationId: $c, seq: $s) { agentReadSeq } }', { c: convId, s: lastSeq }));
  await waitFor(async () => (await w.locator('.row.me .read').count()) === (await w.locator('.row.me[data-seq]').count()), '已读 on every own message');
  assert.ok((await w.locator('.row.me .read').count()) >= 4);
  assert.equal(await w.locator('.row.me .read').first().textContent(), '已读');

  // A recalled agent message is replaced in the widget.
  const oops = ok(await gqlAgent(s, 'mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "发错了" }, clientMessageId: "agent-000002") { id } }', { c: convId })).sendMessage;
  await see(w.locator('.row[data-sender=agent]', { hasText: '发错了' }));
  ok(await gqlAgent(s, 'mutation($m: ID!) { recallMessage(messageId: $m) { id } }', { m: oops.id }));
  await see(w.locator('.row.is-recalled', { hasText: '对方撤回了一条消息' }));
  assert.equal(await w.locator('.row', { hasText: '发错了' }).count(), 0);

  // Both sides see every message once, in order.
  const seqs = await rowSeqs(w);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'widget rows in seq order');
  assert.equal(new Set(seqs).size, seqs.length, 'no duplicate rows');
  const agentSeqs = agentView.messages().map((m) => m.seq);
  assert.deepEqual(agentSeqs, [...agentSeqs].sort((a, b) => a - b), 'agent stream in seq order');
  assert.equal(new Set(agentSeqs).size, agentSeqs.length, 'no duplicates in the agent stream');
  const apiMessages = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { messages { seq } } }', { id: convId })).conversation.messages.map((m: any) => m.seq);
  assert.deepEqual(agentSeqs, apiMessages, 'the stream has every stored message');
  await mkShot(page, 'widget-desktop.png');

  // Agent closes → stars in the widget → 4 stars and a comment → ended.
  ok(await gqlAgent(s, 'mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: convId }));
  const survey = w.locator('.card.survey');
  await see(survey.locator('.star'));
  await see(w.locator('.row[data-event=closed]', { hasText: '客服已结束' }));
  assert.ok(await w.locator('.composer').isHidden(), 'no composer during the survey');
  await survey.locator('.star[data-star="4"]').click();
  await survey.locator('textarea').fill('回复很快，谢谢小李');
  await mkShot(page, 'widget-desktop-survey.png');
  await survey.locator('.submit').click();
  await see(survey.locator('.done', { hasText: '感谢您的评价（4 星）' }));
  await see(w.locator('.endbar', { hasText: '会话已结束' }));

  // MariaDB has it all.
  const url = new URL(th.config.KEFU_DB_URL);
  const db = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password), database: url.pathname.slice(1) });
  try {
    const [[conv]] = await db.query<any[]>('select status, close_reason, assignee_id from conversation where id = ?', [convId]);
    assert.equal(conv.status, 'ended');
    assert.equal(conv.assignee_id, s.agentId);
    const [[surveyRow]] = await db.query<any[]>('select stars, comment, agent_id from survey_response where conversation_id = ?', [convId]);
    assert.deepEqual({ ...surveyRow }, { stars: 4, comment: '回复很快，谢谢小李', agent_id: s.agentId });
    const [rows] = await db.query<any[]>('select seq, sender_type, type, client_message_id from message where conversation_id = ? order by seq', [convId]);
    const texts = rows.filter((r: any) => r.sender_type === 'customer').map((r: any) => r.type);
    assert.deepEqual(texts, ['text', 'text', 'text', 'image']);
    assert.ok(rows.every((r: any, i: number) => r.seq === i + 1), 'contiguous seqs');
    assert.ok(rows.filter((r: any) => r.sender_type === 'customer').every((r: any) => /^w-[A-Za-z0-9]{22}$/.test(r.client_message_id)), 'widget messages carry client ids');
  } finally {
    await db.end();
  }

  // Temporal: every phase is in the workflow history.
  const handle = th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(convId));
  assert.deepEqual((await handle.result()).path, ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end']);
  const history = await handle.fetchHistory();
  const activities = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
  for (const a of ['enterNode', 'enqueue', 'closeConversation', 'saveSurvey']) assert.ok(activities.includes(a), `history has ${a}`);
  const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
  assert.deepEqual(signals, ['requestHuman', 'assigned']);
  const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name);
  assert.deepEqual(updates, ['close', 'rate']);

  // A new conversation from the end bar starts clean.
  await w.locator('.endbar .newchat').click();
  await waitFor(async () => (await w.locator('.list > [data-seq]').count()) === 1 && (await w.locator('.row[data-sender=bot]').count()) === 1, 'a fresh conversation with its greeting', UI_TIMEOUT);
  assert.ok(await w.locator('.composer').isVisible());
  const fresh = await currentConversation(s, 'bot');
  assert.notEqual(fresh, convId);

  agentView.stop();
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await ctx.close();
});

void test('widget self-service: a guide bubble on the help page asks its question; 猜你想问 for the page, category tabs and a card; useful / not useful under bot answers, not useful hands over to the queue', async () => {
  const s = await setup('widget-ss', {
    flow: (def) => {
      def.nodes.find((n: any) => n.type === 'bot').config = { transferRules: [{ rule: 'keyword', config: {} }, { rule: 'not_useful', config: {} }] };
      return def;
    },
  });
  const gqlAdmin = (query: string, variables: Record<string, unknown> = {}) => th.gql(query, variables, s.admin);
  const cat = async (name: string, sort: number) => ok(await gqlAdmin('mutation($n: String!, $s: Int) { createKnowledgeCategory(name: $n, sort: $s) { id } }', { n: name, s: sort })).createKnowledgeCategory.id as string;
  const entry = async (q: string, a: string, c: string, p: string[] = []) =>
    ok(await gqlAdmin('mutation($q: String!, $a: String, $c: ID, $p: [String!]) { createKnowledgeEntry(question: $q, answer: $a, categoryId: $c, pagePatterns: $p) { id } }', { q, a, c, p })).createKnowledgeEntry.id as string;
  const ship = await cat('配送', 1);
  const pay = await cat('支付', 2);
  await entry('运费怎么算？', '满 99 元包邮，不满收 8 元运费。', ship, ['*page=help*']);
  await entry('几天能到？', '发货后 1–3 天送达。', ship);
  await entry('支持哪些支付方式？', '支持微信、支付宝和银行卡。', pay);
  const chId = ok(await gqlAdmin('{ channels { id publicKey } }')).channels.find((c: any) => c.publicKey === s.channelKey).id;
  ok(await gqlAdmin('mutation($id: ID!, $c: JSON) { updateChannel(id: $id, config: $c) { id } }', {
    id: chId,
    c: {
      selfService: {
        cards: [{ title: '星河旗舰店', description: '官方直营 · 正品保障', url: 'https://shop.example.com/store', buttonLabel: '进店看看' }],
        bubbles: [{ text: '退货遇到问题？点我咨询', pages: ['*page=help*'], delaySec: 1, question: '如何退货？' }],
      },
    },
  }));

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const ratings: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/graphql') && (r.postData() ?? '').includes('rateBotAnswer')) ratings.push(r.postData()!); });
  const w = page.locator('#kefu-hub-widget');

  // Not on the products page (the bubble is for the help pages)…
  await page.goto(demoUrl(s, '&page=products'));
  await page.waitForTimeout(1500);
  assert.equal(await w.locator('.tip').count(), 0, 'no bubble on a page it is not for');
  // …but on the help page, after its delay, beside the launcher.
  await page.goto(demoUrl(s, '&page=help'));
  const tip = w.locator('.tip');
  await see(tip);
  assert.match(await tip.textContent() ?? '', /退货遇到问题？点我咨询/);
  assert.ok(await w.locator('.panel').isHidden());
  await mkShot(page, 'widget-bubble.png');

  // Clicking it opens the chat and asks its question; the bot answers.
  await tip.click();
  await w.locator('.panel').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  assert.equal(await w.locator('.tip').count(), 0, 'the bubble is gone');
  await see(w.locator('.row[data-sender=customer][data-seq]', { hasText: '如何退货？' }));
  const answer = w.locator('.row[data-sender=bot]', { hasText: '申请退货' });
  await see(answer);

  // Self-service at the top: 猜你想问 for this page (the entry that names it), category tabs, the card.
  const home = w.locator('.ss.home');
  await see(home);
  assert.equal(await home.locator('h4').textContent(), '猜你想问');
  assert.equal(await home.locator('.guess .chip').first().textContent(), '运费怎么算？');
  assert.deepEqual(await home.locator('.tab').allTextContents(), ['配送', '支付']);
  assert.deepEqual(await home.locator('.q').allTextContents(), ['几天能到？', '运费怎么算？']);
  await home.locator('.tab', { hasText: '支付' }).click();
  assert.deepEqual(await home.locator('.q').allTextContents(), ['支持哪些支付方式？']);
  assert.equal(await home.locator('.tab.on').textContent(), '支付');
  const card = home.locator('.bcard');
  assert.match(await card.textContent() ?? '', /星河旗舰店.*官方直营 · 正品保障.*进店看看/);
  assert.equal(await card.locator('a').getAttribute('href'), 'https://shop.example.com/store');
  await mkShot(page, 'widget-self-service.png');

  // 有帮助 on the answer: shown as rated; the same rating again sends nothing.
  await answer.locator('.fb .up').click();
  await see(answer.locator('.fb[data-rated=useful] .up.on'));
  await answer.locator('.fb .up').click();
  await page.waitForTimeout(300);
  assert.equal(ratings.length, 1, 'one rating request');
  const convId = await currentConversation(s, 'bot');
  const rated = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { messages { senderType body } } }', { id: convId })).conversation.messages
    .find((m: any) => m.senderType === 'bot' && m.body.matched);
  assert.equal(rated.body.feedback.useful, true);

  // A question from the list; 没帮助 on its answer: the not_useful rule hands the chat to the queue.
  await home.locator('.q', { hasText: '支持哪些支付方式？' }).click();
  const payAnswer = w.locator('.row[data-sender=bot]', { hasText: '支持微信、支付宝和银行卡' });
  await see(payAnswer);
  await payAnswer.locator('.fb .down').click();
  await see(payAnswer.locator('.fb[data-rated=not-useful] .down.on'));
  await see(w.locator('.row[data-event=transfer_requested]'));
  await see(w.locator('.notice.queue', { hasText: '第 1 位' }));
  const queued = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { status transferRule } }', { id: convId })).conversation;
  assert.deepEqual(queued, { status: 'queued', transferRule: 'not_useful' });
  assert.equal(await answer.locator('.fb[data-rated=useful]').count(), 1, 'the first answer keeps its rating');

  // A dismissed bubble stays away on this browser; a reload restores the ratings from the messages.
  await page.reload();
  await w.locator('.launcher').waitFor();
  await page.waitForTimeout(1500);
  assert.equal(await w.locator('.tip').count(), 0);
  await w.locator('.launcher').click();
  await see(w.locator('.row[data-sender=bot]', { hasText: '支持微信、支付宝和银行卡' }).locator('.fb[data-rated=not-useful]'));
  assert.deepEqual(pageErrors, []);
  await ctx.close();
});

void test('widget out of working hours: the offline form goes to the offline-message pool', async () => {
  const s = await setup('widget-b', {
    flow: (def) => {
      const hours = def.nodes.find((n: any) => n.type === 'working_hours');
      hours.config = { alwaysOpen: false, timezone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
      return def;
    },
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(demoUrl(s));
  const w = await openWidget(page);
  const form = w.locator('.card.offline');
  await see(form.locator('textarea[name=content]'));
  assert.ok(await w.locator('.composer').isHidden(), 'the form replaces the composer');
  await form.locator('.submit').click();
  await see(form.locator('.err', { hasText: '请填写留言内容' }));
  await form.locator('textarea[name=content]').fill('耳机左耳没声音，请明天上午联系我');
  await form.locator('input[name=name]').fill('王先生');
  await form.locator('input[name=contact]').fill('13800000000');
  await mkShot(page, 'widget-offline.png');
  await form.locator('.submit').click();
  await see(form.locator('.done', { hasText: '留言已提交' }));
  const pool = await waitFor(async () => {
    const list = ok(await gqlAgent(s, '{ offlineMessages(status: ["open"]) { content contact conversationId } }')).offlineMessages;
    return list.length ? list : null;
  }, 'offline message in the pool');
  assert.equal(pool.length, 1);
  assert.equal(pool[0].content, '耳机左耳没声音，请明天上午联系我');
  assert.deepEqual(pool[0].contact, { name: '王先生', phone: '13800000000' });
  await see(w.locator('.endbar'));
  await ctx.close();
});

void test('widget reconnect: messages sent while the socket is down arrive once and in order; a send whose answer was lost is not duplicated', async () => {
  const s = shop ?? (await setup('widget-c'));
  ok(await gqlAgent(s, 'mutation { setMyStatus(status: online) { status } }'));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'zh-CN' });
  // Keep a handle on the page's sockets so the test can cut them.
  await ctx.addInitScript(() => {
    const w = window as any;
    const Native = w.WebSocket;
    const all: { close(): void }[] = (w.__sockets = []);
    w.WebSocket = class extends Native {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        all.push(this as any);
      }
    };
  });
  const page = await ctx.newPage();
  await page.goto(demoUrl(s));
  const w = await openWidget(page);
  await see(w.locator('.row[data-sender=bot]'));
  await type(w, '转人工');
  await see(w.locator('.row[data-event=agent_joined]', { hasText: '小李' }));
  const convId = await currentConversation(s, 'assigned');
  ok(await gqlAgent(s, 'mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "在的，请讲" }, clientMessageId: "agent-r-0000") { seq } }', { c: convId }));
  await see(w.locator('.row[data-sender=agent]', { hasText: '在的，请讲' }));

  // Network down: the socket dies and cannot come back until we are online again.
  await ctx.setOffline(true);
  await page.evaluate(() => { for (const ws of (window as any).__sockets as { close(): void }[]) ws.close(); });
  await see(w.locator('.notice.conn'));
  for (const n of [1, 2, 3]) {
    ok(await gqlAgent(s, 'mutation($c: ID!, $t: JSON!, $m: String) { sendMessage(conversationId: $c, type: "text", body: $t, clientMessageId: $m) { seq } }', { c: convId, t: { text: `断线期间的消息 ${n}` }, m: `agent-r-000${n}` }));
  }
  await type(w, '我这边网断了'); // queued in the widget, retried until it goes through
  await see(w.locator('.row.pending', { hasText: '我这边网断了' }));
  await page.waitForTimeout(600);
  assert.equal(await w.locator('.row[data-sender=agent]', { hasText: '断线期间的消息' }).count(), 0, 'nothing arrives while offline');

  await ctx.setOffline(false);
  await waitFor(async () => (await w.locator('.row[data-sender=agent]', { hasText: '断线期间的消息' }).count()) === 3, 'the 3 missed messages', UI_TIMEOUT);
  await see(w.locator('.row[data-sender=customer][data-seq]', { hasText: '我这边网断了' }));
  assert.ok(await w.locator('.notice.conn').isHidden(), 'reconnected');
  const missed = await w.locator('.row[data-sender=agent]', { hasText: '断线期间的消息' }).evaluateAll((els) => els.map((e) => [e.querySelector('.bubble')!.textContent, Number(e.getAttribute('data-seq'))] as const));
  assert.deepEqual(missed.map(([t]) => t), ['断线期间的消息 1', '断线期间的消息 2', '断线期间的消息 3']);
  assert.deepEqual(missed.map(([, q]) => q), [...missed.map(([, q]) => q)].sort((a, b) => a - b));

  // The answer to a send is lost on the way back (the hub stored it): the widget retries with the same
  // client id and the hub keeps one message.
  const sends: string[] = [];
  await page.route('**/graphql', async (route) => {
    const body = route.request().postData() ?? '';
    if (!body.includes('sendMessage')) return route.continue();
    sends.push(JSON.parse(body).variables.m);
    if (sends.length === 1) {
      await route.fetch(); // reaches the hub
      return route.abort('connectionreset'); // … but the widget never hears back
    }
    const res = await route.fetch();
    sends.push('acked');
    return route.fulfill({ response: res });
  });
  await type(w, '收到了吗？');
  await see(w.locator('.row[data-sender=customer][data-seq]', { hasText: '收到了吗？' }));
  await waitFor(async () => sends.includes('acked'), 'the retried send acknowledged', UI_TIMEOUT);
  assert.equal(sends.length, 3);
  assert.equal(sends[0], sends[1], 'the retry carries the same clientMessageId');
  await page.unroute('**/graphql');

  const stored = ok(await gqlAgent(s, 'query($id: ID!) { conversation(id: $id) { messages { seq senderType body } } }', { id: convId })).conversation.messages;
  assert.equal(stored.filter((m: any) => m.body.text === '收到了吗？').length, 1, 'one message for the retried send');
  assert.equal(stored.filter((m: any) => m.body.text === '我这边网断了').length, 1);
  const seqs = await rowSeqs(w);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'rows in seq order');
  assert.equal(new Set(seqs).size, seqs.length, 'no row twice');
  const visible = stored.filter((m: any) => !(m.senderType === 'system' && m.body.internal)).map((m: any) => m.seq);
  for (const seq of visible) assert.ok(seqs.includes(seq), `seq ${seq} rendered`);
  assert.equal(await w.locator('.row.pending').count(), 0);

  // A reload (or the next page of the site) resumes the same conversation with its history, live.
  await page.reload();
  await w.locator('.launcher').click();
  await see(w.locator('.row[data-sender=agent]', { hasText: '断线期间的消息 3' }));
  assert.deepEqual(await rowSeqs(w), seqs, 'the same rows after a reload');
  ok(await gqlAgent(s, 'mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "还在吗？" }, clientMessageId: "agent-r-0004") { seq } }', { c: convId }));
  await see(w.locator('.row[data-sender=agent]', { hasText: '还在吗？' }));
  assert.equal(ok(await gqlAgent(s, '{ conversations { id } }')).conversations.filter((c: any) => c.id === convId).length, 1);

  ok(await gqlAgent(s, 'mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: convId }));
  await ctx.close();
});

void test('widget on a phone (375×667), embedded on another site with a signed identity: full-screen panel, identified customer', async () => {
  const secret = 'widget-identity-secret-for-mobile-0001';
  const s = await setup('widget-d', { channelConfig: { identitySecret: secret, title: '星河客服', accentColor: '#0f9d58' } });
  const ts = Math.floor(Date.now() / 1000);
  const identity = { externalId: 'member-42', name: '陈女士', email: 'chen@example.com', ts, sig: createHmac('sha256', secret).update(`member-42:${ts}`).digest('hex') };
  // The company's own site, on another origin (localhost:<its port> vs the hub at 127.0.0.1), embeds the script tag.
  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>会员中心</title></head>
<body style="font-family:sans-serif;margin:24px"><h1>会员中心</h1><p>欢迎回来，陈女士。</p>
<script src="${th.url}/plugins/web-widget/widget.js" data-channel="${s.channelKey}" data-identity='${JSON.stringify(identity)}' async></script></body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  const ctx = await browser.newContext({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/account`);
  const launcher = page.locator('#kefu-hub-widget .launcher');
  await launcher.waitFor();
  const lb = (await launcher.boundingBox())!;
  assert.ok(lb.x + lb.width <= 375 && lb.y + lb.height <= 667 && lb.x > 375 / 2, 'launcher at the bottom right');
  await launcher.tap();
  const panel = page.locator('#kefu-hub-widget .panel');
  await panel.waitFor({ state: 'visible' });
  const box = (await panel.boundingBox())!;
  assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 375, 667], 'the panel fills the screen');
  assert.ok(await launcher.isHidden(), 'the launcher hides behind the full-screen panel');
  const w = page.locator('#kefu-hub-widget');
  await see(w.locator('.title', { hasText: '星河客服' }));
  await see(w.locator('.row[data-sender=bot]'));
  await type(w, '你好，我想咨询会员积分');
  await see(w.locator('.row[data-sender=customer][data-seq]', { hasText: '会员积分' }));
  const accent = await w.locator('.row.me .bubble').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(accent, 'rgb(15, 157, 88)', 'channel accent colour applied');
  await mkShot(page, 'widget-mobile.png');

  // The conversation belongs to the identified customer.
  const conv = await waitFor(async () => ok(await gqlAgent(s, '{ conversations { customer { displayName email } } }')).conversations[0], 'conversation');
  assert.deepEqual(conv.customer, { displayName: '陈女士', email: 'chen@example.com' });
  const [ident]: any[] = await th.hub.services.orm.em.fork().getConnection().execute('select external_id, verified from customer_identity where workspace_id = ? and channel_id = (select id from channel where public_key = ?)', [s.workspaceId, s.channelKey]);
  assert.deepEqual([ident.external_id, !!ident.verified], ['user:member-42', true]);

  // Minimise: the launcher is back.
  await w.locator('.x').tap();
  await launcher.waitFor({ state: 'visible' });
  await ctx.close();
  site.close();
});

async function mkShot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, name) });
}
