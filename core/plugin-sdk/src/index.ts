/**
 * @kefu-hub/plugin-sdk — the whole contract between Kefu Hub's core and a plugin.
 *
 * A plugin *declares* what it contributes; the core's kernel validates the declaration at boot and
 * wires it in. A plugin never reaches into core globals: everything it may use arrives through the
 * context objects typed here.
 */
import type { ServiceSchema } from 'moleculer';
import type { EntitySchema } from '@mikro-orm/core';
import { z } from 'zod';

export { z };
export { defineEntity, p } from '@mikro-orm/core';
export type { EntityManager } from '@mikro-orm/core';

/** Version of this contract. Plugins state the range of core versions they support against it. */
export const CORE_VERSION = '0.1.0';

export const PLUGIN_KINDS = ['channel', 'bot', 'connector', 'rule', 'survey', 'qa', 'example'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

export const ROLES = ['admin', 'supervisor', 'agent', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes an API key may carry (enterprise systems: CRM / ERP / ticketing). */
export const API_SCOPES = [
  'admin:read',
  'admin:write',
  'conversations:read',
  'conversations:write',
  'customers:read',
  'customers:write',
  'plugins:read',
  'plugins:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Who is calling. Exactly one kind of principal per request. */
export type Principal =
  | { kind: 'user'; workspaceId: string; userId: string; roles: Role[] }
  | { kind: 'apiKey'; workspaceId: string; apiKeyId: string; scopes: ApiScope[] }
  | { kind: 'visitor'; workspaceId: string; channelId: string; customerId: string; sessionId: string }
  | { kind: 'anonymous' };

/** A minimal structured logger; the core hands each plugin one bound to its name. */
export interface PluginLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** Domain events the core publishes (through its transactional outbox) and plugins may handle. */
export interface HubEvent<TPayload = Record<string, unknown>> {
  id: string;
  type: string;
  workspaceId: string;
  occurredAt: string;
  payload: TPayload;
}

/** What a plugin's handlers receive: workspace-scoped data access and the plugin's own config. */
export interface PluginRuntimeContext<TConfig> {
  plugin: string;
  workspaceId: string;
  /** This workspace's installation config, already validated against the plugin's schema. */
  config: TConfig;
  /** A forked EntityManager whose workspace filter is bound to `workspaceId`. */
  em: import('@mikro-orm/core').EntityManager;
  logger: PluginLogger;
  /** Calls a Moleculer action on behalf of the workspace (permissions are enforced by the core). */
  call: <T = unknown>(action: string, params?: Record<string, unknown>) => Promise<T>;
  /** Renders a handlebars template with the core's helpers. */
  render: (template: string, data: Record<string, unknown>) => string;
}

export type PluginEventHandler<TConfig> = (event: HubEvent, ctx: PluginRuntimeContext<TConfig>) => Promise<void> | void;

/** Temporal activity contributed by a plugin; called from workflows through the core's generic activity. */
export type PluginActivity<TConfig> = (
  input: unknown,
  ctx: PluginRuntimeContext<TConfig> & { idempotencyKey: string },
) => Promise<unknown>;

/** A SQL migration owned by a plugin. Names are unique within the plugin and applied once, in order. */
export interface PluginMigration {
  name: string;
  up: string[];
  down?: string[];
}

/**
 * GraphQL extension. `builder` is the core's Pothos builder (typed loosely here so that the SDK does
 * not pin Pothos' generics); `helpers` gives the pieces a plugin needs to stay workspace-scoped.
 */
export interface GraphQLExtensionApi<TConfig> {
  builder: unknown;
  /** Resolves the calling principal's context for this plugin (throws UNAUTHENTICATED/FORBIDDEN/NOT_INSTALLED). */
  runtime: (graphqlContext: unknown) => Promise<PluginRuntimeContext<TConfig>>;
}

/** What a bot returns for one customer message. */
export interface BotAnswer {
  /** Confident enough to answer. */
  matched: boolean;
  /** 0..1 */
  confidence: number;
  answer?: { type: 'text' | 'rich_text' | 'card'; body: Record<string, unknown> };
  /** When unsure: "您是不是想问…" candidates. */
  suggestions?: { question: string; entryId?: string }[];
  /** Knowledge-base entry that answered, for feedback and metrics. */
  entryId?: string;
}

export interface BotQuestion {
  text: string;
  conversationId: string;
  customerId: string;
  locale?: string;
}

/** A bot (kind `bot`): answers customer messages while the conversation is in a bot node. */
export interface BotContribution<TConfig> {
  answer: (question: BotQuestion, ctx: PluginRuntimeContext<TConfig>) => Promise<BotAnswer>;
}

export interface TransferRuleInput {
  text: string;
  /** The bot's answer to this message (null when the bot was not asked or failed). */
  bot: BotAnswer | null;
  /** Consecutive customer messages the bot could not answer, including this one. */
  consecutiveUnmatched: number;
  customer: { id: string; tags: string[]; attributes: Record<string, unknown> };
  /** Customer messages in the conversation so far, including this one (1 on the first message). */
  customerMessages?: number;
  /**
   * Set when the rules run because the customer rated a bot answer (then `text` is empty and
   * `consecutiveUnmatched` is 0): whether it was useful, and the knowledge entry that answered.
   */
  feedback?: { useful: boolean; entryId?: string };
}

/** A transfer-to-human rule (kind `rule`), configured per flow bot node. */
export interface TransferRuleContribution {
  label: { en: string; 'zh-CN': string };
  /** Per-use config (in the flow node); must accept `{}`. */
  config: z.ZodType;
  /**
   * Decides whether to hand the conversation to a human. `rt` is the contributing plugin's runtime
   * in the workspace (its installation config in `rt.config`); rules that need nothing but their
   * input ignore it.
   */
  evaluate: (input: TransferRuleInput, ruleConfig: any, rt?: PluginRuntimeContext<any>) => { fire: boolean; reason?: string } | Promise<{ fire: boolean; reason?: string }>;
}

/**
 * What a customer-priority rule sees when a conversation joins a queue (F9). Counts are for the
 * current calendar day in the skill group's time zone and include this conversation.
 */
export interface PriorityRuleInput {
  customer: { id: string; tags: string[]; attributes: Record<string, unknown>; firstSeenAt: string };
  conversation: { id: string; channelId: string; createdAt: string };
  skillGroupId: string | null;
  today: {
    /** Conversations the customer started today, this one included (1 = first visit). */
    visits: number;
    /** Earlier conversations today that queued and never reached an agent (timed out, queue full, left). */
    failedQueues: number;
  };
  /** Earlier conversations of the customer (any day), 0 for a new customer. */
  previousConversations: number;
}

/**
 * A customer-priority rule (kind `rule`): turns what is known about a waiting customer into points.
 * The skill group's routing policy gives each rule a weight in seconds per point, and a customer's
 * place in the queue is its enqueue time minus the sum of weight × points: waiting time stays the
 * base order (earlier first), and a rule moves a customer ahead by a bounded, explainable amount.
 * Must be pure and synchronous (it also runs inside the routing policy simulator).
 */
export interface PriorityRuleContribution {
  label: { en: string; 'zh-CN': string };
  /** Per-use config (in the skill group's policy); must accept `{}`. */
  config: z.ZodType;
  evaluate: (input: PriorityRuleInput, ruleConfig: any) => { points: number; reason?: string };
}

/** An agent a strategy may pick: online, with a free slot for this skill group. */
export interface RoutingCandidate {
  agentId: string;
  load: number;
  /** Effective capacity for this group (the agent's maximum, capped by the group's override). */
  capacity: number;
  /** Skill level in this group, 1 (junior) … 5 (expert). */
  level: number;
  /** When the agent last got a chat or came online (ms). */
  idleSince: number;
}

export interface StrategyInput {
  conversation: {
    id: string;
    customerId: string;
    /** How long it has waited, in ms (in this queue and any it overflowed from). */
    waitedMs: number;
    /** The agent who last served this customer, and when (ms), if any. */
    lastAgentId: string | null;
    lastServedAt: number | null;
  };
  /** Eligible agents (online, free slot), in no particular order. Never empty. */
  candidates: RoutingCandidate[];
  /** Every member of the group with its status, for strategies that wait for someone specific. */
  members: { agentId: string; status: string; load: number; capacity: number }[];
  now: number;
}

export interface StrategyResult {
  /** Candidates in order of preference (the first with a free slot gets the chat), each explained. */
  ranked: { agentId: string; score: number; why: string }[];
  /** Do not assign this conversation now (others behind it still can be): why, and until when (ms). */
  hold?: { reason: string; untilMs: number };
}

/**
 * An assignment strategy (kind `rule`), chosen per skill group (F10). Ranks the eligible agents for one
 * waiting conversation; the core then assigns atomically (capacity and status are re-checked in one
 * Redis step). Must be pure and synchronous: it runs on every routing decision and in the simulator.
 */
export interface AssignmentStrategyContribution {
  label: { en: string; 'zh-CN': string };
  config: z.ZodType;
  rank: (input: StrategyInput, strategyConfig: any) => StrategyResult;
}

export interface PluginDefinition<TConfigSchema extends z.ZodType = z.ZodType> {
  /** Unique, lowercase, `[a-z][a-z0-9-]*`. Moleculer services must be named `plugin.<name>` or `plugin.<name>.*`. */
  name: string;
  version: string;
  /** Semver range of core versions this plugin supports (checked at boot). */
  coreVersion: string;
  kinds: PluginKind[];
  displayName: { en: string; 'zh-CN': string };
  description?: { en: string; 'zh-CN': string };
  /** Per-workspace configuration; rendered as a form in the admin UI (JSON Schema derived from it). */
  config: TConfigSchema;
  /** Moleculer services (names prefixed `plugin.<name>`). */
  services?: (helpers: ServiceHelpers<z.output<TConfigSchema>>) => Partial<ServiceSchema>[];
  /** Temporal activities, reachable by workflows as `<plugin>.<activity>` through the generic activity. */
  activities?: Record<string, PluginActivity<z.output<TConfigSchema>>>;
  /** Handlers of hub domain events, e.g. `conversation.created`. Errors are contained and recorded. */
  events?: Record<string, PluginEventHandler<z.output<TConfigSchema>>>;
  /** Entities the plugin owns. Each must carry a `workspaceId` property (tenancy is not optional). */
  entities?: EntitySchema[];
  migrations?: PluginMigration[];
  graphql?: (api: GraphQLExtensionApi<z.output<TConfigSchema>>) => void;
  /** A bot (kind `bot`). */
  bot?: BotContribution<z.output<TConfigSchema>>;
  /** Transfer-to-human rules (kind `rule`), by rule name (unique across plugins). */
  rules?: Record<string, TransferRuleContribution>;
  /** Customer-priority rules for queues (kind `rule`), by name (unique across plugins). */
  priorityRules?: Record<string, PriorityRuleContribution>;
  /** Assignment strategies for skill groups (kind `rule`), by name (unique across plugins). */
  strategies?: Record<string, AssignmentStrategyContribution>;
  /** HTTP routes mounted under `/plugins/<name>/` (channel webhooks, widget assets). */
  http?: PluginHttpRoute[];
}

export interface PluginHttpRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Raw body (signature checks need the exact bytes). */
  body: Buffer;
}

export interface PluginHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Record<string, unknown>;
}

export interface PluginHttpRoute {
  method: 'GET' | 'POST';
  /** Relative to `/plugins/<name>`, e.g. `/widget.js`. */
  path: string;
  handler: (req: PluginHttpRequest, helpers: { publicUrl: string; call: <T = unknown>(action: string, params?: Record<string, unknown>) => Promise<T> }) => Promise<PluginHttpResponse> | PluginHttpResponse;
}

export interface ServiceHelpers<TConfig> {
  /** Builds the runtime context for a workspace from inside a Moleculer action (ctx.meta.workspaceId). */
  runtime: (workspaceId: string) => Promise<PluginRuntimeContext<TConfig>>;
}

const NAME_RE = /^[a-z][a-z0-9-]{1,48}$/;

/** Declares a plugin. Returns the definition unchanged; the kernel validates it at boot. */
export function definePlugin<TConfigSchema extends z.ZodType>(def: PluginDefinition<TConfigSchema>): PluginDefinition<TConfigSchema> {
  return def;
}

export function isValidPluginName(name: string): boolean {
  return NAME_RE.test(name);
}
