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

void test('agents in the workbench: take a queued chat live, see the trail, reply with a canned reply, transfer with a note; the colleague closes it — the visitor chats in the web widget', async () => {
  const slug = 'ui-desk';
  const s = await setupWorkspace(slug);
  const mkAgent = async (email: string, name: string) =>
    ok(await th.gql('mutation($e: String!, $n: String!) { createUser(email: $e, name: $n, password: "agent password 1", roles: [agent], maxConcurrentChats: 3) { id } }', { e: email, n: name }, s.admin)).createUser.id as string;
  await mkAgent(`li@${slug}.test`, '小李');
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

    // A colleague comes online; the chat is transferred to them with a note.
    const p2 = two.page;
    await signIn(p2, slug, `zhang@${slug}.test`, 'agent password 1');
    await p2.getByTestId('workbench').waitFor();
    await setStatus(p2, 'online');
    await p1.getByTestId('transfer-button').click();
    await choose(p1, 'transfer-agent', '小张');
    await p1.getByTestId('transfer-note').fill('客户催发货，订单号 20261122001，请跟进物流');
    await p1.getByTestId('transfer-submit').click();
    await p1.getByTestId('composer-disabled').waitFor();

    // The colleague sees it under 转给我的 with the note, takes over and closes it.
    await p2.getByTestId('inbox-tab-transferred').click();
    const item2 = p2.getByTestId('inbox-list-transferred').getByTestId(`conv-item-${convId}`);
    await item2.waitFor();
    assert.match(await item2.textContent() ?? '', /订单号 20261122001/);
    await item2.click();
    await p2.locator(`[data-testid="chat-pane"][data-conversation="${convId}"][data-status="assigned"]`).waitFor();
    await p2.locator('[data-event="transferred"]').filter({ hasText: '订单号 20261122001' }).waitFor();
    assert.equal(ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId } }', { id: convId }, s.admin)).conversation.assigneeId, a2);
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
