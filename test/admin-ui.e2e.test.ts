/**
 * The admin UI in a real browser (Debian's Chromium driven by playwright-core) against a real hub:
 * an admin composes and publishes a flow that new conversations follow; two agents take, answer,
 * transfer and close a chat in the workbench while the visitor chats in the web widget (a third
 * browser context). The UI is built first when admin-ui/dist is missing or stale (core/infra/admin-ui.ts).
 * Screenshots go to .artifacts/screenshots/ (git-ignored).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestHub, signUp, ok, waitFor, type TestHub } from './helpers/hub.ts';
import { ensureAdminUi } from '../core/infra/admin-ui.ts';
import { ROOT } from '../core/hub.ts';
import { conversationWorkflowId, stateQuery } from '../workflows/conversation/contract.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation } from '../core/db/entities/index.ts';
import { convTopics } from '../core/conversations/topics.ts';

const SHOTS = join(ROOT, '.artifacts', 'screenshots');
const CHROMIUM = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1366, height: 768 };

let th: TestHub;
let browser: Browser;

before(async () => {
  const ui = await ensureAdminUi({ log: (m) => console.log(`[admin-ui] ${m}`) });
  if (!ui.ok) throw new Error(`the admin UI did not build: ${ui.error}`);
  mkdirSync(SHOTS, { recursive: true });
  // KEFU_TEST_PLUGINS_DIR runs the hub on another plugins folder (e.g. while a plugin is being reworked).
  th = await startTestHub(process.env.KEFU_TEST_PLUGINS_DIR ? { env: { KEFU_PLUGINS_DIR: process.env.KEFU_TEST_PLUGINS_DIR } } : {});
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await th?.close();
});

async function newPage(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
  return { ctx, page };
}

async function signIn(page: Page, workspace: string, email: string, password: string): Promise<void> {
  await page.goto(`${th.url}/admin/`);
  await page.getByTestId('login-workspace').fill(workspace);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** Opens an antd Select (by test id) and clicks the option whose text contains `text`. */
async function choose(page: Page, testId: string, text: string): Promise<void> {
  // antd appends each select's dropdown to <body> and animates the previous one out: the option to
  // click is in the last open dropdown. A click that lands during an animation is retried.
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(testId).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().locator('.ant-select-item-option').filter({ hasText: text }).first().click();
    try {
      await page.getByTestId(testId).filter({ hasText: text }).waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** Opens a page from the side menu (which may be collapsed to icons). */
const nav = (page: Page, key: string) => page.locator('li.ant-menu-item').filter({ has: page.getByTestId(`menu-${key}`) }).click();

/** The <input> of a form control by test id (antd puts the id on the input itself or on a wrapper). */
const inputOf = (page: Page, testId: string) => page.getByTestId(testId).locator('xpath=descendant-or-self::input').first();

/** Selects a node on the canvas and waits for the inspector to show it. */
async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByTestId(`flow-node-${id}`).click();
  await page.getByTestId('inspector-node-id').filter({ hasText: new RegExp(`^${id}$`) }).waitFor();
}

/** Waits until no toast or notification covers the page (before a screenshot). */
async function quiet(page: Page): Promise<void> {
  await page.locator('.ant-message-notice, .ant-notification-notice').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
}

/** Pairs of flow-node cards whose boxes on the canvas intersect. */
async function overlappingNodes(page: Page): Promise<string[]> {
  const cards = await page.locator('.kh-fnode').evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { id: e.getAttribute('data-testid'), x: r.x, y: r.y, w: r.width, h: r.height };
  }));
  const out: string[] = [];
  for (const a of cards) for (const b of cards) {
    if (a.id! >= b.id!) continue;
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) out.push(`${a.id}/${b.id}`);
  }
  return out;
}

async function setStatus(page: Page, status: 'online' | 'busy' | 'away' | 'offline'): Promise<void> {
  await page.getByTestId('status-switch').click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTestId(`status-${status}`).click();
  await page.getByTestId('status-switch').filter({ has: page.getByTestId(`status-${status}`) }).waitFor();
}

async function setupWorkspace(slug: string) {
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  for (const name of ['faq-bot', 'transfer-rules']) ok(await th.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin));
  const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "官网") { publicKey } }', {}, admin)).createChannel;
  return { admin, workspaceId, channelKey: channel.publicKey as string };
}

async function visitor(channelKey: string, displayName: string): Promise<string> {
  return ok(await th.gql('mutation($k: String!, $n: String) { startVisitorSession(channelKey: $k, displayName: $n) { token } }', { k: channelKey, n: displayName })).startVisitorSession.token;
}

const conv = async (id: string, token: string) =>
  ok(await th.gql('query($id: ID!) { conversation(id: $id) { status assigneeId currentNodeId flowVersionId messages { seq senderType type body } } }', { id }, token)).conversation;

void test('admin composes a flow in the browser (adds a self-service node, changes the queue timeout), publishes it, and a new conversation runs it', async () => {
  const slug = 'ui-flow';
  const s = await setupWorkspace(slug);
  const { ctx, page } = await newPage();
  try {
    await signIn(page, slug, `admin@${slug}.test`, 'correct horse battery');
    await nav(page, 'flows');
    await page.getByTestId('flow-node-queue').waitFor();
    assert.equal(await page.getByTestId('flow-version').textContent(), '版本 v1 · 已发布');

    // Add a self-service node. Saved unwired, the hub refuses it and the issue shows on that node.
    await page.getByTestId('palette-self_service').click();
    await page.getByTestId('flow-node-self_service_1').waitFor();
    await page.getByTestId('flow-save').click();
    await page.getByTestId('flow-node-issues-self_service_1').waitFor();
    assert.match(await page.getByTestId('flow-node-issues-self_service_1').textContent() ?? '', /not connected/);
    assert.equal(await page.getByTestId('flow-node-self_service_1').getAttribute('data-invalid'), '1');

    // Wire it between start and the working-hours check, with one suggested question.
    await choose(page, 'wire-next', '· hours');
    await inputOf(page, 'cfg-questions').fill('如何退货？');
    await inputOf(page, 'cfg-questions').press('Enter');
    await selectNode(page, 'start');
    await choose(page, 'wire-next', '· self_service_1');

    // Change the queue timeout.
    await selectNode(page, 'queue');
    await inputOf(page, 'cfg-timeoutSec').fill('120');
    await inputOf(page, 'cfg-timeoutSec').blur();

    await page.getByTestId('flow-save').click();
    await page.locator('[data-testid="flow-version"]:has-text("v2"), [data-testid="flow-issue-count"]').first().waitFor();
    assert.equal(await page.getByTestId('flow-issue-count').count(), 0, `the hub refused the flow: ${await page.locator('[data-invalid="1"]').allTextContents().then((x) => x.join(' | '))}`);
    await page.getByTestId('flow-version').filter({ hasText: 'v2' }).waitFor();
    await page.getByTestId('flow-publish').click();
    await page.getByTestId('flow-publish-confirm').click();
    await page.getByTestId('flow-version').filter({ hasText: '已发布' }).waitFor();

    // The version diff names what changed.
    await page.getByTestId('flow-versions').click();
    const diff = page.getByTestId('flow-diff');
    await diff.waitFor();
    const diffText = await diff.textContent() ?? '';
    assert.match(diffText, /self_service_1/);
    assert.match(diffText, /queue\.timeoutSec: 300 → 120/);
    assert.match(diffText, /start \[next\]: hours → self_service_1/);
    await page.keyboard.press('Escape');

    // 自动布局: with one node dragged onto another, the button lays the flow out left to right without
    // overlaps, and the new positions are saved with the next version (v3; v2 stays published).
    await page.locator('.ant-drawer-mask').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined); // the versions drawer slides out
    const endBox = (await page.getByTestId('flow-node-end').boundingBox())!;
    const hoursBox = (await page.getByTestId('flow-node-hours').boundingBox())!;
    await page.mouse.move(endBox.x + endBox.width / 2, endBox.y + 12);
    await page.mouse.down();
    await page.mouse.move(hoursBox.x + hoursBox.width / 2 + 20, hoursBox.y + 24, { steps: 10 });
    await page.mouse.up();
    assert.ok((await overlappingNodes(page)).length > 0, 'the dragged node covers another one');
    await page.getByTestId('flow-auto-layout').click();
    await waitFor(async () => (await overlappingNodes(page)).length === 0, 'no overlapping nodes after the auto layout', 10_000);
    await page.getByTestId('flow-save').click();
    await page.getByTestId('flow-version').filter({ hasText: 'v3' }).waitFor();
    const laidOut = ok(await th.gql('{ flows { versions { version definition } } }', {}, s.admin)).flows[0].versions as { version: number; definition: any }[];
    const [v2, v3] = [2, 3].map((n) => laidOut.find((v) => v.version === n)!.definition);
    const pos = (d: any) => Object.fromEntries(d.nodes.map((n: any) => [n.id, n.position]));
    const without = (d: any) => d.nodes.map(({ position: _p, ...rest }: any) => rest);
    assert.deepEqual(without(v3), without(v2), 'only positions changed');
    const moved = v3.nodes.filter((n: any) => JSON.stringify(n.position) !== JSON.stringify(pos(v2)[n.id]));
    assert.ok(moved.length >= v3.nodes.length - 1, `saved positions changed (${moved.length} of ${v3.nodes.length} moved)`);
    const xs = pos(v3);
    assert.ok(v3.nodes.every((n: any) => n.id === 'start' || xs[n.id].x > xs.start.x), 'left to right: start is leftmost');
    assert.ok(xs.hours.x < xs.bot.x && xs.bot.x < xs.queue.x && xs.queue.x < xs.agent.x, 'left to right along the wiring');
    // Saved positions keep the cards apart too: no two overlap at their rendered size (card width 170 px).
    const zoom = ((await page.getByTestId('flow-node-start').boundingBox())!.width) / 170;
    const heights = Object.fromEntries(await Promise.all(v3.nodes.map(async (n: any) => [n.id, (await page.getByTestId(`flow-node-${n.id}`).boundingBox())!.height / zoom])));
    for (const a of v3.nodes) for (const b of v3.nodes) {
      if (a.id >= b.id) continue;
      const apart = xs[a.id].x + 170 <= xs[b.id].x || xs[b.id].x + 170 <= xs[a.id].x || xs[a.id].y + heights[a.id] <= xs[b.id].y || xs[b.id].y + heights[b.id] <= xs[a.id].y;
      assert.ok(apart, `saved positions of ${a.id} and ${b.id} overlap`);
    }
    await page.getByTestId('flow-fit').click();
    await selectNode(page, 'self_service_1');
    await quiet(page);
    await page.screenshot({ path: join(SHOTS, 'flow-composer.png') });

    // The hub has it published …
    const flows = ok(await th.gql('{ flows { publishedVersionId versions { id version definition } } }', {}, s.admin)).flows;
    const published = flows[0].versions.find((v: any) => v.id === flows[0].publishedVersionId);
    assert.equal(published.version, 2);
    const queueNode = published.definition.nodes.find((n: any) => n.id === 'queue');
    assert.equal(queueNode.config.timeoutSec, 120);

    // … and a new conversation follows it: through the new node, with the new timeout in its workflow input.
    const v = await visitor(s.channelKey, '李先生');
    const c = ok(await th.gql('mutation { startConversation(trail: [{ url: "https://shop.example/", title: "首页", at: "2026-11-22T08:00:00Z" }]) { id } }', {}, v)).startConversation;
    const view = await waitFor(async () => { const x = await conv(c.id, v); return x.status === 'bot' ? x : null; }, 'bot phase');
    assert.equal(view.flowVersionId, published.id);
    assert.ok(view.messages.some((m: any) => m.type === 'card' && m.body.kind === 'faq' && m.body.questions.includes('如何退货？')), 'the self-service card was shown');
    const handle = th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(c.id));
    const state = await handle.query(stateQuery);
    assert.deepEqual(state.path.slice(0, 4), ['start', 'self_service_1', 'hours', 'bot']);
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = JSON.parse(Buffer.from(started!.input!.payloads![0]!.data!).toString('utf8'));
    assert.equal(input.flow.nodes.find((n: any) => n.id === 'queue').config.timeoutSec, 120);

    // An admin page, for the record: channels with the embed snippet.
    await nav(page, 'channels');
    await page.locator('.ant-table-row-expand-icon').first().click();
    await page.getByTestId('embed-snippet').waitFor();
    assert.match(await page.getByTestId('embed-snippet').textContent() ?? '', new RegExp(`data-channel="${s.channelKey}"`));
    await quiet(page);
    await page.screenshot({ path: join(SHOTS, 'admin-channels.png') });
    await nav(page, 'monitor');
    await page.getByTestId('live-view').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-live-view.png') });
    await nav(page, 'plugins');
    await page.getByTestId('plugin-configure-faq-bot').click();
    await page.getByTestId('plugin-save').waitFor();
    await page.waitForTimeout(500); // the drawer slides in
    await page.screenshot({ path: join(SHOTS, 'admin-plugins.png') });
    await page.keyboard.press('Escape');

    // English, for the record.
    await page.getByTestId('lang-switch').getByText('EN').click();
    await nav(page, 'agents');
    await page.getByText('Agents & users').first().waitFor();
    await page.locator('.ant-table-row').filter({ hasText: `admin@${slug}.test` }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'admin-agents-en.png') });
  } catch (err) {
    await page.screenshot({ path: join(SHOTS, 'failure-flow.png') }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});

void test('agents in the workbench: take a queued chat live, see the trail, reply with a canned reply, offer a transfer with a note; the colleague declines one offer, accepts the next and closes it — the visitor chats in the web widget', async () => {
  const slug = 'ui-desk';
  const s = await setupWorkspace(slug);
  const mkAgent = async (email: string, name: string) =>
    ok(await th.gql('mutation($e: String!, $n: String!) { createUser(email: $e, name: $n, password: "agent password 1", roles: [agent], maxConcurrentChats: 3) { id } }', { e: email, n: name }, s.admin)).createUser.id as string;
  const a1 = await mkAgent(`li@${slug}.test`, '小李');
  const a2 = await mkAgent(`zhang@${slug}.test`, '小张');
  ok(await th.gql('mutation { saveCannedReply(title: "问候", shortcut: "hi", template: "您好 {{customer.name}}，我是{{agent.name}}，很高兴为您服务。") { id } }', {}, s.admin));

  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const one = await newPage();
  const two = await newPage();
  try {
    // The visitor browses the shop (the trail), opens the widget and asks for a human.
    const vp = await visitorCtx.newPage();
    vp.setDefaultTimeout(20_000);
    const demo = `${th.url}/plugins/web-widget/demo?channel=${s.channelKey}`;
    await vp.goto(`${demo}&page=products`);
    await vp.goto(`${demo}&page=help`);
    await vp.goto(demo);
    const w = vp.locator('#kefu-hub-widget');
    await w.locator('.launcher').click();
    await w.locator('.row[data-sender=bot]').first().waitFor();
    const say = async (text: string) => { await w.locator('.composer textarea').fill(text); await w.locator('.composer textarea').press('Enter'); };
    await say('转人工');
    await w.locator('.notice.queue').waitFor();
    const convId = await waitFor(async () => ok(await th.gql('{ conversations(status: ["queued"]) { id } }', {}, s.admin)).conversations[0]?.id as string | undefined, 'the queued conversation');
    const customer = ok(await th.gql('query($id: ID!) { conversation(id: $id) { customer { displayName } } }', { id: convId }, s.admin)).conversation.customer.displayName as string;

    const p1 = one.page;
    await signIn(p1, slug, `li@${slug}.test`, 'agent password 1');
    await p1.getByTestId('workbench').waitFor();
    await p1.getByTestId('inbox-tab-queued').click();
    await p1.getByTestId('inbox-list-queued').getByTestId(`conv-item-${convId}`).waitFor();

    // Going online: routing assigns the chat and it arrives live.
    await setStatus(p1, 'online');
    await p1.locator(`[data-testid="chat-pane"][data-conversation="${convId}"][data-status="assigned"]`).waitFor();
    await p1.getByTestId('inbox-tab-mine').click();
    await p1.getByTestId('inbox-list-mine').getByTestId(`conv-item-${convId}`).waitFor();
    await w.locator('.row[data-event=agent_joined]', { hasText: '小李' }).waitFor();

    // The extension panel shows the pages the visitor saw before the chat.
    const trail = p1.getByTestId('visitor-trail');
    await trail.waitFor();
    assert.equal(await p1.getByTestId('trail-entry').count(), 3);
    assert.match(await trail.textContent() ?? '', /全部商品/);
    assert.match(await trail.textContent() ?? '', /帮助中心/);

    // The visitor types (预读 at the agent), then sends.
    await w.locator('.composer textarea').fill('我的订单还没');
    await p1.getByTestId('typing-preview').filter({ hasText: '我的订单还没' }).waitFor();
    await say('我的订单还没发货');
    await p1.getByTestId('message-list').getByText('我的订单还没发货').waitFor();

    // Ctrl+K → the canned reply rendered for this conversation → Enter sends it; the widget shows it.
    const input = p1.getByTestId('chat-input');
    await input.click();
    await input.press('Control+k');
    await p1.getByTestId('canned-search').fill('问候');
    await p1.getByTestId('canned-search').press('Enter');
    const expected = `您好 ${customer}，我是小李，很高兴为您服务。`;
    await waitFor(async () => (await input.inputValue()) === expected, 'canned reply inserted', 10_000);
    await input.press('Enter');
    await w.locator('.row[data-sender=agent]', { hasText: '我是小李' }).waitFor();

    // The open widget marks it read: 已读 under the agent's message.
    const sent = ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { seq senderType body } } }', { id: convId }, s.admin)).conversation.messages
      .find((m: any) => m.senderType === 'agent' && m.body.text === expected);
    await p1.getByTestId(`msg-${sent.seq}`).getByTestId('read-mark').waitFor();
    await quiet(p1);
    await p1.screenshot({ path: join(SHOTS, 'workbench.png') });

    // A colleague comes online; the chat is offered to them with a note. It stays with 小李 meanwhile.
    const p2 = two.page;
    await signIn(p2, slug, `zhang@${slug}.test`, 'agent password 1');
    await p2.getByTestId('workbench').waitFor();
    await setStatus(p2, 'online');
    const offer = async (note: string) => {
      await p1.getByTestId('transfer-button').click();
      await choose(p1, 'transfer-agent', '小张');
      await p1.getByTestId('transfer-note').fill(note);
      await p1.getByTestId('transfer-submit').click();
      await p1.getByTestId('offer-pending').waitFor();
    };
    await offer('先请你看一下');
    assert.equal(await p1.getByTestId('chat-input').count(), 1, 'the sender keeps the chat while the offer is pending');

    // 转给我的 shows the offer with its note; the colleague declines it with a reason.
    await p2.getByTestId('inbox-tab-transferred').click();
    const offerItem = p2.getByTestId('inbox-list-transferred').getByTestId(`offer-item-${convId}`);
    await offerItem.waitFor();
    assert.match(await offerItem.textContent() ?? '', /先请你看一下/);
    await offerItem.getByTestId(`offer-decline-${convId}`).click();
    await p2.getByTestId('offer-decline-reason').fill('手上有紧急工单');
    await p2.getByTestId('offer-decline-confirm').click();
    await offerItem.waitFor({ state: 'detached' });
    await p1.locator('[data-event="transfer_declined"]').filter({ hasText: '手上有紧急工单' }).waitFor();
    await p1.getByTestId('offer-pending').waitFor({ state: 'detached' });
    assert.equal(ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId } }', { id: convId }, s.admin)).conversation.assigneeId, a1);

    // A second offer: the colleague opens it from 转给我的 (the offer banner), accepts, takes over and closes.
    await offer('客户催发货，订单号 20261122001，请跟进物流');
    const item2 = p2.getByTestId('inbox-list-transferred').getByTestId(`offer-item-${convId}`);
    await item2.waitFor();
    assert.match(await item2.textContent() ?? '', /订单号 20261122001/);
    await item2.click();
    const banner = p2.getByTestId('offer-banner');
    await banner.waitFor();
    assert.match(await banner.textContent() ?? '', /订单号 20261122001/);
    await quiet(p2);
    await p2.screenshot({ path: join(SHOTS, 'workbench-offer.png') });
    await banner.getByTestId(`offer-accept-${convId}`).click();
    await p2.locator(`[data-testid="chat-pane"][data-conversation="${convId}"][data-status="assigned"]`).waitFor();
    await p2.getByTestId('chat-input').waitFor();
    await p1.getByTestId('composer-disabled').waitFor();
    await p2.locator('[data-event="transfer_offered"]').filter({ hasText: '订单号 20261122001' }).waitFor();
    assert.equal(ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId } }', { id: convId }, s.admin)).conversation.assigneeId, a2);
    const history = ok(await th.gql('query($id: ID!) { conversation(id: $id) { transfers { status toAgentId } } }', { id: convId }, s.admin)).conversation.transfers;
    assert.deepEqual(history.map((x: any) => x.status), ['declined', 'accepted']);
    await p2.getByTestId('chat-input').fill('您好，我是小张，已为您催促仓库今天发货。');
    await p2.getByTestId('chat-input').press('Enter');
    await w.locator('.row[data-sender=agent]', { hasText: '我是小张' }).waitFor();
    await say('好的，谢谢');
    await p2.getByTestId('message-list').getByText('好的，谢谢').waitFor();
    await quiet(p2);
    await p2.screenshot({ path: join(SHOTS, 'workbench-transferred.png') });
    await p2.getByTestId('close-button').click();
    await p2.getByTestId('close-confirm').click();
    await p2.locator(`[data-testid="chat-pane"][data-conversation="${convId}"][data-status="survey"]`).waitFor();

    // The visitor is asked to rate; 5 stars end it, and the agent's closed tab has it.
    const survey = w.locator('.card.survey');
    await survey.locator('.star[data-star="5"]').click();
    await survey.locator('.submit').click();
    await w.locator('.endbar').waitFor();
    await p2.getByTestId('inbox-tab-closed').click();
    await p2.getByTestId('inbox-list-closed').getByTestId(`conv-item-${convId}`).waitFor();
    const closed = ok(await th.gql('query($id: ID!) { conversation(id: $id) { status survey { stars } } }', { id: convId }, s.admin)).conversation;
    assert.equal(closed.status, 'ended');
    assert.equal(closed.survey.stars, 5);
    await vp.screenshot({ path: join(SHOTS, 'workbench-visitor-widget.png') });
  } catch (err) {
    await one.page.screenshot({ path: join(SHOTS, 'failure-agent-1.png') }).catch(() => undefined);
    await two.page.screenshot({ path: join(SHOTS, 'failure-agent-2.png') }).catch(() => undefined);
    for (const p of visitorCtx.pages()) await p.screenshot({ path: join(SHOTS, 'failure-visitor.png') }).catch(() => undefined);
    throw err;
  } finally {
    await one.ctx.close();
    await two.ctx.close();
    await visitorCtx.close();
  }
});

void test('a supervisor sees their departments only: the live view (updated live) and the directory pages; the admin builds the department tree on its page', async () => {
  const slug = 'ui-dept';
  const s = await setupWorkspace(slug);
  const admin = await newPage();
  const sup = await newPage();
  try {
    // The admin builds the tree on the departments page: 华东 and 华南, and 上海 below 华东.
    const p = admin.page;
    await signIn(p, slug, `admin@${slug}.test`, 'correct horse battery');
    await nav(p, 'departments');
    await p.getByTestId('departments').waitFor();
    for (const [name, parent] of [['华东', null], ['华南', null], ['上海', '华东']] as const) {
      await p.getByTestId('department-new').click();
      await p.getByTestId('department-name').fill(name);
      if (parent) {
        await p.getByTestId('department-parent').click();
        await p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().locator('.ant-select-tree-title').filter({ hasText: parent }).click();
      }
      await p.locator('.ant-modal-footer .ant-btn-primary').click();
      await p.getByTestId(`department-row-${name}`).waitFor();
      await p.locator('.ant-modal-wrap').first().waitFor({ state: 'hidden' }).catch(() => undefined);
    }
    const depts = ok(await th.gql('{ departments { id name parentId } }', {}, s.admin)).departments as { id: string; name: string; parentId: string | null }[];
    const d = Object.fromEntries(depts.map((x) => [x.name, x]));
    assert.equal(d['上海']!.parentId, d['华东']!.id);
    assert.equal(d['华南']!.parentId, null);

    // Groups, people and waiting conversations on both sides.
    const group = async (name: string, dept: string) => ok(await th.gql('mutation($n: String!, $d: ID) { createSkillGroup(name: $n, departmentId: $d) { id } }', { n: name, d: d[dept]!.id }, s.admin)).createSkillGroup.id as string;
    const gEast = await group('华东售前', '华东');
    const gSh = await group('上海售后', '上海');
    const gSouth = await group('华南售前', '华南');
    const person = async (email: string, name: string, roles: string, dept: string) =>
      ok(await th.gql(`mutation($e: String!, $n: String!, $d: ID) { createUser(email: $e, name: $n, password: "agent password 1", roles: [${roles}], departmentId: $d) { id } }`, { e: email, n: name, d: d[dept]!.id }, s.admin)).createUser.id as string;
    await person(`sup@${slug}.test`, '王主管', 'supervisor', '华东');
    const shAgent = await person(`sh@${slug}.test`, '小上', 'agent', '上海');
    await person(`south@${slug}.test`, '小南', 'agent', '华南');
    ok(await th.gql('mutation($u: ID!, $s: [AgentSkillInput!]) { updateAgentProfile(userId: $u, skills: $s) { id } }', { u: shAgent, s: [{ skillGroupId: gSh, level: 3 }] }, s.admin));
    const { customerId } = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { customerId } }', { k: s.channelKey })).startVisitorSession;
    const channelId = ok(await th.gql('{ channels { id } }', {}, s.admin)).channels[0].id as string;
    const em = workspaceEm(th.hub.services.orm, s.workspaceId);
    const waiting = async (skillGroupId: string) => {
      const c = em.create(Conversation, { workspaceId: s.workspaceId, channelId, customerId, status: 'queued', skillGroupId, assigneeId: null, trail: [], queuedAt: new Date() });
      await em.flush();
      return c.id;
    };
    await waiting(gEast);
    await waiting(gSouth);
    await p.reload();
    await p.getByTestId('department-row-上海').filter({ hasText: '上海售后' }).waitFor();
    await quiet(p);
    await p.screenshot({ path: join(SHOTS, 'admin-departments.png') });

    // The supervisor lands on the live view: their departments' queues and agents only, and says so.
    const q = sup.page;
    await signIn(q, slug, `sup@${slug}.test`, 'agent password 1');
    await q.getByTestId('live-view').waitFor();
    await q.getByTestId('live-scope').filter({ hasText: '华东' }).waitFor();
    const queues = q.getByTestId('live-queues');
    await queues.getByText('上海售后').waitFor();
    assert.match(await queues.textContent() ?? '', /华东售前/);
    assert.doesNotMatch(await queues.textContent() ?? '', /华南售前/);
    await q.getByTestId('live-agents').getByText('小上').waitFor();
    assert.doesNotMatch(await q.getByTestId('live-agents').textContent() ?? '', /小南/);
    await q.getByTestId('live-queued').filter({ hasText: /排队中\s*1$/ }).waitFor();

    // Live: a chat waiting in South's queue changes nothing here; one in Shanghai's shows up at once.
    const publish = (id: string) => th.hub.services.conversations.publishTo(convTopics.queue(s.workspaceId), { kind: 'queue_changed', conversationId: id });
    publish(await waiting(gSouth));
    publish(await waiting(gSh));
    await q.getByTestId('live-queued').filter({ hasText: /排队中\s*2$/ }).waitFor();

    // Narrowed to 上海: only its group.
    await q.getByTestId('live-department').click();
    await q.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().locator('.ant-select-tree-title').filter({ hasText: '上海' }).click();
    await q.getByTestId('live-queued').filter({ hasText: /排队中\s*1$/ }).waitFor();
    assert.doesNotMatch(await queues.textContent() ?? '', /华东售前/);
    await q.keyboard.press('Escape');
    await q.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    await quiet(q);
    await q.screenshot({ path: join(SHOTS, 'admin-live-view-supervisor.png') });

    // The directory pages: their part of the tree (read-only) and their people.
    await nav(q, 'departments');
    await q.getByTestId('department-row-上海').waitFor();
    await q.getByTestId('department-row-华东').waitFor();
    assert.equal(await q.getByTestId('department-row-华南').count(), 0);
    assert.equal(await q.getByTestId('department-new').count(), 0);
    await nav(q, 'agents');
    await q.locator('.ant-table-row').filter({ hasText: '小上' }).waitFor();
    assert.equal(await q.locator('.ant-table-row').filter({ hasText: '小南' }).count(), 0);
  } catch (err) {
    await admin.page.screenshot({ path: join(SHOTS, 'failure-departments-admin.png') }).catch(() => undefined);
    await sup.page.screenshot({ path: join(SHOTS, 'failure-departments-supervisor.png') }).catch(() => undefined);
    throw err;
  } finally {
    await admin.ctx.close();
    await sup.ctx.close();
  }
});

void test('routing in the admin UI: an admin sets a skill group\'s policy (capability, a weighted VIP rule, overflow — a looping chain is refused on its field), the live queue preview puts a VIP ahead of earlier arrivals, the decision log explains the assignment, the simulation compares two reports; a supervisor reads the policy', async () => {
  const slug = 'ui-routing';
  const s = await setupWorkspace(slug);
  ok(await th.gql('mutation { installPlugin(name: "routing-rules") { id } }', {}, s.admin));
  const groupId = async (name: string) => ok(await th.gql('mutation($n: String!) { createSkillGroup(name: $n) { id } }', { n: name }, s.admin)).createSkillGroup.id as string;
  const sales = await groupId('售前');
  const care = await groupId('售后');
  const complaints = await groupId('投诉');
  // 售后 already overflows to 售前: sending 售前 to 售后 would close a loop.
  ok(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: care, p: { overflow: { afterSec: 300, toSkillGroupId: sales } } }, s.admin));
  // Customers go straight from the start to the queue of 售前 (no bot, always open).
  const flows = ok(await th.gql('{ flows { id versions { id definition } } }', {}, s.admin)).flows;
  const def = structuredClone(flows[0].versions[0].definition);
  const hours = def.nodes.find((n: { type: string }) => n.type === 'working_hours');
  hours.config = { ...hours.config, alwaysOpen: true };
  hours.next.open = 'queue';
  def.nodes = def.nodes.filter((n: { type: string }) => n.type !== 'bot');
  const queueNode = def.nodes.find((n: { type: string }) => n.type === 'queue');
  queueNode.config = { ...queueNode.config, skillGroupId: sales, timeoutSec: 900 };
  const version = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, s.admin)).saveFlowVersion;
  ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: version.id }, s.admin));

  const customer = async (name: string, tags: string[]) => {
    const v = ok(await th.gql('mutation($k: String!, $n: String) { startVisitorSession(channelKey: $k, displayName: $n) { token customerId } }', { k: s.channelKey, n: name })).startVisitorSession;
    if (tags.length) ok(await th.gql('mutation($id: ID!, $t: [String!]) { updateCustomer(id: $id, tags: $t) { id } }', { id: v.customerId, t: tags }, s.admin));
    const id = ok(await th.gql('mutation { startConversation { id } }', {}, v.token)).startConversation.id as string;
    await waitFor(async () => (await th.gql('query($id: ID!) { queuePreview(skillGroupId: $id) { conversationId } }', { id: sales }, s.admin)).data?.queuePreview.some((q: { conversationId: string }) => q.conversationId === id), `${name} waiting`, 20_000);
    return id;
  };
  const agentUser = async (email: string, name: string, level: number) => {
    const u = ok(await th.gql('mutation($e: String!, $n: String!) { createUser(email: $e, name: $n, password: "agent password 1", roles: [agent], maxConcurrentChats: 1) { id } }', { e: email, n: name }, s.admin)).createUser.id as string;
    ok(await th.gql('mutation($u: ID!, $s: [AgentSkillInput!]) { updateAgentProfile(userId: $u, skills: $s) { id } }', { u, s: [{ skillGroupId: sales, level }] }, s.admin));
    const token = ok(await th.gql('mutation($w: String!, $e: String!) { login(workspace: $w, email: $e, password: "agent password 1") { token } }', { w: slug, e: email })).login.token as string;
    return { id: u, token };
  };
  const expert = await agentUser(`expert@${slug}.test`, '王牌客服', 5);
  const junior = await agentUser(`junior@${slug}.test`, '新人客服', 1);

  const admin = await newPage();
  const sup = await newPage();
  const p = admin.page;
  try {
    // The policy editor: capability first, the VIP rule weighted 90 s per point at 20 points, overflow after 10 minutes.
    await signIn(p, slug, `admin@${slug}.test`, 'correct horse battery');
    await nav(p, 'skill-groups');
    await p.getByTestId('sg-routing-售前').click();
    await p.getByTestId('routing-policy-editor').waitFor();
    await choose(p, 'routing-strategy', '能力优先');
    await p.getByTestId('routing-tab-priority').click();
    await p.getByTestId('routing-rule-add').click();
    await choose(p, 'routing-rule-0-name', '客户标签');
    await inputOf(p, 'routing-rule-0-weight').fill('90');
    await p.getByTestId('routing-rule-0').getByText('1 分 = 90 秒排队时间').waitFor();
    assert.equal(await inputOf(p, 'routing-rule-0-cfg-tags.0.key').inputValue(), 'VIP');
    await inputOf(p, 'routing-rule-0-cfg-tags.0.value').fill('20');
    await p.getByTestId('routing-tab-limits').click();
    await p.getByTestId('routing-overflow-enabled').click();
    await inputOf(p, 'routing-overflow-after').fill('600');
    await p.getByTestId('routing-overflow-to-group').click();
    await choose(p, 'routing-overflow-target', '售后');
    await p.getByTestId('routing-overflow-chain').getByText('(循环)').waitFor();
    // The hub refuses the loop; the issue shows on the overflow target, and nothing is saved.
    await p.getByTestId('routing-save').click();
    const loopError = p.getByTestId('routing-error-overflow.toSkillGroupId');
    await loopError.waitFor();
    assert.match(await loopError.textContent() ?? '', /loop/);
    const before = ok(await th.gql('query($id: ID!) { skillGroup(id: $id) { routingPolicy } }', { id: sales }, s.admin)).skillGroup.routingPolicy;
    assert.equal(before.strategy.name, 'balanced');
    await choose(p, 'routing-overflow-target', '投诉');
    await p.getByTestId('routing-save').click();
    await p.locator('.ant-message-notice').filter({ hasText: '路由策略已保存' }).waitFor();
    assert.equal(await loopError.count(), 0);
    const policy = ok(await th.gql('query($id: ID!) { skillGroup(id: $id) { routingPolicy } }', { id: sales }, s.admin)).skillGroup.routingPolicy;
    assert.equal(policy.strategy.name, 'capability');
    assert.deepEqual(policy.priorityRules, [{ rule: 'customer_tag', weight: 90, config: { tags: { VIP: 20 } } }]);
    assert.deepEqual(policy.overflow, { afterSec: 600, toSkillGroupId: complaints });
    await p.getByTestId('routing-tab-priority').click();
    await quiet(p);
    await p.screenshot({ path: join(SHOTS, 'admin-routing-policy.png') });
    await p.keyboard.press('Escape');
    await p.getByTestId('routing-policy-editor').waitFor({ state: 'detached' });

    // The queue preview, live: two customers wait, then a VIP arrives and goes first (20 × 90 s = 30 min ahead).
    const first = await customer('普通客户甲', []);
    const second = await customer('普通客户乙', []);
    await nav(p, 'monitor');
    const preview = p.getByTestId('queue-preview');
    await preview.getByTestId('queue-row-2').filter({ hasText: '普通客户乙' }).waitFor();
    const vip = await customer('金卡会员', ['VIP']);
    await preview.getByTestId('queue-row-1').filter({ hasText: '金卡会员' }).waitFor();
    await preview.getByTestId('queue-row-2').filter({ hasText: '普通客户甲' }).waitFor();
    await preview.getByTestId('queue-row-3').filter({ hasText: '普通客户乙' }).waitFor();
    assert.match(await preview.getByTestId('queue-row-1').textContent() ?? '', /30 分钟/);
    await preview.getByTestId('queue-row-1').getByTestId('term-customer_tag').filter({ hasText: 'tag VIP' }).waitFor();
    await quiet(p);
    await p.screenshot({ path: join(SHOTS, 'admin-queue-preview.png') });

    // The VIP's decision log, open while the expert comes online: the assignment shows up live, with its candidates.
    await preview.getByTestId('queue-decisions-1').click();
    const drawer = p.getByTestId('decision-drawer-body');
    await drawer.getByTestId('decision-queued').waitFor();
    ok(await th.gql('mutation { setMyStatus(status: online) { status } }', {}, expert.token));
    await drawer.getByTestId('decision-assigned').filter({ hasText: '王牌客服' }).waitFor();
    const candidates = drawer.getByTestId('decision-candidates');
    await candidates.locator('.kh-rt-chosen').filter({ hasText: '王牌客服' }).filter({ hasText: 'skill level 5' }).waitFor();
    await candidates.locator('tr').filter({ hasText: '新人客服' }).filter({ hasText: '离线' }).waitFor();
    const served = ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId } }', { id: vip }, s.admin)).conversation;
    assert.equal(served.assigneeId, expert.id);
    await quiet(p);
    await p.waitForTimeout(400); // the assignment's details unfold
    await p.screenshot({ path: join(SHOTS, 'admin-routing-decisions.png') });
    await p.keyboard.press('Escape');
    // The next in line goes to the junior (the expert is full); the preview follows without a reload.
    ok(await th.gql('mutation { setMyStatus(status: online) { status } }', {}, junior.token));
    await preview.getByTestId('queue-row-1').filter({ hasText: '普通客户乙' }).waitFor();
    assert.equal(await preview.getByTestId('queue-row-2').count(), 0);
    assert.equal(ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId } }', { id: first }, s.admin)).conversation.assigneeId, junior.id);

    // The workspace's log: both assignments, filterable by agent.
    await nav(p, 'routing-log');
    await p.getByTestId('routing-log').waitFor();
    await p.getByTestId('log-row-assigned').filter({ hasText: '王牌客服' }).waitFor();
    await p.getByTestId('log-row-assigned').filter({ hasText: '新人客服' }).waitFor();
    await choose(p, 'log-agent', '新人客服');
    await waitFor(async () => (await p.getByTestId('log-row-assigned').count()) === 1, 'the log narrowed to the junior');
    assert.equal(await p.getByTestId('log-row-queued').count(), 0);

    // Simulation before saving: the same window without the VIP rule, beside the current policy.
    await nav(p, 'skill-groups');
    await p.getByTestId('sg-routing-售前').click();
    await p.getByTestId('routing-policy-editor').waitFor();
    await p.getByTestId('routing-tab-priority').click();
    await p.getByTestId('routing-rule-0-remove').click();
    await p.getByTestId('routing-simulate').click();
    const baseline = p.getByTestId('routing-sim-baseline');
    const proposed = p.getByTestId('routing-sim-proposed');
    await baseline.waitFor({ timeout: 60_000 });
    await proposed.waitFor();
    await p.getByTestId('routing-sim-result').getByText(/回放 3 位客户/).waitFor();
    for (const card of [baseline, proposed]) assert.match(await card.getByTestId(/assigned$/).textContent() ?? '', /\/ 3/);
    await p.getByTestId('routing-sim-agents').getByText('王牌客服').waitFor();
    await quiet(p);
    await p.screenshot({ path: join(SHOTS, 'admin-routing-simulation.png') });
    // Simulating saved nothing.
    assert.equal(ok(await th.gql('query($id: ID!) { skillGroup(id: $id) { routingPolicy } }', { id: sales }, s.admin)).skillGroup.routingPolicy.priorityRules.length, 1);
    assert.equal(ok(await th.gql('query($id: ID!) { conversation(id: $id) { status } }', { id: second }, s.admin)).conversation.status, 'queued');

    // A supervisor of the group's department reads the policy (and may simulate) but cannot save it.
    const dept = ok(await th.gql('mutation { createDepartment(name: "华东") { id } }', {}, s.admin)).createDepartment.id as string;
    ok(await th.gql('mutation($id: ID!, $d: ID) { updateSkillGroup(id: $id, name: "售前", departmentId: $d) { id } }', { id: sales, d: dept }, s.admin));
    ok(await th.gql('mutation($d: ID) { createUser(email: "sup@ui-routing.test", name: "路由主管", password: "agent password 1", roles: [supervisor], departmentId: $d) { id } }', { d: dept }, s.admin));
    await signIn(sup.page, slug, 'sup@ui-routing.test', 'agent password 1');
    await nav(sup.page, 'skill-groups');
    await sup.page.getByTestId('sg-routing-售前').click();
    await sup.page.getByTestId('routing-policy-editor').getByText('只读').first().waitFor();
    await sup.page.getByTestId('routing-strategy').filter({ hasText: '能力优先' }).waitFor();
    assert.equal(await sup.page.getByTestId('routing-save').count(), 0);
    assert.match(await sup.page.getByTestId('routing-strategy').getAttribute('class') ?? '', /ant-select-disabled/);
    await sup.page.getByTestId('routing-simulate').waitFor();
  } catch (err) {
    await p.screenshot({ path: join(SHOTS, 'failure-routing.png') }).catch(() => undefined);
    await sup.page.screenshot({ path: join(SHOTS, 'failure-routing-supervisor.png') }).catch(() => undefined);
    throw err;
  } finally {
    await admin.ctx.close();
    await sup.ctx.close();
  }
});
