/**
 * Routing rules (kind `rule`), chosen per skill group in its routing policy (F9, F10):
 * - priority rules — points a skill group weighs (seconds of waiting per point) to move a customer
 *   ahead: customer_tag (VIP…), new_customer, reentry_today (queued and lost earlier today),
 *   repeat_visits_today (the more visits today, the higher);
 * - strategies — who gets the customer: returning_customer (熟客优先: the agent who served them
 *   last, with a fallback after a wait) and capability (能力优先/多劳多得: highest skill level first).
 * The core's `balanced` strategy needs no plugin. Everything here is pure and synchronous.
 */
import { definePlugin, z, type AssignmentStrategyContribution, type PriorityRuleContribution, type RoutingCandidate } from '@kefu-hub/plugin-sdk';

export const customerTagPriorityConfig = z.object({
  /** Points per tag; a customer with several gets the highest. */
  tags: z.record(z.string().min(1).max(64), z.number().min(0).max(100)).default({ VIP: 10 }),
});
export const customerTagPriority: PriorityRuleContribution = {
  label: { en: 'Customer tag (VIP …)', 'zh-CN': '客户标签（VIP 等）' },
  config: customerTagPriorityConfig,
  evaluate(input, cfg: z.output<typeof customerTagPriorityConfig>) {
    let best: [string, number] | null = null;
    for (const t of input.customer.tags) {
      const p = cfg.tags[t];
      if (p !== undefined && (!best || p > best[1])) best = [t, p];
    }
    return best ? { points: best[1], reason: `tag ${best[0]}` } : { points: 0 };
  },
};

export const newCustomerPriorityConfig = z.object({
  points: z.number().min(0).max(100).default(5),
  /** New = no earlier conversation and first seen within this many days. */
  withinDays: z.number().int().min(0).max(365).default(7),
});
export const newCustomerPriority: PriorityRuleContribution = {
  label: { en: 'New customer', 'zh-CN': '新客户' },
  config: newCustomerPriorityConfig,
  evaluate(input, cfg: z.output<typeof newCustomerPriorityConfig>) {
    const ageDays = (Date.parse(input.conversation.createdAt) - Date.parse(input.customer.firstSeenAt)) / 86_400_000;
    if (input.previousConversations === 0 && ageDays <= cfg.withinDays) return { points: cfg.points, reason: 'first conversation' };
    return { points: 0 };
  },
};

export const reentryPriorityConfig = z.object({
  /** Points per earlier failed queue today, up to `max`. */
  pointsPerFailure: z.number().min(0).max(100).default(5),
  max: z.number().min(0).max(1000).default(15),
});
export const reentryPriority: PriorityRuleContribution = {
  label: { en: 'Re-entry after a failed queue today', 'zh-CN': '当日排队失败后再次进入' },
  config: reentryPriorityConfig,
  evaluate(input, cfg: z.output<typeof reentryPriorityConfig>) {
    const n = input.today.failedQueues;
    if (n <= 0) return { points: 0 };
    return { points: Math.min(cfg.max, n * cfg.pointsPerFailure), reason: `${n} failed queue(s) earlier today` };
  },
};

export const repeatVisitsPriorityConfig = z.object({
  /** Points per visit today after the first, up to `max`. */
  pointsPerVisit: z.number().min(0).max(100).default(2),
  max: z.number().min(0).max(1000).default(10),
});
export const repeatVisitsPriority: PriorityRuleContribution = {
  label: { en: 'Repeat visits today (more visits, higher)', 'zh-CN': '当日多次访问（次数越多越优先）' },
  config: repeatVisitsPriorityConfig,
  evaluate(input, cfg: z.output<typeof repeatVisitsPriorityConfig>) {
    const extra = input.today.visits - 1;
    if (extra <= 0) return { points: 0 };
    return { points: Math.min(cfg.max, extra * cfg.pointsPerVisit), reason: `visit ${input.today.visits} today` };
  },
};

const byLoadThenIdle = (a: RoutingCandidate, b: RoutingCandidate) =>
  a.load / a.capacity - b.load / b.capacity || a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : 1);

export const returningCustomerConfig = z.object({
  /** Wait this long for the last agent when they are online but full (or busy/away); then anyone. */
  fallbackAfterSec: z.number().int().min(0).max(3600).default(60),
  /** Only customers served within this many days count as returning. */
  withinDays: z.number().int().min(1).max(365).default(30),
  /** Also wait when the last agent is offline (normally not: they may not come back today). */
  waitForOffline: z.boolean().default(false),
});
export const returningCustomerStrategy: AssignmentStrategyContribution = {
  label: { en: 'Returning customer first (熟客优先)', 'zh-CN': '熟客优先' },
  config: returningCustomerConfig,
  rank(input, cfg: z.output<typeof returningCustomerConfig>) {
    const { lastAgentId, lastServedAt, waitedMs } = input.conversation;
    const recent = lastAgentId && lastServedAt !== null && input.now - lastServedAt <= cfg.withinDays * 86_400_000;
    const others = input.candidates.filter((c) => c.agentId !== lastAgentId).sort(byLoadThenIdle)
      .map((c) => ({ agentId: c.agentId, score: 0 - c.load / c.capacity, why: `${recent ? 'fallback, ' : ''}load ${c.load}/${c.capacity}` }));
    if (!recent) return { ranked: others.map((r) => ({ ...r, why: `no recent agent; ${r.why}` })) };
    const last = input.candidates.find((c) => c.agentId === lastAgentId);
    if (last) return { ranked: [{ agentId: last.agentId, score: 1, why: 'served this customer last' }, ...others] };
    const member = input.members.find((m) => m.agentId === lastAgentId);
    const waitable = member && (member.status !== 'offline' || cfg.waitForOffline);
    if (waitable && waitedMs < cfg.fallbackAfterSec * 1000) {
      return { ranked: [], hold: { reason: `waiting for ${lastAgentId} (served them last; ${member.status}, ${member.load}/${member.capacity})`, untilMs: input.now - waitedMs + cfg.fallbackAfterSec * 1000 } };
    }
    return { ranked: others.map((r) => ({ ...r, why: `last agent ${member ? member.status : 'not in this group'}; ${r.why}` })) };
  },
};

export const capabilityConfig = z.object({
  /** Among equal levels: prefer the lower load (true) or fill the stronger agent first (false: 多劳多得). */
  balanceWithinLevel: z.boolean().default(true),
});
export const capabilityStrategy: AssignmentStrategyContribution = {
  label: { en: 'Capability first (能力优先 / 多劳多得)', 'zh-CN': '能力优先（多劳多得）' },
  config: capabilityConfig,
  rank(input, cfg: z.output<typeof capabilityConfig>) {
    const ranked = [...input.candidates]
      .sort((a, b) => b.level - a.level || (cfg.balanceWithinLevel ? byLoadThenIdle(a, b) : b.load - a.load || (a.agentId < b.agentId ? -1 : 1)))
      .map((c) => ({ agentId: c.agentId, score: c.level * 100 - c.load, why: `skill level ${c.level}, load ${c.load}/${c.capacity}` }));
    return { ranked };
  },
};

export default definePlugin({
  name: 'routing-rules',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['rule'],
  displayName: { en: 'Routing rules', 'zh-CN': '路由规则' },
  description: {
    en: 'Queue priority rules (customer tag, new customer, re-entry after a failed queue, repeat visits) and assignment strategies (returning customer first, capability first) for skill groups.',
    'zh-CN': '技能组的排队优先级规则（客户标签、新客户、排队失败再进入、当日多次访问）与分配策略（熟客优先、能力优先）。',
  },
  config: z.object({}),
  priorityRules: {
    customer_tag: customerTagPriority,
    new_customer: newCustomerPriority,
    reentry_today: reentryPriority,
    repeat_visits_today: repeatVisitsPriority,
  },
  strategies: {
    returning_customer: returningCustomerStrategy,
    capability: capabilityStrategy,
  },
});
