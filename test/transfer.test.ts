/**
 * Transfers with accept/decline, supervisor reassign and the effects of agent statuses on held chats,
 * on the real services (MariaDB, Redis, Temporal): every change of hands goes through the workflow.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import { conversationWorkflowId } from '../workflows/conversation/contract.ts';

let th: TestHub;
let redis: Redis;
before(async () => {
  th = await startTestHub();
  redis = new Redis(th.config.KEFU_REDIS_URL);
});
after(async () => {
  redis?.disconnect();
  await th?.close();
});

interface Agent { id: string; token: string }
interface Ws { slug: string; admin: string; workspaceId: string; channelKey: string; agent(name: string, cap?: number, roles?: string, departmentId?: string): Promise<Agent> }

const gql = (q: string, v: Record<string, unknown>, token: string) => th.gql(q, v, token);

async function workspace(slug: string, agentNode: Record<string, unknown> = {}, queueNode: Record<string, unknown> = {}): Promise<Ws> {
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  for (const name of ['faq-bot', 'transfer-rules']) ok(await gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin));
  const channel = ok(await gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel;
  if (Object.keys(agentNode).length || Object.keys(queueNode).length) {
    const flows = ok(await gql('{ flows { id versions { id definition } } }', {}, admin)).flows;
    const def = structuredClone(flows[0].versions[0].definition);
    Object.assign(def.nodes.find((n: any) => n.type === 'agent').config, agentNode);
    Object.assign(def.nodes.find((n: any) => n.type === 'queue').config, queueNode);
    const v = ok(await gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, admin)).saveFlowVersion;
    ok(await gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, admin));
  }
  return {
    slug, admin, workspaceId, channelKey: channel.publicKey,
    async agent(name: string, cap = 3, roles = 'agent', departmentId?: string) {
      const email = `${name}@${slug}.test`;
      const id = ok(await gql(`mutation($e: String!, $n: String!, $c: Int, $d: ID) { createUser(email: $e, name: $n, password: "agent password 1", roles: [${roles}], maxConcurrentChats: $c, departmentId: $d) { id } }`, { e: email, n: name, c: cap, d: departmentId ?? null }, admin)).createUser.id as string;
      const token = ok(await th.gql('mutation($w: String!, $e: String!) { login(workspace: $w, email: $e, password: "agent password 1") { token } }', { w: slug, e: email })).login.token as string;
      return { id, token };
    },
  };
}

const setStatus = async (a: Agent, status: string) => ok(await gql(`mutation { setMyStatus(status: ${status}) { status } }`, {}, a.token));

const conv = async (id: string, token: string) =>
  ok(await gql('query($id: ID!) { conversation(id: $id) { status assigneeId skillGroupId messages { seq senderType type body } transfers { id kind status fromAgentId toAgentId toSkillGroupId note reason decidedById requestedById } } }', { id }, token)).conversation;

/** A visitor asks for a human and waits in the queue. */
async function queuedConversation(ws: Ws): Promise<{ id: string; visitor: string }> {
  const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: ws.channelKey })).startVisitorSession.token as string;
  const id = ok(await gql('mutation { startConversation { id } }', {}, visitor)).startConversation.id as string;
  await waitFor(async () => (await gql('query($id: ID!) { conversation(id: $id) { status } }', { id }, visitor)).data?.conversation.status === 'bot', 'bot phase');
  ok(await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "转人工" }, clientMessageId: "c-00000001") { seq } }', { c: id }, visitor));
  await waitFor(async () => ['queued', 'assigned'].includes((await conv(id, ws.admin)).status), 'queued');
  return { id, visitor };
}

/** A conversation assigned to `agent` (the only online agent when it is routed). */
async function heldBy(ws: Ws, agent: Agent): Promise<{ id: string; visitor: string }> {
  const c = await queuedConversation(ws);
  await setStatus(agent, 'online');
  await waitFor(async () => {
    const v = await conv(c.id, ws.admin);
    return v.assigneeId === agent.id && v.messages.some((m: any) => m.body.event === 'agent_joined' && m.body.agentId === agent.id);
  }, 'assigned to the agent');
  return c;
}

const load = async (ws: Ws, agentId: string) => Number(await redis.hget(th.hub.services.routing.keys.agent(ws.workspaceId, agentId), 'load') ?? 0);

const transferTo = (c: string, to: Agent, by: Agent, note: string | null = null) =>
  gql('mutation($c: ID!, $to: ID!, $n: String) { transferConversation(conversationId: $c, toAgentId: $to, note: $n) { id kind status toAgentId note } }', { c, to: to.id, n: note }, by.token);
const answer = (transferId: string, by: Agent, accept: boolean, reason: string | null = null) =>
  gql('mutation($t: ID!, $a: Boolean!, $r: String) { answerTransfer(transferId: $t, accept: $a, reason: $r) { id status reason decidedById } }', { t: transferId, a: accept, r: reason }, by.token);
const transferRows = async (conversationId: string) =>
  Number((await th.hub.services.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*) as n from conversation_transfer where conversation_id = ?', [conversationId]))[0]?.n);

void test('offer accepted: the chat stays with the sender until the colleague accepts; the note is for agents only', async () => {
  const ws = await workspace('xfer-accept');
  const a = await ws.agent('a');
  const b = await ws.agent('b');
  const c = await heldBy(ws, a);
  await setStatus(b, 'online');

  const offer = ok(await transferTo(c.id, b, a, 'VIP 客户，订单 123')).transferConversation;
  assert.deepEqual({ kind: offer.kind, status: offer.status, toAgentId: offer.toAgentId, note: offer.note }, { kind: 'agent', status: 'pending', toAgentId: b.id, note: 'VIP 客户，订单 123' });
  assert.equal((await conv(c.id, ws.admin)).assigneeId, a.id, 'still with the sender');
  assert.equal(await load(ws, b.id), 0, 'no slot taken by an offer');
  const inbox = ok(await gql('{ transferOffers { id note fromAgentId conversationId } }', {}, b.token)).transferOffers;
  assert.deepEqual(inbox, [{ id: offer.id, note: 'VIP 客户，订单 123', fromAgentId: a.id, conversationId: c.id }]);
  assert.equal(code(await transferTo(c.id, b, a)), 'INVALID_STATE', 'one pending offer at a time');
  assert.equal(code(await answer(offer.id, a, true)), 'FORBIDDEN', 'only the receiver answers');
  assert.equal(code(await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "x" }) { seq } }', { c: c.id }, b.token)), 'FORBIDDEN', 'the receiver cannot reply before accepting');

  const accepted = ok(await answer(offer.id, b, true)).answerTransfer;
  assert.equal(accepted.status, 'accepted');
  const after = await conv(c.id, ws.admin);
  assert.equal(after.assigneeId, b.id);
  assert.equal(await load(ws, a.id), 0, "the sender's slot is freed");
  assert.equal(await load(ws, b.id), 1);
  assert.deepEqual(after.transfers.map((t: any) => [t.kind, t.status, t.fromAgentId, t.toAgentId, t.decidedById]), [['agent', 'accepted', a.id, b.id, b.id]]);
  const events = after.messages.filter((m: any) => m.type === 'system').map((m: any) => m.body.event);
  assert.ok(events.includes('transfer_offered') && events.includes('transferred'), `system messages: ${events.join(', ')}`);
  assert.ok(after.messages.some((m: any) => m.body.event === 'transfer_offered' && m.body.internal === true && m.body.note === 'VIP 客户，订单 123'));

  // The customer sees that they were transferred, never the note.
  const seen = ok(await gql('query($id: ID!) { conversation(id: $id) { messages { type body } } }', { id: c.id }, c.visitor)).conversation.messages;
  assert.ok(seen.some((m: any) => m.body.event === 'transferred'));
  assert.ok(!JSON.stringify(seen).includes('订单 123'), 'the note is not shown to the customer');
  assert.equal(code(await gql('query($id: ID!) { conversation(id: $id) { transfers { id } } }', { id: c.id }, c.visitor)), 'FORBIDDEN', 'visitors do not get the transfer history');

  ok(await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "我来处理" }) { seq } }', { c: c.id }, b.token));
  assert.equal(code(await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "x" }) { seq } }', { c: c.id }, a.token)), 'FORBIDDEN');
  ok(await gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: c.id }, b.token));
  await waitFor(async () => (await load(ws, b.id)) === 0, 'slot freed on close');
});

void test('offer declined (with a reason): the sender keeps the chat, is told, and can offer again', async () => {
  const ws = await workspace('xfer-decline');
  const a = await ws.agent('a');
  const b = await ws.agent('b');
  const c = await heldBy(ws, a);
  await setStatus(b, 'online');
  const offer = ok(await transferTo(c.id, b, a, '请帮忙')).transferConversation;
  const declined = ok(await answer(offer.id, b, false, '正在处理紧急工单')).answerTransfer;
  assert.deepEqual([declined.status, declined.reason, declined.decidedById], ['declined', '正在处理紧急工单', b.id]);
  const after = await conv(c.id, ws.admin);
  assert.equal(after.assigneeId, a.id);
  assert.ok(after.messages.some((m: any) => m.body.event === 'transfer_declined' && m.body.reason === '正在处理紧急工单' && m.body.internal === true));
  assert.equal(await load(ws, b.id), 0);
  assert.equal(await load(ws, a.id), 1);
  assert.equal(code(await answer(offer.id, b, true)), 'INVALID_STATE', 'a declined offer cannot be accepted');
  // The offer is over: a new one can be made.
  const again = ok(await transferTo(c.id, b, a)).transferConversation;
  assert.equal(again.status, 'pending');
  assert.equal(ok(await answer(again.id, b, true)).answerTransfer.status, 'accepted');
});

void test('offer expiry (workflow timer, transferOfferTimeoutSec): the chat stays with the sender', async () => {
  const ws = await workspace('xfer-expire', { transferOfferTimeoutSec: 5 });
  const a = await ws.agent('a');
  const b = await ws.agent('b');
  const c = await heldBy(ws, a);
  await setStatus(b, 'online');
  const offer = ok(await transferTo(c.id, b, a)).transferConversation;
  const t0 = Date.now();
  const expired = await waitFor(async () => (await conv(c.id, ws.admin)).transfers.find((t: any) => t.id === offer.id && t.status === 'expired'), 'expiry', 20_000, 250);
  assert.ok(Date.now() - t0 >= 4000, 'not before its time');
  assert.equal(expired.toAgentId, b.id);
  // The row is settled first, then the transcript gets its system message.
  const after = await waitFor(async () => { const v = await conv(c.id, ws.admin); return v.messages.some((m: any) => m.body.event === 'transfer_expired') ? v : null; }, 'the expiry message');
  assert.equal(after.assigneeId, a.id);
  assert.equal(code(await answer(offer.id, b, true)), 'INVALID_STATE');
  assert.equal(await load(ws, b.id), 0);
});

void test('the sender cancels a pending offer; the receiver cannot; a colleague leaving online withdraws offers to them', async () => {
  const ws = await workspace('xfer-cancel');
  const a = await ws.agent('a');
  const b = await ws.agent('b');
  const c = await heldBy(ws, a);
  await setStatus(b, 'online');
  const offer = ok(await transferTo(c.id, b, a)).transferConversation;
  const cancelQ = 'mutation($t: ID!) { cancelTransfer(transferId: $t, reason: "客户已解决") { id status reason decidedById } }';
  assert.equal(code(await gql(cancelQ, { t: offer.id }, b.token)), 'FORBIDDEN');
  const cancelled = ok(await gql(cancelQ, { t: offer.id }, a.token)).cancelTransfer;
  assert.deepEqual([cancelled.status, cancelled.reason, cancelled.decidedById], ['cancelled', '客户已解决', a.id]);
  assert.equal(code(await answer(offer.id, b, true)), 'INVALID_STATE');
  assert.equal(code(await gql(cancelQ, { t: offer.id }, a.token)), 'INVALID_STATE', 'cancelled once');
  assert.equal((await conv(c.id, ws.admin)).assigneeId, a.id);

  const second = ok(await transferTo(c.id, b, a)).transferConversation;
  await setStatus(b, 'busy');
  const withdrawn = (await conv(c.id, ws.admin)).transfers.find((t: any) => t.id === second.id);
  assert.deepEqual([withdrawn.status, withdrawn.reason], ['cancelled', 'receiver_busy']);
  assert.equal(code(await gql(cancelQ, { t: '00000000-0000-4000-8000-000000000000' }, a.token)), 'NOT_FOUND');
});

void test('offers to a busy, away or offline agent are refused at offer time with AGENT_UNAVAILABLE, and write nothing', async () => {
  const ws = await workspace('xfer-refuse');
  const a = await ws.agent('a');
  const b = await ws.agent('b');
  const c = await heldBy(ws, a);
  const before = (await conv(c.id, ws.admin)).messages.length;
  for (const status of ['busy', 'away', 'offline']) {
    await setStatus(b, status);
    const r = await transferTo(c.id, b, a, 'note');
    assert.equal(code(r), 'AGENT_UNAVAILABLE', `${status}: ${JSON.stringify(r.errors)}`);
    assert.match(r.errors![0]!.message, new RegExp(status));
  }
  assert.equal(await transferRows(c.id), 0, 'no transfer row');
  const after = await conv(c.id, ws.admin);
  assert.equal(after.messages.length, before, 'no message');
  assert.equal(after.assigneeId, a.id);
  assert.equal(code(await transferTo(c.id, a, a)), 'INVALID_STATE', 'not to oneself');
  assert.equal(code(await gql('mutation($c: ID!) { transferConversation(conversationId: $c, toAgentId: "00000000-0000-4000-8000-000000000000") { id } }', { c: c.id }, a.token)), 'NOT_FOUND');
  assert.equal(code(await gql('mutation($c: ID!, $to: ID!) { transferConversation(conversationId: $c, toAgentId: $to) { id } }', { c: c.id, to: a.id }, b.token)), 'FORBIDDEN', 'only the assigned agent transfers');
});

void test('accepting without a free slot is refused (NO_FREE_SLOT, no writes, the offer stays pending); capacity is never exceeded', async () => {
  const ws = await workspace('xfer-slots');
  const a = await ws.agent('a', 3);
  const b = await ws.agent('b', 1);
  const first = await heldBy(ws, b); // b's only slot
  await setStatus(b, 'busy');
  const c1 = await heldBy(ws, a);
  const c2 = await queuedConversation(ws);
  await waitFor(async () => (await conv(c2.id, ws.admin)).assigneeId === a.id, 'second chat to a');
  await setStatus(b, 'online');
  const o1 = ok(await transferTo(c1.id, b, a)).transferConversation;
  const o2 = ok(await transferTo(c2.id, b, a)).transferConversation;

  const before = await conv(c1.id, ws.admin);
  const refused = await answer(o1.id, b, true);
  assert.equal(code(refused), 'NO_FREE_SLOT', JSON.stringify(refused.errors));
  const after = await conv(c1.id, ws.admin);
  assert.equal(after.assigneeId, a.id);
  assert.equal(after.messages.length, before.messages.length, 'no message written');
  assert.equal(after.transfers[0].status, 'pending', 'the offer stays pending');
  assert.equal(await load(ws, b.id), 1);

  // A slot frees up; two accepts race for it: exactly one wins.
  ok(await gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: first.id }, b.token));
  await waitFor(async () => (await load(ws, b.id)) === 0, 'slot freed');
  const results = await Promise.all([answer(o1.id, b, true), answer(o2.id, b, true)]);
  assert.deepEqual(results.map(code).sort(), ['NO_FREE_SLOT', 'OK']);
  assert.equal(await load(ws, b.id), 1, 'capacity 1 is never exceeded');
  const held = ok(await gql('query($a: ID!) { conversations(assigneeId: $a, status: ["assigned"]) { id } }', { a: b.id }, ws.admin)).conversations;
  assert.equal(held.length, 1);
  assert.equal(await load(ws, a.id), 1);
});

void test('a supervisor reassigns without an accept step (capacity and status still enforced); agents may not; a waiting chat is pulled to a named agent', async () => {
  const ws = await workspace('xfer-reassign');
  // The supervisor sees their department's conversations: everyone here is in it.
  const dept = ok(await gql('mutation { createDepartment(name: "客服一部") { id } }', {}, ws.admin)).createDepartment.id as string;
  const group = ok(await gql('mutation($d: ID) { createSkillGroup(name: "VIP", departmentId: $d) { id } }', { d: dept }, ws.admin)).createSkillGroup.id as string;
  const a = await ws.agent('a', 3, 'agent', dept);
  const b = await ws.agent('b', 1, 'agent', dept);
  const sup = await ws.agent('sup', 1, 'supervisor', dept);
  const c = await heldBy(ws, a);
  const reassignQ = 'mutation($c: ID!, $to: ID, $g: ID, $n: String) { reassignConversation(conversationId: $c, toAgentId: $to, toSkillGroupId: $g, note: $n) { id kind status fromAgentId toAgentId toSkillGroupId requestedById note } }';

  assert.equal(code(await gql(reassignQ, { c: c.id, to: b.id }, a.token)), 'FORBIDDEN', 'an agent cannot reassign');
  assert.equal(code(await gql(reassignQ, { c: c.id, to: b.id }, sup.token)), 'AGENT_UNAVAILABLE', 'b is offline');
  await setStatus(b, 'online');
  const r = ok(await gql(reassignQ, { c: c.id, to: b.id, n: '主管改派' }, sup.token)).reassignConversation;
  assert.deepEqual([r.kind, r.status, r.fromAgentId, r.toAgentId, r.requestedById, r.note], ['reassign', 'completed', a.id, b.id, sup.id, '主管改派']);
  assert.equal((await conv(c.id, ws.admin)).assigneeId, b.id);
  assert.equal(await load(ws, a.id), 0);
  assert.equal(await load(ws, b.id), 1);

  // b is full now: a second reassign to b is refused.
  const c2 = await heldBy(ws, a);
  assert.equal(code(await gql(reassignQ, { c: c2.id, to: b.id }, sup.token)), 'NO_FREE_SLOT');
  assert.equal((await conv(c2.id, ws.admin)).assigneeId, a.id);
  assert.equal(await transferRows(c2.id), 0);

  // To a skill group: back in a queue.
  const g = ok(await gql(reassignQ, { c: c2.id, g: group }, sup.token)).reassignConversation;
  assert.deepEqual([g.kind, g.toSkillGroupId], ['reassign', group]);
  await waitFor(async () => { const x = await conv(c2.id, ws.admin); return x.status === 'queued' && x.skillGroupId === group && !x.assigneeId; }, 'requeued to VIP');
  assert.equal(await load(ws, a.id), 0);

  // Waiting in the VIP queue (no member online): pulled out to a named agent.
  const pulled = ok(await gql(reassignQ, { c: c2.id, to: a.id }, sup.token)).reassignConversation;
  assert.deepEqual([pulled.fromAgentId, pulled.toAgentId], [null, a.id]);
  await waitFor(async () => (await conv(c2.id, ws.admin)).status === 'assigned', 'assigned');
  assert.equal((await conv(c2.id, ws.admin)).assigneeId, a.id);
  assert.equal(await load(ws, a.id), 1);
  assert.equal(await th.hub.services.routing.position({ workspaceId: ws.workspaceId, conversationId: c2.id }), null, 'out of the queue');
  ok(await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "您好" }) { seq } }', { c: c2.id }, a.token));
  assert.equal(code(await gql(reassignQ, { c: c2.id, g: group, to: b.id }, sup.token)), 'BAD_USER_INPUT');
});

void test('offline: held chats go back to their queue at once, keeping their place; busy keeps them', async () => {
  const ws = await workspace('status-offline');
  const a = await ws.agent('a', 1);
  const x = await heldBy(ws, a); // waited first
  const y = await queuedConversation(ws); // waits behind x's old place (a is full)
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await conv(y.id, ws.admin)).status, 'queued');

  await setStatus(a, 'busy');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await conv(x.id, ws.admin)).assigneeId, a.id, 'busy keeps held chats');
  assert.equal((await conv(y.id, ws.admin)).status, 'queued', 'busy takes no new chats');

  await setStatus(a, 'offline');
  assert.equal((await conv(x.id, ws.admin)).assigneeId, null, 'taken from the agent by the status change itself');
  const requeued = await waitFor(async () => { const v = await conv(x.id, ws.admin); return v.status === 'queued' ? v : null; }, 'queued again', 5000);
  assert.deepEqual(requeued.transfers.map((t: any) => [t.kind, t.status, t.reason, t.requestedById]), [['reassign', 'completed', 'agent_offline', null]]);
  assert.equal(await load(ws, a.id), 0);
  const enqueueInputs = async () => ((await th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(x.id)).fetchHistory()).events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'enqueue')
    .map((e) => JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString('utf8')));
  const enqueues = await waitFor(async () => { const list = await enqueueInputs(); return list.length === 2 ? list : null; }, 'the second enqueue');
  assert.equal(enqueues[1].keepPlace, true, 'the workflow asks routing to keep its place');
  const pos = (id: string) => th.hub.services.routing.position({ workspaceId: ws.workspaceId, conversationId: id });
  await waitFor(async () => (await pos(x.id)) !== null, 'x back in the queue');
  assert.equal(await pos(x.id), 1, 'x keeps its place ahead of y');
  assert.equal(await pos(y.id), 2);
});

void test('away: held chats stay for the grace (awayRequeueAfterSec), then the maintenance job requeues them', async () => {
  const ws = await workspace('status-away');
  const a = await ws.agent('a');
  assert.equal(code(await gql('mutation { updateAgentStatusPolicy(awayRequeueAfterSec: 2) { awayRequeueAfterSec } }', {}, a.token)), 'FORBIDDEN');
  assert.equal(code(await gql('mutation { updateAgentStatusPolicy(awayRequeueAfterSec: 0) { awayRequeueAfterSec } }', {}, ws.admin)), 'BAD_USER_INPUT');
  assert.equal(ok(await gql('mutation { updateAgentStatusPolicy(awayRequeueAfterSec: 3) { awayRequeueAfterSec } }', {}, ws.admin)).updateAgentStatusPolicy.awayRequeueAfterSec, 3);
  const c = await heldBy(ws, a);
  await setStatus(a, 'away');
  const queues = th.hub.services.queues;
  const run = async () => {
    const job = await queues.maintenance.add('requeue-away-agents', {});
    await waitFor(async () => (await job.isCompleted()) || (await job.isFailed()), 'maintenance job', 10_000);
    assert.equal(await job.isFailed(), false, job.failedReason);
    return (await queues.maintenance.getJob(job.id!))?.returnvalue as { agents: number; requeued: number };
  };
  assert.deepEqual(await run(), { agents: 0, requeued: 0 }, 'within the grace');
  assert.equal((await conv(c.id, ws.admin)).assigneeId, a.id);
  await new Promise((r) => setTimeout(r, 3200));
  // The periodic run (every 15 s) may have come first; either way it is requeued exactly once.
  const ran = await run();
  assert.ok(ran.requeued <= 1);
  // The workflow moves the chat (a moment after the job asked it to).
  const after = await waitFor(async () => { const x = await conv(c.id, ws.admin); return x.status === 'queued' ? x : null; }, 'requeued after the grace', 10_000);
  assert.equal(after.transfers.at(-1).reason, 'agent_away');
  assert.deepEqual(await run(), { agents: 0, requeued: 0 }, 'idempotent: nothing left to requeue');
  assert.ok(await queues.maintenance.getJobScheduler('requeue-away-agents'), 'scheduled periodically');
});

void test('group transfers requeue at once and are recorded; the queue-exit signal ends the queue node as full', async () => {
  const ws = await workspace('xfer-group');
  const group = ok(await gql('mutation { createSkillGroup(name: "售后") { id } }', {}, ws.admin)).createSkillGroup.id as string;
  const a = await ws.agent('a');
  const c = await heldBy(ws, a);
  const t = ok(await gql('mutation($c: ID!, $g: ID!) { transferConversation(conversationId: $c, toSkillGroupId: $g, note: "售后问题") { kind status toSkillGroupId note } }', { c: c.id, g: group }, a.token)).transferConversation;
  assert.deepEqual(t, { kind: 'group', status: 'completed', toSkillGroupId: group, note: '售后问题' });
  await waitFor(async () => (await conv(c.id, ws.admin)).status === 'queued', 'requeued');
  assert.equal(await load(ws, a.id), 0);
  const seen = ok(await gql('query($id: ID!) { conversation(id: $id) { messages { body } } }', { id: c.id }, c.visitor)).conversation.messages;
  assert.ok(!JSON.stringify(seen).includes('售后问题'), 'the note is not shown to the customer');

  // Routing gives up on the queue (it has removed the conversation from Redis first).
  await th.hub.services.routing.dequeue({ workspaceId: ws.workspaceId, conversationId: c.id });
  await th.hub.services.lifecycle!.queueExit(c.id, 'overflow_exhausted');
  await waitFor(async () => (await conv(c.id, ws.admin)).status === 'offline', 'offline message after the queue exit');
});

void test("another workspace's transfers, conversations and agents are NOT_FOUND, and nothing changes", async () => {
  const wsA = await workspace('xfer-iso-a');
  const wsB = await workspace('xfer-iso-b');
  const a = await wsA.agent('a');
  const a2 = await wsA.agent('a2');
  const b = await wsB.agent('b');
  const c = await heldBy(wsA, a);
  await setStatus(a2, 'online');
  await setStatus(b, 'online');
  const offer = ok(await transferTo(c.id, a2, a)).transferConversation;
  assert.equal(code(await answer(offer.id, b, true)), 'NOT_FOUND');
  assert.equal(code(await gql('mutation($t: ID!) { cancelTransfer(transferId: $t) { id } }', { t: offer.id }, wsB.admin)), 'NOT_FOUND');
  assert.equal(code(await gql('mutation($c: ID!, $to: ID!) { reassignConversation(conversationId: $c, toAgentId: $to) { id } }', { c: c.id, to: b.id }, wsB.admin)), 'NOT_FOUND');
  ok(await gql('mutation($t: ID!) { cancelTransfer(transferId: $t) { id } }', { t: offer.id }, a.token));
  assert.equal(code(await transferTo(c.id, b, a)), 'NOT_FOUND', "B's agent is not a colleague");
  assert.equal(code(await gql('mutation($c: ID!, $to: ID!) { reassignConversation(conversationId: $c, toAgentId: $to) { id } }', { c: c.id, to: b.id }, wsA.admin)), 'NOT_FOUND');
  assert.deepEqual(ok(await gql('{ transferOffers { id } }', {}, b.token)).transferOffers, []);
  const after = await conv(c.id, wsA.admin);
  assert.equal(after.assigneeId, a.id);
  assert.deepEqual(after.transfers.map((t: any) => t.status), ['cancelled']);
});
