/**
 * Unit tests of the conversation workflow's pure phase logic (workflows/conversation/machine.ts) and of
 * flow validation (core/flows/registry.ts). No services: these run in milliseconds.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  PATH_LIMIT, appendPath, inactivityWaitMs, isOpen, localParts, nextNodeId, nodeById, phaseOf, type WorkingHoursSpec,
} from '../workflows/conversation/machine.ts';
import { NodeRegistry, defaultFlow, validateFlow, type FlowIssue } from '../core/flows/registry.ts';
import type { FlowDefinition } from '../core/flows/types.ts';

const closedWeek = (): WorkingHoursSpec['weekly'] => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
const spec = (over: Partial<WorkingHoursSpec>): WorkingHoursSpec => ({ timezone: 'UTC', weekly: closedWeek(), holidays: [], alwaysOpen: false, ...over });
const weekdays = (start: string, end: string): WorkingHoursSpec['weekly'] =>
  ({ ...closedWeek(), mon: [[start, end]], tue: [[start, end]], wed: [[start, end]], thu: [[start, end]], fri: [[start, end]] });
const at = (iso: string) => new Date(iso);

void describe('nextNodeId / nodeById', () => {
  const flow = defaultFlow();
  void test('follows the wiring of an outcome', () => {
    assert.equal(nextNodeId(flow, nodeById(flow, 'bot'), 'transfer'), 'queue');
    assert.equal(nextNodeId(flow, nodeById(flow, 'queue'), 'timeout'), 'offline');
    assert.equal(nextNodeId(flow, nodeById(flow, 'agent'), 'requeue'), 'queue');
    assert.equal(nextNodeId(flow, nodeById(flow, 'hours'), 'closed'), 'offline');
  });
  void test('an unwired outcome is an error naming the node, its type and the outcome', () => {
    assert.throws(() => nextNodeId(flow, nodeById(flow, 'bot'), 'escalate'), /node "bot" \(bot\) has no wiring for outcome "escalate"/);
    assert.throws(() => nextNodeId(flow, nodeById(flow, 'end'), 'next'), /node "end" \(end\)/);
  });
  void test('an unknown node id is an error', () => {
    assert.throws(() => nodeById(flow, 'nowhere'), /flow has no node "nowhere"/);
  });
});

void describe('phaseOf', () => {
  void test('each phase-bearing node type maps to its phase', () => {
    const expected: [string, string][] = [
      ['self_service', 'self_service'], ['bot', 'bot'], ['queue', 'queued'], ['agent', 'assigned'],
      ['survey', 'survey'], ['offline_message', 'offline'], ['end', 'ended'],
    ];
    for (const [type, phase] of expected) assert.equal(phaseOf(type, 'bot'), phase, type);
  });
  void test('start, working_hours and plugin node types keep the current phase', () => {
    assert.equal(phaseOf('start', 'self_service'), 'self_service');
    assert.equal(phaseOf('working_hours', 'bot'), 'bot');
    assert.equal(phaseOf('acme_crm_lookup', 'assigned'), 'assigned');
    assert.equal(phaseOf('acme_crm_lookup', 'queued'), 'queued');
  });
});

void describe('isOpen / localParts', () => {
  void test('local date, weekday and time follow the time zone (h23: midnight is 00:00)', () => {
    assert.deepEqual(localParts(at('2026-11-22T16:00:00Z'), 'Asia/Shanghai'), { date: '2026-11-23', day: 'mon', time: '00:00' });
    assert.deepEqual(localParts(at('2026-11-22T16:00:00Z'), 'UTC'), { date: '2026-11-22', day: 'sun', time: '16:00' });
  });

  void test('the same instant is open in Asia/Shanghai and closed in UTC (09:00–18:00 weekdays)', () => {
    const shanghai = spec({ timezone: 'Asia/Shanghai', weekly: weekdays('09:00', '18:00') });
    const utc = spec({ timezone: 'UTC', weekly: weekdays('09:00', '18:00') });
    const mon0900Shanghai = at('2026-11-23T01:00:00Z'); // Mon 09:00 in Shanghai, Mon 01:00 UTC
    assert.equal(isOpen(shanghai, mon0900Shanghai), true);
    assert.equal(isOpen(utc, mon0900Shanghai), false);
    const mon1000Utc = at('2026-11-23T10:00:00Z'); // Mon 18:00 in Shanghai (closed), Mon 10:00 UTC (open)
    assert.equal(isOpen(shanghai, mon1000Utc), false);
    assert.equal(isOpen(utc, mon1000Utc), true);
  });

  void test('the weekday is the local one: Sunday evening UTC is Monday morning in Shanghai', () => {
    const mondayNight = { ...closedWeek(), mon: [['00:00', '01:00']] as [string, string][] };
    const sundayEvening = at('2026-11-22T16:30:00Z'); // Sun 16:30 UTC = Mon 00:30 Asia/Shanghai
    assert.equal(isOpen(spec({ timezone: 'Asia/Shanghai', weekly: mondayNight }), sundayEvening), true);
    assert.equal(isOpen(spec({ timezone: 'UTC', weekly: mondayNight }), sundayEvening), false);
  });

  void test('intervals are [start, end): open at the start minute, closed at the end minute', () => {
    const s = spec({ timezone: 'Asia/Shanghai', weekly: weekdays('09:00', '18:00') });
    assert.equal(isOpen(s, at('2026-11-23T00:59:59Z')), false, '08:59:59');
    assert.equal(isOpen(s, at('2026-11-23T01:00:00Z')), true, '09:00:00');
    assert.equal(isOpen(s, at('2026-11-23T09:59:59Z')), true, '17:59:59');
    assert.equal(isOpen(s, at('2026-11-23T10:00:00Z')), false, '18:00:00');
  });

  void test('several intervals a day (lunch break)', () => {
    const s = spec({ timezone: 'Asia/Shanghai', weekly: { ...closedWeek(), mon: [['09:00', '12:00'], ['13:30', '18:00']] } });
    assert.equal(isOpen(s, at('2026-11-23T03:59:00Z')), true, '11:59');
    assert.equal(isOpen(s, at('2026-11-23T04:30:00Z')), false, '12:30');
    assert.equal(isOpen(s, at('2026-11-23T05:30:00Z')), true, '13:30');
  });

  void test('a weekday without hours (or missing from the schedule) is closed', () => {
    const s = spec({ timezone: 'Asia/Shanghai', weekly: weekdays('00:00', '23:59') });
    assert.equal(isOpen(s, at('2026-11-22T04:00:00Z')), false, 'Sunday noon in Shanghai');
    const partial = spec({ timezone: 'UTC', weekly: { mon: [['00:00', '23:59']] } as unknown as WorkingHoursSpec['weekly'] });
    assert.equal(isOpen(partial, at('2026-11-24T12:00:00Z')), false, 'Tuesday has no entry');
    assert.equal(isOpen(partial, at('2026-11-23T12:00:00Z')), true, 'Monday');
  });

  void test('holidays close the whole local day, matched on the local date, not the UTC date', () => {
    const open24 = weekdays('00:00', '23:59');
    const mon0030Shanghai = at('2026-11-22T16:30:00Z'); // UTC date 2026-11-22, local date 2026-11-23
    assert.equal(isOpen(spec({ timezone: 'Asia/Shanghai', weekly: open24 }), mon0030Shanghai), true);
    assert.equal(isOpen(spec({ timezone: 'Asia/Shanghai', weekly: open24, holidays: ['2026-11-23'] }), mon0030Shanghai), false, 'local date is a holiday');
    assert.equal(isOpen(spec({ timezone: 'Asia/Shanghai', weekly: open24, holidays: ['2026-11-22'] }), mon0030Shanghai), true, 'only the UTC date is a holiday');
    // Late on the holiday (local) is still closed; the next local day is open again.
    const hol = spec({ timezone: 'Asia/Shanghai', weekly: open24, holidays: ['2026-11-23'] });
    assert.equal(isOpen(hol, at('2026-11-23T15:30:00Z')), false, 'Mon 23:30 local');
    assert.equal(isOpen(hol, at('2026-11-23T16:30:00Z')), true, 'Tue 00:30 local');
  });

  void test('daylight saving time: 09:00 local in New York is 14:00 UTC in winter and 13:00 UTC in summer', () => {
    const ny = spec({ timezone: 'America/New_York', weekly: weekdays('09:00', '17:00') });
    assert.equal(isOpen(ny, at('2026-03-02T13:30:00Z')), false, 'EST: 08:30');
    assert.equal(isOpen(ny, at('2026-03-02T14:00:00Z')), true, 'EST: 09:00');
    assert.equal(isOpen(ny, at('2026-03-09T13:00:00Z')), true, 'EDT: 09:00');
  });

  void test('alwaysOpen overrides the schedule and holidays', () => {
    const s = spec({ timezone: 'Asia/Shanghai', alwaysOpen: true, holidays: ['2026-11-23'] });
    assert.equal(isOpen(s, at('2026-11-22T16:30:00Z')), true);
    assert.equal(isOpen({ ...s, alwaysOpen: false }, at('2026-11-22T16:30:00Z')), false);
  });
});

void describe('inactivityWaitMs', () => {
  void test('waits until last activity + limit', () => {
    assert.equal(inactivityWaitMs(10_000, 60_000, 30_000), 40_000);
    assert.equal(inactivityWaitMs(0, 600_000, 0), 600_000);
  });
  void test('never less than one second, also when the deadline has passed', () => {
    assert.equal(inactivityWaitMs(10_000, 60_000, 69_500), 1000);
    assert.equal(inactivityWaitMs(10_000, 60_000, 70_000), 1000);
    assert.equal(inactivityWaitMs(10_000, 60_000, 500_000), 1000);
    assert.equal(inactivityWaitMs(10_000, 60_000, 68_000), 2000);
  });
});

void describe('appendPath', () => {
  void test('appends without mutating the input', () => {
    const p = ['start', 'hours'];
    assert.deepEqual(appendPath(p, 'bot'), ['start', 'hours', 'bot']);
    assert.deepEqual(p, ['start', 'hours']);
  });
  void test(`is bounded at ${PATH_LIMIT}, keeping the latest node ids`, () => {
    let p: string[] = [];
    for (let i = 1; i <= PATH_LIMIT; i++) p = appendPath(p, `n${i}`);
    assert.equal(p.length, PATH_LIMIT);
    assert.equal(p[0], 'n1');
    p = appendPath(p, `n${PATH_LIMIT + 1}`);
    assert.equal(p.length, PATH_LIMIT);
    assert.equal(p[0], 'n2');
    assert.equal(p.at(-1), `n${PATH_LIMIT + 1}`);
    for (let i = 0; i < 3 * PATH_LIMIT; i++) p = appendPath(p, 'x');
    assert.equal(p.length, PATH_LIMIT);
  });
});

void describe('validateFlow', () => {
  const registry = new NodeRegistry();
  const base = (): FlowDefinition => structuredClone(defaultFlow());
  const issuesOf = (input: unknown): FlowIssue[] => {
    const r = validateFlow(registry, input);
    assert.equal(r.ok, false, 'expected the flow to be refused');
    return r.ok ? [] : r.issues;
  };
  const node = (f: FlowDefinition, id: string) => f.nodes.find((n) => n.id === id)!;

  void test('defaultFlow() is valid, and validation fills in config defaults', () => {
    const r = validateFlow(registry, base());
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    const bot = r.flow.nodes.find((n) => n.id === 'bot')!;
    assert.equal(bot.config.idleTimeoutSec, 600);
    assert.deepEqual(bot.config.transferRules, [{ rule: 'keyword', config: {} }]);
    const hours = r.flow.nodes.find((n) => n.id === 'hours')!;
    assert.equal(hours.config.alwaysOpen, true);
    assert.equal(hours.config.timezone, 'Asia/Shanghai');
    assert.equal(r.flow.nodes.find((n) => n.id === 'queue')!.config.timeoutSec, 300);
  });

  void test('an unwired outcome is reported on its node', () => {
    const f = base();
    delete node(f, 'queue').next.full;
    assert.deepEqual(issuesOf(f), [{ nodeId: 'queue', path: 'next.full', message: 'outcome "full" is not connected' }]);
  });

  void test('an outcome wired to a missing node, and an outcome the type does not have', () => {
    const f = base();
    node(f, 'survey').next.done = 'nowhere';
    node(f, 'bot').next.escalate = 'end';
    const issues = issuesOf(f);
    assert.deepEqual(issues.map((i) => [i.nodeId, i.path]).sort(), [['bot', 'next.escalate'], ['survey', 'next.done']]);
    assert.match(issues.find((i) => i.nodeId === 'survey')!.message, /missing node "nowhere"/);
  });

  void test('an unknown node type is reported on its node', () => {
    const f = base();
    node(f, 'bot').type = 'teleport';
    const issues = issuesOf(f);
    assert.deepEqual(issues, [{ nodeId: 'bot', path: 'type', message: 'unknown node type "teleport"' }]);
  });

  void test('a bad config is reported with the node id and the config path', () => {
    const f = base();
    node(f, 'queue').config = { timeoutSec: 1 };
    node(f, 'hours').config = { timezone: 'Mars/Olympus_Mons' };
    const issues = issuesOf(f);
    const queue = issues.find((i) => i.nodeId === 'queue');
    assert.ok(queue, JSON.stringify(issues));
    assert.equal(queue.path, 'config.timeoutSec');
    const hours = issues.find((i) => i.nodeId === 'hours');
    assert.ok(hours, JSON.stringify(issues));
    assert.equal(hours.path, 'config.timezone');
    assert.match(hours.message, /time zone/);
    assert.ok(issues.every((i) => i.nodeId === 'queue' || i.nodeId === 'hours'), JSON.stringify(issues));
  });

  void test('a node not reachable from the start is reported', () => {
    const f = base();
    f.nodes.push({ id: 'orphan', type: 'survey', config: {}, next: { done: 'end', expired: 'end' } });
    assert.deepEqual(issuesOf(f), [{ nodeId: 'orphan', path: 'id', message: 'node is not reachable from the start' }]);
  });

  void test('a flow without an end node is refused', () => {
    const f = base();
    // Every outcome still wired, every node reachable, but the terminal node is not an `end`.
    const last = node(f, 'end');
    last.type = 'self_service';
    last.next = { next: 'end' };
    assert.deepEqual(issuesOf(f), [{ nodeId: null, path: 'nodes', message: 'the flow has no end node' }]);
  });

  void test('duplicate node ids are reported', () => {
    const f = base();
    f.nodes.push({ id: 'bot', type: 'end', config: {}, next: {} });
    const issues = issuesOf(f);
    assert.ok(issues.some((i) => i.nodeId === 'bot' && i.message === 'duplicate node id "bot"'), JSON.stringify(issues));
  });

  void test('the start must exist and be of type "start"', () => {
    const f = base();
    f.start = 'hours';
    assert.deepEqual(issuesOf(f).find((i) => i.path === 'type'), { nodeId: 'hours', path: 'type', message: 'the start node must be of type "start"' });
    const g = base();
    g.start = 'missing';
    assert.ok(issuesOf(g).some((i) => i.path === 'start' && i.nodeId === null));
  });

  void test('a malformed document is refused by shape, with paths', () => {
    const issues = issuesOf({ schemaVersion: 2, start: 'start', nodes: [{ id: 'bad id!', type: 'start' }] });
    const paths = issues.map((i) => i.path);
    assert.ok(paths.includes('schemaVersion'), JSON.stringify(issues));
    assert.ok(paths.includes('nodes.0.id'), JSON.stringify(issues));
    assert.ok(paths.includes('nodes'), JSON.stringify(issues)); // fewer than 2 nodes
  });

  void test('a plugin node type validates once registered; registering a type twice is refused', () => {
    const reg = new NodeRegistry();
    const f = base();
    node(f, 'bot').next.transfer = 'crm';
    f.nodes.push({ id: 'crm', type: 'acme_crm_lookup', config: { depth: 2 }, next: { found: 'queue', missing: 'queue' } });
    assert.equal(validateFlow(reg, structuredClone(f)).ok, false);
    reg.register({ type: 'acme_crm_lookup', label: { en: 'CRM lookup', 'zh-CN': 'CRM 查询' }, config: z.object({ depth: z.number().int().max(3) }), outcomes: ['found', 'missing'], source: 'crm-acme' });
    const r = validateFlow(reg, structuredClone(f));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    node(f, 'crm').config = { depth: 9 };
    const bad = validateFlow(reg, f);
    assert.ok(!bad.ok && bad.issues.some((i) => i.nodeId === 'crm' && i.path === 'config.depth'));
    assert.throws(() => reg.register({ type: 'queue', label: { en: 'q', 'zh-CN': 'q' }, config: z.object({}), outcomes: [], source: 'evil' }), /already registered \(by core\)/);
  });
});
