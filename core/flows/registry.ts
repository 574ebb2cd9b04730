import { z } from 'zod';
import type { FlowDefinition } from './types.ts';
import { SelfServiceContent } from '../knowledge/self-service-config.ts';

/**
 * The node registry: every node type the workflow can execute, with its config schema (validated at
 * publish time; the composer renders it as a form) and the outcomes it can produce (each must be wired).
 * Plugins extend it with `registerNodeType` at boot.
 */
export interface NodeType {
  type: string;
  label: { en: string; 'zh-CN': string };
  config: z.ZodType;
  outcomes: string[];
  /** Contributed by a plugin (name), or core. */
  source: string;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const day = z.array(z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'start must be before end')).max(6);
export const WorkingHoursConfig = z.object({
  timezone: z.string().default('Asia/Shanghai').refine((tz) => { try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; } }, 'unknown IANA time zone'),
  weekly: z.object({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }).default({
    mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']], sat: [], sun: [],
  }),
  /** Dates (YYYY-MM-DD, in the time zone) when service is closed all day. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(366).default([]),
  /** Always open (24×7); overrides the schedule. */
  alwaysOpen: z.boolean().default(false),
});
export type WorkingHours = z.output<typeof WorkingHoursConfig>;

export const BotNodeConfig = z.object({
  /** Bot plugin that answers (kind `bot`). */
  bot: z.string().default('faq-bot'),
  greeting: z.string().max(1000).default('您好，我是智能客服，请问有什么可以帮您？ Hi, how can I help?'),
  /** Transfer-to-human rules (plugins of kind `rule`), evaluated on every customer message. */
  transferRules: z.array(z.object({ rule: z.string(), config: z.record(z.string(), z.unknown()).default({}) })).default([{ rule: 'keyword', config: {} }]),
  idleTimeoutSec: z.number().int().min(10).max(86_400).default(600),
});
export const QueueNodeConfig = z.object({
  skillGroupId: z.string().nullable().default(null),
  /**
   * Diversion (分流) on the customer's first queue visit: the first rule whose conditions all hold
   * picks the skill group (then the channel's default group, then `skillGroupId`).
   */
  diversion: z.array(z.object({
    when: z.object({
      tagsAny: z.array(z.string().min(1).max(64)).max(20).optional(),
      attribute: z.object({ key: z.string().min(1).max(64), equals: z.union([z.string().max(200), z.number(), z.boolean()]) }).optional(),
      channelIds: z.array(z.string().min(1).max(36)).max(50).optional(),
    }),
    skillGroupId: z.string().min(1).max(36),
  })).max(50).default([]),
  timeoutSec: z.number().int().min(5).max(86_400).default(300),
  maxQueueLength: z.number().int().min(1).max(100_000).default(200),
});
export const AgentNodeConfig = z.object({
  firstResponseSlaSec: z.number().int().min(5).max(86_400).default(60),
  inactivityCloseSec: z.number().int().min(30).max(7 * 86_400).default(900),
  /** A transfer offer to a colleague expires (the chat stays with the sender) after this long. */
  transferOfferTimeoutSec: z.number().int().min(5).max(3600).default(60),
});
export const SurveyNodeConfig = z.object({
  expirySec: z.number().int().min(10).max(7 * 86_400).default(600),
  prompt: z.string().max(500).default('请为本次服务打分 Please rate this conversation'),
});
export const OfflineNodeConfig = z.object({
  expirySec: z.number().int().min(30).max(30 * 86_400).default(86_400),
  prompt: z.string().max(500).default('现在是非工作时间，请留言，我们会尽快回复。 We are away — leave a message and we will get back to you.'),
});
/**
 * Self-service shown as a card when a conversation passes the node: `greeting` is its title; pinned
 * questions, guesses, category lists and cards as for a channel (core/knowledge/self-service.ts).
 */
export const SelfServiceNodeConfig = SelfServiceContent.extend({
  greeting: z.string().max(1000).default('猜你想问 You may want to ask:'),
}).strict();

const coreNodeTypes: NodeType[] = [
  { type: 'start', label: { en: 'Start', 'zh-CN': '开始' }, config: z.object({}), outcomes: ['next'], source: 'core' },
  { type: 'working_hours', label: { en: 'Working hours?', 'zh-CN': '工作时间判断' }, config: WorkingHoursConfig, outcomes: ['open', 'closed'], source: 'core' },
  { type: 'self_service', label: { en: 'Self-service', 'zh-CN': '自助服务' }, config: SelfServiceNodeConfig, outcomes: ['next'], source: 'core' },
  { type: 'bot', label: { en: 'Bot', 'zh-CN': '智能机器人' }, config: BotNodeConfig, outcomes: ['transfer', 'idle', 'closed'], source: 'core' },
  { type: 'queue', label: { en: 'Queue', 'zh-CN': '排队' }, config: QueueNodeConfig, outcomes: ['assigned', 'timeout', 'full', 'closed'], source: 'core' },
  { type: 'agent', label: { en: 'Agent', 'zh-CN': '人工服务' }, config: AgentNodeConfig, outcomes: ['closed', 'requeue'], source: 'core' },
  { type: 'survey', label: { en: 'Satisfaction survey', 'zh-CN': '满意度评价' }, config: SurveyNodeConfig, outcomes: ['done', 'expired'], source: 'core' },
  { type: 'offline_message', label: { en: 'Offline message', 'zh-CN': '留言' }, config: OfflineNodeConfig, outcomes: ['done', 'expired'], source: 'core' },
  { type: 'end', label: { en: 'End', 'zh-CN': '结束' }, config: z.object({}), outcomes: [], source: 'core' },
];

export class NodeRegistry {
  private readonly types = new Map<string, NodeType>(coreNodeTypes.map((t) => [t.type, t]));

  register(t: NodeType): void {
    if (this.types.has(t.type)) throw new Error(`flow node type "${t.type}" is already registered (by ${this.types.get(t.type)!.source})`);
    this.types.set(t.type, t);
  }
  get(type: string): NodeType | undefined { return this.types.get(type); }
  all(): NodeType[] { return [...this.types.values()]; }
}

export interface FlowIssue { nodeId: string | null; path: string; message: string }

/**
 * Validates a flow and returns it with every node's config parsed (defaults filled in), or the
 * list of issues, each pointing at a node so the composer can show it there.
 */
export function validateFlow(registry: NodeRegistry, input: unknown): { ok: true; flow: FlowDefinition } | { ok: false; issues: FlowIssue[] } {
  const shape = z.object({
    schemaVersion: z.literal(1),
    start: z.string().min(1),
    nodes: z.array(z.object({
      id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      type: z.string(),
      config: z.record(z.string(), z.unknown()).default({}),
      next: z.record(z.string(), z.string()).default({}),
      position: z.object({ x: z.number(), y: z.number() }).optional(),
    })).min(2).max(200),
  }).safeParse(input);
  if (!shape.success) return { ok: false, issues: shape.error.issues.map((i) => ({ nodeId: null, path: i.path.join('.'), message: i.message })) };
  const flow = shape.data;
  const issues: FlowIssue[] = [];
  const ids = new Set<string>();
  for (const n of flow.nodes) {
    if (ids.has(n.id)) issues.push({ nodeId: n.id, path: 'id', message: `duplicate node id "${n.id}"` });
    ids.add(n.id);
  }
  const startNode = flow.nodes.find((n) => n.id === flow.start);
  if (!startNode) issues.push({ nodeId: null, path: 'start', message: `start node "${flow.start}" does not exist` });
  else if (startNode.type !== 'start') issues.push({ nodeId: startNode.id, path: 'type', message: 'the start node must be of type "start"' });
  for (const n of flow.nodes) {
    const t = registry.get(n.type);
    if (!t) { issues.push({ nodeId: n.id, path: 'type', message: `unknown node type "${n.type}"` }); continue; }
    const cfg = t.config.safeParse(n.config);
    if (!cfg.success) for (const i of cfg.error.issues) issues.push({ nodeId: n.id, path: `config.${i.path.join('.')}`, message: i.message });
    else n.config = cfg.data as Record<string, unknown>;
    for (const outcome of t.outcomes) {
      const target = n.next[outcome];
      if (!target) issues.push({ nodeId: n.id, path: `next.${outcome}`, message: `outcome "${outcome}" is not connected` });
      else if (!flow.nodes.some((m) => m.id === target)) issues.push({ nodeId: n.id, path: `next.${outcome}`, message: `outcome "${outcome}" points at missing node "${target}"` });
    }
    for (const outcome of Object.keys(n.next)) {
      if (!t.outcomes.includes(outcome)) issues.push({ nodeId: n.id, path: `next.${outcome}`, message: `node type "${n.type}" has no outcome "${outcome}"` });
    }
  }
  // Every node reachable from start, and an end reachable from every node (no dead ends but `end`).
  if (startNode && issues.length === 0) {
    const byId = new Map(flow.nodes.map((n) => [n.id, n]));
    const seen = new Set<string>();
    const stack = [startNode.id];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const t of Object.values(byId.get(id)!.next)) stack.push(t);
    }
    for (const n of flow.nodes) if (!seen.has(n.id)) issues.push({ nodeId: n.id, path: 'id', message: 'node is not reachable from the start' });
    if (!flow.nodes.some((n) => n.type === 'end')) issues.push({ nodeId: null, path: 'nodes', message: 'the flow has no end node' });
  }
  return issues.length ? { ok: false, issues } : { ok: true, flow };
}

/** The flow every workspace starts with: working hours → bot → queue → agent → survey, offline branch. */
export function defaultFlow(): FlowDefinition {
  return {
    schemaVersion: 1,
    start: 'start',
    nodes: [
      { id: 'start', type: 'start', config: {}, next: { next: 'hours' }, position: { x: 0, y: 0 } },
      { id: 'hours', type: 'working_hours', config: { alwaysOpen: true }, next: { open: 'bot', closed: 'offline' }, position: { x: 200, y: 0 } },
      { id: 'bot', type: 'bot', config: {}, next: { transfer: 'queue', idle: 'end', closed: 'end' }, position: { x: 400, y: 0 } },
      { id: 'queue', type: 'queue', config: {}, next: { assigned: 'agent', timeout: 'offline', full: 'offline', closed: 'end' }, position: { x: 600, y: 0 } },
      { id: 'agent', type: 'agent', config: {}, next: { closed: 'survey', requeue: 'queue' }, position: { x: 800, y: 0 } },
      { id: 'survey', type: 'survey', config: {}, next: { done: 'end', expired: 'end' }, position: { x: 1000, y: 0 } },
      { id: 'offline', type: 'offline_message', config: {}, next: { done: 'end', expired: 'end' }, position: { x: 600, y: 200 } },
      { id: 'end', type: 'end', config: {}, next: {}, position: { x: 1200, y: 0 } },
    ],
  };
}
