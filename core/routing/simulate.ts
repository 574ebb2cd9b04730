/**
 * Routing policy simulation (issue 4 item 7): replays a recorded window of arrivals and agent states
 * against a set of skill-group routing policies and reports the wait-time distribution, abandonment to
 * the offline message and per-agent load, so a policy change can be judged before it is published.
 *
 * Pure and deterministic: no Redis, database or clock, and the same input always gives the same
 * report. It decides with the live router's own code — `priorityOf` for a customer's place,
 * `planAssignments` with the resolved strategy for who gets whom, the same arrival chain (working
 * hours, queue limit, overflow on arrival) and the same sweep (overflow after N s, closed groups) as
 * core/routing/engine.ts — over a discrete-event clock instead of Redis.
 *
 * Model and assumptions (what the report can and cannot tell):
 * - An arrival is a conversation's first queue visit in the window. It starts in the group diversion
 *   chose at the time (diversion is flow configuration, not group policy, so it is replayed as
 *   recorded) and follows the overflow chain of the policies under test from there.
 * - Handle time (how long an agent holds the chat) is the recorded one and does not depend on the
 *   agent, the group or how long the customer waited. A chat that never reached an agent gets an
 *   estimate from the caller (the loader uses its group's median). Requeues and transfers are not
 *   replayed: the agent who first gets a chat holds it for its whole handle time.
 * - Patience: a customer waits up to the queue node's timeout and then goes to the offline message; one
 *   who closed the chat while waiting gives up after the time they waited then (reason `left`, not an
 *   offline message). Patience does not depend on the position or the estimate shown.
 * - Priority facts (tags, visits today, failed queues today) are the recorded ones: a simulated
 *   failure does not raise the customer's priority later in the window.
 * - The returning customer's last agent is the simulated one when the customer had an earlier
 *   conversation in the window, otherwise the recorded one from before the window.
 * - Agents follow their recorded status, capacity and skill-group history (AgentStatusLog); chats held
 *   at the window start end when they really ended. Only `online` agents get chats; going busy, away
 *   or offline keeps held chats here (the live hub requeues an offline agent's chats; not modelled).
 * - Timing: assignment takes no time here (live, each takes a moment after a slot frees, so replayed
 *   waits come out slightly shorter than recorded ones). Live routing reacts on its 1 s sweep; here
 *   overflow after N s and hold expiries happen at the exact instant, working hours are checked on
 *   every minute boundary, and a customer the strategy refused while an agent was free is retried each
 *   second (as the sweep does). At one instant a chat ends first, then agents change, then sweeps run,
 *   then customers arrive, then patience runs out. Every agent counts as idle since the window start
 *   (the balanced strategy's tie-break) until their first chat or coming online in it.
 * - Agent figures cover the window [from, to]; a customer arriving near the end is followed until
 *   they are assigned or give up.
 */
import type { AssignmentStrategyContribution, PriorityRuleContribution, PriorityRuleInput } from '@kefu-hub/plugin-sdk';
import { isOpen } from '../../workflows/conversation/machine.ts';
import {
  DEFAULT_POLICY, MAX_CHAIN, PLAN_HEAD, balancedStrategy, planAssignments, priorityOf,
  type GroupRoutingPolicy, type MemberState, type QueueMeta, type QueuedEntry, type ResolvedPriorityRule, type ResolvedStrategy,
} from './policy.ts';

/** The live sweep's period: how soon a refused customer is tried again. */
const SWEEP_MS = 1000;
const DEFAULT_GROUP = '_';

// ------------------------------------------------------------------ input

export interface SimArrival {
  conversationId: string;
  customerId: string;
  /** When the customer joined the queue (ms). */
  at: number;
  /** The group diversion chose (null: the workspace's default queue). */
  skillGroupId: string | null;
  /** What the priority rules see (as recorded in the `queued` decision). */
  facts: Omit<PriorityRuleInput, 'skillGroupId'>;
  /** How long an agent holds the chat once assigned (s). */
  handleSec: number;
  /** How long the customer waits at most (s). */
  patienceSec: number;
  /** `timeout`: the queue node's timeout (then the offline message); `left`: the customer closed the chat. */
  patienceKind: 'timeout' | 'left';
  /** The queue node's limit, used where the group's policy sets none. */
  maxQueueLength: number;
  /** The agent who served the customer last before the window, and when (ms). */
  lastAgentId: string | null;
  lastServedAt: number | null;
}

export interface SimAgentState {
  at: number;
  status: string;
  capacity: number;
  skills: { skillGroupId: string; level: number }[];
}

export interface SimAgent {
  agentId: string;
  /** State changes in time order; the last one at or before the window start is the initial state (none: offline). */
  timeline: SimAgentState[];
  /** Chats held at the window start: when each ends (ms; Infinity: still open after the window). */
  carriedOver: number[];
}

/** A group's policy with its strategy and priority rules resolved (as the engine resolves them). */
export interface SimGroupRouting {
  policy: GroupRoutingPolicy;
  strategy: ResolvedStrategy;
  rules: ResolvedPriorityRule[];
}

export interface SimulationInput {
  from: number;
  to: number;
  arrivals: SimArrival[];
  agents: SimAgent[];
  /** By skill group id; a group not listed (and the default queue) routes with the default policy. */
  groups: Record<string, SimGroupRouting>;
}

// ------------------------------------------------------------------ report

export interface WaitStats {
  /** Customers assigned. */
  count: number;
  /** Seconds from joining the queue to assignment (nearest-rank percentiles; null without assignments). */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export type AbandonReason = 'timeout' | 'full' | 'closed' | 'overflowExhausted' | 'left';

export interface AbandonedCounts {
  total: number;
  /** Waited until the queue node's timeout (then the offline message). */
  timeout: number;
  /** Every group on the chain was full on arrival (offline message). */
  full: number;
  /** Out of working hours, on arrival or while waiting, with nowhere to overflow (offline message). */
  closed: number;
  /** Overflowed after waiting, to the offline message or past the end of the chain (offline message). */
  overflowExhausted: number;
  /** Closed the chat themselves while waiting (no offline message). */
  left: number;
}

export interface GroupReport {
  /** null: the workspace's default queue. */
  skillGroupId: string | null;
  /** Customers who started in this group. */
  arrivals: number;
  /** Of those, assigned (in this group or after overflowing). */
  assigned: number;
  /** Assignments made from this group's queue (including customers who overflowed into it). */
  assignedHere: number;
  abandoned: AbandonedCounts;
  /** Customers who started here and overflowed at least once. */
  overflowed: number;
  wait: WaitStats;
}

export interface AgentReport {
  agentId: string;
  /** Chats assigned to the agent by the simulation. */
  chats: number;
  /** Slot-seconds held while online within the window (chats × seconds). */
  busySlotSec: number;
  /** Seconds online within the window. */
  onlineSec: number;
  /** busySlotSec ÷ (capacity × online seconds); null when never online. */
  utilisation: number | null;
  /** Most chats held at once (carried-over chats included). */
  maxConcurrent: number;
}

export interface SimulationReport {
  arrivals: number;
  assigned: number;
  abandoned: AbandonedCounts;
  /** Customers who overflowed at least once. */
  overflowed: number;
  /** Overflow hops in all (on arrival and after waiting). */
  overflowMoves: number;
  /** Customers a strategy held back at least once (e.g. waiting for their returning agent). */
  held: number;
  wait: WaitStats;
  groups: GroupReport[];
  agents: AgentReport[];
}

export interface ArrivalOutcome {
  conversationId: string;
  state: 'assigned' | 'abandoned';
  reason?: AbandonReason;
  waitSec?: number;
  agentId?: string;
  /** The queue that assigned it (null: the default queue). */
  assignedFrom?: string | null;
  overflowHops: number;
  held: boolean;
}

export interface ReportFilter {
  /** Only arrivals that started in these groups (and only these groups) are reported. */
  group?: (skillGroupId: string | null) => boolean;
  agent?: (agentId: string) => boolean;
}

// ------------------------------------------------------------------ engine

/** A waiting customer as the planner sees it; `conversationId` is the arrival's index (as a string). */
interface Entry extends QueuedEntry {
  idx: number;
  seq: number;
}

interface Outcome {
  state: 'pending' | 'waiting' | 'assigned' | 'abandoned';
  reason?: AbandonReason;
  assignedAt?: number;
  agent?: number;
  assignedFrom?: string;
  hops: number;
  held: boolean;
}

interface AgentSim {
  id: string;
  status: string;
  capacity: number;
  levels: Map<string, number>;
  load: number;
  idleSince: number;
  chats: number;
  maxLoad: number;
  lastT: number;
  busyMs: number;
  onlineMs: number;
  capMs: number;
}

type EventBody =
  | { kind: 'release'; agent: number }
  | { kind: 'agent'; agent: number; state: SimAgentState }
  | { kind: 'sweep'; g: string }
  | { kind: 'recheck'; g: string }
  | { kind: 'arrival'; idx: number }
  | { kind: 'patience'; idx: number };
type SimEvent = EventBody & { t: number; rank: number; seq: number };

const RANK: Record<EventBody['kind'], number> = { release: 0, agent: 1, sweep: 2, recheck: 2, arrival: 3, patience: 4 };

/** A binary min-heap of events by (time, rank, insertion order): the order is total, so runs repeat exactly. */
class EventQueue {
  private readonly items: SimEvent[] = [];
  private seq = 0;
  get size(): number { return this.items.length; }
  push(t: number, body: EventBody): void {
    const e = { ...body, t, rank: RANK[body.kind], seq: this.seq++ };
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): SimEvent | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(x: SimEvent, y: SimEvent): boolean {
  if (x.t !== y.t) return x.t < y.t;
  return x.rank !== y.rank ? x.rank < y.rank : x.seq < y.seq;
}

const groupKey = (g: string | null): string => g ?? DEFAULT_GROUP;
const groupIdOf = (g: string): string | null => (g === DEFAULT_GROUP ? null : g);
const clampLevel = (l: number): number => Math.max(1, Math.min(5, Math.round(l || 1)));
const byEntry = (x: Entry, y: Entry): number => x.score - y.score || x.seq - y.seq;

const DEFAULT_ROUTING: SimGroupRouting = { policy: DEFAULT_POLICY, strategy: { name: 'balanced', config: {}, strategy: balancedStrategy }, rules: [] };

/**
 * One simulation run. `step(n)` processes up to n events (so a caller can yield to its event loop
 * between slices); `run()` goes to the end; `report()` summarises, optionally for some groups and agents.
 */
export class RoutingSimulation {
  private readonly input: SimulationInput;
  private readonly events = new EventQueue();
  private readonly queues = new Map<string, Entry[]>();
  /** Which queue each waiting customer is in. */
  private readonly where = new Map<number, string>();
  private readonly outcomes_: Outcome[];
  private readonly agents: AgentSim[];
  private readonly members = new Map<string, number[]>();
  private readonly dirty = new Set<string>();
  private readonly scheduledSweeps = new Map<string, Set<number>>();
  private readonly scheduledRecheck = new Map<string, number>();
  private readonly hoursCache = new Map<string, { minute: number; open: boolean }>();
  /** Per customer: the latest simulated assignment (for the returning-customer strategy). */
  private readonly lastServed = new Map<string, { agentId: string; at: number; endsAt: number }>();
  private entrySeq = 0;
  private now: number;
  private done = false;

  constructor(input: SimulationInput) {
    if (!(input.to > input.from)) throw new Error('simulation: the window must end after it starts');
    this.input = input;
    this.now = input.from;
    this.outcomes_ = input.arrivals.map(() => ({ state: 'pending', hops: 0, held: false }));
    // Agents in id order: strategies break ties by id, and the default queue's members are all agents.
    const sortedAgents = [...input.agents].sort((x, y) => (x.agentId < y.agentId ? -1 : x.agentId > y.agentId ? 1 : 0));
    for (let i = 1; i < sortedAgents.length; i++) if (sortedAgents[i]!.agentId === sortedAgents[i - 1]!.agentId) throw new Error(`simulation: agent ${sortedAgents[i]!.agentId} is listed twice`);
    this.agents = [];
    sortedAgents.forEach((a, i) => {
      const initial = [...a.timeline].filter((s) => s.at <= input.from).sort((x, y) => x.at - y.at).pop();
      const sim: AgentSim = {
        id: a.agentId, status: initial?.status ?? 'offline', capacity: Math.max(0, Math.floor(initial?.capacity ?? 0)),
        levels: new Map((initial?.skills ?? []).map((s) => [s.skillGroupId, clampLevel(s.level)])),
        load: 0, idleSince: input.from, chats: 0, maxLoad: 0, lastT: input.from, busyMs: 0, onlineMs: 0, capMs: 0,
      };
      for (const end of a.carriedOver) {
        sim.load++;
        if (Number.isFinite(end)) this.events.push(Math.max(end, input.from), { kind: 'release', agent: i });
      }
      sim.maxLoad = sim.load;
      this.agents.push(sim);
      for (const s of a.timeline) if (s.at > input.from) this.events.push(s.at, { kind: 'agent', agent: i, state: s });
    });
    this.rebuildMembers();
    input.arrivals.forEach((a, idx) => this.events.push(Math.max(a.at, input.from), { kind: 'arrival', idx }));
  }

  /** Processes up to `maxEvents` events; true when the run is over. */
  step(maxEvents: number): boolean {
    for (let n = 0; n < maxEvents && !this.done; n++) {
      const e = this.events.pop();
      if (!e) {
        this.finish();
        break;
      }
      this.now = e.t;
      this.handle(e);
      this.drainDirty();
    }
    return this.done;
  }

  run(): this {
    while (!this.step(10_000));
    return this;
  }

  // ---------------------------------------------------------------- events

  private handle(e: SimEvent): void {
    switch (e.kind) {
      case 'release': {
        const a = this.agents[e.agent]!;
        this.account(a);
        a.load = Math.max(0, a.load - 1);
        if (a.status === 'online') this.markAgentQueues(a);
        return;
      }
      case 'agent': {
        const a = this.agents[e.agent]!;
        this.account(a);
        if (e.state.status === 'online' && a.status !== 'online') a.idleSince = e.t;
        a.status = e.state.status;
        a.capacity = Math.max(0, Math.floor(e.state.capacity));
        const levels = new Map(e.state.skills.map((s) => [s.skillGroupId, clampLevel(s.level)]));
        const changed = levels.size !== a.levels.size || [...levels].some(([g, l]) => a.levels.get(g) !== l);
        a.levels = levels;
        if (changed) this.rebuildMembers();
        if (a.status === 'online') this.markAgentQueues(a);
        return;
      }
      case 'arrival': return this.arrive(e.idx);
      case 'patience': {
        const o = this.outcomes_[e.idx]!;
        if (o.state !== 'waiting') return;
        this.removeWaiting(e.idx);
        this.abandon(e.idx, this.input.arrivals[e.idx]!.patienceKind === 'left' ? 'left' : 'timeout');
        return;
      }
      case 'sweep':
        this.scheduledSweeps.get(e.g)?.delete(e.t);
        return this.sweep(e.g);
      case 'recheck':
        if (this.scheduledRecheck.get(e.g) === e.t) this.scheduledRecheck.delete(e.g);
        this.dirty.add(e.g);
        return;
    }
  }

  private routingOf(g: string): SimGroupRouting {
    return (g !== DEFAULT_GROUP && Object.hasOwn(this.input.groups, g) && this.input.groups[g]) || DEFAULT_ROUTING;
  }

  private open(g: string, policy: GroupRoutingPolicy): boolean {
    const hours = policy.workingHours;
    if (!hours || hours.alwaysOpen) return true;
    const minute = Math.floor(this.now / 60_000);
    const hit = this.hoursCache.get(g);
    if (hit && hit.minute === minute) return hit.open;
    const open = isOpen(hours, new Date(this.now));
    this.hoursCache.set(g, { minute, open });
    return open;
  }

  /** engine.enqueue: along the chain past closed or full groups, priority by each group's rules. */
  private arrive(idx: number): void {
    const a = this.input.arrivals[idx]!;
    const o = this.outcomes_[idx]!;
    // Simulated history of the customer beats the recorded one (same rule as the engine's query).
    let lastAgentId = a.lastAgentId;
    let lastServedAt = a.lastServedAt;
    const sim = this.lastServed.get(a.customerId);
    if (sim) {
      lastAgentId = sim.agentId;
      lastServedAt = sim.endsAt <= this.now ? sim.endsAt : sim.at;
    }
    let g = groupKey(a.skillGroupId);
    for (let hop = 0; hop <= MAX_CHAIN; hop++) {
      const { policy, rules } = this.routingOf(g);
      const open = this.open(g, policy);
      let blocked: 'closed' | 'full' = 'closed';
      if (open) {
        const pr = priorityOf(rules, { ...a.facts, skillGroupId: groupIdOf(g) });
        const max = policy.maxQueueLength ?? a.maxQueueLength;
        if (this.queueOf(g).length < max) {
          const meta: QueueMeta = {
            customerId: a.customerId, queuedAt: a.at, groupSince: this.now, advanceSec: pr.advanceSec,
            terms: pr.terms, lastAgentId, lastServedAt,
          };
          this.insert(g, { conversationId: String(idx), idx, score: a.at - Math.round(pr.advanceSec * 1000), seq: this.entrySeq++, meta });
          o.state = 'waiting';
          this.events.push(a.at + Math.max(0, a.patienceSec) * 1000, { kind: 'patience', idx });
          return;
        }
        blocked = 'full';
      }
      const next = policy.overflow ? policy.overflow.toSkillGroupId : undefined;
      if (next === undefined || next === null || hop === MAX_CHAIN) {
        this.abandon(idx, blocked);
        return;
      }
      o.hops++;
      g = next;
    }
  }

  /** engine.beforeDrain: a closed group sends everyone on; an open one moves those who waited afterSec. */
  private sweep(g: string): void {
    const q = this.queues.get(g);
    if (!q?.length) return;
    const { policy } = this.routingOf(g);
    const open = this.open(g, policy);
    this.scheduleHoursSweep(g, policy);
    if (open && !policy.overflow) return;
    const afterMs = open ? policy.overflow!.afterSec * 1000 : 0;
    const due = q.filter((e) => this.now - e.meta.groupSince >= afterMs);
    if (!due.length) return;
    const dest = this.walkChain(g, policy);
    let stayed = false;
    for (const e of due) {
      if (dest.kind === 'group') {
        const { policy: p } = this.routingOf(dest.g);
        if (p.maxQueueLength !== null && this.queueOf(dest.g).length >= p.maxQueueLength) {
          stayed = true;
          continue;
        }
        this.remove(g, e);
        e.meta = { ...e.meta, groupSince: this.now };
        this.insert(dest.g, e);
        this.outcomes_[e.idx]!.hops++;
      } else if (dest.kind === 'exit') {
        this.removeWaiting(e.idx);
        this.abandon(e.idx, open ? 'overflowExhausted' : 'closed');
      } else {
        stayed = true;
      }
    }
    // Nowhere better to go now: the live sweep looks again a second later.
    if (stayed) this.scheduleSweep(g, this.now + SWEEP_MS);
  }

  /** engine.walkChain: the first group after `from` on its chain that is open and has room. */
  private walkChain(from: string, policy: GroupRoutingPolicy): { kind: 'group'; g: string } | { kind: 'exit' } | { kind: 'stay' } {
    if (!policy.overflow) return { kind: 'exit' };
    let next = policy.overflow.toSkillGroupId;
    const seen = new Set([from]);
    for (let hop = 0; hop < MAX_CHAIN && next; hop++) {
      if (seen.has(next)) return { kind: 'stay' };
      seen.add(next);
      const { policy: p } = this.routingOf(next);
      const open = this.open(next, p);
      const full = p.maxQueueLength !== null && this.queueOf(next).length >= p.maxQueueLength;
      if (open && !full) return { kind: 'group', g: next };
      if (!p.overflow) return { kind: 'exit' };
      next = p.overflow.toSkillGroupId;
    }
    return next === null ? { kind: 'exit' } : { kind: 'stay' };
  }

  // ---------------------------------------------------------------- assignment

  /** Drains the queues that may assign now, the longest-waiting head first (routing.ts drainGroups). */
  private drainDirty(): void {
    if (!this.dirty.size) return;
    const order = [...this.dirty]
      .map((g) => ({ g, head: this.queues.get(g)?.[0] }))
      .filter((x): x is { g: string; head: Entry } => !!x.head)
      .sort((x, y) => byEntry(x.head, y.head));
    this.dirty.clear();
    for (const { g } of order) this.drainQueue(g);
  }

  /** routing.ts assignLoop: plan over the head of the queue, apply, until nothing more is assigned. */
  private drainQueue(g: string): void {
    const q = this.queueOf(g);
    const routing = this.routingOf(g);
    const cap = routing.policy.maxChatsPerAgent;
    let last: ReturnType<typeof planAssignments> | null = null;
    while (q.length) {
      const members = this.memberStates(g);
      if (!members.some((m) => m.status === 'online' && m.load < m.capacity)) return;
      last = planAssignments({ skillGroupId: groupIdOf(g), entries: q.slice(0, PLAN_HEAD), members, strategy: routing.strategy, maxChatsPerAgent: cap, now: this.now });
      for (const h of last.held) this.outcomes_[Number(h.conversationId)]!.held = true;
      if (!last.assignments.length) break;
      for (const p of last.assignments) this.assign(g, Number(p.conversationId), this.agentIndex(p.agentId));
    }
    if (!q.length || !last) return;
    // Still waiting with a free agent: held (look again when the first hold ends) or refused (next sweep).
    const free = this.memberStates(g).some((m) => m.status === 'online' && m.load < (cap ? Math.min(m.capacity, cap) : m.capacity));
    if (!free) return;
    const head = Math.min(PLAN_HEAD, q.length);
    const at = last.held.length === head ? Math.min(...last.held.map((h) => h.untilMs)) : this.now + SWEEP_MS;
    const pending = this.scheduledRecheck.get(g);
    if (pending !== undefined && pending > this.now && pending <= at) return;
    this.scheduledRecheck.set(g, at);
    this.events.push(Math.max(at, this.now + 1), { kind: 'recheck', g });
  }

  private assign(g: string, idx: number, agentIdx: number): void {
    const a = this.input.arrivals[idx]!;
    const q = this.queueOf(g);
    const pos = q.findIndex((e) => e.idx === idx);
    if (pos < 0) return;
    q.splice(pos, 1);
    const agent = this.agents[agentIdx]!;
    this.account(agent);
    agent.load++;
    agent.chats++;
    agent.idleSince = this.now;
    agent.maxLoad = Math.max(agent.maxLoad, agent.load);
    const o = this.outcomes_[idx]!;
    Object.assign(o, { state: 'assigned', assignedAt: this.now, agent: agentIdx, assignedFrom: g });
    const endsAt = this.now + Math.max(0, a.handleSec) * 1000;
    this.lastServed.set(a.customerId, { agentId: agent.id, at: this.now, endsAt });
    this.events.push(endsAt, { kind: 'release', agent: agentIdx });
  }

  private memberStates(g: string): MemberState[] {
    const ids = this.members.get(g) ?? [];
    return ids.map((i) => {
      const a = this.agents[i]!;
      let level = 1;
      if (g === DEFAULT_GROUP) for (const l of a.levels.values()) level = Math.max(level, l);
      else level = a.levels.get(g) ?? 1;
      return { agentId: a.id, status: a.status, capacity: a.capacity, load: a.load, idleSince: a.idleSince, level };
    });
  }

  private agentIndex(agentId: string): number {
    // Agents are sorted by id.
    let lo = 0;
    let hi = this.agents.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.agents[mid]!.id;
      if (id === agentId) return mid;
      if (id < agentId) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`simulation: strategy picked unknown agent ${agentId}`);
  }

  private rebuildMembers(): void {
    this.members.clear();
    this.members.set(DEFAULT_GROUP, this.agents.map((_, i) => i));
    this.agents.forEach((a, i) => {
      for (const g of a.levels.keys()) {
        const list = this.members.get(g) ?? [];
        list.push(i);
        this.members.set(g, list);
      }
    });
  }

  private markAgentQueues(a: AgentSim): void {
    for (const g of a.levels.keys()) this.dirty.add(g);
    this.dirty.add(DEFAULT_GROUP);
  }

  // ---------------------------------------------------------------- queues

  private queueOf(g: string): Entry[] {
    let q = this.queues.get(g);
    if (!q) {
      q = [];
      this.queues.set(g, q);
    }
    return q;
  }

  private insert(g: string, e: Entry): void {
    const q = this.queueOf(g);
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byEntry(q[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, e);
    this.where.set(e.idx, g);
    this.dirty.add(g);
    const { policy } = this.routingOf(g);
    if (policy.overflow && this.open(g, policy)) this.scheduleSweep(g, e.meta.groupSince + policy.overflow.afterSec * 1000);
    this.scheduleHoursSweep(g, policy);
  }

  private remove(g: string, e: Entry): void {
    const q = this.queueOf(g);
    let lo = 0;
    let hi = q.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = byEntry(q[mid]!, e);
      if (c === 0) {
        q.splice(mid, 1);
        this.where.delete(e.idx);
        return;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
  }

  private removeWaiting(idx: number): void {
    const g = this.where.get(idx);
    if (g === undefined) return;
    const e = this.queueOf(g).find((x) => x.idx === idx);
    if (e) this.remove(g, e);
  }

  private abandon(idx: number, reason: AbandonReason): void {
    Object.assign(this.outcomes_[idx]!, { state: 'abandoned', reason });
  }

  private scheduleSweep(g: string, at: number): void {
    const t = Math.max(at, this.now);
    let set = this.scheduledSweeps.get(g);
    if (!set) {
      set = new Set();
      this.scheduledSweeps.set(g, set);
    }
    if (set.has(t)) return;
    set.add(t);
    this.events.push(t, { kind: 'sweep', g });
  }

  /** Working hours change on minute boundaries: a non-empty group with hours is looked at on each. */
  private scheduleHoursSweep(g: string, policy: GroupRoutingPolicy): void {
    if (!policy.workingHours || policy.workingHours.alwaysOpen) return;
    if (!this.queues.get(g)?.length) return;
    this.scheduleSweep(g, (Math.floor(this.now / 60_000) + 1) * 60_000);
  }

  // ---------------------------------------------------------------- figures

  /** Adds the time since the agent's last change (clipped to the window) to its online and busy totals. */
  private account(a: AgentSim): void {
    const start = Math.max(a.lastT, this.input.from);
    const end = Math.min(this.now, this.input.to);
    if (end > start && a.status === 'online') {
      const dt = end - start;
      a.onlineMs += dt;
      a.capMs += a.capacity * dt;
      a.busyMs += a.load * dt;
    }
    a.lastT = this.now;
  }

  private finish(): void {
    this.now = Math.max(this.now, this.input.to);
    for (const a of this.agents) this.account(a);
    this.done = true;
  }

  /** What happened to each arrival (in input order): for tests and drill-downs. */
  outcomes(): ArrivalOutcome[] {
    if (!this.done) throw new Error('simulation: outcomes() before the run is over');
    return this.input.arrivals.map((a, idx) => {
      const o = this.outcomes_[idx]!;
      return {
        conversationId: a.conversationId,
        state: o.state === 'assigned' ? 'assigned' : 'abandoned',
        ...(o.reason ? { reason: o.reason } : {}),
        ...(o.state === 'assigned' ? { waitSec: round3((o.assignedAt! - a.at) / 1000), agentId: this.agents[o.agent!]!.id, assignedFrom: groupIdOf(o.assignedFrom!) } : {}),
        overflowHops: o.hops,
        held: o.held,
      };
    });
  }

  report(filter: ReportFilter = {}): SimulationReport {
    if (!this.done) throw new Error('simulation: report() before the run is over');
    const inGroup = filter.group ?? (() => true);
    const inAgents = filter.agent ?? (() => true);
    const groups = new Map<string, { arrivals: number; assigned: number; assignedHere: number; abandoned: AbandonedCounts; overflowed: number; waits: number[] }>();
    const groupOf = (g: string) => {
      let r = groups.get(g);
      if (!r) {
        r = { arrivals: 0, assigned: 0, assignedHere: 0, abandoned: emptyAbandoned(), overflowed: 0, waits: [] };
        groups.set(g, r);
      }
      return r;
    };
    const total = { arrivals: 0, assigned: 0, abandoned: emptyAbandoned(), overflowed: 0, held: 0, waits: [] as number[] };
    let moves = 0;
    this.input.arrivals.forEach((a, idx) => {
      const o = this.outcomes_[idx]!;
      if (o.assignedFrom !== undefined && inGroup(groupIdOf(o.assignedFrom))) groupOf(o.assignedFrom).assignedHere++;
      if (!inGroup(a.skillGroupId)) return;
      const r = groupOf(groupKey(a.skillGroupId));
      for (const x of [r, total]) {
        x.arrivals++;
        if (o.hops > 0) x.overflowed++;
        if (o.state === 'assigned') {
          x.assigned++;
          x.waits.push((o.assignedAt! - a.at) / 1000);
        } else if (o.state === 'abandoned') {
          x.abandoned.total++;
          x.abandoned[o.reason!]++;
        }
      }
      if (o.held) total.held++;
      moves += o.hops;
    });
    return {
      arrivals: total.arrivals,
      assigned: total.assigned,
      abandoned: total.abandoned,
      overflowed: total.overflowed,
      overflowMoves: moves,
      held: total.held,
      wait: waitStats(total.waits),
      groups: [...groups.entries()]
        .sort(([x], [y]) => (x === y ? 0 : x === DEFAULT_GROUP ? -1 : y === DEFAULT_GROUP ? 1 : x < y ? -1 : 1))
        .map(([g, r]) => ({ skillGroupId: groupIdOf(g), arrivals: r.arrivals, assigned: r.assigned, assignedHere: r.assignedHere, abandoned: r.abandoned, overflowed: r.overflowed, wait: waitStats(r.waits) })),
      agents: this.agents.filter((a) => inAgents(a.id)).map((a) => ({
        agentId: a.id,
        chats: a.chats,
        busySlotSec: round3(a.busyMs / 1000),
        onlineSec: round3(a.onlineMs / 1000),
        utilisation: a.capMs > 0 ? round3(a.busyMs / a.capMs) : null,
        maxConcurrent: a.maxLoad,
      })),
    };
  }
}

function emptyAbandoned(): AbandonedCounts {
  return { total: 0, timeout: 0, full: 0, closed: 0, overflowExhausted: 0, left: 0 };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Nearest-rank percentiles of waits in seconds. */
export function waitStats(waits: number[]): WaitStats {
  if (!waits.length) return { count: 0, p50: null, p90: null, p99: null, max: null, mean: null };
  const s = [...waits].sort((a, b) => a - b);
  const rank = (p: number) => round3(s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!);
  return { count: s.length, p50: rank(50), p90: rank(90), p99: rank(99), max: round3(s[s.length - 1]!), mean: round3(s.reduce((x, y) => x + y, 0) / s.length) };
}

/** Where strategies and priority rules come from (the plugin registry, limited to what the workspace enabled). */
export interface RoutingContributions {
  strategy(name: string): AssignmentStrategyContribution | undefined;
  priorityRule(name: string): PriorityRuleContribution | undefined;
}

/**
 * Resolves a group's policy the way the engine does (strategyOf, priorityRulesOf): an unavailable or
 * misconfigured strategy falls back to `balanced`, an unavailable rule counts nothing.
 */
export function resolveGroupRouting(policy: GroupRoutingPolicy, contributions: RoutingContributions): SimGroupRouting {
  let strategy: ResolvedStrategy = { name: 'balanced', config: {}, strategy: balancedStrategy };
  if (policy.strategy.name !== 'balanced') {
    const found = contributions.strategy(policy.strategy.name);
    const cfg = found?.config.safeParse(policy.strategy.config);
    strategy = found && cfg?.success
      ? { name: policy.strategy.name, config: cfg.data, strategy: found }
      : { ...strategy, fallbackFrom: policy.strategy.name };
  }
  const rules: ResolvedPriorityRule[] = [];
  for (const r of policy.priorityRules) {
    const found = contributions.priorityRule(r.rule);
    const cfg = found?.config.safeParse(r.config);
    if (found && cfg?.success) rules.push({ name: r.rule, weight: r.weight, config: cfg.data, rule: found });
  }
  return { policy, strategy, rules };
}

/** Runs a whole simulation at once (see RoutingSimulation for slicing a long one). */
export function simulate(input: SimulationInput, filter?: ReportFilter): SimulationReport {
  return new RoutingSimulation(input).run().report(filter);
}
