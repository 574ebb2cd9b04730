import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/mysql';
import { ensureDatabase, initOrm, migrateUp, workspaceEm } from '../core/db/orm.ts';
import { AgentProfile, AgentSkill, Conversation, type ConversationStatus } from '../core/db/entities/index.ts';
import { RoutingService, type Assignment, type PositionUpdate, type RoutingLogger, type RoutingTimings } from '../core/routing/routing.ts';
import { abridgeDecision } from '../core/routing/policy.ts';
import { testConfig, dropDatabase, waitFor } from './helpers/hub.ts';

// Real Redis and MariaDB; a key prefix and a database of this file's own.
const config = testConfig();
const PREFIX = `kefu-test:${config.KEFU_NAMESPACE}`;
let orm: MikroORM;
let redis: Redis;

before(async () => {
  await ensureDatabase(config.KEFU_DB_URL);
  orm = await initOrm({ dbUrl: config.KEFU_DB_URL, silent: true });
  await migrateUp(orm);
  redis = new Redis(config.KEFU_REDIS_URL);
});

after(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  await orm.close(true);
  await dropDatabase(config.dbName);
});

const warnings: string[] = [];
const logger: RoutingLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...a: unknown[]) => { warnings.push(a.map(String).join(' ')); if (process.env.KEFU_TEST_VERBOSE) console.warn(...a); },
  error: (...a: unknown[]) => { warnings.push(a.map(String).join(' ')); console.error(...a); },
};

interface NodeOpts {
  onAssigned?: (a: Assignment) => Promise<void>;
  onPositions?: (u: PositionUpdate[]) => void;
  timings?: Partial<RoutingTimings>;
}

/** One routing "node": its own RoutingService and Redis connection, closed after the test. */
function node(t: TestContext, opts: NodeOpts = {}): { svc: RoutingService; assigned: Assignment[] } {
  const assigned: Assignment[] = [];
  const svc = new RoutingService({
    redisUrl: config.KEFU_REDIS_URL, prefix: PREFIX, orm, logger,
    onAssigned: opts.onAssigned ?? (async (a) => { assigned.push(a); }),
    ...(opts.onPositions ? { onPositions: opts.onPositions } : {}),
    ...(opts.timings ? { timings: opts.timings } : {}),
  });
  t.after(() => svc.close());
  return { svc, assigned };
}

const newWs = (): string => randomUUID();
/** Random (v4) ids: their lexicographic order says nothing about creation order. */
const newConv = (): string => randomUUID();
const agentLoad = async (svc: RoutingService, ws: string, agentId: string) => Number(await redis.hget(svc.keys.agent(ws, agentId), 'load'));

void test('queues are FIFO by enqueue time, and re-enqueueing keeps the original place', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const agent = randomUUID();
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'offline', capacity: 1, skillGroupIds: [] });
  const convs = Array.from({ length: 20 }, newConv);
  // Sent back to back (many land in the same millisecond): order of arrival still decides.
  const results = await Promise.all(convs.map((c) => svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: null })));
  assert.deepEqual(results.map((r) => (r.ok ? r.position : -1)), convs.map((_, i) => i + 1));
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: convs[3]!, skillGroupId: null }), { ok: true, position: 4 });
  assert.equal(await svc.position({ workspaceId: ws, conversationId: convs[7]! }), 8);

  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  for (let i = 1; i < convs.length; i++) {
    await svc.settled();
    assert.equal(assigned.length, i);
    await svc.release({ workspaceId: ws, agentId: agent });
  }
  await svc.settled();
  assert.deepEqual(assigned.map((a) => a.conversationId), convs);
  assert.ok(assigned.every((a) => a.agentId === agent && a.skillGroupId === null && a.workspaceId === ws));
  assert.equal(await svc.position({ workspaceId: ws, conversationId: convs[19]! }), null);
});

void test('capacity is never exceeded; raising it assigns more', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const group = randomUUID();
  const [a, b] = [randomUUID(), randomUUID()];
  for (const id of [a, b]) await svc.setAgentState({ workspaceId: ws, agentId: id, status: 'online', capacity: 2, skillGroupIds: [group] });
  const convs = Array.from({ length: 6 }, newConv);
  for (const c of convs) await svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: group });
  await svc.settled();
  assert.equal(assigned.length, 4);
  assert.deepEqual([await agentLoad(svc, ws, a), await agentLoad(svc, ws, b)], [2, 2]);
  assert.equal(await svc.position({ workspaceId: ws, conversationId: convs[4]! }), 1);
  assert.deepEqual(await svc.tryAssign(ws, group), []);

  await svc.setAgentState({ workspaceId: ws, agentId: a, status: 'online', capacity: 3, skillGroupIds: [group] });
  await svc.settled();
  assert.equal(assigned.length, 5);
  assert.equal(assigned[4]!.agentId, a);
  assert.equal(await agentLoad(svc, ws, a), 3);
  const stats = await svc.stats(ws);
  assert.deepEqual(stats.queues.map((q) => [q.skillGroupId, q.length]), [[group, 1]]);
  assert.deepEqual(stats.workspaces[0]!.agents, { online: 2, busy: 0, away: 0, offline: 0 });
  assert.equal(stats.workspaces[0]!.onlineCapacity, 5);
  assert.equal(stats.workspaces[0]!.onlineLoad, 5);
});

void test('the least-loaded online agent gets the next conversation (ties: longest idle)', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const group = randomUUID();
  const [a, b] = [randomUUID(), randomUUID()];
  await svc.setAgentState({ workspaceId: ws, agentId: a, status: 'online', capacity: 3, skillGroupIds: [group] });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: a }), true);
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: a }), true);
  await sleep(5);
  await svc.setAgentState({ workspaceId: ws, agentId: b, status: 'online', capacity: 3, skillGroupIds: [group] });
  for (let i = 0; i < 4; i++) {
    await svc.enqueue({ workspaceId: ws, conversationId: newConv(), skillGroupId: group });
    await svc.settled();
    await sleep(5);
  }
  // a: 2, b: 0 → b (1) → b (2) → tie 2/2: a was assigned longer ago → a (3) → b (3).
  assert.deepEqual(assigned.map((x) => x.agentId), [b, b, a, b]);

  // Equal loads and never assigned: the agent online longest goes first.
  const ws2 = newWs();
  const [c, d] = [randomUUID(), randomUUID()];
  await svc.setAgentState({ workspaceId: ws2, agentId: c, status: 'online', capacity: 2, skillGroupIds: [] });
  await sleep(5);
  await svc.setAgentState({ workspaceId: ws2, agentId: d, status: 'online', capacity: 2, skillGroupIds: [] });
  for (let i = 0; i < 4; i++) {
    await svc.enqueue({ workspaceId: ws2, conversationId: newConv(), skillGroupId: null });
    await svc.settled();
    await sleep(5);
  }
  assert.deepEqual(assigned.slice(4).map((x) => x.agentId), [c, d, c, d]);
});

void test('away, busy and offline agents get nothing new but keep their chats', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const agents = { away: randomUUID(), busy: randomUUID(), offline: randomUUID() } as const;
  for (const [status, id] of Object.entries(agents) as ['away' | 'busy' | 'offline', string][]) {
    await svc.setAgentState({ workspaceId: ws, agentId: id, status: 'online', capacity: 3, skillGroupIds: [] });
    assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: id }), true);
    await svc.setAgentState({ workspaceId: ws, agentId: id, status, capacity: 3, skillGroupIds: [] });
  }
  const convs = [newConv(), newConv()];
  for (const c of convs) assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: null }), { ok: true, position: convs.indexOf(c) + 1 });
  await svc.tryAssign(ws, null);
  await svc.settled();
  assert.equal(assigned.length, 0);
  for (const id of Object.values(agents)) assert.equal(await agentLoad(svc, ws, id), 1);
  const stats = await svc.stats(ws);
  assert.deepEqual(stats.workspaces[0]!.agents, { online: 0, busy: 1, away: 1, offline: 1 });
  assert.equal(stats.workspaces[0]!.load, 3);

  await svc.release({ workspaceId: ws, agentId: agents.away });
  await svc.settled();
  assert.equal(assigned.length, 0);
  assert.equal(await agentLoad(svc, ws, agents.away), 0);

  await svc.setAgentState({ workspaceId: ws, agentId: agents.busy, status: 'online', capacity: 3, skillGroupIds: [] });
  await svc.settled();
  assert.deepEqual(assigned.map((a) => [a.conversationId, a.agentId]), convs.map((c) => [c, agents.busy]));
  assert.equal(await agentLoad(svc, ws, agents.busy), 3);
});

void test('release frees one slot (never below 0) and assigns the next in line', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const agent = randomUUID();
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  const [c1, c2] = [newConv(), newConv()];
  await svc.enqueue({ workspaceId: ws, conversationId: c1, skillGroupId: null });
  await svc.enqueue({ workspaceId: ws, conversationId: c2, skillGroupId: null });
  await svc.settled();
  assert.deepEqual(assigned.map((a) => a.conversationId), [c1]);
  await svc.release({ workspaceId: ws, agentId: agent });
  await svc.settled();
  assert.deepEqual(assigned.map((a) => a.conversationId), [c1, c2]);
  assert.equal(await agentLoad(svc, ws, agent), 1);
  for (let i = 0; i < 3; i++) await svc.release({ workspaceId: ws, agentId: agent });
  assert.equal(await agentLoad(svc, ws, agent), 0);
  await svc.release({ workspaceId: ws, agentId: randomUUID() }); // unknown agent: no-op
  const c3 = newConv();
  await svc.enqueue({ workspaceId: ws, conversationId: c3, skillGroupId: null });
  await svc.settled();
  assert.equal(assigned.at(-1)!.conversationId, c3);
  assert.equal(await agentLoad(svc, ws, agent), 1);
});

void test('dequeue racing assignment on other nodes: exactly one wins for every conversation', async (t) => {
  const n1 = node(t);
  const n2 = node(t);
  const n3 = node(t);
  let mixedRounds = 0;
  // Rounds until both sides have won some (the interleaving is up to Redis; usually the first round).
  for (let round = 0; round < 5 && mixedRounds === 0; round++) {
    const ws = newWs();
    const group = randomUUID();
    const agent = randomUUID();
    n1.assigned.length = n3.assigned.length = 0;
    await n1.svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'offline', capacity: 100, skillGroupIds: [group] });
    const convs = Array.from({ length: 200 }, newConv);
    for (const c of convs) await n1.svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: group });
    const shuffled = [...convs].sort(() => Math.random() - 0.5);
    const dequeued: (readonly [string, boolean])[] = [];
    await Promise.all([
      n1.svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 100, skillGroupIds: [group] }),
      n3.svc.tryAssign(ws, group),
      (async () => {
        for (const c of shuffled) dequeued.push([c, await n2.svc.dequeue({ workspaceId: ws, conversationId: c, skillGroupId: group })]);
      })(),
    ]);
    await Promise.all([n1.svc.settled(), n3.svc.settled()]);
    const assigned = [...n1.assigned, ...n3.assigned].map((a) => a.conversationId);
    const assignedSet = new Set(assigned);
    assert.equal(assignedSet.size, assigned.length, 'a conversation was assigned twice');
    for (const [c, left] of dequeued) assert.equal(left, !assignedSet.has(c), `conversation ${c}: dequeued=${left} assigned=${assignedSet.has(c)}`);
    assert.equal(dequeued.length, 200);
    assert.ok(assigned.length <= 100);
    assert.equal(await agentLoad(n1.svc, ws, agent), assigned.length);
    assert.equal((await n1.svc.stats(ws)).queues.length, 0);
    assert.equal(await n1.svc.dequeue({ workspaceId: ws, conversationId: convs[0]!, skillGroupId: group }), false);
    const won = dequeued.filter(([, l]) => l).length;
    // Interleaved: a conversation left the queue ahead of one the assigners reached later.
    const lastAssigned = Math.max(-1, ...assigned.map((c) => convs.indexOf(c)));
    const skipped = dequeued.filter(([c, l]) => l && convs.indexOf(c) < lastAssigned).length;
    t.diagnostic(`round ${round}: assigned ${assigned.length}, dequeued ${won} (${skipped} of them ahead of an assigned one)`);
    if (skipped > 0 && assigned.length > 0) mixedRounds++;
  }
  assert.ok(mixedRounds > 0, 'dequeue and assignment never actually raced');
});

void test('maxQueueLength: a full queue refuses newcomers, not conversations already waiting', async (t) => {
  const { svc } = node(t);
  const ws = newWs();
  const convs = Array.from({ length: 4 }, newConv);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: convs[i]!, skillGroupId: null, maxQueueLength: 3 }), { ok: true, position: i + 1 });
  }
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: convs[3]!, skillGroupId: null, maxQueueLength: 3 }), { ok: false, reason: 'full' });
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: convs[1]!, skillGroupId: null, maxQueueLength: 3 }), { ok: true, position: 2 });
  assert.equal(await svc.position({ workspaceId: ws, conversationId: convs[3]! }), null);
  assert.equal(await svc.dequeue({ workspaceId: ws, conversationId: convs[0]!, skillGroupId: null }), true);
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: convs[3]!, skillGroupId: null, maxQueueLength: 3 }), { ok: true, position: 3 });
  // Another skill group has its own limit.
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: newConv(), skillGroupId: randomUUID(), maxQueueLength: 1 }), { ok: true, position: 1 });
  assert.deepEqual(await svc.enqueue({ workspaceId: ws, conversationId: newConv(), skillGroupId: null, maxQueueLength: 0 }), { ok: false, reason: 'full' });
});

void test('assignDirect (transfer) refuses an offline, away or full agent and takes a free slot atomically', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const agent = randomUUID();
  const conv = newConv();
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent }), false); // unknown
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'offline', capacity: 1, skillGroupIds: [] });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent }), false);
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'away', capacity: 1, skillGroupIds: [] });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent }), false);
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  // Ten transfers to the one free slot at once: exactly one succeeds.
  const results = await Promise.all(Array.from({ length: 10 }, () => svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: agent })));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await agentLoad(svc, ws, agent), 1);
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent }), false); // full
  // A conversation still waiting (in a group the agent is not in) leaves its queue when transferred.
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 2, skillGroupIds: [] });
  const waiting = newConv();
  await svc.enqueue({ workspaceId: ws, conversationId: waiting, skillGroupId: randomUUID() });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: waiting, agentId: agent }), true);
  assert.equal(await svc.position({ workspaceId: ws, conversationId: waiting }), null);
  assert.equal(await agentLoad(svc, ws, agent), 2);
  assert.equal(assigned.length, 0);
});

void test('a keyed assignDirect is idempotent: a retried transfer takes no second slot; another key does', async (t) => {
  const { svc } = node(t);
  const ws = newWs();
  const agent = randomUUID();
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 3, skillGroupIds: [] });
  const conv = newConv();
  const key = `transfer:${randomUUID()}`;
  // The first attempt takes the slot and "dies" before its database write; the retry gets true again.
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent, key }), true);
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent, key }), true);
  assert.equal(await agentLoad(svc, ws, agent), 1, 'one slot for one transfer, however often it is retried');
  // Even once the agent is full or away, the retry of a slot already taken succeeds (it holds it).
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'away', capacity: 3, skillGroupIds: [] });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: agent, key }), true);
  assert.equal(await agentLoad(svc, ws, agent), 1);
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 3, skillGroupIds: [] });
  // Another transfer (another key) takes its own slot; the same key for another agent does not match.
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: agent, key: `transfer:${randomUUID()}` }), true);
  assert.equal(await agentLoad(svc, ws, agent), 2);
  const other = randomUUID();
  await svc.setAgentState({ workspaceId: ws, agentId: other, status: 'online', capacity: 1, skillGroupIds: [] });
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: conv, agentId: other, key }), true);
  assert.equal(await agentLoad(svc, ws, other), 1);
});

void test('a pending assignment survives a failing onAssigned: the sweep retries until exactly one success', async (t) => {
  let calls = 0;
  const delivered: Assignment[] = [];
  const { svc } = node(t, {
    timings: { sweepMs: 100, pendingRetryMs: 300 },
    onAssigned: async (a) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      delivered.push(a);
    },
  });
  svc.start();
  const ws = newWs();
  const agent = randomUUID();
  const conv = newConv();
  await svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  await svc.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: null });
  await svc.settled();
  assert.equal(calls, 1);
  assert.equal((await svc.stats(ws)).pendingAssignments, 1);
  await waitFor(async () => delivered.length === 1, 'the retried delivery', 5000, 20);
  await sleep(700);
  assert.equal(calls, 2);
  // Retried by the node that decided: the full decision, not the abridged copy kept in Redis.
  assert.equal(delivered[0]!.decision?.abridged, undefined);
  assert.deepEqual(delivered[0]!.decision?.candidates.map((c) => c.agentId), [agent]);
  assert.equal(delivered.length, 1);
  assert.deepEqual([delivered[0]!.conversationId, delivered[0]!.agentId], [conv, agent]);
  assert.equal((await svc.stats(ws)).pendingAssignments, 0);
  assert.equal(await agentLoad(svc, ws, agent), 1);
});

void test('a node crashing between Redis and onAssigned loses nobody: another node delivers the same assignment', async (t) => {
  const attempted: Assignment[] = [];
  const crashing = node(t, {
    timings: { closeGraceMs: 0 },
    onAssigned: (a) => { attempted.push(a); return new Promise<void>(() => undefined); }, // never completes
  });
  const ws = newWs();
  const agent = randomUUID();
  const conv = newConv();
  await crashing.svc.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 2, skillGroupIds: [] });
  await crashing.svc.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: null });
  assert.equal(attempted.length, 1);
  await crashing.svc.close(); // the node dies with the delivery in flight

  const survivor = node(t, { timings: { sweepMs: 100, pendingRetryMs: 300 } });
  survivor.svc.start();
  await waitFor(async () => survivor.assigned.length === 1, 'redelivery by the surviving node', 5000, 20);
  await sleep(500);
  assert.equal(survivor.assigned.length, 1);
  // Same agent, same assignedAt: idempotent for onAssigned. The decision is the abridged copy kept in
  // Redis (the full one died with the node): the choice and its reason, the chosen candidate only.
  const { decision: redelivered, ...same } = survivor.assigned[0]!;
  const { decision: original, ...first } = attempted[0]!;
  assert.deepEqual(same, first);
  assert.deepEqual(redelivered, abridgeDecision(original!));
  assert.equal(redelivered.abridged, true);
  assert.deepEqual(redelivered.candidates.map((c) => c.agentId), [agent]);
  assert.equal((await survivor.svc.stats(ws)).pendingAssignments, 0);
  assert.equal(await agentLoad(survivor.svc, ws, agent), 1);
});

void test('queue positions are pushed when they change, once across nodes', async (t) => {
  const pushed: PositionUpdate[] = [];
  const timings = { positionsMs: 150, sweepMs: 100 };
  const n1 = node(t, { timings, onPositions: (u) => pushed.push(...u) });
  const n2 = node(t, { timings, onPositions: (u) => pushed.push(...u) });
  const ws = newWs();
  const group = randomUUID();
  const convs = Array.from({ length: 4 }, newConv);
  for (const c of convs) await n1.svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: group });
  n1.svc.start();
  n2.svc.start();
  await sleep(400);
  assert.equal(pushed.filter((u) => u.workspaceId === ws).length, 0); // positions given at enqueue have not changed
  await n2.svc.dequeue({ workspaceId: ws, conversationId: convs[1]!, skillGroupId: group });
  await waitFor(async () => pushed.filter((u) => u.workspaceId === ws).length >= 2, 'position updates', 3000, 20);
  await sleep(500);
  const mine = pushed.filter((u) => u.workspaceId === ws).sort((a, b) => a.position - b.position);
  assert.deepEqual(mine, [
    { workspaceId: ws, conversationId: convs[2]!, position: 2, skillGroupId: group, estimatedWaitSec: null }, // nobody served yet: no estimate
    { workspaceId: ws, conversationId: convs[3]!, position: 3, skillGroupId: group, estimatedWaitSec: null },
  ]);
});

void test('reconcile makes Redis loads and agents follow the database (drift, Redis restart)', async (t) => {
  const ws = newWs();
  const group = randomUUID();
  const [x, y] = [randomUUID(), randomUUID()];
  const em = workspaceEm(orm, ws);
  const px = em.create(AgentProfile, { workspaceId: ws, userId: x, status: 'online', maxConcurrentChats: 4 });
  em.create(AgentProfile, { workspaceId: ws, userId: y, status: 'offline', maxConcurrentChats: 2 });
  em.create(AgentSkill, { workspaceId: ws, agentProfileId: px.id, skillGroupId: group });
  const conv = (status: ConversationStatus, assigneeId: string | null) =>
    em.create(Conversation, { workspaceId: ws, channelId: randomUUID(), customerId: randomUUID(), status, assigneeId, skillGroupId: group, trail: [] }).id;
  conv('assigned', x);
  conv('assigned', x);
  conv('assigned', y);
  conv('ended', x);
  const [q1, q2, q3] = [conv('queued', null), conv('queued', null), conv('queued', null)];
  await em.flush();

  // onAssigned persists like the hub's will; q2's delivery keeps failing (stays pending in Redis).
  const { svc, assigned } = node(t, {
    onAssigned: async (a) => {
      if (a.conversationId === q2) throw new Error('workflow unreachable');
      await workspaceEm(orm, a.workspaceId).nativeUpdate(Conversation, { id: a.conversationId }, { status: 'assigned', assigneeId: a.agentId });
      assigned.push(a);
    },
  });

  const [r] = await svc.reconcile(ws);
  assert.deepEqual(r, { workspaceId: ws, agents: 2, unsettled: [] });
  assert.equal(await agentLoad(svc, ws, x), 2);
  assert.equal(await agentLoad(svc, ws, y), 1);
  let s = (await svc.stats(ws)).workspaces[0]!;
  assert.deepEqual([s.agents.online, s.agents.offline, s.onlineCapacity, s.onlineLoad, s.load], [1, 1, 4, 2, 3]);

  for (const c of [q1, q2, q3]) await svc.enqueue({ workspaceId: ws, conversationId: c, skillGroupId: group });
  await svc.settled();
  assert.deepEqual(assigned.map((a) => a.conversationId), [q1]);
  assert.equal(await svc.position({ workspaceId: ws, conversationId: q3 }), 1);
  assert.equal((await svc.stats(ws)).pendingAssignments, 1);

  // Drift: loads wrong in Redis. Reconcile counts the database (a1, a2, q1) and the pending q2.
  await redis.hset(svc.keys.agent(ws, x), 'load', 0);
  await redis.hset(svc.keys.agent(ws, y), 'load', 5);
  await svc.reconcile(ws);
  assert.equal(await agentLoad(svc, ws, x), 4);
  assert.equal(await agentLoad(svc, ws, y), 1);
  assert.deepEqual(assigned.map((a) => a.conversationId), [q1]); // still full: q3 waits

  await svc.release({ workspaceId: ws, agentId: x });
  await svc.settled();
  assert.deepEqual(assigned.map((a) => a.conversationId), [q1, q3]);

  // Redis restart: everything about the workspace is gone. Agents come back from their profiles with
  // their database load (a1, a2, q1, q3; q2 was never persisted) and are routable again.
  const keys = await redis.keys(`${svc.keys.ws(ws)}:*`);
  await redis.del(...keys);
  await redis.zrem(svc.keys.due, `${ws}|${q2}`);
  await redis.srem(svc.keys.workspaces, ws);
  const all = await svc.reconcile();
  assert.ok(all.some((res) => res.workspaceId === ws && res.agents === 2));
  assert.equal(await agentLoad(svc, ws, x), 4);
  assert.equal(await agentLoad(svc, ws, y), 1);
  s = (await svc.stats(ws)).workspaces[0]!;
  assert.deepEqual([s.agents.online, s.agents.offline, s.onlineCapacity], [1, 1, 4]);
  await svc.release({ workspaceId: ws, agentId: x });
  const q4 = conv('queued', null);
  await em.flush();
  await svc.enqueue({ workspaceId: ws, conversationId: q4, skillGroupId: group });
  await svc.settled();
  assert.deepEqual(assigned.at(-1), { ...assigned.at(-1)!, conversationId: q4, agentId: x, skillGroupId: group });
});

void test('three nodes, 500 conversations, 20 agents × 3 slots, random releases: no double assignment, no overload, nobody lost', async (t) => {
  const ws = newWs();
  const [g1, g2] = [randomUUID(), randomUUID()];
  const agents = Array.from({ length: 20 }, () => randomUUID());
  const groupsOf = (i: number) => [i < 10 ? g1 : g2];
  const CAPACITY = 3;
  const successes = new Map<string, number>();
  const held = new Map<string, number>();
  const left = new Set<string>();
  const violations: string[] = [];
  const background: Promise<unknown>[] = [];
  const failedOnce = new Set<string>();
  let maxHeld = 0;
  let maxRedisLoad = 0;
  let positionPushes = 0;
  const checker = new Redis(config.KEFU_REDIS_URL);
  t.after(() => checker.quit());

  const nodes: RoutingService[] = [];
  const perNode = [0, 0, 0];
  const onAssigned = (nodeIndex: number) => async (a: Assignment) => {
    if (Math.random() < 0.03 && !failedOnce.has(a.conversationId)) {
      failedOnce.add(a.conversationId);
      throw new Error('flaky persistence');
    }
    await sleep(Math.random() * 5);
    const n = (successes.get(a.conversationId) ?? 0) + 1;
    successes.set(a.conversationId, n);
    perNode[nodeIndex]!++;
    if (n > 1) violations.push(`double assignment of ${a.conversationId}`);
    if (left.has(a.conversationId)) violations.push(`assigned after leaving the queue: ${a.conversationId}`);
    const h = (held.get(a.agentId) ?? 0) + 1;
    held.set(a.agentId, h);
    maxHeld = Math.max(maxHeld, h);
    const pipe = checker.pipeline();
    for (const id of agents) pipe.hget(nodes[0]!.keys.agent(ws, id), 'load');
    for (const [, v] of (await pipe.exec()) ?? []) maxRedisLoad = Math.max(maxRedisLoad, Number(v));
    background.push((async () => {
      await sleep(2 + Math.random() * 30);
      held.set(a.agentId, held.get(a.agentId)! - 1);
      await nodes[Math.floor(Math.random() * 3)]!.release({ workspaceId: ws, agentId: a.agentId });
    })().catch((err: unknown) => violations.push(`release failed: ${String(err)}`)));
  };
  for (let i = 0; i < 3; i++) {
    const { svc } = node(t, {
      onAssigned: onAssigned(i),
      onPositions: (u) => { positionPushes += u.length; },
      timings: { sweepMs: 200, pendingRetryMs: 1000, positionsMs: 300, closeGraceMs: 2000 },
    });
    nodes.push(svc);
    svc.start();
  }
  const nodeFor = (i: number) => nodes[i % 3]!;

  // Agents start offline; they come online (some flapping away and back) while customers arrive.
  for (const [i, id] of agents.entries()) {
    await nodeFor(i).setAgentState({ workspaceId: ws, agentId: id, status: 'offline', capacity: CAPACITY, skillGroupIds: groupsOf(i) });
  }
  const agentChurn = (async () => {
    for (const [i, id] of agents.entries()) {
      await sleep(10);
      await nodeFor(i + 1).setAgentState({ workspaceId: ws, agentId: id, status: 'online', capacity: CAPACITY, skillGroupIds: groupsOf(i) });
    }
    for (let k = 0; k < 15; k++) {
      const i = Math.floor(Math.random() * agents.length);
      await nodeFor(k).setAgentState({ workspaceId: ws, agentId: agents[i]!, status: 'away', capacity: CAPACITY, skillGroupIds: groupsOf(i) });
      await sleep(20);
      await nodeFor(k + 2).setAgentState({ workspaceId: ws, agentId: agents[i]!, status: 'online', capacity: CAPACITY, skillGroupIds: groupsOf(i) });
    }
  })();

  const convs = Array.from({ length: 500 }, newConv);
  const leaving = new Set(convs.filter(() => Math.random() < 0.08));
  const dequeueResults: Promise<void>[] = [];
  for (let start = 0; start < convs.length; start += 50) {
    await Promise.all(convs.slice(start, start + 50).map(async (c, j) => {
      const i = start + j;
      const r = await nodeFor(i).enqueue({ workspaceId: ws, conversationId: c, skillGroupId: i % 3 === 0 ? null : i % 3 === 1 ? g1 : g2 });
      if (!r.ok) violations.push(`refused ${c}`);
      if (leaving.has(c)) {
        dequeueResults.push((async () => {
          await sleep(Math.random() * 100);
          if (await nodeFor(i + 1).dequeue({ workspaceId: ws, conversationId: c })) left.add(c);
        })());
      }
    }));
    await sleep(10);
  }
  await agentChurn;
  await Promise.all(dequeueResults);
  await waitFor(async () => convs.every((c) => left.has(c) || successes.get(c) === 1), 'every conversation assigned or gone', 20_000, 50);
  await sleep(300); // let any stray duplicate show up
  while (background.length) await Promise.all(background.splice(0));
  await Promise.all(nodes.map((n) => n.settled()));

  assert.deepEqual(violations, []);
  for (const c of convs) assert.equal(successes.get(c) ?? 0, left.has(c) ? 0 : 1, `conversation ${c}`);
  assert.ok(maxHeld <= CAPACITY, `an agent held ${maxHeld} chats`);
  assert.ok(maxRedisLoad <= CAPACITY, `Redis load reached ${maxRedisLoad}`);
  assert.ok(maxHeld === CAPACITY, 'the test should have filled agents');
  const stats = await nodes[0]!.stats(ws);
  assert.deepEqual(stats.queues, []);
  assert.equal(stats.pendingAssignments, 0);
  assert.equal(stats.workspaces[0]!.load, 0);
  assert.equal(stats.workspaces[0]!.agents.online, 20);
  assert.ok(perNode.every((n) => n > 0), `every node assigned some: ${perNode.join('/')}`);
  t.diagnostic(`assigned ${convs.length - left.size} (per node ${perNode.join('/')}), left ${left.size}, flaky deliveries retried ${failedOnce.size}, position updates ${positionPushes}`);
});

void test('the packed member states snapshots read follow every agent change, and a copy out of step is rebuilt', async (t) => {
  const { svc, assigned } = node(t);
  const ws = newWs();
  const [g1, g2] = [randomUUID(), randomUUID()];
  const [a, b] = [randomUUID(), randomUUID()];
  /** Each queue's packed copy must equal what the agent hashes say, member for member. */
  const expectInStep = async (what: string) => {
    for (const g of [g1, g2, '_']) {
      const members = g === '_' ? await redis.smembers(svc.keys.agents(ws)) : await redis.smembers(svc.keys.members(ws, g));
      const packed = await redis.hgetall(svc.keys.mstate(ws, g));
      const expected: Record<string, string> = {};
      for (const id of members) {
        const [status, capacity, load, idleSince, levels] = await redis.hmget(svc.keys.agent(ws, id), 'status', 'capacity', 'load', 'idleSince', 'levels');
        expected[id] = [id, status, capacity, load, idleSince, levels].join('|');
      }
      assert.deepEqual(packed, expected, `${what}: queue ${g}`);
    }
  };
  await svc.setAgentState({ workspaceId: ws, agentId: a, status: 'online', capacity: 2, skillGroupIds: [g1, g2], levels: { [g1]: 4 } });
  await svc.setAgentState({ workspaceId: ws, agentId: b, status: 'busy', capacity: 1, skillGroupIds: [g1] });
  await expectInStep('agents set up');
  const c1 = newConv();
  await svc.enqueue({ workspaceId: ws, conversationId: c1, skillGroupId: g2 });
  await svc.settled();
  assert.equal(assigned.length, 1);
  await expectInStep('after an assignment');
  await svc.release({ workspaceId: ws, agentId: a, key: `close:${c1}` });
  await expectInStep('after a release');
  assert.equal(await svc.assignDirect({ workspaceId: ws, conversationId: newConv(), agentId: a }), true);
  await expectInStep('after a direct assignment');
  await svc.setAgentState({ workspaceId: ws, agentId: a, status: 'online', capacity: 3, skillGroupIds: [g1] }); // leaves g2
  await expectInStep('after leaving a group');
  assert.equal(await redis.hexists(svc.keys.mstate(ws, g2), a), 0);

  // A copy out of step with the member set (here: an entry lost) is rebuilt by the next snapshot, and
  // the assignment it feeds is right: b (busy) is skipped, a gets the chat.
  await redis.hdel(svc.keys.mstate(ws, g1), a);
  const c2 = newConv();
  await svc.enqueue({ workspaceId: ws, conversationId: c2, skillGroupId: g1 });
  await svc.settled();
  assert.equal(assigned.at(-1)!.conversationId, c2);
  assert.equal(assigned.at(-1)!.agentId, a);
  await expectInStep('after the rebuild');
  // Reconcile drops every copy; the next snapshot rebuilds them.
  await svc.reconcile(ws);
  assert.equal(await redis.exists(svc.keys.mstate(ws, g1)), 0);
});
