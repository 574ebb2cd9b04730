/**
 * The routing engine: the policy side of routing, over the Redis state machine of routing.ts.
 * - diversion (分流): which skill group a customer joins — queue-node rules on customer tags,
 *   attributes and channel, then the channel's default group, then the node's group;
 * - customer priority (F9): the group's priority rules turn customer facts into a queue advance;
 * - limits and overflow (F11/F12): working hours, maximum queue length, and the overflow chain,
 *   applied on arrival and by the sweep for customers already waiting;
 * - the decision log: every decision is recorded with its inputs (RoutingDecision).
 * Strategies (who gets whom) are resolved here and run inside routing.ts's assignment step.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type { PriorityRuleInput } from '@kefu-hub/plugin-sdk';
import {
  Channel, Conversation, Customer, FlowVersion, PluginInstallation, RoutingDecision, SkillGroup, Workspace, type RoutingDecisionKind,
} from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import type { PluginRegistry } from '../kernel/registry.ts';
import { isOpen } from '../../workflows/conversation/machine.ts';
import type { FlowDefinition } from '../flows/types.ts';
import {
  DEFAULT_POLICY, GroupRoutingPolicySchema, MAX_CHAIN, balancedStrategy, priorityOf,
  type GroupRoutingPolicy, type PriorityTerm, type ResolvedPriorityRule, type ResolvedStrategy,
} from './policy.ts';
import type { QueueRuntime, RoutingLogger, RoutingService } from './routing.ts';
import { RefreshingCache } from './refreshing-cache.ts';

/** Why a customer could not be queued: every group on the chain was full, or closed. */
export type ExitReason = 'overflow_exhausted' | 'group_closed';

export type EngineEnqueueResult =
  | { ok: true; position: number; skillGroupId: string | null; estimatedWaitSec: number | null }
  | { ok: false; reason: 'full' | 'closed' };

/** Diversion rules of a queue node (QueueNodeConfig.diversion): the first that matches wins. */
export interface DiversionRule {
  /** Every condition given must hold. */
  when: { tagsAny?: string[]; attribute?: { key: string; equals: string | number | boolean }; channelIds?: string[] };
  skillGroupId: string;
}

interface CachedPolicy { policy: GroupRoutingPolicy; group: SkillGroup | null }

/** Policies and time zones: fresh for 2 s, refreshed in the background while up to 10 s old (refreshing-cache.ts). */
const POLICY_FRESH_MS = 2000;
const INSTALL_FRESH_MS = 5000;
const MAX_STALE_MS = 10_000;

export interface RoutingEngineDeps {
  orm: MikroORM;
  routing: RoutingService;
  registry: PluginRegistry;
  /** Signals a conversation's workflow that it left the queue (null on nodes without Temporal). */
  exitQueue: (conversationId: string, reason: ExitReason) => Promise<void>;
  /** Tells live views a waiting customer moved (overflow) or left the queue. */
  onQueueChanged?: (workspaceId: string, conversationId: string) => void;
  logger: RoutingLogger;
}

export class RoutingEngine {
  private readonly deps: RoutingEngineDeps;
  private readonly policies: RefreshingCache<CachedPolicy>;
  private readonly installs: RefreshingCache<Set<string>>;
  private readonly flows = new Map<string, FlowDefinition>();
  private readonly timezones: RefreshingCache<string>;

  constructor(deps: RoutingEngineDeps) {
    this.deps = deps;
    const onRefreshError = (what: string) => (key: string, err: Error) => deps.logger.warn(`routing: refreshing the ${what} of ${key} failed (the cached one is used until it is too old): ${err.message}`);
    this.policies = new RefreshingCache({ freshMs: POLICY_FRESH_MS, maxStaleMs: MAX_STALE_MS, onRefreshError: onRefreshError('policy') });
    this.installs = new RefreshingCache({ freshMs: INSTALL_FRESH_MS, maxStaleMs: MAX_STALE_MS, onRefreshError: onRefreshError('enabled plugins') });
    this.timezones = new RefreshingCache({ freshMs: POLICY_FRESH_MS, maxStaleMs: MAX_STALE_MS, onRefreshError: onRefreshError('time zone') });
  }

  // ---------------------------------------------------------------- policies

  /**
   * A group's policy (cached: changes made on another node apply within 2–10 s; `invalidate` after a
   * change on this node). Unknown group: defaults.
   */
  async policyOf(workspaceId: string, skillGroupId: string | null): Promise<CachedPolicy> {
    if (!skillGroupId) return { policy: DEFAULT_POLICY, group: null };
    return this.policies.get(`${workspaceId}|${skillGroupId}`, async () => {
      const group = await workspaceEm(this.deps.orm, workspaceId).findOne(SkillGroup, { id: skillGroupId });
      const parsed = GroupRoutingPolicySchema.safeParse(group?.routing ?? {});
      if (!parsed.success) this.deps.logger.warn(`routing: skill group ${skillGroupId} has an invalid stored policy; using defaults`);
      return { policy: parsed.success ? parsed.data : DEFAULT_POLICY, group };
    });
  }

  invalidate(workspaceId: string, skillGroupId?: string): void {
    this.policies.invalidate((key) => key.startsWith(`${workspaceId}|`) && (!skillGroupId || key.endsWith(`|${skillGroupId}`)));
    this.installs.invalidate((key) => key === workspaceId);
  }

  /** The workspace's time zone ("today" for priority facts when the group has no hours), cached like policies. */
  private timezoneOf(workspaceId: string): Promise<string> {
    return this.timezones.get(workspaceId, async () =>
      (await workspaceEm(this.deps.orm, workspaceId).findOne(Workspace, { id: workspaceId }, { fields: ['timezone'] }))?.timezone ?? 'Asia/Shanghai');
  }

  /** Plugins enabled in the workspace (cached like policies, fresh for 5 s; `fresh` for admin checks). */
  private installed(workspaceId: string, fresh = false): Promise<Set<string>> {
    if (fresh) this.installs.invalidate((key) => key === workspaceId);
    return this.installs.get(workspaceId, async () => {
      const rows = await workspaceEm(this.deps.orm, workspaceId).find(PluginInstallation, { enabled: true }, { fields: ['pluginName'] });
      return new Set(rows.map((r) => r.pluginName));
    });
  }

  /** The group's strategy, or `balanced` (saying so) when its plugin is missing or not enabled here. */
  async strategyOf(workspaceId: string, policy: GroupRoutingPolicy): Promise<ResolvedStrategy> {
    const name = policy.strategy.name;
    if (name === 'balanced') return { name, config: {}, strategy: balancedStrategy };
    const found = this.deps.registry.strategy(name);
    if (found && (await this.installed(workspaceId)).has(found.plugin)) {
      const cfg = found.strategy.config.safeParse(policy.strategy.config);
      if (cfg.success) return { name, config: cfg.data, strategy: found.strategy };
    }
    return { name: 'balanced', config: {}, strategy: balancedStrategy, fallbackFrom: name };
  }

  /** What routing.ts needs per queue; passed to it as `queueRuntime`. */
  readonly queueRuntime = async (workspaceId: string, skillGroupId: string | null): Promise<QueueRuntime> => {
    const { policy } = await this.policyOf(workspaceId, skillGroupId);
    return { strategy: await this.strategyOf(workspaceId, policy), maxChatsPerAgent: policy.maxChatsPerAgent };
  };

  private async priorityRulesOf(workspaceId: string, policy: GroupRoutingPolicy): Promise<{ rules: ResolvedPriorityRule[]; unavailable: string[] }> {
    const rules: ResolvedPriorityRule[] = [];
    const unavailable: string[] = [];
    const installed = policy.priorityRules.length ? await this.installed(workspaceId) : new Set<string>();
    for (const r of policy.priorityRules) {
      const found = this.deps.registry.priorityRule(r.rule);
      const cfg = found?.rule.config.safeParse(r.config);
      if (!found || !installed.has(found.plugin) || !cfg?.success) {
        unavailable.push(r.rule);
        continue;
      }
      rules.push({ name: r.rule, weight: r.weight, config: cfg.data, rule: found.rule });
    }
    return { rules, unavailable };
  }

  /**
   * Validates a proposed policy for a group of this workspace: the schema, then that every strategy
   * and rule exists, is enabled here and accepts its config, and that the overflow chain names groups
   * of the workspace without a cycle. Returns the normalised policy or the list of problems.
   */
  async validatePolicy(workspaceId: string, skillGroupId: string, input: unknown): Promise<{ ok: true; policy: GroupRoutingPolicy } | { ok: false; issues: { path: string; message: string }[] }> {
    const parsed = GroupRoutingPolicySchema.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
    const policy = parsed.data;
    const issues: { path: string; message: string }[] = [];
    const installed = await this.installed(workspaceId, true);
    if (policy.strategy.name !== 'balanced') {
      const found = this.deps.registry.strategy(policy.strategy.name);
      if (!found) issues.push({ path: 'strategy.name', message: `unknown strategy "${policy.strategy.name}"` });
      else if (!installed.has(found.plugin)) issues.push({ path: 'strategy.name', message: `strategy "${policy.strategy.name}" needs plugin "${found.plugin}", which is not enabled in this workspace` });
      else {
        const cfg = found.strategy.config.safeParse(policy.strategy.config);
        if (!cfg.success) for (const i of cfg.error.issues) issues.push({ path: `strategy.config.${i.path.join('.')}`, message: i.message });
      }
    }
    policy.priorityRules.forEach((r, idx) => {
      const found = this.deps.registry.priorityRule(r.rule);
      if (!found) issues.push({ path: `priorityRules.${idx}.rule`, message: `unknown priority rule "${r.rule}"` });
      else if (!installed.has(found.plugin)) issues.push({ path: `priorityRules.${idx}.rule`, message: `priority rule "${r.rule}" needs plugin "${found.plugin}", which is not enabled in this workspace` });
      else {
        const cfg = found.rule.config.safeParse(r.config);
        if (!cfg.success) for (const i of cfg.error.issues) issues.push({ path: `priorityRules.${idx}.config.${i.path.join('.')}`, message: i.message });
      }
    });
    const to = policy.overflow?.toSkillGroupId;
    if (to) {
      const em = workspaceEm(this.deps.orm, workspaceId);
      if (to === skillGroupId) issues.push({ path: 'overflow.toSkillGroupId', message: 'a group cannot overflow to itself' });
      else if (!(await em.findOne(SkillGroup, { id: to }))) issues.push({ path: 'overflow.toSkillGroupId', message: `no skill group ${to} in this workspace` });
      else {
        // Follow the chain as stored (with this group's new target) and refuse a cycle.
        const seen = new Set([skillGroupId]);
        let next: string | null = to;
        for (let hop = 0; next && hop < 50; hop++) {
          if (seen.has(next)) {
            issues.push({ path: 'overflow.toSkillGroupId', message: 'the overflow chain would loop back to a group already on it' });
            break;
          }
          seen.add(next);
          const g: SkillGroup | null = await em.findOne(SkillGroup, { id: next });
          const p = GroupRoutingPolicySchema.safeParse(g?.routing ?? {});
          next = p.success ? p.data.overflow?.toSkillGroupId ?? null : null;
        }
      }
    }
    return issues.length ? { ok: false, issues } : { ok: true, policy };
  }

  // ---------------------------------------------------------------- arrival

  /**
   * Puts a conversation (whose row is `queued`) in the right queue: diversion on its first queue visit,
   * then along the overflow chain past closed or full groups. Idempotent for a retried activity: a
   * conversation already waiting keeps its place. `{ ok: false }` when no group on the chain can take
   * it (the workflow goes on to the offline message); the decision is logged either way.
   */
  async enqueue(input: { workspaceId: string; conversationId: string; skillGroupId: string | null; maxQueueLength: number; keepPlace?: boolean; restore?: boolean }): Promise<EngineEnqueueResult> {
    const { workspaceId: ws, conversationId } = input;
    const em = workspaceEm(this.deps.orm, ws);
    const conv = await em.findOneOrFail(Conversation, { id: conversationId });
    const customer = await em.findOneOrFail(Customer, { id: conv.customerId });
    const now = new Date();
    // Set once the first visit is decided (below): a retry of an attempt that failed before still diverts.
    const firstVisit = !conv.firstQueuedAt;
    const settle = async () => {
      if (firstVisit) await em.nativeUpdate(Conversation, { id: conversationId, firstQueuedAt: null }, { firstQueuedAt: conv.queuedAt ?? now });
    };

    // 1. Diversion: which group first. Later visits (requeue, transfer, a retried attempt) use the
    //    group on the row, which transfers and earlier attempts (diversion, overflow) set.
    let target = firstVisit ? input.skillGroupId : conv.skillGroupId ?? input.skillGroupId;
    let diversion = input.skillGroupId ? 'the flow (queue node or transfer) names the group' : 'default queue';
    if (firstVisit) {
      const rule = await this.matchDiversion(ws, conv, customer.tags ?? [], customer.attributes ?? {});
      const channel = rule ? null : await em.findOne(Channel, { id: conv.channelId });
      const channelGroup = typeof channel?.config?.skillGroupId === 'string' ? channel.config.skillGroupId : null;
      if (rule) {
        target = rule.skillGroupId;
        diversion = `diversion rule ${rule.index + 1} of the queue node (${describeWhen(rule.when)})`;
      } else if (channelGroup) { // more specific than the flow-wide queue node's group
        target = channelGroup;
        diversion = 'the channel\'s default skill group';
      }
    }

    // 2. What the priority rules see (once; each group on the chain weighs it with its own rules).
    const facts = await this.priorityFacts(ws, conv, customer, target);
    const last = await em.getConnection().execute<{ assignee_id: string; closed_at: Date | null; assigned_at: Date | null }[]>(
      'select assignee_id, closed_at, assigned_at from conversation where workspace_id = ? and customer_id = ? and id <> ? and assignee_id is not null order by assigned_at desc limit 1',
      [ws, conv.customerId, conv.id],
    );
    const lastAgentId = last[0]?.assignee_id ?? null;
    const lastServedAt = last[0] ? new Date(last[0].closed_at ?? last[0].assigned_at ?? now).getTime() : null;
    const queuedAtMs = (conv.queuedAt ?? now).getTime();
    const visit = `${conversationId}:${queuedAtMs}`;

    // 3. Along the chain.
    let group = target;
    const hops: { from: string | null; to: string | null; why: string }[] = [];
    for (let hop = 0; hop <= MAX_CHAIN; hop++) {
      const { policy } = await this.policyOf(ws, group);
      const open = !policy.workingHours || isOpen(policy.workingHours, now);
      let blocked: 'closed' | 'full' | null = open ? null : 'closed';
      if (open) {
        const { rules, unavailable } = await this.priorityRulesOf(ws, policy);
        const pr = priorityOf(rules, { ...facts, skillGroupId: group });
        const terms: PriorityTerm[] = [...pr.terms, ...unavailable.map((r) => ({ rule: r, points: 0, weight: 0, advanceSec: 0, reason: 'rule unavailable (plugin missing or disabled, or bad config)' }))];
        const r = await this.deps.routing.enqueue({
          workspaceId: ws, conversationId, skillGroupId: group,
          maxQueueLength: policy.maxQueueLength ?? input.maxQueueLength,
          ...(input.keepPlace && conv.firstQueuedAt ? { queuedAt: conv.firstQueuedAt } : input.restore && conv.queuedAt ? { queuedAt: conv.queuedAt } : {}),
          advanceSec: pr.advanceSec,
          meta: { customerId: conv.customerId, advanceSec: pr.advanceSec, terms, lastAgentId, lastServedAt },
        });
        if (r.ok) {
          await settle();
          if (conv.skillGroupId !== group) {
            await em.nativeUpdate(Conversation, { id: conversationId }, { skillGroupId: group });
          }
          const estimatedWaitSec = r.position > 0 ? await this.deps.routing.estimateWait(ws, group, r.position) : null;
          await this.record(ws, {
            conversationId, kind: 'queued', key: `queued:${visit}`, skillGroupId: group, agentId: null, strategy: null,
            summary: `queued in ${group ? `group ${group}` : 'the default queue'} at position ${r.position}${pr.advanceSec ? `, ${pr.advanceSec} s ahead by priority` : ''} (${diversion}${hops.length ? `; after ${hops.length} overflow hop(s)` : ''})`,
            detail: { diversion, requested: input.skillGroupId, target, hops, position: r.position, keepPlace: !!input.keepPlace, priority: { advanceSec: pr.advanceSec, terms }, facts, lastAgentId },
          });
          return { ok: true, position: r.position, skillGroupId: group, estimatedWaitSec };
        }
        blocked = 'full';
      }
      const next = policy.overflow ? policy.overflow.toSkillGroupId : undefined;
      if (next === undefined || next === null || hop === MAX_CHAIN) {
        await settle();
        await this.record(ws, {
          conversationId, kind: 'exited', key: `exited:${visit}`, skillGroupId: group, agentId: null, strategy: null,
          summary: `not queued: ${group ? `group ${group}` : 'the default queue'} is ${blocked === 'closed' ? 'closed (working hours)' : 'full'}${next === null ? ' and its overflow goes to the offline message' : hops.length ? ' at the end of the overflow chain' : ''}`,
          detail: { diversion, requested: input.skillGroupId, target, hops, blocked },
        });
        return { ok: false, reason: blocked === 'closed' ? 'closed' : 'full' };
      }
      hops.push({ from: group, to: next, why: blocked === 'closed' ? 'closed' : 'full' });
      await this.record(ws, {
        conversationId, kind: 'overflowed', key: `overflowed:${visit}:${hop}`, skillGroupId: next, agentId: null, strategy: null,
        summary: `overflowed from ${group ? `group ${group}` : 'the default queue'} (${blocked === 'closed' ? 'closed' : 'full'}) to group ${next} on arrival`,
        detail: { from: group, to: next, why: blocked, onArrival: true },
      });
      group = next;
    }
    return { ok: false, reason: 'full' };
  }

  /**
   * The decision log's 'queued' row for an arrival whose first attempt stopped after the Redis enqueue
   * (and the assignment it triggered) but before logging: written once, marked as reconstructed.
   */
  async arrivalRecovered(input: { workspaceId: string; conversationId: string }): Promise<void> {
    const c = await workspaceEm(this.deps.orm, input.workspaceId).findOne(Conversation, { id: input.conversationId });
    if (!c?.queuedAt) return;
    await this.record(input.workspaceId, {
      conversationId: c.id, kind: 'queued', key: `queued:${c.id}:${c.queuedAt.getTime()}`, skillGroupId: c.skillGroupId ?? null, agentId: null, strategy: null,
      summary: `queued in ${c.skillGroupId ? `group ${c.skillGroupId}` : 'the default queue'} (details lost: the node handling the arrival stopped before logging it)`,
      detail: { reconstructed: true }, decidedAt: c.queuedAt,
    });
  }

  private async matchDiversion(ws: string, conv: Conversation, tags: string[], attributes: Record<string, unknown>): Promise<(DiversionRule & { index: number }) | null> {
    if (!conv.flowVersionId || !conv.currentNodeId) return null;
    const flow = await this.flowOf(ws, conv.flowVersionId);
    const node = flow?.nodes.find((n) => n.id === conv.currentNodeId);
    const rules = (node?.config?.diversion ?? []) as DiversionRule[];
    for (let i = 0; i < rules.length; i++) {
      const w = rules[i]!.when ?? {};
      const ok = (!w.tagsAny?.length || w.tagsAny.some((t) => tags.includes(t)))
        && (!w.attribute || String(attributes[w.attribute.key]) === String(w.attribute.equals))
        && (!w.channelIds?.length || w.channelIds.includes(conv.channelId));
      if (ok) return { ...rules[i]!, index: i };
    }
    return null;
  }

  private async flowOf(ws: string, flowVersionId: string): Promise<FlowDefinition | null> {
    const hit = this.flows.get(flowVersionId);
    if (hit) return hit;
    const v = await workspaceEm(this.deps.orm, ws).findOne(FlowVersion, { id: flowVersionId });
    if (!v) return null;
    const def = v.definition as unknown as FlowDefinition;
    if (this.flows.size > 500) this.flows.clear(); // versions are immutable; the cache only needs bounding
    this.flows.set(flowVersionId, def);
    return def;
  }

  private async priorityFacts(ws: string, conv: Conversation, customer: Customer, group: string | null): Promise<Omit<PriorityRuleInput, 'skillGroupId'>> {
    const em = workspaceEm(this.deps.orm, ws);
    const { policy } = await this.policyOf(ws, group);
    const tz = policy.workingHours?.timezone ?? (await this.timezoneOf(ws));
    const dayStart = startOfLocalDay(new Date(), tz);
    const [row] = await em.getConnection().execute<{ visits: number | string | null; failed: number | string | null; previous: number | string | null }[]>(
      `select sum(created_at >= ?) as visits,
              sum(created_at >= ? and id <> ? and queued_at is not null and assigned_at is null and status <> 'queued') as failed,
              sum(id <> ?) as previous
         from conversation where workspace_id = ? and customer_id = ?`,
      [dayStart, dayStart, conv.id, conv.id, ws, conv.customerId],
    );
    return {
      customer: { id: customer.id, tags: customer.tags ?? [], attributes: customer.attributes ?? {}, firstSeenAt: customer.createdAt.toISOString() },
      conversation: { id: conv.id, channelId: conv.channelId, createdAt: conv.createdAt.toISOString() },
      today: { visits: Math.max(1, Number(row?.visits ?? 1)), failedQueues: Number(row?.failed ?? 0) },
      previousConversations: Number(row?.previous ?? 0),
    };
  }

  // ---------------------------------------------------------------- customers already waiting

  /**
   * Sweep hook (routing.ts `beforeDrain`), once per second per non-empty queue on some node: a closed
   * group sends everyone on along its chain (or to the offline message); an open group with an overflow
   * moves those who waited `afterSec` in it. A move keeps the customer's waiting time and priority.
   */
  readonly beforeDrain = async (workspaceId: string, skillGroupId: string | null): Promise<void> => {
    const { policy } = await this.policyOf(workspaceId, skillGroupId);
    const now = new Date();
    const open = !policy.workingHours || isOpen(policy.workingHours, now);
    if (open && !policy.overflow) return;
    const { now: redisNow, entries } = await this.deps.routing.queueEntries(workspaceId, skillGroupId);
    const due = open ? entries.filter((e) => redisNow - e.meta.groupSince >= policy.overflow!.afterSec * 1000) : entries;
    if (!due.length) return;
    const dest = await this.walkChain(workspaceId, skillGroupId, policy, now);
    for (const e of due) {
      const visit = `${e.conversationId}:${e.meta.queuedAt}`;
      const why = open ? `waited ${Math.round((redisNow - e.meta.groupSince) / 1000)} s (overflow after ${policy.overflow!.afterSec} s)` : 'the group is closed (working hours)';
      if (dest.kind === 'group') {
        const decidedAt = new Date(); // before the move: the new group may assign at once
        const r = await this.deps.routing.move({ workspaceId, conversationId: e.conversationId, from: skillGroupId, to: dest.skillGroupId, maxQueueLength: dest.maxQueueLength });
        if (r !== 'moved') continue; // assigned meanwhile, left, or the target filled up: next tick
        await workspaceEm(this.deps.orm, workspaceId).nativeUpdate(Conversation, { id: e.conversationId, status: 'queued' }, { skillGroupId: dest.skillGroupId });
        this.deps.onQueueChanged?.(workspaceId, e.conversationId);
        await this.record(workspaceId, {
          conversationId: e.conversationId, kind: 'overflowed', key: `overflowed:${visit}:${skillGroupId ?? '_'}>${dest.skillGroupId}`,
          skillGroupId: dest.skillGroupId, agentId: null, strategy: null,
          summary: `overflowed from ${skillGroupId ? `group ${skillGroupId}` : 'the default queue'} to group ${dest.skillGroupId}: ${why}${dest.skipped.length ? ` (skipped ${dest.skipped.join(', ')})` : ''}`,
          detail: { from: skillGroupId, to: dest.skillGroupId, why, skipped: dest.skipped, waitedSec: Math.round((redisNow - e.meta.queuedAt) / 1000) },
          decidedAt,
        });
      } else if (dest.kind === 'exit') {
        if (!(await this.deps.routing.dequeue({ workspaceId, conversationId: e.conversationId }))) continue;
        this.deps.onQueueChanged?.(workspaceId, e.conversationId);
        await this.record(workspaceId, {
          conversationId: e.conversationId, kind: 'exited', key: `exited:${visit}`, skillGroupId, agentId: null, strategy: null,
          summary: `sent to the offline message: ${why}${dest.skipped.length ? `; no group on the overflow chain could take it (${dest.skipped.join(', ')})` : ''}`,
          detail: { from: skillGroupId, why, skipped: dest.skipped, waitedSec: Math.round((redisNow - e.meta.queuedAt) / 1000) },
        });
        // Out of Redis already; if the signal is lost, the queue node's own timeout ends the wait.
        await this.deps.exitQueue(e.conversationId, open ? 'overflow_exhausted' : 'group_closed').catch((err: unknown) => {
          this.deps.logger.warn(`routing: could not tell conversation ${e.conversationId} it left the queue (its queue timeout will): ${(err as Error).message}`);
        });
      }
      // dest.kind === 'stay': nowhere better to go; keep waiting here.
    }
  };

  /** The first group after `from` on its overflow chain that is open and has room. */
  private async walkChain(ws: string, from: string | null, policy: GroupRoutingPolicy, now: Date): Promise<
    { kind: 'group'; skillGroupId: string; maxQueueLength: number | null; skipped: string[] } | { kind: 'exit'; skipped: string[] } | { kind: 'stay'; skipped: string[] }
  > {
    const skipped: string[] = [];
    if (!policy.overflow) return { kind: 'exit', skipped }; // closed without a chain: offline message
    let next = policy.overflow.toSkillGroupId;
    const seen = new Set([from ?? '_']);
    for (let hop = 0; hop < MAX_CHAIN && next; hop++) {
      if (seen.has(next)) return { kind: 'stay', skipped };
      seen.add(next);
      const { policy: p } = await this.policyOf(ws, next);
      const open = !p.workingHours || isOpen(p.workingHours, now);
      const full = p.maxQueueLength !== null && (await this.deps.routing.queueLength(ws, next)) >= p.maxQueueLength;
      if (open && !full) return { kind: 'group', skillGroupId: next, maxQueueLength: p.maxQueueLength, skipped };
      skipped.push(`${next} ${open ? 'full' : 'closed'}`);
      if (!p.overflow) return { kind: 'exit', skipped };
      next = p.overflow.toSkillGroupId;
    }
    return next === null ? { kind: 'exit', skipped } : { kind: 'stay', skipped };
  }

  // ---------------------------------------------------------------- decision log

  /** Records a decision once (the key makes retried activities and redeliveries write one row). */
  async record(workspaceId: string, d: { conversationId: string; kind: RoutingDecisionKind; key: string; skillGroupId: string | null; agentId: string | null; strategy: string | null; summary: string; detail: Record<string, unknown>; decidedAt?: Date }): Promise<void> {
    await recordDecision(this.deps.orm, workspaceId, d);
  }
}

export async function recordDecision(orm: MikroORM, workspaceId: string, d: { conversationId: string; kind: RoutingDecisionKind; key: string; skillGroupId: string | null; agentId: string | null; strategy: string | null; summary: string; detail: Record<string, unknown>; decidedAt?: Date }, em = workspaceEm(orm, workspaceId)): Promise<void> {
  await em.createQueryBuilder(RoutingDecision).insert({
    id: crypto.randomUUID(), workspaceId, createdAt: new Date(), conversationId: d.conversationId, kind: d.kind, decisionKey: d.key.slice(0, 191),
    skillGroupId: d.skillGroupId, agentId: d.agentId, strategy: d.strategy, summary: d.summary.slice(0, 500), detail: d.detail, decidedAt: d.decidedAt ?? new Date(),
  }).onConflict(['workspaceId', 'decisionKey']).ignore().execute();
}

function describeWhen(w: DiversionRule['when']): string {
  const parts: string[] = [];
  if (w.tagsAny?.length) parts.push(`tag ${w.tagsAny.join('/')}`);
  if (w.attribute) parts.push(`${w.attribute.key} = ${String(w.attribute.equals)}`);
  if (w.channelIds?.length) parts.push(`channel ${w.channelIds.join('/')}`);
  return parts.join(', ') || 'always';
}

/** Midnight of `at`'s calendar day in `timezone`, as an instant. */
export function startOfLocalDay(at: Date, timezone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  // Wall-clock time in the zone minus the instant = the zone's offset at that instant.
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = wall - Math.floor(at.getTime() / 1000) * 1000;
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')) - offset);
}
