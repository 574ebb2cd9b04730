import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import { conversationWorkflowId } from '../workflows/conversation/contract.ts';

let th: TestHub;
before(async () => { th = await startTestHub(); });
after(async () => { await th?.close(); });

interface Setup { admin: string; agent: string; agentId: string; visitor: string; channelKey: string; workspaceId: string }

async function setup(slug: string, flowOverride?: (def: any) => any): Promise<Setup> {
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  for (const name of ['faq-bot', 'transfer-rules']) ok(await th.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin));
  const em = th.hub.services.orm.em.fork();
  await em.getConnection().execute(
    "insert into knowledge_entry (id, workspace_id, created_at, question, variants, answer, visibility, updated_at) values (?, ?, now(3), '如何退货？', '[\"我想退货\",\"how do I return an item\"]', '登录后在订单页点击“申请退货”即可。', 'public', now())",
    [randomUUID(), workspaceId],
  );
  const agentUser = ok(await th.gql(`mutation { createUser(email: "agent@${slug}.test", name: "小李", password: "agent password 1", roles: [agent], maxConcurrentChats: 2) { id } }`, {}, admin)).createUser;
  const agent = ok(await th.gql(`mutation { login(workspace: "${slug}", email: "agent@${slug}.test", password: "agent password 1") { token } }`)).login.token;
  const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel;
  if (flowOverride) {
    const flows = ok(await th.gql('{ flows { id versions { id definition } } }', {}, admin)).flows;
    const def = flowOverride(structuredClone(flows[0].versions[0].definition));
    const v = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, admin)).saveFlowVersion;
    ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, admin));
  }
  const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token;
  return { admin, agent, agentId: agentUser.id, visitor, channelKey: channel.publicKey, workspaceId };
}

const msgs = async (s: Setup, conversationId: string) =>
  ok(await th.gql('query($id: ID!) { conversation(id: $id) { status messages { seq senderType type body } } }', { id: conversationId }, s.visitor)).conversation;

void test('bot answers, 转人工 queues, agent gets it, messages both ways, close, 4-star survey; workflow history shows each phase', async () => {
  const s = await setup('life-a');
  const conv = ok(await th.gql('mutation { startConversation(trail: [{ url: "https://shop.example/p/1", title: "商品页", at: "2026-11-22T00:00:00Z" }]) { id status } }', {}, s.visitor)).startConversation;
  await waitFor(async () => (await msgs(s, conv.id)).status === 'bot', 'bot phase');

  ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "我想退货怎么办" }, clientMessageId: "c-0000000001") { seq } }', { c: conv.id }, s.visitor));
  const answered = await waitFor(async () => (await msgs(s, conv.id)).messages.find((m: any) => m.senderType === 'bot' && m.body.matched === true), 'bot answer');
  assert.match(answered.body.text, /申请退货/);

  ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "转人工" }, clientMessageId: "c-0000000002") { seq } }', { c: conv.id }, s.visitor));
  await waitFor(async () => (await msgs(s, conv.id)).status === 'queued', 'queued');

  ok(await th.gql('mutation { setMyStatus(status: online) { status } }', {}, s.agent));
  await waitFor(async () => (await msgs(s, conv.id)).status === 'assigned', 'assigned');
  const agentView = ok(await th.gql('query($id: ID!) { conversation(id: $id) { assigneeId transferRule trail } }', { id: conv.id }, s.agent)).conversation;
  assert.equal(agentView.assigneeId, s.agentId);
  assert.equal(agentView.transferRule, 'keyword');
  assert.equal(agentView.trail[0].url, 'https://shop.example/p/1');

  ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "您好，我是小李" }, clientMessageId: "a-0000000001") { seq } }', { c: conv.id }, s.agent));
  ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "image", body: { url: "https://img.example/receipt.png" }, clientMessageId: "c-0000000003") { seq } }', { c: conv.id }, s.visitor));
  // Duplicate client id: one message.
  ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "image", body: { url: "https://img.example/receipt.png" }, clientMessageId: "c-0000000003") { seq } }', { c: conv.id }, s.visitor));

  ok(await th.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { status } }', { c: conv.id }, s.agent));
  await waitFor(async () => (await msgs(s, conv.id)).status === 'survey', 'survey');
  ok(await th.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 4, comment: "很快，谢谢") { id } }', { c: conv.id }, s.visitor));
  const end = await waitFor(async () => { const m = await msgs(s, conv.id); return m.status === 'ended' ? m : null; }, 'ended');

  const seqs = end.messages.map((m: any) => m.seq);
  assert.deepEqual(seqs, [...seqs].sort((a: number, b: number) => a - b), 'messages in seq order');
  assert.equal(new Set(seqs).size, seqs.length, 'no duplicate seq');
  assert.equal(end.messages.filter((m: any) => m.type === 'image').length, 1, 'duplicate client id suppressed');
  const survey = ok(await th.gql('query($id: ID!) { conversation(id: $id) { survey { stars comment } } }', { id: conv.id }, s.agent)).conversation.survey;
  assert.deepEqual(survey, { stars: 4, comment: '很快，谢谢' });

  const handle = th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(conv.id));
  const result = await handle.result();
  // Closing it again (a retried request whose first attempt went through) is a typed refusal, not an internal error.
  const again = await th.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { status } }', { c: conv.id }, s.agent);
  assert.equal(code(again), 'INVALID_STATE', JSON.stringify(again));
  assert.deepEqual(result.path, ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end']);
  const history = await handle.fetchHistory();
  const activities = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
  for (const a of ['enterNode', 'enqueue', 'closeConversation', 'saveSurvey']) assert.ok(activities.includes(a), `history has ${a}`);
  const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
  assert.deepEqual(signals, ['requestHuman', 'assigned']);

  // Agent capacity is released on close.
  const stats = await th.hub.services.routing.stats(s.workspaceId);
  assert.ok(JSON.stringify(stats).length > 0);
});

void test('out of working hours the visitor gets the offline form and the message lands in the pool', async () => {
  const s = await setup('life-b', (def) => {
    const hours = def.nodes.find((n: any) => n.type === 'working_hours');
    hours.config = { alwaysOpen: false, timezone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
    return def;
  });
  const conv = ok(await th.gql('mutation { startConversation { id } }', {}, s.visitor)).startConversation;
  await waitFor(async () => (await msgs(s, conv.id)).status === 'offline', 'offline phase');
  assert.equal(code(await th.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5) { id } }', { c: conv.id }, s.visitor)), 'INVALID_STATE');
  ok(await th.gql('mutation($c: ID!) { leaveOfflineMessage(conversationId: $c, content: "请明天联系我", name: "王先生", phone: "13800000000") { id } }', { c: conv.id }, s.visitor));
  await waitFor(async () => (await msgs(s, conv.id)).status === 'ended', 'ended');
  const pool = ok(await th.gql('{ offlineMessages(status: ["open"]) { id content contact conversationId } }', {}, s.agent)).offlineMessages;
  assert.equal(pool.length, 1);
  assert.equal(pool[0].content, '请明天联系我');
  assert.equal(pool[0].contact.phone, '13800000000');
  ok(await th.gql('mutation($id: ID!) { replyOfflineMessage(id: $id, text: "王先生您好，已为您处理。") { status } }', { id: pool[0].id }, s.agent));
  const after = await msgs(s, conv.id);
  assert.ok(after.messages.some((m: any) => m.senderType === 'agent' && m.body.offlineReply === true), 'reply delivered into the conversation');
});
