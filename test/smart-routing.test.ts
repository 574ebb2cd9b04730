/**
 * Smart routing on the real services (MariaDB, Redis, Temporal): diversion, customer priority,
 * strategies, capacity override, overflow chains, working hours, the decision log and policy
 * validation — each deciding as configured through the GraphQL API and real conversations.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import { auditQueues } from '../core/routing/queue-audit.ts';
import { conversationWorkflowId } from '../workflows/conversation/contract.ts';

let th: TestHub;
before(async () => { th = await startTestHub(); });
after(async () => { await th?.close(); });

const CLOSED_ALL_WEEK = { alwaysOpen: false, timezone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };

interface Ws { admin: string; slug: string; workspaceId: string; channelKey: string }

/** A workspace whose flow goes straight to the queue node (configured by `queueConfig`). */
async function workspace(slug: string, groups: string[]): Promise<Ws & { groups: Record<string, string> }> {
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  ok(await th.gql('mutation { installPlugin(name: "routing-rules") { id } }', {}, admin));
  const out: Record<string, string> = {};
  for (const name of groups) out[name] = ok(await th.gql('mutation($n: String!) { createSkillGroup(name: $n) { id } }', { n: name }, admin)).createSkillGroup.id;
  const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel;
  return { admin, slug, workspaceId, channelKey: channel.publicKey, groups: out };
}

async function publishQueueFlow(ws: Ws, queueConfig: Record<string, unknown>): Promise<void> {
  const flows = ok(await th.gql('{ flows { id versions { id definition } } }', {}, ws.admin)).flows;
  const def = structuredClone(flows[0].versions[0].definition);
  const hours = def.nodes.find((n: any) => n.type === 'working_hours');
  hours.config = { ...hours.config, alwaysOpen: true };
  hours.next.open = 'queue';
  def.nodes = def.nodes.filter((n: any) => n.type !== 'bot'); // unreachable now (a flow may not keep dead nodes)
  const queue = def.nodes.find((n: any) => n.type === 'queue');
  queue.config = { ...queue.config, ...queueConfig };
  const v = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, ws.admin)).saveFlowVersion;
  ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, ws.admin));
}

async function setPolicy(ws: Ws, groupId: string, policy: Record<string, unknown>): Promise<void> {
  ok(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: groupId, p: policy }, ws.admin));
}

let agentSeq = 0;
/** An agent in the given groups (with levels), signed in; not online yet. */
async function agent(ws: Ws, skills: [string, number][], capacity = 3): Promise<{ id: string; token: string }> {
  const email = `a${++agentSeq}@${ws.slug}.test`;
  const u = ok(await th.gql('mutation($e: String!, $c: Int!) { createUser(email: $e, name: $e, password: "agent password 1", roles: [agent], maxConcurrentChats: $c) { id } }', { e: email, c: capacity }, ws.admin)).createUser;
  ok(await th.gql('mutation($u: ID!, $s: [AgentSkillInput!]) { updateAgentProfile(userId: $u, skills: $s) { id } }', { u: u.id, s: skills.map(([g, level]) => ({ skillGroupId: g, level })) }, ws.admin));
  const token = ok(await th.gql('mutation($w: String!, $e: String!) { login(workspace: $w, email: $e, password: "agent password 1") { token } }', { w: ws.slug, e: email })).login.token;
  return { id: u.id, token };
}
const setStatus = async (token: string, status: string) => ok(await th.gql(`mutation { setMyStatus(status: ${status}) { status } }`, {}, token));

/** A visitor (a new customer, optionally tagged) who starts a conversation. */
async function customer(ws: Ws, tags: string[] = [], visitorId?: string): Promise<{ visitor: string; customerId: string; start: () => Promise<string> }> {
  const s = ok(await th.gql('mutation($k: String!, $v: String) { startVisitorSession(channelKey: $k, visitorId: $v) { token customerId } }', { k: ws.channelKey, v: visitorId ?? null })).startVisitorSession;
  if (tags.length) ok(await th.gql('mutation($id: ID!, $t: [String!]) { updateCustomer(id: $id, tags: $t) { id } }', { id: s.customerId, t: tags }, ws.admin));
  return {
    visitor: s.token, customerId: s.customerId,
    start: async () => ok(await th.gql('mutation { startConversation { id } }', {}, s.token)).startConversation.id as string,
  };
}

const conv = async (ws: Ws, id: string) =>
  ok(await th.gql('query($id: ID!) { conversation(id: $id) { status skillGroupId assigneeId routingDecisions { kind skillGroupId agentId strategy summary detail } } }', { id }, ws.admin)).conversation;
const waitStatus = (ws: Ws, id: string, status: string, ms = 15_000) =>
  waitFor(async () => { const c = await conv(ws, id); return c.status === status ? c : null; }, `${id} ${status}`, ms);
/** Queued and its arrival decided (the row says queued a moment before routing records the decision). */
const waitQueued = (ws: Ws, id: string) =>
  waitFor(async () => { const c = await conv(ws, id); return c.status === 'queued' && c.routingDecisions.some((d: any) => d.kind === 'queued') ? c : null; }, `${id} queued`);
const preview = async (ws: Ws, groupId: string) =>
  ok(await th.gql('query($g: ID) { queuePreview(skillGroupId: $g) { conversationId position advanceSec terms waitedSec estimatedWaitSec } }', { g: groupId }, ws.admin)).queuePreview;

void test('customer priority: a VIP who arrives last is served first; the queue order and the decision log explain why', async () => {
  const ws = await workspace('rt-prio', ['sales']);
  const g = ws.groups.sales!;
  await setPolicy(ws, g, { priorityRules: [{ rule: 'customer_tag', weight: 60, config: { tags: { VIP: 10 } } }, { rule: 'repeat_visits_today', weight: 5 }] });
  await publishQueueFlow(ws, { skillGroupId: g });
  // One after the other (each in the queue before the next arrives): arrival order is the base order.
  const first = await (await customer(ws)).start();
  await waitQueued(ws, first);
  const second = await (await customer(ws)).start();
  await waitQueued(ws, second);
  const vip = await (await customer(ws, ['VIP'])).start();
  await waitQueued(ws, vip);
  const order = await waitFor(async () => { const p = await preview(ws, g); return p.length === 3 ? p : null; }, 'three waiting');
  assert.deepEqual(order.map((q: any) => q.conversationId), [vip, first, second]);
  assert.equal(order[0].advanceSec, 600);
  assert.deepEqual(order[0].terms, [{ rule: 'customer_tag', points: 10, weight: 60, advanceSec: 600, reason: 'tag VIP' }]);
  const queued = (await conv(ws, vip)).routingDecisions.find((d: any) => d.kind === 'queued');
  assert.match(queued.summary, /600 s ahead by priority/);
  assert.equal(queued.detail.facts.today.visits, 1);

  const a = await agent(ws, [[g, 3]], 1);
  await setStatus(a.token, 'online');
  const served = await waitStatus(ws, vip, 'assigned');
  assert.equal(served.assigneeId, a.id);
  assert.equal((await conv(ws, first)).status, 'queued'); // the only slot went to the VIP
  const decision = served.routingDecisions.find((d: any) => d.kind === 'assigned');
  assert.equal(decision.agentId, a.id);
  assert.equal(decision.strategy, 'balanced');
  assert.equal(decision.detail.conversation.position, 1);
  assert.deepEqual(decision.detail.queue.map((q: any) => q.conversationId), [vip, first, second]);
  assert.equal(decision.detail.candidates[0].agentId, a.id);
  // The log is queryable by supervisors across conversations too.
  const log = ok(await th.gql('query($g: ID) { routingDecisions(skillGroupId: $g, kind: assigned) { conversationId agentId } }', { g }, ws.admin)).routingDecisions;
  assert.deepEqual(log.map((d: any) => d.conversationId), [vip]);
});

void test('diversion: queue-node rules on tags and attributes pick the group; the rest go to the node\'s group', async () => {
  const ws = await workspace('rt-divert', ['general', 'vip', 'wholesale']);
  await publishQueueFlow(ws, {
    skillGroupId: ws.groups.general,
    diversion: [
      { when: { tagsAny: ['VIP', 'SVIP'] }, skillGroupId: ws.groups.vip },
      { when: { tagsAny: ['B2B'] }, skillGroupId: ws.groups.wholesale },
    ],
  });
  const plain = await (await customer(ws)).start();
  const vip = await (await customer(ws, ['SVIP'])).start();
  const b2b = await (await customer(ws, ['B2B'])).start();
  assert.equal((await waitQueued(ws, plain)).skillGroupId, ws.groups.general);
  // The row names the group a moment before routing records the 'queued' decision: wait for both.
  const v = await waitFor(async () => { const c = await conv(ws, vip); return c.skillGroupId === ws.groups.vip && c.routingDecisions.some((d: any) => d.kind === 'queued') ? c : null; }, 'vip diverted');
  assert.match(v.routingDecisions.find((d: any) => d.kind === 'queued').summary, /diversion rule 1 of the queue node \(tag VIP\/SVIP\)/);
  await waitFor(async () => (await conv(ws, b2b)).skillGroupId === ws.groups.wholesale, 'b2b diverted');
  // A channel's default group beats the queue node's; it must be a group of this workspace.
  assert.equal(code(await th.gql('mutation($c: JSON) { createChannel(kind: "web-widget", name: "bad", config: $c) { id } }', { c: { skillGroupId: '00000000-0000-4000-8000-000000000000' } }, ws.admin)), 'BAD_USER_INPUT');
  const shop = ok(await th.gql('mutation($c: JSON) { createChannel(kind: "web-widget", name: "b2b shop", config: $c) { publicKey } }', { c: { skillGroupId: ws.groups.wholesale } }, ws.admin)).createChannel;
  const viaShop = await (await customer({ ...ws, channelKey: shop.publicKey })).start();
  const routed = await waitQueued(ws, viaShop);
  assert.equal(routed.skillGroupId, ws.groups.wholesale);
  assert.match(routed.routingDecisions.find((d: any) => d.kind === 'queued').summary, /the channel's default skill group/);
  assert.equal((await preview(ws, ws.groups.vip!)).length, 1);
});

void test('strategies: capability first gives the chat to the highest level; returning customer waits for their agent, then falls back', async () => {
  const ws = await workspace('rt-strat', ['tech', 'care']);
  const { tech, care } = ws.groups as { tech: string; care: string };
  await setPolicy(ws, tech, { strategy: { name: 'capability' } });
  await setPolicy(ws, care, { strategy: { name: 'returning_customer', config: { fallbackAfterSec: 3 } } });
  await publishQueueFlow(ws, { skillGroupId: tech, diversion: [{ when: { tagsAny: ['care'] }, skillGroupId: care }] });

  const junior = await agent(ws, [[tech, 1]]);
  const expert = await agent(ws, [[tech, 5]]);
  await setStatus(junior.token, 'online');
  await setStatus(expert.token, 'online');
  const c1 = await (await customer(ws)).start();
  const got = await waitStatus(ws, c1, 'assigned');
  assert.equal(got.assigneeId, expert.id);
  assert.match(got.routingDecisions.find((d: any) => d.kind === 'assigned').summary, /by capability: skill level 5/);

  // Returning customer: served by `first` once; next time `first` is free again they get them back.
  const first = await agent(ws, [[care, 1]]);
  const second = await agent(ws, [[care, 1]]);
  await setStatus(first.token, 'online');
  const visitorId = 'returning-visitor-0001';
  const x = await customer(ws, ['care'], visitorId);
  const v1 = await x.start();
  assert.equal((await waitStatus(ws, v1, 'assigned')).assigneeId, first.id);
  ok(await th.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { status } }', { c: v1 }, first.token));
  await waitStatus(ws, v1, 'survey');
  ok(await th.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5) { id } }', { c: v1 }, x.visitor));
  await waitStatus(ws, v1, 'ended');
  await setStatus(second.token, 'online'); // idle longer than `first` now, so balanced would pick `second`
  const v2 = await x.start();
  const back = await waitStatus(ws, v2, 'assigned');
  assert.equal(back.assigneeId, first.id);
  assert.match(back.routingDecisions.find((d: any) => d.kind === 'assigned').summary, /served this customer last/);
  ok(await th.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { status } }', { c: v2 }, first.token));
  await waitStatus(ws, v2, 'survey');
  ok(await th.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5) { id } }', { c: v2 }, x.visitor));
  await waitStatus(ws, v2, 'ended');

  // Their agent is busy: the customer waits for them (3 s here), then anyone takes them.
  await setStatus(first.token, 'busy');
  const queuedAt = Date.now();
  const v3 = await x.start();
  await waitStatus(ws, v3, 'queued');
  const fallback = await waitStatus(ws, v3, 'assigned', 20_000);
  assert.ok(Date.now() - queuedAt >= 2500, 'held for the last agent first');
  assert.equal(fallback.assigneeId, second.id);
  const d = fallback.routingDecisions.find((r: any) => r.kind === 'assigned');
  assert.match(d.summary, /last agent busy; fallback/);
  assert.ok(d.detail.conversation.waitedSec >= 3);
});

void test('capacity: a group cap below the agent maximum holds; raising it assigns more', async () => {
  const ws = await workspace('rt-cap', ['vipdesk']);
  const g = ws.groups.vipdesk!;
  await setPolicy(ws, g, { maxChatsPerAgent: 1 });
  await publishQueueFlow(ws, { skillGroupId: g });
  const a = await agent(ws, [[g, 2]], 5);
  await setStatus(a.token, 'online');
  const c1 = await (await customer(ws)).start();
  const c2 = await (await customer(ws)).start();
  await waitStatus(ws, c1, 'assigned');
  await waitQueued(ws, c2);
  await new Promise((r) => setTimeout(r, 1500)); // sweeps run; the cap keeps holding
  assert.equal((await conv(ws, c2)).status, 'queued');
  // One served in the last minutes: the waiting customer gets an estimate (position ÷ service rate).
  const [waiting] = await preview(ws, g);
  assert.equal(waiting.conversationId, c2);
  assert.ok(waiting.estimatedWaitSec > 0 && waiting.estimatedWaitSec <= 700, `estimate ${waiting.estimatedWaitSec}`);
  await setPolicy(ws, g, { maxChatsPerAgent: 2 });
  assert.equal((await waitStatus(ws, c2, 'assigned')).assigneeId, a.id);
});

void test('overflow: after N seconds in a group with nobody free the customer moves on, keeping their wait; at the end of the chain, the offline message', async () => {
  const ws = await workspace('rt-overflow', ['first', 'second', 'last']);
  const { first, second, last } = ws.groups;
  await setPolicy(ws, first!, { overflow: { afterSec: 1, toSkillGroupId: second } });
  await setPolicy(ws, last!, { overflow: { afterSec: 1, toSkillGroupId: null } });
  await publishQueueFlow(ws, { skillGroupId: first, diversion: [{ when: { tagsAny: ['last'] }, skillGroupId: last }] });
  const helper = await agent(ws, [[second!, 1]]);
  await setStatus(helper.token, 'online');
  const c = await (await customer(ws)).start();
  const served = await waitStatus(ws, c, 'assigned', 20_000);
  assert.equal(served.assigneeId, helper.id);
  assert.equal(served.skillGroupId, second);
  const kinds = served.routingDecisions.map((d: any) => d.kind);
  assert.deepEqual(kinds, ['queued', 'overflowed', 'assigned']);
  const moved = served.routingDecisions[1];
  assert.match(moved.summary, /overflowed from group .* to group .*: waited \d+ s \(overflow after 1 s\)/);

  const gone = await (await customer(ws, ['last'])).start();
  const off = await waitStatus(ws, gone, 'offline', 20_000);
  const exit = off.routingDecisions.find((d: any) => d.kind === 'exited');
  assert.match(exit.summary, /sent to the offline message/);
});

void test('working hours and queue limits: a closed or full group sends arrivals along its chain; without one, to the offline message', async () => {
  const ws = await workspace('rt-hours', ['night', 'day', 'tiny']);
  const { night, day, tiny } = ws.groups;
  await setPolicy(ws, night!, { workingHours: CLOSED_ALL_WEEK, overflow: { afterSec: 30, toSkillGroupId: day } });
  await setPolicy(ws, day!, { workingHours: { alwaysOpen: true } });
  await setPolicy(ws, tiny!, { maxQueueLength: 1 });
  await publishQueueFlow(ws, { skillGroupId: night, diversion: [{ when: { tagsAny: ['tiny'] }, skillGroupId: tiny }] });
  const c = await (await customer(ws)).start();
  const q = await waitFor(async () => { const x = await conv(ws, c); return x.status === 'queued' && x.skillGroupId === day && x.routingDecisions.some((d: any) => d.kind === 'queued') ? x : null; }, 'queued in the day group');
  assert.deepEqual(q.routingDecisions.map((d: any) => d.kind), ['overflowed', 'queued']);
  assert.match(q.routingDecisions[0].summary, /\(closed\) to group .* on arrival/);

  // The second customer for a one-place queue: full, no overflow → offline message.
  const t1 = await (await customer(ws, ['tiny'])).start();
  await waitQueued(ws, t1);
  const t2 = await (await customer(ws, ['tiny'])).start();
  const off = await waitStatus(ws, t2, 'offline');
  assert.match(off.routingDecisions.find((d: any) => d.kind === 'exited').summary, /is full/);

  // A group that closes while customers wait: they go on to the offline message (no overflow set).
  await setPolicy(ws, tiny!, { maxQueueLength: 1, workingHours: CLOSED_ALL_WEEK });
  const closedNow = await waitStatus(ws, t1, 'offline', 20_000);
  assert.match(closedNow.routingDecisions.find((d: any) => d.kind === 'exited').summary, /closed \(working hours\)/);
});

void test('policy validation: unknown strategy or rule, a disabled plugin, bad config and overflow loops are refused with every issue; nothing is saved', async () => {
  const ws = await workspace('rt-valid', ['a', 'b', 'c']);
  const { a, b, c } = ws.groups;
  const get = async (id: string) => ok(await th.gql('query($id: ID!) { skillGroup(id: $id) { routingPolicy } }', { id }, ws.admin)).skillGroup.routingPolicy;
  const bad = await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', {
    id: a, p: { strategy: { name: 'round_robin_magic' }, priorityRules: [{ rule: 'nope', weight: 1 }, { rule: 'customer_tag', weight: 1, config: { tags: { VIP: 'lots' } } }] },
  }, ws.admin);
  assert.equal(code(bad), 'BAD_USER_INPUT');
  const issues = (bad.errors![0]!.extensions!.details as { issues: { path: string }[] }).issues;
  assert.deepEqual(issues.map((i) => i.path).sort(), ['priorityRules.0.rule', 'priorityRules.1.config.tags.VIP', 'strategy.name']);
  assert.equal(code(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: a, p: { maxChatsPerAgent: 0 } }, ws.admin)), 'BAD_USER_INPUT');
  // a → b → c → a would loop.
  await setPolicy(ws, a!, { overflow: { afterSec: 10, toSkillGroupId: b } });
  await setPolicy(ws, b!, { overflow: { afterSec: 10, toSkillGroupId: c } });
  const loop = await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: c, p: { overflow: { afterSec: 10, toSkillGroupId: a } } }, ws.admin);
  assert.equal(code(loop), 'BAD_USER_INPUT');
  assert.match(loop.errors![0]!.message, /loop/);
  assert.equal((await get(c!)).overflow, null);
  // Another workspace's group is not a target.
  const other = await workspace('rt-valid-other', ['x']);
  assert.equal(code(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: a, p: { overflow: { afterSec: 1, toSkillGroupId: other.groups.x } } }, ws.admin)), 'BAD_USER_INPUT');
  assert.equal(code(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: other.groups.x, p: {} }, ws.admin)), 'NOT_FOUND');
  // The plugin disabled: its strategy is refused.
  const inst = ok(await th.gql('{ pluginInstallations { id pluginName } }', {}, ws.admin)).pluginInstallations.find((p: any) => p.pluginName === 'routing-rules');
  ok(await th.gql('mutation($id: ID!) { setPluginEnabled(id: $id, enabled: false) { id } }', { id: inst.id }, ws.admin));
  const off = await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: a, p: { strategy: { name: 'capability' } } }, ws.admin);
  assert.equal(code(off), 'BAD_USER_INPUT');
  assert.match(off.errors![0]!.message, /not enabled/);
  assert.equal((await get(a!)).strategy.name, 'balanced');
  // Agents may read the catalog, not change policies.
  const ag = await agent(ws, [[a!, 1]]);
  assert.equal(code(await th.gql('mutation($id: ID!, $p: JSON!) { updateSkillGroupRouting(id: $id, policy: $p) { id } }', { id: a, p: {} }, ag.token)), 'FORBIDDEN');
  const catalog = ok(await th.gql('{ routingCatalog { kind name plugin } }', {}, ag.token)).routingCatalog;
  assert.deepEqual(catalog.filter((x: any) => x.kind === 'strategy').map((x: any) => x.name).sort(), ['balanced', 'capability', 'returning_customer']);
  assert.equal(code(await th.gql('{ routingDecisions { id } }', {}, ag.token)), 'FORBIDDEN');
});

void test('priority facts from history: a new customer, and one who failed to queue earlier today and comes back (re-entry, repeat visit)', async () => {
  const ws = await workspace('rt-history', ['desk']);
  const g = ws.groups.desk!;
  await setPolicy(ws, g, {
    maxQueueLength: 1,
    priorityRules: [{ rule: 'new_customer', weight: 10, config: { points: 3 } }, { rule: 'reentry_today', weight: 20 }, { rule: 'repeat_visits_today', weight: 30 }],
  });
  await publishQueueFlow(ws, { skillGroupId: g });
  const x = await (await customer(ws)).start();
  const xq = await waitQueued(ws, x);
  assert.deepEqual(xq.routingDecisions[0].detail.priority.terms.map((t: any) => [t.rule, t.advanceSec]), [['new_customer', 30]]);

  // Y finds the queue full (an offline message instead), then comes back once there is room.
  const y = await customer(ws, [], 'history-visitor-y');
  const y1 = await y.start();
  await waitStatus(ws, y1, 'offline');
  ok(await th.gql('mutation($c: ID!) { leaveOfflineMessage(conversationId: $c, content: "排不上队，稍后再来") { id } }', { c: y1 }, y.visitor));
  await waitStatus(ws, y1, 'ended');
  await setPolicy(ws, g, { maxQueueLength: 5, priorityRules: [{ rule: 'new_customer', weight: 10, config: { points: 3 } }, { rule: 'reentry_today', weight: 20 }, { rule: 'repeat_visits_today', weight: 30 }] });
  const y2 = await y.start();
  const yq = await waitQueued(ws, y2);
  const terms = yq.routingDecisions.find((d: any) => d.kind === 'queued').detail.priority.terms;
  // reentry: 1 failed queue × 5 points × 20 s; repeat visits: visit 2 → 2 points × 30 s; no longer new.
  assert.deepEqual(terms.map((t: any) => [t.rule, t.points, t.advanceSec]), [['reentry_today', 5, 100], ['repeat_visits_today', 2, 60]]);
  // 160 s ahead: Y is served before X, who came earlier.
  const order = await preview(ws, g);
  assert.deepEqual(order.map((q: any) => q.conversationId), [y2, x]);
});

void test('queue audit: customers Redis lost (restart without persistence) are queued again by their workflows, at their places; an assigned one is left alone', async () => {
  const ws = await workspace('rt-audit', ['sales']);
  const g = ws.groups.sales!;
  await publishQueueFlow(ws, { skillGroupId: g, timeoutSec: 600 });
  const first = await (await customer(ws)).start();
  await waitQueued(ws, first);
  const second = await (await customer(ws)).start();
  await waitQueued(ws, second);
  const routing = th.hub.services.routing;
  const audit = () => auditQueues({
    orm: th.hub.services.orm, routing, queueLost: (id) => th.hub.services.lifecycle!.queueLost(id), logger: { warn: () => undefined },
  }, { minAgeMs: 0, workspaceId: ws.workspaceId });
  // Nothing lost yet: the audit signals nobody.
  const clean = await audit();
  assert.equal(clean.lost, 0, JSON.stringify(clean));

  // Redis loses this workspace's queues (what a restart without persistence does).
  const redis = new Redis(th.hub.services.config.KEFU_REDIS_URL);
  try {
    const base = routing.keys.ws(ws.workspaceId);
    const keys = [routing.keys.queue(ws.workspaceId, g), routing.keys.queued(ws.workspaceId), routing.keys.meta(ws.workspaceId), routing.keys.pos(ws.workspaceId, g)];
    await redis.del(...keys);
    assert.equal((await preview(ws, g)).length, 0, `queue gone in Redis (${base})`);
  } finally {
    redis.disconnect();
  }
  // The later customer is handed back first: places come from each visit's time, not from the re-entry order.
  await th.hub.services.lifecycle!.queueLost(second);
  await waitFor(async () => (await preview(ws, g)).length === 1, 'the second queued again');
  const found = await audit();
  assert.deepEqual(found, { checked: 2, lost: 1, signalled: 1 }, 'the first is found lost; the second is back');
  const order = await waitFor(async () => { const p = await preview(ws, g); return p.length === 2 ? p : null; }, 'both queued again');
  assert.deepEqual(order.map((q: any) => q.conversationId), [first, second], 'each at the place it had');
  // The workflow enqueued it a second time (the hot path never had it).
  const history = await th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(first)).fetchHistory();
  const enqueues = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'enqueue');
  assert.equal(enqueues.length, 2);

  // An agent comes online and gets the first; the audit leaves the assigned one and the waiting one alone.
  const a = await agent(ws, [[g, 3]], 1);
  await setStatus(a.token, 'online');
  const served = await waitStatus(ws, first, 'assigned');
  assert.equal(served.assigneeId, a.id);
  const after = await audit();
  assert.equal(after.lost, 0, JSON.stringify(after));
  assert.equal((await conv(ws, second)).status, 'queued');
});
