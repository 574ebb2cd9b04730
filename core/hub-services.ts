import type { RateLimiter } from './http/rate-limit.ts';
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import type { ServiceBroker } from 'moleculer';
import type { HubConfig } from './config.ts';
import type { PluginRegistry } from './kernel/registry.ts';
import type { JwtService } from './auth/jwt.ts';
import type { HubPubSub } from './events/pubsub.ts';
import type { OutboxRelay } from './events/outbox.ts';
import type { HubQueues } from './queues/queues.ts';
import type { Connection, Client } from '@temporalio/client';
import type { ConversationService } from './conversations/service.ts';
import type { LifecycleClient } from './conversations/lifecycle.ts';
import type { RoutingService } from './routing/routing.ts';
import type { RoutingEngine } from './routing/engine.ts';
import type { NodeRegistry } from './flows/registry.ts';
import type { BotPipeline } from './conversations/bot-pipeline.ts';

/** What the hub hands to resolvers, services and activities: explicit dependencies, no globals. */
export interface HubServices {
  config: HubConfig;
  orm: MikroORM;
  broker: ServiceBroker;
  registry: PluginRegistry;
  jwt: JwtService;
  pubsub: HubPubSub;
  outbox: OutboxRelay;
  queues: HubQueues;
  /** Limits on the public entry points (sign-in, sign-up, visitor sessions, anonymous self-service). */
  rateLimiter: RateLimiter;
  /** Temporal client connection (null only on nodes started without Temporal, e.g. migrate). */
  temporal: Connection | null;
  temporalClient: Client | null;
  conversations: ConversationService;
  /** Null on nodes without Temporal (lifecycle calls then fail with a clear error). */
  lifecycle: LifecycleClient | null;
  routing: RoutingService;
  /** Routing policies: diversion, priority, overflow, strategies, the decision log. */
  router: RoutingEngine;
  /** The bot stage of the message path (answers, transfer rules, ratings of bot answers). */
  bots: BotPipeline;
  nodeTypes: NodeRegistry;
  /** Runs `work` in a transaction on `em`; outbox rows written inside are relayed right after commit. */
  transact<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T>;
}
