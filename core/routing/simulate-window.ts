/**
 * Builds the routing simulator's input (core/routing/simulate.ts) from what the hub recorded in a
 * window: the conversations that first queued in it (arrival time, the group diversion chose and the
 * priority facts from their first `queued` decision, handle time from assignment to close, patience
 * from the queue node's timeout or the customer's own close), and every agent's status, capacity and
 * skill-group history from AgentStatusLog, with the chats they held when the window opened.
 * Every statement names the workspace.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import type { PriorityRuleInput } from '@kefu-hub/plugin-sdk';
import { AgentProfile, AgentSkill, Customer, FlowVersion } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import type { FlowDefinition } from '../flows/types.ts';
import type { SimAgent, SimAgentState, SimArrival, SimulationInput } from './simulate.ts';

export const MAX_WINDOW_MS = 7 * 86_400_000;
export const MAX_ARRIVALS = 50_000;
const MAX_STATUS_CHANGES = 200_000;
/** The queue node's defaults (core/flows/registry.ts QueueNodeConfig). */
const DEFAULT_TIMEOUT_SEC = 300;
const DEFAULT_MAX_QUEUE = 200;
/** Handle time of a chat that never reached an agent when nothing in its window was handled either. */
const DEFAULT_HANDLE_SEC = 300;
const CHUNK = 1000;

/** The window cannot be simulated as asked (too long, too many arrivals): the caller's input is at fault. */
export class SimulationWindowError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

export type RecordedWindow = Omit<SimulationInput, 'groups'>;

interface ConvRow {
  id: string; customer_id: string; channel_id: string; created_at: Date; skill_group_id: string | null; flow_version_id: string | null;
  q: Date; assigned_at: Date | null; closed_at: Date | null; status: string;
}

const ms = (v: Date | string | null | undefined): number | null => (v === null || v === undefined ? null : new Date(v).getTime());
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const chunks = <T>(xs: T[], n = CHUNK): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Reads the window [from, to) of one workspace. Throws SimulationWindowError when the window is empty,
 * longer than 7 days or holds more than 50,000 arrivals. `now` only matters for chats still open.
 */
export async function loadRecordedWindow(orm: MikroORM, workspaceId: string, from: Date, to: Date, now = new Date()): Promise<RecordedWindow> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (!(toMs > fromMs)) throw new SimulationWindowError('to', 'the window must end after it starts');
  if (toMs - fromMs > MAX_WINDOW_MS) throw new SimulationWindowError('to', 'the window is longer than 7 days');
  const em = workspaceEm(orm, workspaceId);
  const db = em.getConnection();

  // 1. Conversations whose first queue visit falls in the window.
  const convs = await db.execute<ConvRow[]>(
    `select id, customer_id, channel_id, created_at, skill_group_id, flow_version_id, coalesce(first_queued_at, queued_at) as q,
            assigned_at, closed_at, status
       from conversation
      where workspace_id = ?
        and ((first_queued_at >= ? and first_queued_at < ?) or (first_queued_at is null and queued_at >= ? and queued_at < ?))
      order by q, id
      limit ${MAX_ARRIVALS + 1}`,
    [workspaceId, from, to, from, to],
  );
  if (convs.length > MAX_ARRIVALS) throw new SimulationWindowError('from', `more than ${MAX_ARRIVALS} customers queued in the window; choose a shorter one`);
  const inWindow = new Set(convs.map((c) => c.id));

  // 2. Their first queued / assigned / exited decisions.
  const firstQueued = new Map<string, Record<string, unknown>>();
  const firstAssigned = new Map<string, number>();
  const exited = new Set<string>();
  for (const ids of chunks(convs.map((c) => c.id))) {
    const rows = await db.execute<{ conversation_id: string; kind: string; decided_at: Date; detail: unknown }[]>(
      `select conversation_id, kind, decided_at, case when kind = 'queued' then detail end as detail
         from routing_decision
        where workspace_id = ? and conversation_id in (${marks(ids.length)}) and kind in ('queued', 'assigned', 'exited')
        order by decided_at, created_at`,
      [workspaceId, ...ids],
    );
    for (const r of rows) {
      if (r.kind === 'queued' && !firstQueued.has(r.conversation_id)) firstQueued.set(r.conversation_id, json<Record<string, unknown>>(r.detail) ?? {});
      else if (r.kind === 'assigned' && !firstAssigned.has(r.conversation_id)) firstAssigned.set(r.conversation_id, ms(r.decided_at)!);
      else if (r.kind === 'exited') exited.add(r.conversation_id);
    }
  }

  // 3. Queue node settings of the flows they ran (timeout = patience, limit when the group sets none).
  const versionIds = [...new Set(convs.map((c) => c.flow_version_id).filter((v): v is string => !!v))];
  const flows = new Map<string, FlowDefinition>();
  for (const ids of chunks(versionIds)) {
    for (const v of await em.find(FlowVersion, { id: { $in: ids } })) flows.set(v.id, v.definition as unknown as FlowDefinition);
  }
  const queueNode = (versionId: string | null, requested: unknown): { timeoutSec: number; maxQueueLength: number } => {
    const nodes = (versionId ? flows.get(versionId)?.nodes ?? [] : []).filter((n) => n.type === 'queue');
    const node = nodes.find((n) => (n.config?.skillGroupId ?? null) === (requested ?? null)) ?? nodes[0];
    return { timeoutSec: Number(node?.config?.timeoutSec ?? DEFAULT_TIMEOUT_SEC), maxQueueLength: Number(node?.config?.maxQueueLength ?? DEFAULT_MAX_QUEUE) };
  };

  // 4. Each customer's last agent before the window (later ones are simulated).
  const customerIds = [...new Set(convs.map((c) => c.customer_id))];
  const served = new Map<string, { agentId: string; assignedAt: number; closedAt: number | null }[]>();
  for (const ids of chunks(customerIds)) {
    const rows = await db.execute<{ id: string; customer_id: string; assignee_id: string; assigned_at: Date; closed_at: Date | null }[]>(
      `select id, customer_id, assignee_id, assigned_at, closed_at from conversation
        where workspace_id = ? and customer_id in (${marks(ids.length)}) and assignee_id is not null and assigned_at is not null and assigned_at < ?`,
      [workspaceId, ...ids, to],
    );
    for (const r of rows) {
      if (inWindow.has(r.id)) continue;
      const list = served.get(r.customer_id) ?? [];
      list.push({ agentId: r.assignee_id, assignedAt: ms(r.assigned_at)!, closedAt: ms(r.closed_at) });
      served.set(r.customer_id, list);
    }
  }

  // Facts for conversations queued before the decision log recorded them: tags from the customer row.
  const missingFacts = convs.filter((c) => !isFacts(firstQueued.get(c.id)?.facts)).map((c) => c.customer_id);
  const customers = new Map<string, Customer>();
  for (const ids of chunks([...new Set(missingFacts)])) for (const c of await em.find(Customer, { id: { $in: ids } })) customers.set(c.id, c);

  // 5. Arrivals; handle times of chats that never reached an agent are their group's median.
  const nowMs = now.getTime();
  const drafts = convs.map((c) => {
    const detail = firstQueued.get(c.id) ?? {};
    const at = ms(c.q)!;
    const group = 'target' in detail ? ((detail.target as string | null) ?? null) : c.skill_group_id;
    const start = firstAssigned.get(c.id) ?? ms(c.assigned_at);
    const closed = ms(c.closed_at);
    const end = closed ?? (c.status === 'assigned' ? Math.max(nowMs, start ?? nowMs) : null);
    const handleSec = start !== null && end !== null ? Math.max(0, end - start) / 1000 : null;
    const node = queueNode(c.flow_version_id, detail.requested);
    // Closed by the customer while waiting (not sent on by routing, well before the queue timeout): they gave up then.
    const left = start === null && !exited.has(c.id) && closed !== null && closed - at < node.timeoutSec * 1000 - 1000;
    const prior = (served.get(c.customer_id) ?? []).filter((s) => s.assignedAt < at).sort((x, y) => y.assignedAt - x.assignedAt)[0];
    let facts = detail.facts as Omit<PriorityRuleInput, 'skillGroupId'> | undefined;
    if (!isFacts(facts)) {
      const cust = customers.get(c.customer_id);
      facts = {
        customer: { id: c.customer_id, tags: cust?.tags ?? [], attributes: cust?.attributes ?? {}, firstSeenAt: (cust?.createdAt ?? c.created_at).toISOString() },
        conversation: { id: c.id, channelId: c.channel_id, createdAt: new Date(c.created_at).toISOString() },
        today: { visits: 1, failedQueues: 0 },
        previousConversations: prior ? 1 : 0,
      };
    }
    const arrival: SimArrival = {
      conversationId: c.id, customerId: c.customer_id, at, skillGroupId: group, facts,
      handleSec: handleSec ?? 0,
      patienceSec: left ? (closed - at) / 1000 : node.timeoutSec,
      patienceKind: left ? 'left' : 'timeout',
      maxQueueLength: node.maxQueueLength,
      lastAgentId: prior?.agentId ?? null,
      lastServedAt: prior ? (prior.closedAt !== null && prior.closedAt <= at ? prior.closedAt : prior.assignedAt) : null,
    };
    return { arrival, handled: handleSec !== null };
  });
  const byGroup = new Map<string, number[]>();
  for (const d of drafts) if (d.handled) byGroup.set(d.arrival.skillGroupId ?? '_', [...(byGroup.get(d.arrival.skillGroupId ?? '_') ?? []), d.arrival.handleSec]);
  const overall = median(drafts.filter((d) => d.handled).map((d) => d.arrival.handleSec)) ?? DEFAULT_HANDLE_SEC;
  for (const d of drafts) if (!d.handled) d.arrival.handleSec = median(byGroup.get(d.arrival.skillGroupId ?? '_') ?? []) ?? overall;

  return { from: fromMs, to: toMs, arrivals: drafts.map((d) => d.arrival), agents: await loadAgents(orm, workspaceId, from, to) };
}

function isFacts(v: unknown): v is Omit<PriorityRuleInput, 'skillGroupId'> {
  const f = v as Partial<PriorityRuleInput> | undefined;
  return !!f && typeof f === 'object' && !!f.customer && !!f.conversation && !!f.today && typeof f.previousConversations === 'number';
}

/** Agents' state at the window start, their changes in it, and the chats they held when it opened. */
async function loadAgents(orm: MikroORM, workspaceId: string, from: Date, to: Date): Promise<SimAgent[]> {
  const em = workspaceEm(orm, workspaceId);
  const db = em.getConnection();
  const agents = new Map<string, SimAgent>();
  const agentOf = (id: string): SimAgent => {
    let a = agents.get(id);
    if (!a) {
      a = { agentId: id, timeline: [], carriedOver: [] };
      agents.set(id, a);
    }
    return a;
  };
  type LogRow = { agent_id: string; status: string; capacity: number; skills: unknown; at: Date };
  const toState = (r: LogRow): SimAgentState => ({ at: ms(r.at)!, status: r.status, capacity: Number(r.capacity), skills: json<SimAgentState['skills']>(r.skills) ?? [] });

  const latest = await db.execute<{ agent_id: string; at: Date }[]>(
    'select agent_id, max(at) as at from agent_status_log where workspace_id = ? and at <= ? group by agent_id',
    [workspaceId, from],
  );
  for (const part of chunks(latest, 500)) {
    const rows = await db.execute<LogRow[]>(
      `select agent_id, status, capacity, skills, at from agent_status_log
        where workspace_id = ? and (agent_id, at) in (${part.map(() => '(?, ?)').join(', ')}) order by at, created_at`,
      [workspaceId, ...part.flatMap((p) => [p.agent_id, p.at])],
    );
    // Two rows in the same millisecond: the later written wins.
    for (const r of rows) agentOf(r.agent_id).timeline[0] = toState(r);
  }
  const changes = await db.execute<LogRow[]>(
    `select agent_id, status, capacity, skills, at from agent_status_log
      where workspace_id = ? and at > ? and at < ? order by at, created_at limit ${MAX_STATUS_CHANGES + 1}`,
    [workspaceId, from, to],
  );
  if (changes.length > MAX_STATUS_CHANGES) throw new SimulationWindowError('to', `more than ${MAX_STATUS_CHANGES} agent status changes in the window; choose a shorter one`);
  for (const r of changes) agentOf(r.agent_id).timeline.push(toState(r));

  // Agents whose state never changed since the history began: their current profile is their state.
  const profiles = await em.find(AgentProfile, {});
  const unlogged = profiles.filter((p) => !agents.has(p.userId));
  if (unlogged.length) {
    const logged = new Set((await db.execute<{ agent_id: string }[]>('select distinct agent_id from agent_status_log where workspace_id = ?', [workspaceId])).map((r) => r.agent_id));
    const skills = await em.find(AgentSkill, { agentProfileId: { $in: unlogged.map((p) => p.id) } }, { orderBy: { skillGroupId: 'asc' } });
    for (const p of unlogged) {
      if (logged.has(p.userId)) continue; // first logged after the window: offline until then
      agentOf(p.userId).timeline.push({
        at: from.getTime(), status: p.status, capacity: p.maxConcurrentChats,
        skills: skills.filter((s) => s.agentProfileId === p.id).map((s) => ({ skillGroupId: s.skillGroupId, level: s.level })),
      });
    }
  }

  // Chats held when the window opened end when they really ended (still open: after the window).
  const held = await db.execute<{ assignee_id: string; closed_at: Date | null; status: string }[]>(
    `select assignee_id, closed_at, status from conversation
      where workspace_id = ? and assignee_id is not null and assigned_at < ? and (closed_at > ? or (closed_at is null and status = 'assigned'))`,
    [workspaceId, from, from],
  );
  for (const h of held) agentOf(h.assignee_id).carriedOver.push(h.closed_at ? ms(h.closed_at)! : Number.POSITIVE_INFINITY);

  return [...agents.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
}
