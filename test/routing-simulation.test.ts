/**
 * Routing policy simulation: the pure simulator on cases whose answers can be worked out by hand, then
 * simulateRouting over a window of real conversations driven through a hub (MariaDB, Redis, Temporal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RoutingSimulation, resolveGroupRouting, simulate,
  type SimAgent, type SimArrival, type SimGroupRouting, type SimulationInput, type RoutingContributions,
} from '../core/routing/simulate.ts';
import { GroupRoutingPolicySchema, type GroupRoutingPolicyInput } from '../core/routing/policy.ts';
import routingRules from '../plugins/routing-rules/src/index.ts';
import { startTestHub, signUp, ok, code, waitFor } from './helpers/hub.ts';

// ------------------------------------------------------------------ pure cases

/** 2026-11-23T10:00:00 in Asia/Shanghai. */
const T0 = Date.parse('2026-11-23T02:00:00Z');
const sec = (s: number) => T0 + s * 1000;

const contributions: RoutingContributions = {
  strategy: (name) => routingRules.strategies?.[name],
  priorityRule: (name) => routingRules.priorityRules?.[name],
};
const groups = (policies: Record<string, GroupRoutingPolicyInput>): Record<string, SimGroupRouting> =>
  Object.fromEntries(Object.entries(policies).map(([g, p]) => [g, resolveGroupRouting(GroupRoutingPolicySchema.parse(p), contributions)]));

function arrival(id: string, atSec: number, o: Partial<SimArrival> & { tags?: string[] } = {}): SimArrival {
  const { tags, ...rest } = o;
  const customerId = o.customerId ?? `cust-${id}`;
  return {
    conversationId: id, customerId, at: sec(atSec), skillGroupId: 'A',
    facts: {
      customer: { id: customerId, tags: tags ?? [], attributes: {}, firstSeenAt: '2026-01-01T00:00:00.000Z' },
      conversation: { id, channelId: 'ch', createdAt: new Date(sec(atSec)).toISOString() },
      today: { visits: 1, failedQueues: 0 },
      previousConversations: 1,
    },
    handleSec: 30, patienceSec: 300, patienceKind: 'timeout', maxQueueLength: 200, lastAgentId: null, lastServedAt: null,
    ...rest,
  };
}

function agent(agentId: string, capacity: number, skillGroups: string[], o: { status?: string; at?: number; carriedOver?: number[]; later?: SimAgent['timeline'] } = {}): SimAgent {
  return {
    agentId,
    timeline: [{ at: o.at ?? T0 - 60_000, status: o.status ?? 'online', capacity, skills: skillGroups.map((g) => ({ skillGroupId: g, level: 1 })) }, ...(o.later ?? [])],
    carriedOver: o.carriedOver ?? [],
  };
}

const input = (i: Partial<SimulationInput>): SimulationInput => ({ from: T0, to: sec(100), arrivals: [], agents: [], groups: {}, ...i });
const outcomes = (i: SimulationInput) => new RoutingSimulation(i).run().outcomes();
const waitsOf = (i: SimulationInput) => outcomes(i).map((o) => o.waitSec ?? null);

void test('pure: one agent with one slot, three arrivals 10 s apart, 30 s handle time → waits 0/20/40, utilisation 0.9', () => {
  const i = input({ arrivals: [arrival('c1', 0), arrival('c2', 10), arrival('c3', 20)], agents: [agent('a1', 1, ['A'])] });
  assert.deepEqual(waitsOf(i), [0, 20, 40]);
  const r = simulate(i);
  assert.deepEqual(r.wait, { count: 3, p50: 20, p90: 40, p99: 40, max: 40, mean: 20 });
  assert.equal(r.assigned, 3);
  assert.equal(r.abandoned.total, 0);
  // Busy 0…90 s of a 100 s window, online throughout.
  assert.deepEqual(r.agents, [{ agentId: 'a1', chats: 3, busySlotSec: 90, onlineSec: 100, utilisation: 0.9, maxConcurrent: 1 }]);
  assert.deepEqual(r.groups.map((g) => [g.skillGroupId, g.arrivals, g.assigned, g.assignedHere]), [['A', 3, 3, 3]]);
  assert.deepEqual(simulate(i), r, 'the same input gives the same report');
});

void test('pure: a priority rule moves a VIP ahead by weight × points seconds', () => {
  const arrivals = [arrival('c1', 0), arrival('c2', 5), arrival('vip', 10, { tags: ['VIP'] })];
  const agents = [agent('a1', 1, ['A'])];
  // Plain FIFO: c2 at 30 s, the VIP at 60 s.
  assert.deepEqual(waitsOf(input({ arrivals, agents })), [0, 25, 50]);
  // 60 s per point, VIP = 1 point: the VIP's place is 10 − 60 = −50 s, ahead of c2 (5 s).
  const prioritised = input({ arrivals, agents, groups: groups({ A: { priorityRules: [{ rule: 'customer_tag', weight: 60, config: { tags: { VIP: 1 } } }] } }) });
  assert.deepEqual(waitsOf(prioritised), [0, 55, 20]);
  // 3 s ahead is not enough to pass c2 (10 − 3 = 7 > 5).
  assert.deepEqual(waitsOf(input({ arrivals, agents, groups: groups({ A: { priorityRules: [{ rule: 'customer_tag', weight: 3, config: { tags: { VIP: 1 } } }] } }) })), [0, 25, 50]);
});

void test('pure: overflow after N s moves a waiting customer to the next group; a full group overflows on arrival; the end of the chain is the offline message', () => {
  const agents = [agent('a1', 1, ['A']), agent('b1', 2, ['B'])];
  const arrivals = [arrival('c1', 0, { handleSec: 100 }), arrival('c2', 5)];
  assert.deepEqual(waitsOf(input({ arrivals, agents })), [0, 95], 'without overflow c2 waits for a1');

  const overflowing = input({ arrivals, agents, groups: groups({ A: { overflow: { afterSec: 15, toSkillGroupId: 'B' } } }) });
  const o = outcomes(overflowing);
  assert.deepEqual(o.map((x) => [x.waitSec, x.agentId, x.assignedFrom, x.overflowHops]), [[0, 'a1', 'A', 0], [15, 'b1', 'B', 1]]);
  const r = simulate(overflowing);
  assert.equal(r.overflowed, 1);
  assert.deepEqual(r.groups.map((g) => [g.skillGroupId, g.arrivals, g.assigned, g.assignedHere, g.overflowed]), [['A', 2, 2, 1, 1], ['B', 0, 0, 1, 0]]);

  // A holds one waiting customer at most: c3 arrives while c2 waits and goes straight to B.
  const full = input({
    arrivals: [...arrivals, arrival('c3', 6)], agents,
    groups: groups({ A: { maxQueueLength: 1, overflow: { afterSec: 600, toSkillGroupId: 'B' } } }),
  });
  assert.deepEqual(outcomes(full).map((x) => [x.waitSec, x.assignedFrom, x.overflowHops]), [[0, 'A', 0], [95, 'A', 0], [0, 'B', 1]]);

  // Overflow to null: after 15 s, the offline message.
  const toOffline = simulate(input({ arrivals, agents, groups: groups({ A: { overflow: { afterSec: 15, toSkillGroupId: null } } }) }));
  assert.deepEqual([toOffline.assigned, toOffline.abandoned.overflowExhausted, toOffline.abandoned.total], [1, 1, 1]);
  // Full without a chain: the offline message at once.
  const fullNoChain = simulate(input({ arrivals: [...arrivals, arrival('c3', 6)], agents, groups: groups({ A: { maxQueueLength: 1 } }) }));
  assert.deepEqual([fullNoChain.assigned, fullNoChain.abandoned.full], [2, 1]);
});

void test('pure: queue timeout → offline message; a customer who closed the chat gives up after the time they waited', () => {
  const r = simulate(input({
    arrivals: [arrival('c1', 0, { handleSec: 200 }), arrival('c2', 10, { patienceSec: 60 }), arrival('c3', 20, { patienceSec: 25, patienceKind: 'left' }), arrival('c4', 30, { patienceSec: 300 })],
    agents: [agent('a1', 1, ['A'])],
  }));
  assert.deepEqual(r.abandoned, { total: 2, timeout: 1, full: 0, closed: 0, overflowExhausted: 0, left: 1 });
  // c4 takes a1's slot when c1 ends at 200 s (c2 gave up at 70 s, c3 at 45 s).
  assert.deepEqual(r.wait, { count: 2, p50: 0, p90: 170, p99: 170, max: 170, mean: 85 });
});

void test('pure: returning customer — held for their last agent, who frees up in time; otherwise the fallback after the wait', () => {
  const strategy = groups({ A: { strategy: { name: 'returning_customer', config: { fallbackAfterSec: 20 } } } });
  const returning = (xFreesAt: number) => input({
    arrivals: [arrival('k1', 0, { lastAgentId: 'x', lastServedAt: sec(-3600) })],
    agents: [agent('x', 1, ['A'], { carriedOver: [sec(xFreesAt)] }), agent('y', 1, ['A'])],
    groups: strategy,
  });
  assert.deepEqual(outcomes(returning(10)).map((o) => [o.waitSec, o.agentId, o.held]), [[10, 'x', true]]);
  assert.deepEqual(outcomes(returning(50)).map((o) => [o.waitSec, o.agentId, o.held]), [[20, 'y', true]]);
  assert.equal(simulate(returning(50)).held, 1);
  // Balanced, for comparison: y at once.
  assert.deepEqual(outcomes({ ...returning(50), groups: {} }).map((o) => [o.waitSec, o.agentId, o.held]), [[0, 'y', false]]);

  // Within the window the simulated history counts: k's first chat went to x (ties go by id), o1 keeps
  // x busy from 20 s to 50 s, so k's second chat (40 s) is held for x and gets them at 50 s.
  const twice = input({
    arrivals: [arrival('k1', 0, { customerId: 'k', handleSec: 10 }), arrival('o1', 20), arrival('k2', 40, { customerId: 'k' })],
    agents: [agent('x', 1, ['A']), agent('y', 1, ['A'])],
    groups: strategy,
  });
  assert.deepEqual(outcomes(twice).map((o) => [o.agentId, o.waitSec, o.held]), [['x', 0, false], ['x', 0, false], ['x', 10, true]]);
});

void test('pure: the group\'s maxChatsPerAgent caps the agent\'s own capacity', () => {
  const arrivals = [arrival('c1', 0), arrival('c2', 10), arrival('c3', 20)];
  const agents = [agent('a1', 3, ['A'])];
  assert.deepEqual(waitsOf(input({ arrivals, agents })), [0, 0, 0]);
  assert.deepEqual(waitsOf(input({ arrivals, agents, groups: groups({ A: { maxChatsPerAgent: 1 } }) })), [0, 20, 40]);
  assert.deepEqual(waitsOf(input({ arrivals, agents, groups: groups({ A: { maxChatsPerAgent: 2 } }) })), [0, 0, 10]);
  const r = simulate(input({ arrivals, agents }));
  assert.deepEqual(r.agents.map((a) => [a.maxConcurrent, a.utilisation]), [[3, 0.3]]); // 90 slot-s ÷ (3 × 100 s)
});

void test('pure: agent status history — nobody online until 50 s; busy agents keep chats but get none', () => {
  const arrivals = [arrival('c1', 0), arrival('c2', 10)];
  const late = agent('a1', 2, ['A'], { status: 'offline', later: [{ at: sec(50), status: 'online', capacity: 2, skills: [{ skillGroupId: 'A', level: 1 }] }] });
  assert.deepEqual(waitsOf(input({ arrivals, agents: [late] })), [50, 40]);
  const r = simulate(input({ arrivals, agents: [late] }));
  assert.equal(r.agents[0]!.onlineSec, 50);
  // Online with one slot, busy from 5 s to 45 s: c2 (10 s) waits until 45 s.
  const busy = agent('a1', 1, ['A'], { later: [{ at: sec(5), status: 'busy', capacity: 1, skills: [{ skillGroupId: 'A', level: 1 }] }, { at: sec(45), status: 'online', capacity: 1, skills: [{ skillGroupId: 'A', level: 1 }] }] });
  assert.deepEqual(waitsOf(input({ arrivals: [arrival('c1', 0, { handleSec: 2 }), arrival('c2', 10)], agents: [busy] })), [0, 35]);
  // A skill added later makes the agent a member of the group.
  const joins = agent('a1', 1, [], { later: [{ at: sec(30), status: 'online', capacity: 1, skills: [{ skillGroupId: 'A', level: 1 }] }] });
  assert.deepEqual(waitsOf(input({ arrivals: [arrival('c1', 0)], agents: [joins] })), [30]);
});

void test('pure: working hours — closed on arrival is the offline message; a group closing sends waiting customers along its chain', () => {
  const day: [string, string][] = [['10:00', '10:01']];
  const tenToTenOhOne = { timezone: 'Asia/Shanghai', alwaysOpen: false, holidays: [], weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } };
  const arrivals = [arrival('c1', 0, { handleSec: 200 }), arrival('c2', 30), arrival('late', 70)];
  const agents = [agent('a1', 1, ['A']), agent('b1', 1, ['B'])];
  const closing = simulate(input({ arrivals, agents, groups: groups({ A: { workingHours: tenToTenOhOne } }) }));
  // c2 waits in A until it closes at 60 s (no chain: the offline message); `late` (70 s) finds it closed.
  assert.deepEqual([closing.assigned, closing.abandoned.closed], [1, 2]);
  // With a chain: c2 moves to B when A closes (b1 takes it at 60 s); `late` goes to B on arrival and waits for b1 until 90 s.
  const chained = new RoutingSimulation(input({ arrivals, agents, groups: groups({ A: { workingHours: tenToTenOhOne, overflow: { afterSec: 3600, toSkillGroupId: 'B' } } }) })).run().outcomes();
  assert.deepEqual(chained.map((o) => [o.waitSec, o.assignedFrom, o.overflowHops]), [[0, 'A', 0], [30, 'B', 1], [20, 'B', 1]]);
});

void test('pure: the default queue (no group) takes every agent', () => {
  const r = new RoutingSimulation(input({ arrivals: [arrival('c1', 0, { skillGroupId: null }), arrival('c2', 1, { skillGroupId: null })], agents: [agent('a1', 1, ['A']), agent('b1', 1, [])] })).run();
  assert.deepEqual(r.outcomes().map((o) => [o.waitSec, o.assignedFrom]), [[0, null], [0, null]]);
  assert.deepEqual(r.report().groups.map((g) => [g.skillGroupId, g.assigned]), [[null, 2]]);
  // Reports can be limited to some groups and agents (department scope).
  const scoped = r.report({ group: (g) => g === 'A', agent: (id) => id === 'a1' });
  assert.deepEqual([scoped.arrivals, scoped.groups.length, scoped.agents.map((a) => a.agentId)], [0, 0, ['a1']]);
});

// ------------------------------------------------------------------ on the real services

const SIMULATE = 'query($from: DateTime!, $to: DateTime!, $p: JSON!) { simulateRouting(from: $from, to: $to, policies: $p) { arrivals agents baseline proposed } }';

void test('simulateRouting over real conversations: the baseline reproduces the recorded assignments; a proposal with more slots per agent lowers the waits', async () => {
  const th = await startTestHub();
  try {
    const gql = th.gql;
    const { token: admin, workspaceId } = await signUp(gql, 'sim-live');
    const dept = ok(await gql('mutation { createDepartment(name: "Sales") { id } }', {}, admin)).createDepartment.id as string;
    const otherDept = ok(await gql('mutation { createDepartment(name: "Support") { id } }', {}, admin)).createDepartment.id as string;
    const group = ok(await gql('mutation($d: ID!) { createSkillGroup(name: "Presales", departmentId: $d) { id } }', { d: dept }, admin)).createSkillGroup.id as string;
    const user = async (name: string, roles: string, departmentId: string, cap = 3) => {
      const id = ok(await gql(`mutation($e: String!, $d: ID!, $c: Int) { createUser(email: $e, name: "${name}", password: "agent password 1", roles: [${roles}], departmentId: $d, maxConcurrentChats: $c) { id } }`, { e: `${name}@sim-live.test`, d: departmentId, c: cap }, admin)).createUser.id as string;
      const token = ok(await gql('mutation($e: String!) { login(workspace: "sim-live", email: $e, password: "agent password 1") { token } }', { e: `${name}@sim-live.test` })).login.token as string;
      return { id, token };
    };
    const agent = await user('agent', 'agent', dept, 3);
    const supervisor = await user('boss', 'supervisor', dept);
    const outsider = await user('other', 'supervisor', otherDept);
    ok(await gql('mutation($u: ID!, $g: ID!) { updateAgentProfile(userId: $u, skills: [{ skillGroupId: $g, level: 2 }]) { id } }', { u: agent.id, g: group }, admin));
    // Recorded with one chat per agent in the group (the agent could hold 3).
    ok(await gql('mutation($g: ID!) { updateSkillGroupRouting(id: $g, policy: { maxChatsPerAgent: 1 }) { id } }', { g: group }, admin));
    const flows = ok(await gql('{ flows { id versions { id definition } } }', {}, admin)).flows;
    const def = structuredClone(flows[0].versions[0].definition);
    // Straight to the queue: no bot.
    def.nodes = def.nodes.filter((n: any) => n.type !== 'bot');
    def.nodes.find((n: any) => n.type === 'working_hours').next.open = 'queue';
    Object.assign(def.nodes.find((n: any) => n.type === 'queue').config, { skillGroupId: group, timeoutSec: 5 });
    const v = ok(await gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, admin)).saveFlowVersion;
    ok(await gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, admin));
    const channel = ok(await gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel;

    const from = new Date();
    ok(await gql('mutation { setMyStatus(status: online) { status } }', {}, agent.token));
    const status = async (id: string) => ok(await gql('query($id: ID!) { conversation(id: $id) { status } }', { id }, admin)).conversation.status as string;
    const start = async () => {
      const visitor = ok(await gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token as string;
      const id = ok(await gql('mutation { startConversation { id } }', {}, visitor)).startConversation.id as string;
      await waitFor(async () => ['queued', 'assigned'].includes(await status(id)), `conversation ${id} queued`);
      return id;
    };
    const close = async (id: string) => {
      ok(await gql('mutation($c: ID!) { closeConversation(conversationId: $c) { status } }', { c: id }, agent.token));
      await waitFor(async () => (await status(id)) !== 'assigned', `conversation ${id} closed`);
    };
    const assigned = (id: string) => waitFor(async () => (await status(id)) === 'assigned', `conversation ${id} assigned`);

    // c1 is served at once; c2 and c3 wait for the agent's one slot; c4 waits longer than the 5 s queue timeout.
    const c1 = await start();
    await assigned(c1);
    const c2 = await start();
    const c3 = await start();
    await sleep(1000);
    await close(c1);
    await assigned(c2);
    await sleep(800);
    await close(c2);
    await assigned(c3);
    const c4 = await start();
    await waitFor(async () => (await status(c4)) === 'offline', 'c4 timed out to the offline message', 15_000);
    // Well after c4 gave up: the simulation (which assigns without the live reaction time) agrees.
    await sleep(4000);
    await close(c3);
    const to = new Date(Date.now() + 1000);

    // What really happened: three assignments, one timeout.
    const rows = await th.hub.services.orm.em.fork().getConnection().execute<{ id: string; q: Date; assigned: Date | null }[]>(
      `select c.id, c.first_queued_at as q, (select min(d.decided_at) from routing_decision d where d.workspace_id = c.workspace_id and d.conversation_id = c.id and d.kind = 'assigned') as assigned
         from conversation c where c.workspace_id = ? and c.first_queued_at is not null`, [workspaceId],
    );
    const recordedWaits = rows.filter((r) => r.assigned).map((r) => (new Date(r.assigned!).getTime() - new Date(r.q).getTime()) / 1000).sort((a, b) => a - b);
    assert.equal(rows.length, 4);
    assert.equal(recordedWaits.length, 3);

    const sim = ok(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: { [group]: { maxChatsPerAgent: 3 } } }, admin)).simulateRouting;
    assert.equal(sim.arrivals, 4);
    assert.equal(sim.baseline.assigned, 3, 'the baseline reproduces the recorded assignment count');
    assert.deepEqual(sim.baseline.abandoned, { total: 1, timeout: 1, full: 0, closed: 0, overflowExhausted: 0, left: 0 });
    // The simulator assigns the instant a slot frees; live routing takes a moment each time (seconds on
    // a loaded machine: the close goes through the workflow before the slot is released), so the
    // replayed waits are shorter, never longer. How much shorter depends on the load, so only the
    // direction is checked here; the pure tests check exact waits.
    assert.ok(sim.baseline.wait.max > 0 && sim.baseline.wait.max <= recordedWaits[2]! + 0.05, `baseline longest wait ${sim.baseline.wait.max} s vs recorded ${recordedWaits[2]} s`);
    assert.ok(sim.baseline.wait.p90 > 0);
    const [groupReport] = sim.baseline.groups;
    assert.deepEqual([groupReport.skillGroupId, groupReport.arrivals, groupReport.assignedHere], [group, 4, 3]);
    const agentReport = sim.baseline.agents.find((a: any) => a.agentId === agent.id);
    assert.deepEqual([agentReport.chats, agentReport.maxConcurrent], [3, 1]);
    assert.ok(agentReport.utilisation > 0 && agentReport.utilisation <= 1 / 3 + 1e-9, `utilisation ${agentReport.utilisation} (1 of 3 slots at most)`);

    // Three slots per agent: nobody waits and c4 is served.
    assert.equal(sim.proposed.assigned, 4);
    assert.equal(sim.proposed.abandoned.total, 0);
    assert.ok(sim.proposed.wait.p50 <= sim.baseline.wait.p50 && sim.proposed.wait.p90 < sim.baseline.wait.p90 && sim.proposed.wait.max < sim.baseline.wait.max,
      `proposed ${JSON.stringify(sim.proposed.wait)} vs baseline ${JSON.stringify(sim.baseline.wait)}`);
    assert.ok(sim.proposed.agents.find((a: any) => a.agentId === agent.id).maxConcurrent > 1);
    // Nothing was published: the group keeps its policy.
    const stored = ok(await gql('query($g: ID!) { skillGroup(id: $g) { routingPolicy } }', { g: group }, admin)).skillGroup.routingPolicy;
    assert.equal(stored.maxChatsPerAgent, 1);

    // Bad input: typed errors, nothing run.
    const bad = await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: { [group]: { maxChatsPerAgent: 0, strategy: { name: 'no_such_strategy' } } } }, admin);
    assert.equal(code(bad), 'BAD_USER_INPUT');
    const issues = (bad.errors![0]!.extensions as any).details.issues as { path: string }[];
    assert.ok(issues.some((i) => i.path === `${group}.maxChatsPerAgent`), JSON.stringify(issues));
    assert.equal(code(await gql(SIMULATE, { from: from.toISOString(), to: new Date(from.getTime() + 8 * 86_400_000).toISOString(), p: {} }, admin)), 'BAD_USER_INPUT', 'more than 7 days');
    assert.equal(code(await gql(SIMULATE, { from: to.toISOString(), to: from.toISOString(), p: {} }, admin)), 'BAD_USER_INPUT', 'ends before it starts');
    assert.equal(code(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: { '00000000-0000-4000-8000-000000000000': {} } }, admin)), 'NOT_FOUND');
    assert.equal(code(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: {} }, agent.token)), 'FORBIDDEN', 'agents cannot simulate');

    // Supervisors: their departments' groups and members only.
    const mine = ok(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: { [group]: { maxChatsPerAgent: 2 } } }, supervisor.token)).simulateRouting;
    assert.equal(mine.arrivals, 4);
    assert.deepEqual(mine.baseline.agents.map((a: any) => a.agentId).sort(), [agent.id, supervisor.id].sort());
    assert.equal(code(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: { [group]: {} } }, outsider.token)), 'NOT_FOUND');
    const theirs = ok(await gql(SIMULATE, { from: from.toISOString(), to: to.toISOString(), p: {} }, outsider.token)).simulateRouting;
    assert.deepEqual([theirs.arrivals, theirs.baseline.groups, theirs.baseline.agents.map((a: any) => a.agentId)], [0, [], [outsider.id]]);
  } finally {
    await th.close();
  }
});
