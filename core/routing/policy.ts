/**
 * Routing policy of a skill group, and the pure decision logic that applies it (F8–F12): which
 * waiting customer goes first (priority rules), which agent gets them (strategy), and the limits.
 * Nothing here touches Redis, the database or the clock: the live router (core/routing/engine.ts,
 * routing.ts) and the policy simulator (core/routing/simulate.ts) run the same code.
 */
import { z } from 'zod';
import type { AssignmentStrategyContribution, PriorityRuleContribution, PriorityRuleInput, RoutingCandidate, StrategyResult } from '@kefu-hub/plugin-sdk';
import { WorkingHoursConfig } from '../flows/registry.ts';

const Ref = z.object({ name: z.string().min(1).max(64), config: z.record(z.string(), z.unknown()).default({}) });

/** A skill group's routing policy (SkillGroup.routing). `{}` is valid: balanced, no rules, no limits. */
export const GroupRoutingPolicySchema = z.object({
  /** The assignment strategy (a plugin contribution, or the core's `balanced`). */
  strategy: Ref.default({ name: 'balanced', config: {} }),
  /** Customer-priority rules; weight = seconds of waiting one point is worth (0 … 1 day). */
  priorityRules: z.array(z.object({
    rule: z.string().min(1).max(64),
    weight: z.number().min(0).max(86_400).default(60),
    config: z.record(z.string(), z.unknown()).default({}),
  })).max(20).default([]),
  /** Caps each agent's concurrent chats from this group (below their own maximum). */
  maxChatsPerAgent: z.number().int().min(1).max(100).nullable().default(null),
  /** Waiting customers this group accepts (overrides the queue node's limit). */
  maxQueueLength: z.number().int().min(1).max(100_000).nullable().default(null),
  /**
   * Overflow (溢出): a customer who has waited `afterSec` in this group moves on to `toSkillGroupId`
   * (keeping their priority and waiting time), or, with null, to the offline message. A full or
   * closed group sends new arrivals along the same chain at once.
   */
  overflow: z.object({
    afterSec: z.number().int().min(0).max(86_400),
    toSkillGroupId: z.string().min(1).max(36).nullable(),
  }).nullable().default(null),
  /** Working hours of the group (null: always open). Out of hours, customers follow the overflow chain. */
  workingHours: WorkingHoursConfig.nullable().default(null),
});
export type GroupRoutingPolicy = z.output<typeof GroupRoutingPolicySchema>;
export type GroupRoutingPolicyInput = z.input<typeof GroupRoutingPolicySchema>;

export const DEFAULT_POLICY: GroupRoutingPolicy = GroupRoutingPolicySchema.parse({});

/** One decision step considers this many waiting customers of a queue (held ones do not block the rest). */
export const PLAN_HEAD = 20;
/** At most this many overflow hops on arrival (a chain is loop-checked when saved; this bounds the rest). */
export const MAX_CHAIN = 10;

/** The core's strategy, always available: lowest load ratio first, then longest idle (均衡分配). */
export const balancedStrategy: AssignmentStrategyContribution = {
  label: { en: 'Balanced by load', 'zh-CN': '负载均衡' },
  config: z.object({}),
  rank(input) {
    const ranked = [...input.candidates]
      .sort((a, b) => a.load / a.capacity - b.load / b.capacity || a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : 1))
      .map((c, i) => ({ agentId: c.agentId, score: 0 - c.load / c.capacity, why: `${i === 0 ? 'lowest load' : 'load'} ${c.load}/${c.capacity}` }));
    return { ranked };
  },
};

/** One rule's share of a customer's priority, as shown in the decision log. */
export interface PriorityTerm { rule: string; points: number; weight: number; advanceSec: number; reason?: string }

export interface ResolvedPriorityRule { name: string; weight: number; config: unknown; rule: PriorityRuleContribution }

/**
 * How far ahead of their enqueue time a customer is placed: Σ weight × points over the group's rules.
 * A rule that throws or returns garbage counts 0 and says so (a broken plugin never blocks a queue).
 */
export function priorityOf(rules: ResolvedPriorityRule[], input: PriorityRuleInput): { advanceSec: number; terms: PriorityTerm[] } {
  const terms: PriorityTerm[] = [];
  let advanceSec = 0;
  for (const r of rules) {
    let points = 0;
    let reason: string | undefined;
    try {
      const out = r.rule.evaluate(input, r.config);
      points = Number.isFinite(out.points) && out.points > 0 ? Math.min(out.points, 1000) : 0;
      reason = out.reason;
    } catch (err) {
      reason = `rule failed: ${(err as Error).message}`.slice(0, 200);
    }
    if (points > 0 || reason) {
      const adv = Math.min(points * r.weight, 86_400);
      terms.push({ rule: r.name, points, weight: r.weight, advanceSec: adv, ...(reason ? { reason } : {}) });
      advanceSec += adv;
    }
  }
  return { advanceSec: Math.min(advanceSec, 7 * 86_400), terms };
}

/** What routing keeps about a waiting conversation (Redis, beside its place in the queue). */
export interface QueueMeta {
  customerId: string;
  /** First enqueue time (ms) of this wait, kept across overflow moves. */
  queuedAt: number;
  /** When it entered the queue it is in now (ms): overflow timers count from here. */
  groupSince: number;
  advanceSec: number;
  terms: PriorityTerm[];
  lastAgentId: string | null;
  lastServedAt: number | null;
}

export interface QueuedEntry { conversationId: string; score: number; meta: QueueMeta }

/** A member of the group as routing sees it (Redis agent hash). */
export interface MemberState { agentId: string; status: string; capacity: number; load: number; idleSince: number; level: number }

export interface ResolvedStrategy { name: string; config: unknown; strategy: AssignmentStrategyContribution; fallbackFrom?: string }

/** The explanation stored with every assignment (RoutingDecision.detail). */
export interface AssignDecision {
  kind: 'assigned';
  skillGroupId: string | null;
  strategy: string;
  /** Set when the configured strategy was unavailable and `balanced` decided instead. */
  strategyFallbackFrom?: string;
  conversation: { id: string; position: number; waitedSec: number; advanceSec: number; terms: PriorityTerm[] };
  /** The head of the queue when deciding (up to 10), in order. */
  queue: { conversationId: string; waitedSec: number; advanceSec: number; held?: string }[];
  /**
   * Members with their state: the best-ranked eligible ones with their rank and the strategy's reason,
   * then the closest ineligible ones (online but full, busy, away, offline); `omitted` counts the rest.
   */
  candidates: { agentId: string; status: string; load: number; capacity: number; level: number; eligible: boolean; rank?: number; score?: number; why?: string }[];
  membersTotal: number;
  /** How many members could take the chat (online with a free slot). */
  eligibleTotal: number;
  /** Members not listed in `candidates`, by state ('eligible' = ranked lower than the listed ones). */
  omitted?: Partial<Record<'eligible' | 'full' | 'busy' | 'away' | 'offline', number>>;
  /**
   * Only the chosen candidate and the customer's own queue entry are left: the node that decided
   * stopped before delivering, and another node delivered the assignment from Redis (abridgeDecision).
   */
  abridged?: true;
  chosen: string;
  reason: string;
}

/** The decision log lists at most this many ranked candidates and this many ineligible members (a big group stays cheap to log). */
export const LOGGED_RANKED = 10;
export const LOGGED_INELIGIBLE = 10;
const INELIGIBLE_ORDER: Record<string, number> = { online: 0, busy: 1, away: 2, offline: 3 };

export interface PlannedAssignment { conversationId: string; agentId: string; decision: AssignDecision }

export interface PlanResult {
  assignments: PlannedAssignment[];
  /** Conversations the strategy held back (e.g. waiting for their returning agent). */
  held: { conversationId: string; reason: string; untilMs: number }[];
}

/**
 * Decides assignments for the head of one queue, in queue order, against the group's members with
 * tentative loads. The result is a proposal: routing applies it in one atomic Redis step that
 * re-checks every agent's status and free slots, so a stale snapshot can cost an assignment (retried)
 * but never break capacity or assign anyone twice.
 */
export function planAssignments(input: {
  skillGroupId: string | null;
  entries: QueuedEntry[];
  members: MemberState[];
  strategy: ResolvedStrategy;
  maxChatsPerAgent: number | null;
  now: number;
}): PlanResult {
  const { entries, strategy, now } = input;
  const cap = (m: MemberState) => (input.maxChatsPerAgent ? Math.min(m.capacity, input.maxChatsPerAgent) : m.capacity);
  const load = new Map(input.members.map((m) => [m.agentId, m.load]));
  // As the apply step does: an agent who gets a chat is no longer idle.
  const idle = new Map(input.members.map((m) => [m.agentId, m.idleSince]));
  const held: PlanResult['held'] = [];
  const assignments: PlannedAssignment[] = [];
  const queueView = entries.slice(0, 10).map((e) => ({ conversationId: e.conversationId, waitedSec: Math.round((now - e.meta.queuedAt) / 1000), advanceSec: e.meta.advanceSec }));
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const members = input.members.map((m) => ({ ...m, load: load.get(m.agentId)!, idleSince: idle.get(m.agentId)!, capacity: cap(m) }));
    const candidates: RoutingCandidate[] = members
      .filter((m) => m.status === 'online' && m.capacity > 0 && m.load < m.capacity)
      .map((m) => ({ agentId: m.agentId, load: m.load, capacity: m.capacity, level: m.level, idleSince: m.idleSince }));
    if (!candidates.length) break;
    let result: StrategyResult;
    try {
      result = strategy.strategy.rank({
        conversation: { id: e.conversationId, customerId: e.meta.customerId, waitedMs: now - e.meta.queuedAt, lastAgentId: e.meta.lastAgentId, lastServedAt: e.meta.lastServedAt },
        candidates,
        members: members.map((m) => ({ agentId: m.agentId, status: m.status, load: m.load, capacity: m.capacity })),
        now,
      }, strategy.config);
    } catch {
      result = balancedStrategy.rank({ conversation: { id: e.conversationId, customerId: e.meta.customerId, waitedMs: now - e.meta.queuedAt, lastAgentId: null, lastServedAt: null }, candidates, members: [], now }, {});
    }
    if (result.hold && result.hold.untilMs > now) {
      held.push({ conversationId: e.conversationId, reason: result.hold.reason, untilMs: result.hold.untilMs });
      const q = queueView.find((v) => v.conversationId === e.conversationId);
      if (q) Object.assign(q, { held: result.hold.reason });
      continue;
    }
    const eligible = new Set(candidates.map((c) => c.agentId));
    const pick = result.ranked.find((r) => eligible.has(r.agentId));
    if (!pick) continue; // the strategy refused every candidate for this customer: leave them waiting
    const logged = loggedCandidates(members, eligible, result.ranked);
    assignments.push({
      conversationId: e.conversationId,
      agentId: pick.agentId,
      decision: {
        kind: 'assigned',
        skillGroupId: input.skillGroupId,
        strategy: strategy.name,
        ...(strategy.fallbackFrom ? { strategyFallbackFrom: strategy.fallbackFrom } : {}),
        conversation: { id: e.conversationId, position: i + 1, waitedSec: Math.round((now - e.meta.queuedAt) / 1000), advanceSec: e.meta.advanceSec, terms: e.meta.terms },
        queue: queueView,
        candidates: logged.candidates,
        membersTotal: members.length,
        eligibleTotal: eligible.size,
        ...(logged.omitted ? { omitted: logged.omitted } : {}),
        chosen: pick.agentId,
        reason: `${strategy.name}: ${pick.why}`,
      },
    });
    load.set(pick.agentId, load.get(pick.agentId)! + 1);
    idle.set(pick.agentId, now);
  }
  return { assignments, held };
}

/** The decision log's view of the members: ranked eligible ones first, then the closest ineligible ones, the rest counted. */
function loggedCandidates(members: MemberState[], eligible: Set<string>, ranked: StrategyResult['ranked']): Pick<AssignDecision, 'candidates' | 'omitted'> {
  const byId = new Map(members.map((m) => [m.agentId, m]));
  const view = (m: MemberState) => ({ agentId: m.agentId, status: m.status, load: m.load, capacity: m.capacity, level: m.level });
  const candidates: AssignDecision['candidates'] = [];
  const omitted: NonNullable<AssignDecision['omitted']> = {};
  const listed = new Set<string>();
  for (const r of ranked) {
    const m = byId.get(r.agentId);
    if (!m || !eligible.has(r.agentId) || listed.has(r.agentId)) continue;
    listed.add(r.agentId);
    if (candidates.length < LOGGED_RANKED) candidates.push({ ...view(m), eligible: true, rank: candidates.length + 1, score: r.score, why: r.why });
    else omitted.eligible = (omitted.eligible ?? 0) + 1;
  }
  const others = members
    .filter((m) => !listed.has(m.agentId))
    .sort((a, b) => (INELIGIBLE_ORDER[a.status] ?? 4) - (INELIGIBLE_ORDER[b.status] ?? 4) || b.level - a.level);
  let shown = 0;
  for (const m of others) {
    const isEligible = eligible.has(m.agentId); // eligible but not ranked by the strategy
    if (shown < LOGGED_INELIGIBLE) {
      candidates.push({ ...view(m), eligible: isEligible });
      shown++;
      continue;
    }
    const state = isEligible ? 'eligible' : m.status === 'online' ? 'full' : (m.status as 'busy' | 'away' | 'offline');
    omitted[state] = (omitted[state] ?? 0) + 1;
  }
  return { candidates, ...(Object.keys(omitted).length ? { omitted } : {}) };
}

/**
 * The copy of a decision kept in Redis with its pending assignment, for redelivery by another node if
 * the deciding one dies: the choice and its reasons without the full candidate list and queue head
 * (a few hundred bytes instead of kilobytes on every assignment's hot path).
 */
export function abridgeDecision(d: AssignDecision): AssignDecision {
  return {
    ...d,
    queue: d.queue.filter((q) => q.conversationId === d.conversation.id),
    candidates: d.candidates.filter((c) => c.agentId === d.chosen),
    abridged: true,
  };
}
