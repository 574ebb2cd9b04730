/**
 * The routing policy's pure decision logic (core/routing/policy.ts) and the routing-rules plugin's
 * priority rules and strategies — no services: the same functions run live and in the simulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PriorityRuleInput } from '@kefu-hub/plugin-sdk';
import plugin from '../plugins/routing-rules/src/index.ts';
import { GroupRoutingPolicySchema, balancedStrategy, planAssignments, priorityOf, type MemberState, type QueuedEntry, type ResolvedStrategy } from '../core/routing/policy.ts';

const NOW = 1_800_000_000_000;
const facts = (over: Partial<PriorityRuleInput> = {}): PriorityRuleInput => ({
  customer: { id: 'c1', tags: [], attributes: {}, firstSeenAt: new Date(NOW - 30 * 86_400_000).toISOString() },
  conversation: { id: 'v1', channelId: 'ch', createdAt: new Date(NOW).toISOString() },
  skillGroupId: 'g', today: { visits: 1, failedQueues: 0 }, previousConversations: 3, ...over,
});
const rule = (name: keyof NonNullable<typeof plugin.priorityRules>, weight: number, config: Record<string, unknown> = {}) => ({
  name, weight, config: plugin.priorityRules![name]!.config.parse(config), rule: plugin.priorityRules![name]!,
});
const strat = (name: 'balanced' | 'returning_customer' | 'capability', config: Record<string, unknown> = {}): ResolvedStrategy =>
  name === 'balanced' ? { name, config: {}, strategy: balancedStrategy } : { name, config: plugin.strategies![name]!.config.parse(config), strategy: plugin.strategies![name]! };
const entry = (id: string, waitedSec: number, over: Partial<QueuedEntry['meta']> = {}): QueuedEntry => ({
  conversationId: id, score: NOW - waitedSec * 1000,
  meta: { customerId: `cust-${id}`, queuedAt: NOW - waitedSec * 1000, groupSince: NOW - waitedSec * 1000, advanceSec: 0, terms: [], lastAgentId: null, lastServedAt: null, ...over },
});
const agent = (agentId: string, over: Partial<MemberState> = {}): MemberState => ({ agentId, status: 'online', capacity: 3, load: 0, idleSince: NOW - 60_000, level: 1, ...over });

void test('priority rules: VIP tag, new customer, re-entry and repeat visits each add weight × points; nothing for an ordinary customer', () => {
  const rules = [rule('customer_tag', 60, { tags: { VIP: 10, gold: 5 } }), rule('new_customer', 30), rule('reentry_today', 10), rule('repeat_visits_today', 20)];
  assert.deepEqual(priorityOf(rules, facts()), { advanceSec: 0, terms: [] });
  const vip = priorityOf(rules, facts({ customer: { ...facts().customer, tags: ['gold', 'VIP'] } }));
  assert.equal(vip.advanceSec, 600);
  assert.deepEqual(vip.terms, [{ rule: 'customer_tag', points: 10, weight: 60, advanceSec: 600, reason: 'tag VIP' }]);
  const fresh = priorityOf(rules, facts({ previousConversations: 0, customer: { ...facts().customer, firstSeenAt: new Date(NOW - 3600_000).toISOString() } }));
  assert.equal(fresh.advanceSec, 5 * 30);
  const again = priorityOf(rules, facts({ today: { visits: 4, failedQueues: 2 } }));
  assert.deepEqual(again.terms.map((t) => [t.rule, t.points, t.advanceSec]), [['reentry_today', 10, 100], ['repeat_visits_today', 6, 120]]);
  assert.equal(again.advanceSec, 220);
  // Caps: repeat visits stop at `max` points.
  assert.equal(priorityOf([rule('repeat_visits_today', 1, { max: 4 })], facts({ today: { visits: 50, failedQueues: 0 } })).advanceSec, 4);
});

void test('a throwing priority rule counts 0 and says so; it never blocks the queue', () => {
  const broken = { name: 'broken', weight: 100, config: {}, rule: { label: { en: 'x', 'zh-CN': 'x' }, config: plugin.config, evaluate: () => { throw new Error('boom'); } } };
  const r = priorityOf([broken, rule('customer_tag', 60)], facts({ customer: { ...facts().customer, tags: ['VIP'] } }));
  assert.equal(r.advanceSec, 600);
  assert.equal(r.terms[0]!.rule, 'broken');
  assert.equal(r.terms[0]!.advanceSec, 0);
  assert.match(r.terms[0]!.reason!, /boom/);
});

void test('balanced: the lowest load ratio first, then the longest idle; every member explained in the decision', () => {
  const plan = planAssignments({
    skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('balanced'),
    entries: [entry('a', 30), entry('b', 20), entry('c', 10)],
    members: [agent('x', { load: 1 }), agent('y', { load: 0, idleSince: NOW - 10_000 }), agent('z', { load: 0, idleSince: NOW - 50_000 }), agent('off', { status: 'offline' })],
  });
  // a → z (idle longest of the empty ones), b → y (still empty), c → x (all at 1/3 now; x idle longest).
  assert.deepEqual(plan.assignments.map((a) => [a.conversationId, a.agentId]), [['a', 'z'], ['b', 'y'], ['c', 'x']]);
  const d = plan.assignments[0]!.decision;
  assert.equal(d.conversation.position, 1);
  assert.equal(d.conversation.waitedSec, 30);
  assert.deepEqual(d.candidates.map((c) => [c.agentId, c.eligible, c.rank ?? null]), [['z', true, 1], ['y', true, 2], ['x', true, 3], ['off', false, null]]);
  assert.equal(d.membersTotal, 4);
  assert.match(d.reason, /balanced: lowest load 0\/3/);
});

void test('a big group is logged compactly: the 10 best-ranked candidates, the 10 closest ineligible members (full, busy, then offline), the rest counted', () => {
  const members = [
    ...Array.from({ length: 25 }, (_, i) => agent(`on${String(i).padStart(2, '0')}`, { load: i % 3, idleSince: NOW - 1000 * (100 - i) })),
    ...Array.from({ length: 3 }, (_, i) => agent(`full${i}`, { load: 3 })),
    ...Array.from({ length: 4 }, (_, i) => agent(`busy${i}`, { status: 'busy' })),
    ...Array.from({ length: 6 }, (_, i) => agent(`off${i}`, { status: 'offline' })),
  ];
  const plan = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('balanced'), entries: [entry('a', 30)], members });
  const d = plan.assignments[0]!.decision;
  assert.equal(d.membersTotal, 38);
  assert.equal(d.eligibleTotal, 25);
  assert.equal(d.candidates.length, 20);
  const ranked = d.candidates.filter((c) => c.rank !== undefined);
  assert.deepEqual(ranked.map((c) => c.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(ranked[0]!.agentId, d.chosen);
  assert.ok(ranked.every((c) => c.eligible), 'ranked ones are eligible');
  assert.deepEqual(ranked.map((c) => c.load), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'the nine with no chat first, then the lowest load');
  assert.deepEqual(d.candidates.slice(10).map((c) => c.agentId), ['full0', 'full1', 'full2', 'busy0', 'busy1', 'busy2', 'busy3', 'off0', 'off1', 'off2']);
  assert.ok(d.candidates.slice(10).every((c) => !c.eligible));
  assert.deepEqual(d.omitted, { eligible: 15, offline: 3 });
  // A small group lists everyone and omits nothing.
  const small = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('balanced'), entries: [entry('a', 30)], members: members.slice(0, 5) });
  assert.equal(small.assignments[0]!.decision.candidates.length, 5);
  assert.equal(small.assignments[0]!.decision.omitted, undefined);
});

void test('capacity: tentative loads within one plan never exceed capacity; the group override caps below the agent maximum', () => {
  const plan = planAssignments({
    skillGroupId: 'g', now: NOW, maxChatsPerAgent: 2, strategy: strat('balanced'),
    entries: ['a', 'b', 'c', 'd', 'e'].map((id, i) => entry(id, 50 - i)),
    members: [agent('x', { capacity: 5 }), agent('y', { capacity: 1 })],
  });
  const per = new Map<string, number>();
  for (const a of plan.assignments) per.set(a.agentId, (per.get(a.agentId) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(per), { x: 2, y: 1 });
  assert.equal(plan.assignments.length, 3);
});

void test('capability first: the highest skill level gets the chat; 多劳多得 fills the strongest before the next level', () => {
  const members = [agent('junior', { level: 1 }), agent('senior', { level: 5, load: 2 }), agent('mid', { level: 3 })];
  const plan = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('capability'), entries: [entry('a', 9), entry('b', 8), entry('c', 7)], members });
  assert.deepEqual(plan.assignments.map((a) => a.agentId), ['senior', 'mid', 'mid']);
  assert.match(plan.assignments[0]!.decision.reason, /skill level 5/);
  const fill = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('capability', { balanceWithinLevel: false }), entries: [entry('a', 9), entry('b', 8)], members: [agent('p', { level: 4, load: 1 }), agent('q', { level: 4 })] });
  assert.deepEqual(fill.assignments.map((a) => a.agentId), ['p', 'p']);
});

void test('returning customer: goes to the last agent; waits for them while busy, then falls back after the wait; others behind are not blocked', () => {
  const recent = NOW - 86_400_000;
  const s = strat('returning_customer', { fallbackAfterSec: 60 });
  // The last agent is free: they get it although another agent is idler.
  const direct = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: s, entries: [entry('a', 5, { lastAgentId: 'x', lastServedAt: recent })], members: [agent('x', { load: 2 }), agent('y')] });
  assert.deepEqual(direct.assignments.map((a) => a.agentId), ['x']);
  assert.match(direct.assignments[0]!.decision.reason, /served this customer last/);
  // The last agent is busy: held for up to 60 s, and the customer behind is served meanwhile.
  const members = [agent('x', { status: 'busy' }), agent('y')];
  const held = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: s, entries: [entry('a', 20, { lastAgentId: 'x', lastServedAt: recent }), entry('b', 10)], members });
  assert.deepEqual(held.assignments.map((a) => [a.conversationId, a.agentId]), [['b', 'y']]);
  assert.equal(held.held[0]!.conversationId, 'a');
  assert.equal(held.held[0]!.untilMs, NOW + 40_000);
  assert.equal(held.assignments[0]!.decision.queue[0]!.held?.startsWith('waiting for x'), true);
  // After the wait: anyone.
  const late = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: s, entries: [entry('a', 61, { lastAgentId: 'x', lastServedAt: recent })], members });
  assert.deepEqual(late.assignments.map((a) => a.agentId), ['y']);
  assert.match(late.assignments[0]!.decision.reason, /last agent busy; fallback/);
  // The last agent is offline: no wait (unless configured), and an old visit does not count.
  assert.equal(planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: s, entries: [entry('a', 1, { lastAgentId: 'x', lastServedAt: recent })], members: [agent('x', { status: 'offline' }), agent('y')] }).assignments.length, 1);
  assert.equal(planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: strat('returning_customer', { fallbackAfterSec: 60, waitForOffline: true }), entries: [entry('a', 1, { lastAgentId: 'x', lastServedAt: recent })], members: [agent('x', { status: 'offline' }), agent('y')] }).held.length, 1);
  assert.equal(planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: s, entries: [entry('a', 1, { lastAgentId: 'x', lastServedAt: NOW - 90 * 86_400_000 })], members }).assignments[0]!.agentId, 'y');
});

void test('a throwing strategy falls back to balanced for that decision', () => {
  const bad: ResolvedStrategy = { name: 'bad', config: {}, strategy: { label: { en: 'b', 'zh-CN': 'b' }, config: plugin.config, rank: () => { throw new Error('bug'); } } };
  const plan = planAssignments({ skillGroupId: 'g', now: NOW, maxChatsPerAgent: null, strategy: bad, entries: [entry('a', 1)], members: [agent('x', { load: 1 }), agent('y')] });
  assert.deepEqual(plan.assignments.map((a) => a.agentId), ['y']);
});

void test('policy schema: {} is the default policy; bad values are refused with their path', () => {
  const d = GroupRoutingPolicySchema.parse({});
  assert.deepEqual(d, { strategy: { name: 'balanced', config: {} }, priorityRules: [], maxChatsPerAgent: null, maxQueueLength: null, overflow: null, workingHours: null });
  const bad = GroupRoutingPolicySchema.safeParse({ maxChatsPerAgent: 0, overflow: { afterSec: -1, toSkillGroupId: null }, workingHours: { timezone: 'Mars/Olympus' } });
  assert.equal(bad.success, false);
  const paths = bad.error.issues.map((i) => i.path.join('.'));
  for (const p of ['maxChatsPerAgent', 'overflow.afterSec', 'workingHours.timezone']) assert.ok(paths.includes(p), `issue at ${p}: ${paths.join(', ')}`);
});
