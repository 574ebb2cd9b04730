/**
 * Conversation routing (F8–F11): per-workspace queues by skill group, ordered by enqueue time minus
 * a priority advance; agent status/capacity/load/skill levels; and assignment by the group's strategy.
 * All state lives in Redis and every change is one Lua script, so any number of hub nodes can route the
 * same workspaces at once: a customer is never assigned twice and no agent exceeds capacity.
 *
 * An assignment is decided in two steps: a snapshot of the queue head and the group's members is read
 * (one script), the strategy (plain JS, pluggable, see policy.ts) plans who gets whom, and one script
 * applies the plan, re-checking each item (still waiting, agent online with a free slot). A plan made
 * from a stale snapshot loses items, never correctness. Each applied assignment carries its decision
 * (inputs, candidates, scores) to `onAssigned`, which persists it.
 *
 * Delivery of an assignment is at-least-once. The assignment script records it in a pending hash; this
 * node then calls `onAssigned` (persist + signal the workflow) and removes the pending entry only
 * after it resolves. If the node dies in between, or `onAssigned` throws, any node's `sweep()` retries
 * it once it has been pending for `pendingRetryMs` (5 s). Hence **`onAssigned` must be idempotent**:
 * it can be called more than once for the same assignment (same conversation, agent and
 * `assignedAt`), e.g. after a crash after the database commit but before the pending entry was
 * removed, or when a call takes longer than `pendingRetryMs` and another node retries it meanwhile.
 * It should also resolve (not throw) for an assignment it decides to drop, e.g. the conversation ended
 * in the meantime — then it must `release()` the agent's slot itself; an assignment whose
 * `onAssigned` keeps throwing is retried forever.
 *
 * Redis key layout (B = `<prefix>:routing`; g = skill group id, or `_` for the default queue):
 *   B:ws:<ws>:q:<g>          ZSET  conversationId → enqueue time − priority advance (Redis clock, ms; +0.001 ties)
 *   B:ws:<ws>:meta           HASH  conversationId → routing meta of a waiting conversation (QueueMeta JSON)
 *   B:ws:<ws>:decision       HASH  conversationId → decision of a pending assignment (AssignDecision JSON)
 *   B:ws:<ws>:served:<g>:<m> STRING assignments from queue g in minute m (15 min TTL; waiting-time estimates)
 *   B:ws:<ws>:queued         HASH  conversationId → g (which queue it waits in)
 *   B:ws:<ws>:pos:<g>        HASH  conversationId → last position pushed to the customer
 *   B:ws:<ws>:poslock:<g>    STRING position-push lock (SET NX PX, one node per queue per tick)
 *   B:ws:<ws>:agent:<id>     HASH  status, capacity, load, groups (csv), levels (csv g:level), idleSince (ms), ver (load version)
 *   B:ws:<ws>:agents         SET   agent ids of the workspace (= members of the default queue)
 *   B:ws:<ws>:members:<g>    SET   agent ids in skill group g
 *   B:ws:<ws>:mstate:<g>     HASH  agent id → "id|status|capacity|load|idleSince|levels" of queue g's members (g = _: all
 *                                  agents); a copy for snapshots, kept by the scripts (scripts.ts PACK_FN)
 *   B:ws:<ws>:pending        HASH  conversationId → {"agentId","group","at"} assigned, not yet delivered
 *   B:ws:<ws>:released:<key> STRING idempotency marker of a keyed release (expires after a day)
 *   B:active                 SET   "<ws>|<g>" of non-empty queues (what the sweep drains)
 *   B:due                    ZSET  "<ws>|<conversationId>" → last delivery attempt (ms) of pending assignments
 *   B:workspaces             SET   workspace ids with agent state
 * The scripts also touch keys derived from the workspace base, so the layout needs one Redis primary
 * (standalone/Sentinel). For Redis Cluster, pass a hash-tagged prefix (`{kefu:<ns>}`) so all keys share a slot.
 */
import { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/mysql';
import { workspaceEm } from '../db/orm.ts';
import { AGENT_STATUSES, AgentProfile, AgentSkill, Conversation, type AgentStatus } from '../db/entities/index.ts';
import { SCRIPTS, type ScriptName } from './scripts.ts';
import { PLAN_HEAD, abridgeDecision, balancedStrategy, planAssignments, type AssignDecision, type MemberState, type QueueMeta, type QueuedEntry, type ResolvedStrategy } from './policy.ts';

export interface Assignment {
  workspaceId: string;
  conversationId: string;
  /** AgentProfile.userId: the user id of the agent. */
  agentId: string;
  /** The queue it came from; null for the workspace's default queue. */
  skillGroupId: string | null;
  /** ISO time the assignment was made in Redis; the same on every retried delivery. */
  assignedAt: string;
  /** Why: the inputs and the strategy's ranking (absent only if the record was lost, e.g. Redis restored). */
  decision?: AssignDecision;
}

/** How routing assigns in one queue (the group's policy, resolved by the engine). */
export interface QueueRuntime {
  strategy: ResolvedStrategy;
  /** Caps an agent's chats from this queue (null: the agent's own maximum). */
  maxChatsPerAgent: number | null;
}

const DEFAULT_RUNTIME: QueueRuntime = { strategy: { name: 'balanced', config: {}, strategy: balancedStrategy }, maxChatsPerAgent: null };


export interface PositionUpdate {
  workspaceId: string;
  conversationId: string;
  /** 1 = next in line. */
  position: number;
  /** null for the workspace's default queue. */
  skillGroupId: string | null;
  /** Position ÷ the queue's service rate over the last 10 minutes; null when nobody was served lately. */
  estimatedWaitSec: number | null;
}

export type EnqueueResult = { ok: true; position: number } | { ok: false; reason: 'full' };

export interface RoutingLogger {
  debug(...args: any[]): void;
  info(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
}

export interface RoutingTimings {
  /** How often `sweep()` runs (retry stale pending assignments, drain non-empty queues). */
  sweepMs: number;
  /** A pending assignment not delivered for this long is retried by the sweep of any node. */
  pendingRetryMs: number;
  /** How often queue positions are computed and pushed. */
  positionsMs: number;
  /** `close()` waits this long for in-flight deliveries before quitting Redis. */
  closeGraceMs: number;
}

export const DEFAULT_ROUTING_TIMINGS: RoutingTimings = { sweepMs: 1000, pendingRetryMs: 5000, positionsMs: 2000, closeGraceMs: 5000 };

export interface RoutingServiceOptions {
  redisUrl: string;
  /** Key prefix shared by all nodes of one hub, e.g. `kefu:<namespace>`. */
  prefix: string;
  orm: MikroORM;
  /** Persists the assignment and signals the conversation's workflow. Must be idempotent (see above). */
  onAssigned: (a: Assignment) => Promise<void>;
  /** Called (at most by one node per queue per tick) with positions that changed since the last push. */
  onPositions?: (updates: PositionUpdate[]) => void;
  logger: RoutingLogger;
  /** Overrides for tests; production uses the defaults. */
  timings?: Partial<RoutingTimings>;
  /** The strategy and limits of a queue (default: balanced, no cap). Called on every decision: cache it. */
  queueRuntime?: (workspaceId: string, skillGroupId: string | null) => Promise<QueueRuntime> | QueueRuntime;
  /**
   * Called by the sweep for each non-empty queue before it is drained: the engine moves customers
   * along overflow chains and out of closed groups there. Errors are logged; the drain still runs.
   */
  beforeDrain?: (workspaceId: string, skillGroupId: string | null) => Promise<void>;
}

export interface QueueStats {
  workspaceId: string;
  skillGroupId: string | null;
  length: number;
  /** Enqueue time of the conversation waiting longest. */
  oldestQueuedAt: string | null;
}

export interface WorkspaceAgentStats {
  workspaceId: string;
  agents: Record<AgentStatus, number>;
  /** Sum of capacity and load of online agents. */
  onlineCapacity: number;
  onlineLoad: number;
  /** Sum of load of all agents (busy/away/offline agents keep their chats). */
  load: number;
}

export interface RoutingStats {
  queues: QueueStats[];
  workspaces: WorkspaceAgentStats[];
  /** Assignments made but not yet confirmed by `onAssigned`. */
  pendingAssignments: number;
}

export interface ReconcileResult {
  workspaceId: string;
  /** Agents whose load was set (or whose state was restored from the database). */
  agents: number;
  /** Agents that could not be reconciled because their load kept changing (retried 5 times). */
  unsettled: string[];
}

const DEFAULT_GROUP = '_';
/** How long a release key is remembered: far longer than any retry of the same release. */
const RELEASE_MARKER_TTL_MS = 24 * 3600_000;
const groupKey = (skillGroupId: string | null | undefined): string => skillGroupId ?? DEFAULT_GROUP;
const groupId = (g: string): string | null => (g === DEFAULT_GROUP ? null : g);

function checkId(what: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 191 || /[|,\s]/.test(id) || id === DEFAULT_GROUP) {
    throw new Error(`routing: invalid ${what} ${JSON.stringify(id)}`);
  }
}

/** Key names; the Lua scripts derive the same names from `ws()` (see scripts.ts). */
export class RoutingKeys {
  readonly base: string;
  constructor(prefix: string) {
    this.base = `${prefix}:routing`;
  }
  ws(ws: string): string { return `${this.base}:ws:${ws}`; }
  queue(ws: string, g: string): string { return `${this.ws(ws)}:q:${g}`; }
  queued(ws: string): string { return `${this.ws(ws)}:queued`; }
  pos(ws: string, g: string): string { return `${this.ws(ws)}:pos:${g}`; }
  posLock(ws: string, g: string): string { return `${this.ws(ws)}:poslock:${g}`; }
  agent(ws: string, agentId: string): string { return `${this.ws(ws)}:agent:${agentId}`; }
  agents(ws: string): string { return `${this.ws(ws)}:agents`; }
  members(ws: string, g: string): string { return g === DEFAULT_GROUP ? this.agents(ws) : `${this.ws(ws)}:members:${g}`; }
  mstate(ws: string, g: string): string { return `${this.ws(ws)}:mstate:${g}`; }
  pending(ws: string): string { return `${this.ws(ws)}:pending`; }
  meta(ws: string): string { return `${this.ws(ws)}:meta`; }
  decisions(ws: string): string { return `${this.ws(ws)}:decision`; }
  served(ws: string, g: string, minute: number): string { return `${this.ws(ws)}:served:${g}:${minute}`; }
  released(ws: string, key: string): string { return `${this.ws(ws)}:released:${key}`; }
  get active(): string { return `${this.base}:active`; }
  get due(): string { return `${this.base}:due`; }
  get workspaces(): string { return `${this.base}:workspaces`; }
}

interface PendingRecord { agentId: string; group: string; at: string }

/** SNAPSHOT_GROUP's reply: Redis time (ms), flat queue head (conv, score, meta), members ("id|status|capacity|load|idleSince|levels"). */
type GroupSnapshot = [number, string[], string[]];

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

export class RoutingService {
  readonly keys: RoutingKeys;
  private readonly redis: Redis;
  private readonly orm: MikroORM;
  private readonly onAssigned: (a: Assignment) => Promise<void>;
  private readonly onPositions: ((updates: PositionUpdate[]) => void) | undefined;
  private readonly queueRuntime: (ws: string, g: string | null) => Promise<QueueRuntime> | QueueRuntime;
  private readonly beforeDrain: ((ws: string, g: string | null) => Promise<void>) | undefined;
  private readonly logger: RoutingLogger;
  private readonly timings: RoutingTimings;
  /** Deliveries and other background work of this node (awaited by `settled()` and `close()`). */
  private readonly work = new Set<Promise<unknown>>();
  /** `<ws>|<conv>` being delivered by this node: the sweep does not start a second delivery. */
  private readonly delivering = new Set<string>();
  /** Assignment loops running on this node, by `<ws>|<g>` (see `drain`). */
  private readonly draining = new Map<string, { again: boolean; done: Promise<void> }>();
  /**
   * Full decisions of this node's assignments until acknowledged ("<ws>|<conv>" → the pending record and
   * the decision): a retried delivery of that very assignment keeps every detail.
   */
  private readonly undelivered = new Map<string, { rec: string; decision: AssignDecision }>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private positionsTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private pushing: Promise<void> | null = null;
  private closed = false;

  constructor(opts: RoutingServiceOptions) {
    this.keys = new RoutingKeys(opts.prefix);
    this.orm = opts.orm;
    this.onAssigned = opts.onAssigned;
    this.onPositions = opts.onPositions;
    this.queueRuntime = opts.queueRuntime ?? (() => DEFAULT_RUNTIME);
    this.beforeDrain = opts.beforeDrain;
    this.logger = opts.logger;
    this.timings = { ...DEFAULT_ROUTING_TIMINGS, ...opts.timings };
    // A bounded retry count: a routing call fails (and is retried by its caller or the sweep) rather
    // than hanging while Redis is unreachable.
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3, connectionName: 'kefu-routing' });
    this.redis.on('error', (err: Error) => this.logger.warn(`routing redis: ${err.message}`));
    for (const [name, def] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: def.numberOfKeys, lua: def.lua });
  }

  private run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[name]!;
    return fn.apply(this.redis, args);
  }

  // ---------------------------------------------------------------- queues

  /**
   * Puts a conversation in its queue (FIFO by enqueue time). Idempotent: a conversation already
   * waiting in the same queue keeps its place; one waiting in another queue moves to the end of this
   * one. `maxQueueLength` (null/undefined: unlimited) counts conversations waiting in this queue.
   * `queuedAt` (optional) is used as the enqueue time instead of now, to restore a queue in its
   * original order. The position returned is the one at enqueue time (1 = next); if an agent is free
   * the conversation is assigned right after (onAssigned follows). Position 0: the conversation is
   * already being assigned.
   */
  async enqueue(input: {
    workspaceId: string; conversationId: string; skillGroupId: string | null; maxQueueLength?: number | null; queuedAt?: Date;
    /** Seconds ahead of its enqueue time the conversation is placed (priority rules). */
    advanceSec?: number;
    /** What strategies and the decision log need (customer, priority terms, last agent). */
    meta?: Omit<QueueMeta, 'queuedAt' | 'groupSince'>;
  }): Promise<EnqueueResult> {
    const { workspaceId: ws, conversationId: conv } = input;
    checkId('workspaceId', ws);
    checkId('conversationId', conv);
    if (input.skillGroupId !== null) checkId('skillGroupId', input.skillGroupId);
    const g = groupKey(input.skillGroupId);
    const max = input.maxQueueLength ?? -1;
    const k = this.keys;
    const advanceSec = Math.max(0, Math.min(input.advanceSec ?? 0, 7 * 86_400));
    const meta = input.meta ?? { customerId: '', advanceSec: 0, terms: [], lastAgentId: null, lastServedAt: null };
    // No assignment loop of this queue running here: take the snapshot for it in the same step.
    const withSnapshot = !this.closed && !this.draining.has(`${ws}|${g}`);
    const [status, position, snapshot] = (await this.run('kefuRoutingEnqueue',
      k.queue(ws, g), k.queued(ws), k.pos(ws, g), k.active, k.pending(ws), k.meta(ws), k.members(ws, g), k.mstate(ws, g),
      k.ws(ws), ws, conv, g, max < 0 ? -1 : Math.floor(max), input.queuedAt ? input.queuedAt.getTime() : '',
      Math.round(advanceSec * 1000), JSON.stringify({ ...meta, advanceSec }), withSnapshot ? PLAN_HEAD : 0,
    )) as [number, number, GroupSnapshot | undefined];
    if (status === 0) return { ok: false, reason: 'full' };
    if (status === 1) await this.drain(ws, g, snapshot);
    return { ok: true, position };
  }

  /**
   * Takes a conversation out of its queue (the customer left, or the chat goes offline). True if it
   * was still waiting; false if it was not queued — in particular if it was just assigned, in which
   * case the caller must wait for (and handle) the assignment.
   */
  async dequeue(input: { workspaceId: string; conversationId: string; skillGroupId?: string | null }): Promise<boolean> {
    const { workspaceId: ws, conversationId: conv } = input;
    checkId('workspaceId', ws);
    checkId('conversationId', conv);
    // The queue is looked up from the index (skillGroupId is accepted for symmetry with enqueue).
    const r = await this.run('kefuRoutingDequeue', this.keys.queued(ws), this.keys.active, this.keys.ws(ws), ws, conv);
    return r === 1;
  }

  /** True while an assignment of the conversation is made and not yet delivered (acknowledged). */
  async isPending(input: { workspaceId: string; conversationId: string }): Promise<boolean> {
    checkId('workspaceId', input.workspaceId);
    checkId('conversationId', input.conversationId);
    return (await this.redis.hexists(this.keys.pending(input.workspaceId), input.conversationId)) === 1;
  }

  /**
   * Of these conversations, the ones routing knows: waiting in some queue of the workspace, or assigned
   * and not yet delivered (pending). The queue audit treats the others as lost.
   */
  async tracked(workspaceId: string, conversationIds: string[]): Promise<Set<string>> {
    checkId('workspaceId', workspaceId);
    if (!conversationIds.length) return new Set();
    const [queued, pending] = await Promise.all([
      this.redis.hmget(this.keys.queued(workspaceId), ...conversationIds),
      this.redis.hmget(this.keys.pending(workspaceId), ...conversationIds),
    ]);
    return new Set(conversationIds.filter((_, i) => queued[i] !== null || pending[i] !== null));
  }

  /** How many conversations wait in one queue. */
  async queueLength(workspaceId: string, skillGroupId: string | null): Promise<number> {
    checkId('workspaceId', workspaceId);
    return this.redis.zcard(this.keys.queue(workspaceId, groupKey(skillGroupId)));
  }

  /** Current position (1 = next) of a waiting conversation, or null if it is not queued. */
  async position(input: { workspaceId: string; conversationId: string }): Promise<number | null> {
    checkId('workspaceId', input.workspaceId);
    checkId('conversationId', input.conversationId);
    const r = (await this.run('kefuRoutingPosition', this.keys.queued(input.workspaceId), this.keys.ws(input.workspaceId), input.conversationId)) as [string, number] | null;
    return r ? r[1] : null;
  }

  // ---------------------------------------------------------------- agents

  /**
   * Records an agent's status, capacity (max concurrent chats) and skill groups. Only `online` agents
   * get new assignments; `busy`/`away`/`offline` keep the chats they hold (their load is kept).
   * An online agent triggers assignment from its queues.
   */
  async setAgentState(input: { workspaceId: string; agentId: string; status: AgentStatus; capacity: number; skillGroupIds: string[]; levels?: Record<string, number> }): Promise<void> {
    const { workspaceId: ws, agentId } = input;
    checkId('workspaceId', ws);
    checkId('agentId', agentId);
    if (!AGENT_STATUSES.includes(input.status)) throw new Error(`routing: invalid agent status ${JSON.stringify(input.status)}`);
    if (!Number.isInteger(input.capacity) || input.capacity < 0) throw new Error(`routing: invalid capacity ${input.capacity}`);
    const groups = [...new Set(input.skillGroupIds)];
    for (const g of groups) checkId('skillGroupId', g);
    const k = this.keys;
    await this.run('kefuRoutingSetAgent', k.agent(ws, agentId), k.agents(ws), k.workspaces,
      k.ws(ws), ws, agentId, input.status, input.capacity, groups.join(','), levelsCsv(groups, input.levels));
    if (input.status === 'online') await this.drainGroups(ws, groups);
  }

  /**
   * Frees one of the agent's slots (never below 0), then assigns waiting conversations if it is online.
   * With a `key`, the release is idempotent: only the first call with that key (per workspace, for a
   * day) frees a slot, so a caller that retries after an unknown outcome never frees two.
   */
  async release(input: { workspaceId: string; agentId: string; key?: string }): Promise<void> {
    const { workspaceId: ws, agentId } = input;
    checkId('workspaceId', ws);
    checkId('agentId', agentId);
    const marker = input.key ? this.keys.released(ws, input.key) : this.keys.released(ws, '_');
    const r = (await this.run('kefuRoutingRelease', this.keys.agent(ws, agentId), marker, input.key ? RELEASE_MARKER_TTL_MS : '', this.keys.ws(ws), agentId)) as string[] | null;
    if (!r || r[0] !== 'online') return;
    const heads: { g: string; head: number }[] = [];
    for (let i = 2; i < r.length; i += 2) heads.push({ g: r[i]!, head: Number(r[i + 1]) });
    await this.drainHeads(ws, heads);
  }

  /**
   * Agent-to-agent transfer: takes a slot of `agentId` atomically, only if the agent is online with a
   * free slot. Returns false otherwise (and when the conversation is in the middle of a queue
   * assignment). A conversation still waiting in a queue is taken out of it. The caller persists the
   * transfer and releases the previous agent's slot; `onAssigned` is not called.
   * With a `key` (e.g. `transfer:<id>`) it is idempotent, like a keyed release: a caller that retries
   * after dying between this and its database write gets true again without a second slot taken.
   */
  async assignDirect(input: { workspaceId: string; conversationId: string; agentId: string; key?: string }): Promise<boolean> {
    const { workspaceId: ws, conversationId: conv, agentId } = input;
    checkId('workspaceId', ws);
    checkId('conversationId', conv);
    checkId('agentId', agentId);
    const k = this.keys;
    const marker = k.released(ws, input.key ? `direct:${input.key}` : '_');
    const r = await this.run('kefuRoutingAssignDirect', k.agent(ws, agentId), k.queued(ws), k.pending(ws), k.active, marker,
      k.ws(ws), ws, conv, agentId, input.key ? RELEASE_MARKER_TTL_MS : '');
    return r === 1;
  }

  // ---------------------------------------------------------------- assignment

  /**
   * Assigns waiting conversations of one queue while it has some and the group has a free online
   * agent, and delivers each assignment (`onAssigned`, then the pending entry is removed). Resolves
   * with the assignments made once their deliveries have finished (a failed delivery stays pending
   * and is retried by the sweep).
   */
  async tryAssign(workspaceId: string, skillGroupId: string | null): Promise<Assignment[]> {
    checkId('workspaceId', workspaceId);
    const { made, deliveries } = await this.assignLoop(workspaceId, groupKey(skillGroupId));
    await Promise.all(deliveries);
    return made;
  }

  /** `first`: a snapshot taken with the arrival (ENQUEUE) that asked for this loop; later rounds read their own. */
  private async assignLoop(ws: string, g: string, first?: GroupSnapshot): Promise<{ made: Assignment[]; deliveries: Promise<boolean>[] }> {
    const k = this.keys;
    const made: Assignment[] = [];
    const deliveries: Promise<boolean>[] = [];
    let staleRounds = 0;
    let given = first;
    while (!this.closed) {
      const [now, flatEntries, flatMembers] = given ?? (await this.run('kefuRoutingSnapshotGroup',
        k.queue(ws, g), k.members(ws, g), k.meta(ws), k.mstate(ws, g), k.ws(ws), PLAN_HEAD)) as GroupSnapshot;
      given = undefined;
      if (!flatEntries.length) {
        await this.redis.srem(k.active, `${ws}|${g}`).catch(() => undefined);
        break;
      }
      const members = parseMembers(flatMembers, g);
      if (!members.some((m) => m.status === 'online' && m.load < m.capacity)) break;
      const runtime = await this.queueRuntime(ws, groupId(g));
      const plan = planAssignments({
        skillGroupId: groupId(g), entries: parseEntries(flatEntries), members, strategy: runtime.strategy,
        maxChatsPerAgent: runtime.maxChatsPerAgent, now: Number(now),
      });
      if (!plan.assignments.length) break;
      const args: string[] = [];
      for (const a of plan.assignments) args.push(a.conversationId, a.agentId, JSON.stringify(abridgeDecision(a.decision)));
      const applied = (await this.run('kefuRoutingApply',
        k.queue(ws, g), k.queued(ws), k.pos(ws, g), k.pending(ws), k.due, k.active, k.meta(ws), k.decisions(ws),
        k.ws(ws), ws, g, runtime.maxChatsPerAgent ?? -1, ...args)) as string[];
      const decisions = new Map(plan.assignments.map((a) => [a.conversationId, a.decision]));
      for (let i = 0; i < applied.length; i += 2) {
        const [conv, rec] = [applied[i]!, applied[i + 1]!];
        const a = toAssignment(ws, conv, rec, decisions.get(conv));
        this.rememberDecision(ws, a, rec);
        made.push(a);
        deliveries.push(this.track(this.deliver(a, rec)));
      }
      // Items lost to a concurrent change (another node, a status change): decide again from a fresh
      // snapshot, a few times at most in a row.
      if (applied.length / 2 < plan.assignments.length) {
        if (++staleRounds > 3) break;
        continue;
      }
      staleRounds = 0;
      // Everything seen was assigned or held and the head was not full: the queue has nothing more for
      // now (an arrival meanwhile asks this loop for another round, see `drain`).
      if (flatEntries.length / 3 < PLAN_HEAD && plan.assignments.length + plan.held.length === flatEntries.length / 3) break;
    }
    return { made, deliveries };
  }

  private rememberDecision(ws: string, a: Assignment, rec: string): void {
    if (!a.decision) return;
    if (this.undelivered.size >= 10_000) this.undelivered.clear(); // bounded: Redis keeps the abridged copy
    this.undelivered.set(`${ws}|${a.conversationId}`, { rec, decision: a.decision });
  }

  // ---------------------------------------------------------------- queue contents (overflow, previews)

  /** Every conversation waiting in one queue, in order, with its routing meta. */
  async queueEntries(workspaceId: string, skillGroupId: string | null): Promise<{ now: number; entries: QueuedEntry[] }> {
    checkId('workspaceId', workspaceId);
    const g = groupKey(skillGroupId);
    const [ids, time] = await Promise.all([this.redis.zrange(this.keys.queue(workspaceId, g), 0, -1, 'WITHSCORES'), this.redis.time()]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    if (!ids.length) return { now, entries: [] };
    const convs = ids.filter((_, i) => i % 2 === 0);
    const metas = await this.redis.hmget(this.keys.meta(workspaceId), ...convs);
    const flat: string[] = [];
    convs.forEach((c, i) => flat.push(c, ids[i * 2 + 1]!, metas[i] ?? ''));
    return { now, entries: parseEntries(flat) };
  }

  /**
   * Moves a waiting conversation to another queue (overflow), keeping its place in time and priority.
   * 'moved'; 'gone' if it no longer waits in `from` (assigned, left); 'full' if `to` is at `maxQueueLength`.
   */
  async move(input: { workspaceId: string; conversationId: string; from: string | null; to: string | null; maxQueueLength?: number | null }): Promise<'moved' | 'gone' | 'full'> {
    const { workspaceId: ws, conversationId: conv } = input;
    checkId('workspaceId', ws);
    checkId('conversationId', conv);
    const k = this.keys;
    const to = groupKey(input.to);
    const r = await this.run('kefuRoutingMove', k.queued(ws), k.active, k.meta(ws), k.pending(ws),
      k.ws(ws), ws, conv, groupKey(input.from), to, input.maxQueueLength ?? -1);
    if (r === 1) {
      await this.drain(ws, to);
      return 'moved';
    }
    return r === -1 ? 'full' : 'gone';
  }

  /**
   * Runs the assignment loop of one queue; deliveries continue in the background. Never throws.
   * One loop per queue per node: a drain requested while one runs makes it go round once more instead
   * of starting a second loop that would plan from the same snapshot and lose the race in Redis.
   */
  private drain(ws: string, g: string, snapshot?: GroupSnapshot): Promise<void> {
    if (this.closed) return Promise.resolve();
    const key = `${ws}|${g}`;
    const running = this.draining.get(key);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        let first = snapshot;
        do {
          state.again = false;
          await this.assignLoop(ws, g, first);
          first = undefined;
        } while (state.again && !this.closed);
      } catch (err) {
        this.logger.warn(`routing: assigning from ${ws}/${g} failed (the sweep retries): ${(err as Error).message}`);
      } finally {
        this.draining.delete(key);
      }
    })();
    this.draining.set(key, state);
    return state.done;
  }

  /** Drains an agent's queues (its skill groups and the default queue), the longest-waiting head first. */
  private async drainGroups(ws: string, groups: string[]): Promise<void> {
    if (this.closed) return;
    const all = [...groups, DEFAULT_GROUP];
    try {
      const heads = await Promise.all(all.map((g) => this.redis.zrange(this.keys.queue(ws, g), 0, 0, 'WITHSCORES')));
      await this.drainHeads(ws, all
        .map((g, i) => ({ g, head: heads[i]!.length ? Number(heads[i]![1]) : null }))
        .filter((q): q is { g: string; head: number } => q.head !== null));
    } catch (err) {
      this.logger.warn(`routing: draining queues of ${ws} failed (the sweep retries): ${(err as Error).message}`);
    }
  }

  /** Drains non-empty queues given with their head's score, the longest-waiting head first. Never throws. */
  private async drainHeads(ws: string, heads: { g: string; head: number }[]): Promise<void> {
    for (const q of heads.sort((a, b) => a.head - b.head)) await this.drain(ws, q.g);
  }

  /** Calls onAssigned, then removes the pending entry if it is still this assignment. True when delivered. */
  private async deliver(a: Assignment, rec: string): Promise<boolean> {
    const id = `${a.workspaceId}|${a.conversationId}`;
    this.delivering.add(id);
    try {
      try {
        await this.onAssigned(a);
      } catch (err) {
        this.logger.warn(`routing: onAssigned failed for conversation ${a.conversationId} (agent ${a.agentId}); retried by the sweep: ${(err as Error).message}`);
        return false;
      }
      try {
        await this.run('kefuRoutingAck', this.keys.pending(a.workspaceId), this.keys.due, this.keys.decisions(a.workspaceId), a.conversationId, rec, id);
        this.undelivered.delete(id);
      } catch (err) {
        // Delivered, but still pending: the sweep will deliver it again (onAssigned is idempotent).
        this.logger.warn(`routing: could not clear pending assignment of ${a.conversationId}: ${(err as Error).message}`);
      }
      return true;
    } finally {
      this.delivering.delete(id);
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    void p.finally(() => this.work.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves when this node's in-flight deliveries have finished (tests, graceful shutdown). */
  async settled(): Promise<void> {
    while (this.work.size) await Promise.allSettled([...this.work]);
  }

  /**
   * One maintenance pass (every `sweepMs` once started): redelivers pending assignments older than
   * `pendingRetryMs` (whichever node made them) and drains every non-empty queue. Overlapping calls
   * on one node share the running pass.
   */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        await this.retryPending();
        const active = await this.redis.smembers(this.keys.active);
        for (const m of active) {
          if (this.closed) break;
          const [ws, g] = splitMember(m);
          if (this.beforeDrain) {
            await this.beforeDrain(ws, groupId(g)).catch((err: unknown) => this.logger.warn(`routing: overflow check of ${ws}/${g} failed: ${(err as Error).message}`));
          }
          await this.drain(ws, g);
        }
      } catch (err) {
        if (!this.closed) this.logger.warn(`routing: sweep failed: ${(err as Error).message}`);
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  private async retryPending(): Promise<void> {
    for (;;) {
      const flat = (await this.run('kefuRoutingClaim', this.keys.due, this.keys.base, this.timings.pendingRetryMs, 100)) as string[];
      for (let i = 0; i < flat.length; i += 3) {
        const [ws, conv, rec] = [flat[i]!, flat[i + 1]!, flat[i + 2]!];
        if (this.delivering.has(`${ws}|${conv}`)) continue;
        // The full decision if this node made this very assignment; otherwise the abridged copy in Redis.
        const mine = this.undelivered.get(`${ws}|${conv}`);
        const full = mine?.rec === rec ? mine.decision : undefined;
        const decision = full ? null : await this.redis.hget(this.keys.decisions(ws), conv).catch(() => null);
        const a = toAssignment(ws, conv, rec, full ?? (decision ? (JSON.parse(decision) as AssignDecision) : undefined));
        this.logger.info(`routing: redelivering pending assignment of ${conv} to ${a.agentId} (made ${a.assignedAt})`);
        void this.track(this.deliver(a, rec));
      }
      if (flat.length < 300 || this.closed) return;
    }
  }

  /**
   * Computes positions of every waiting conversation and calls `onPositions` with those that changed
   * since the last push (every `positionsMs` once started). A queue is handled by at most one node per
   * tick (a `SET NX PX` lock); the last pushed positions live in Redis, so nodes never repeat a push.
   */
  pushPositions(): Promise<void> {
    this.pushing ??= (async () => {
      try {
        const active = await this.redis.smembers(this.keys.active);
        const updates: PositionUpdate[] = [];
        const lockMs = Math.max(50, this.timings.positionsMs - 100);
        for (const m of active) {
          if (this.closed) break;
          const [ws, g] = splitMember(m);
          const flat = (await this.run('kefuRoutingPositions', this.keys.queue(ws, g), this.keys.pos(ws, g), this.keys.posLock(ws, g), lockMs)) as string[] | null;
          if (!flat?.length) continue;
          const perSec = await this.serviceRate(ws, g);
          for (let i = 0; i < flat.length; i += 2) {
            const position = Number(flat[i + 1]);
            updates.push({ workspaceId: ws, conversationId: flat[i]!, position, skillGroupId: groupId(g), estimatedWaitSec: perSec > 0 ? Math.ceil(position / perSec) : null });
          }
        }
        if (updates.length && this.onPositions) this.onPositions(updates);
      } catch (err) {
        if (!this.closed) this.logger.warn(`routing: position push failed: ${(err as Error).message}`);
      } finally {
        this.pushing = null;
      }
    })();
    return this.pushing;
  }

  /** Assignments per second from one queue over the last 10 minutes and the current one so far (0 when none). */
  async serviceRate(ws: string, g: string): Promise<number> {
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    const keys = Array.from({ length: 11 }, (_, i) => this.keys.served(ws, g, minute - i));
    const counts = await this.redis.mget(...keys);
    const total = counts.reduce((sum, c) => sum + Number(c ?? 0), 0);
    // At least 10 s of window, so a burst in the first seconds of a minute is not read as a huge rate.
    return total / (600 + Math.max(10, (nowMs % 60_000) / 1000));
  }

  /** Estimated wait of a position in a queue (see PositionUpdate.estimatedWaitSec). */
  async estimateWait(workspaceId: string, skillGroupId: string | null, position: number): Promise<number | null> {
    const perSec = await this.serviceRate(workspaceId, groupKey(skillGroupId));
    return perSec > 0 ? Math.ceil(position / perSec) : null;
  }

  // ---------------------------------------------------------------- reconcile, stats, lifecycle

  /**
   * Makes agent loads in Redis follow the database: load = conversations with status `assigned` per
   * assigneeId, plus assignments still pending in Redis (made, not yet persisted). Agents unknown to
   * Redis (e.g. after a Redis restart) are restored from their AgentProfile/AgentSkill rows. Safe while
   * other nodes route: each load is set with a compare-and-set on a version bumped by every load change
   * (read before the database), and retried when it changed meanwhile. Without a workspace id, every
   * workspace that has agents or assigned conversations is reconciled. Call it at start.
   *
   * It does not rebuild queues: after a Redis restart the queue audit (queue-audit.ts) finds the
   * `queued` conversations Redis lost, and their workflows enqueue them again at their places.
   */
  async reconcile(workspaceId?: string): Promise<ReconcileResult[]> {
    let ids: string[];
    if (workspaceId) {
      checkId('workspaceId', workspaceId);
      ids = [workspaceId];
    } else {
      const rows = await this.orm.em.getConnection().execute<{ id: string }[]>(
        "select distinct workspace_id as id from agent_profile union select distinct workspace_id as id from conversation where status = 'assigned'",
      );
      ids = [...new Set([...rows.map((r) => r.id), ...(await this.redis.smembers(this.keys.workspaces))])];
    }
    const results: ReconcileResult[] = [];
    for (const ws of ids) results.push(await this.reconcileWorkspace(ws));
    return results;
  }

  private async reconcileWorkspace(ws: string): Promise<ReconcileResult> {
    const k = this.keys;
    const done = new Set<string>();
    let unsettled: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      // 1. Redis first: load versions and pending assignments (an assignment moves pending → pending
      //    and persisted → persisted, so reading Redis before the database misses none).
      const [agentFlat, pendingFlat] = (await this.run('kefuRoutingSnapshot', k.agents(ws), k.pending(ws), k.ws(ws))) as [string[], string[]];
      const versions = new Map<string, string>();
      for (let i = 0; i < agentFlat.length; i += 2) versions.set(agentFlat[i]!, agentFlat[i + 1]!);
      // 2. The database.
      const em = workspaceEm(this.orm, ws);
      const profiles = await em.find(AgentProfile, {});
      const skills = await em.find(AgentSkill, {});
      const assigned = await em.find(Conversation, { status: 'assigned', assigneeId: { $ne: null } }, { fields: ['id', 'assigneeId', 'closedAt'] });
      const holder = new Map<string, string>();
      // Closed but still `assigned` (the workflow has not moved on yet): the slot is held only until the
      // close's keyed release, so these are counted in Redis, by their release marker, in the same step.
      const closing = new Map<string, string[]>();
      for (const c of assigned) {
        if (c.closedAt) closing.set(c.assigneeId!, [...(closing.get(c.assigneeId!) ?? []), c.id]);
        else holder.set(c.id, c.assigneeId!);
      }
      for (let i = 0; i < pendingFlat.length; i += 2) holder.set(pendingFlat[i]!, pendingFlat[i + 1]!);
      const load = new Map<string, number>();
      for (const agentId of holder.values()) load.set(agentId, (load.get(agentId) ?? 0) + 1);
      const byProfileId = new Map(profiles.map((p) => [p.id, p]));
      const groups = new Map<string, string[]>();
      const levels = new Map<string, Record<string, number>>();
      for (const s of skills) {
        const p = byProfileId.get(s.agentProfileId);
        if (p) {
          groups.set(p.userId, [...(groups.get(p.userId) ?? []), s.skillGroupId]);
          levels.set(p.userId, { ...levels.get(p.userId), [s.skillGroupId]: s.level });
        }
      }
      const profileOf = new Map(profiles.map((p) => [p.userId, p]));
      // 3. Compare-and-set each agent's load.
      const agents = new Set([...versions.keys(), ...profileOf.keys(), ...load.keys()]);
      unsettled = [];
      for (const agentId of agents) {
        const p = profileOf.get(agentId);
        const ok = await this.run('kefuRoutingReconcileAgent', k.agent(ws, agentId), k.agents(ws), k.workspaces,
          k.ws(ws), ws, agentId, versions.get(agentId) ?? '', load.get(agentId) ?? 0, p ? '1' : '0',
          p?.status ?? 'offline', p?.maxConcurrentChats ?? 0, (groups.get(agentId) ?? []).join(','), levelsCsv(groups.get(agentId) ?? [], levels.get(agentId)),
          ...(closing.get(agentId) ?? []));
        if (ok === 1) done.add(agentId);
        else unsettled.push(agentId);
      }
      if (!unsettled.length) break;
    }
    if (unsettled.length) this.logger.warn(`routing: reconcile of ${ws} left ${unsettled.length} agent(s) unsettled (loads kept changing)`);
    // The packed member states are copies: drop them, the next snapshot of each queue rebuilds its own.
    const stale: string[] = [];
    for await (const batch of this.redis.scanStream({ match: `${k.ws(ws)}:mstate:*`, count: 200 }) as AsyncIterable<string[]>) stale.push(...batch);
    if (stale.length) await this.redis.del(...stale);
    // Loads may have gone down: assign what waits.
    for (const m of await this.redis.smembers(k.active)) {
      const [mws, g] = splitMember(m);
      if (mws === ws) await this.drain(ws, g);
    }
    return { workspaceId: ws, agents: done.size, unsettled };
  }

  /** Queue lengths, agents per status and loads, pending assignments (for monitoring). */
  async stats(workspaceId?: string): Promise<RoutingStats> {
    const k = this.keys;
    const active = (await this.redis.smembers(k.active)).map(splitMember).filter(([ws]) => !workspaceId || ws === workspaceId);
    const queues: QueueStats[] = [];
    for (const [ws, g] of active) {
      const [length, head] = await Promise.all([this.redis.zcard(k.queue(ws, g)), this.redis.zrange(k.queue(ws, g), 0, 0, 'WITHSCORES')]);
      if (!length) continue;
      queues.push({ workspaceId: ws, skillGroupId: groupId(g), length, oldestQueuedAt: head[1] ? new Date(Math.floor(Number(head[1]))).toISOString() : null });
    }
    const wsIds = workspaceId ? [workspaceId] : await this.redis.smembers(k.workspaces);
    const workspaces: WorkspaceAgentStats[] = [];
    for (const ws of wsIds) {
      const ids = await this.redis.smembers(k.agents(ws));
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.hmget(k.agent(ws, id), 'status', 'capacity', 'load');
      const rows = ids.length ? ((await pipe.exec()) ?? []) : [];
      const s: WorkspaceAgentStats = { workspaceId: ws, agents: { online: 0, busy: 0, away: 0, offline: 0 }, onlineCapacity: 0, onlineLoad: 0, load: 0 };
      for (const [err, row] of rows) {
        if (err) throw err;
        const [status, capacity, load] = row as [string | null, string | null, string | null];
        const st = (AGENT_STATUSES as readonly string[]).includes(status ?? '') ? (status as AgentStatus) : 'offline';
        s.agents[st]++;
        s.load += Number(load ?? 0);
        if (st === 'online') {
          s.onlineCapacity += Number(capacity ?? 0);
          s.onlineLoad += Number(load ?? 0);
        }
      }
      workspaces.push(s);
    }
    const pendingAssignments = workspaceId ? await this.redis.hlen(k.pending(workspaceId)) : await this.redis.zcard(k.due);
    return { queues, workspaces, pendingAssignments };
  }

  /** Starts the sweep (every `sweepMs`) and the position push (every `positionsMs`). */
  start(): void {
    if (this.closed) throw new Error('routing: service is closed');
    this.sweepTimer ??= setInterval(() => void this.sweep(), this.timings.sweepMs);
    this.positionsTimer ??= setInterval(() => void this.pushPositions(), this.timings.positionsMs);
    this.sweepTimer.unref();
    this.positionsTimer.unref();
  }

  /** Stops the timers and waits for a running sweep or position push. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.positionsTimer) clearInterval(this.positionsTimer);
    this.sweepTimer = this.positionsTimer = null;
    await Promise.all([this.sweeping, this.pushing]);
  }

  /**
   * Stops, waits up to `closeGraceMs` for in-flight deliveries, and closes the Redis connection. A
   * delivery still running then stays pending in Redis and is redelivered by another node's sweep.
   */
  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled(),
      new Promise((r) => { timer = setTimeout(r, this.timings.closeGraceMs); }),
    ]);
    clearTimeout(timer);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function splitMember(m: string): [string, string] {
  const i = m.indexOf('|');
  return [m.slice(0, i), m.slice(i + 1)];
}

function toAssignment(ws: string, conv: string, rec: string, decision?: AssignDecision): Assignment {
  const r = JSON.parse(rec) as PendingRecord;
  return {
    workspaceId: ws, conversationId: conv, agentId: r.agentId, skillGroupId: groupId(r.group), assignedAt: new Date(Number(r.at)).toISOString(),
    ...(decision ? { decision } : {}),
  };
}

function levelsCsv(groups: string[], levels: Record<string, number> | undefined): string {
  return groups.map((g) => `${g}:${Math.max(1, Math.min(5, Math.round(levels?.[g] ?? 1)))}`).join(',');
}

/** Snapshot members ("id|status|capacity|load|idleSince|levels" each) with their level in queue g. */
function parseMembers(packed: string[], g: string): MemberState[] {
  const out: MemberState[] = new Array<MemberState>(packed.length);
  const prefix = `${g}:`;
  for (let i = 0; i < packed.length; i++) {
    const [agentId, status, capacity, load, idleSince, levels] = packed[i]!.split('|', 6) as [string, string, string, string, string, string];
    out[i] = { agentId, status, capacity: Number(capacity), load: Number(load), idleSince: Number(idleSince), level: levelIn(levels, g, prefix) };
  }
  return out;
}

/** An agent's level in queue g from its "g1:l1,g2:l2" list; in the default queue, their highest. */
function levelIn(levels: string, g: string, prefix: string): number {
  if (g === DEFAULT_GROUP) {
    let level = 1;
    for (const x of levels.split(',')) level = Math.max(level, Number(x.split(':')[1]) || 1);
    return level;
  }
  const at = levels.startsWith(prefix) ? 0 : levels.indexOf(`,${prefix}`) + 1;
  if (at === 0 && !levels.startsWith(prefix)) return 1;
  const from = at + prefix.length;
  const end = levels.indexOf(',', from);
  return Number(levels.slice(from, end < 0 ? undefined : end)) || 1;
}

/** Queue entries (flat conv, score, meta JSON) → QueuedEntry; a missing meta (older entry) gets neutral values. */
function parseEntries(flat: string[]): QueuedEntry[] {
  const out: QueuedEntry[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    const score = Number(flat[i + 1]);
    let meta: Partial<QueueMeta> = {};
    try { meta = flat[i + 2] ? (JSON.parse(flat[i + 2]!) as Partial<QueueMeta>) : {}; } catch { /* neutral meta below */ }
    out.push({
      conversationId: flat[i]!,
      score,
      meta: {
        customerId: meta.customerId ?? '',
        queuedAt: meta.queuedAt ?? Math.floor(score),
        groupSince: meta.groupSince ?? meta.queuedAt ?? Math.floor(score),
        advanceSec: meta.advanceSec ?? 0,
        terms: Array.isArray(meta.terms) ? meta.terms : [],
        lastAgentId: meta.lastAgentId ?? null,
        lastServedAt: meta.lastServedAt ?? null,
      },
    });
  }
  return out;
}
