import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceBroker } from 'moleculer';
import type { MikroORM, EntityManager } from '@mikro-orm/mysql';
import { Connection, Client } from '@temporalio/client';
import brokerOptions from '../moleculer.config.ts';
import type { HubConfig } from './config.ts';
import { ensureDatabase, initOrm, migrateUp, NO_TENANT_FILTER, systemEm } from './db/orm.ts';
import { HubSetting } from './db/entities/index.ts';
import { PluginRegistry } from './kernel/registry.ts';
import { JwtService } from './auth/jwt.ts';
import { randomToken } from './auth/secrets.ts';
import { createHubPubSub, topics } from './events/pubsub.ts';
import { OutboxRelay } from './events/outbox.ts';
import { createQueues } from './queues/queues.ts';
import { buildSchema } from './graphql/schema.ts';
import { startHttpServer, type HttpServer } from './http/server.ts';
import { closeHealthClients } from './http/health.ts';
import { createActivities } from './temporal/activities.ts';
import { startWorker, type HubWorker } from './temporal/worker.ts';
import type { HubServices } from './hub-services.ts';
import { ConversationService } from './conversations/service.ts';
import { LifecycleClient } from './conversations/lifecycle.ts';
import { createAssignmentHandler } from './conversations/assignment.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { auditQueues } from './routing/queue-audit.ts';
import { requeueAwayAgents } from './conversations/agent-status.ts';
import { BotPipeline } from './conversations/bot-pipeline.ts';
import { RoutingService } from './routing/routing.ts';
import { RoutingEngine } from './routing/engine.ts';
import { convTopics } from './conversations/topics.ts';
import type { RoutingPort } from './temporal/lifecycle-activities.ts';
import { NodeRegistry } from './flows/registry.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface HubOptions {
  config: HubConfig;
  /** Apply pending migrations at start (the up command and tests do; production may run `npm run migrate`). */
  migrate?: boolean;
  /** Temporal address resolved by the caller (config or a dev server it started). */
  temporalAddress?: string | null;
  /** Skip the HTTP server (workers-only nodes). */
  http?: boolean;
}

export interface Hub {
  services: HubServices;
  http: HttpServer | null;
  worker: HubWorker | null;
  url: string | null;
  stop(): Promise<void>;
}

/** Reads the JWT secret from config, or the one generated once and shared by all nodes through the database. */
async function jwtSecret(orm: MikroORM, config: HubConfig): Promise<string> {
  if (config.KEFU_JWT_SECRET) return config.KEFU_JWT_SECRET;
  const em = systemEm(orm);
  await em.getConnection().execute('insert ignore into hub_setting (`key`, `value`) values (?, ?)', ['jwt_secret', randomToken(48)]);
  const row = await em.findOneOrFail(HubSetting, { key: 'jwt_secret' }, NO_TENANT_FILTER);
  return row.value;
}

/**
 * Boots one hub node: plugins → database → broker → GraphQL → HTTP → Temporal worker → outbox relay.
 * A plugin that fails validation stops the boot here with its name in the error.
 */
export async function startHub(opts: HubOptions): Promise<Hub> {
  const { config } = opts;
  const registry = await PluginRegistry.load(config.KEFU_PLUGINS_DIR ?? join(ROOT, 'plugins'), config.KEFU_PLUGINS);
  if (opts.migrate) await ensureDatabase(config.KEFU_DB_URL);
  const orm = await initOrm({
    dbUrl: config.KEFU_DB_URL, pluginEntities: registry.entities(), pluginMigrations: registry.migrations(),
    silent: !['info', 'debug', 'trace'].includes(config.KEFU_LOG_LEVEL),
  });
  const cleanup: (() => Promise<unknown>)[] = [() => orm.close(true)];
  try {
    if (opts.migrate) await migrateUp(orm);
    const broker = new ServiceBroker(brokerOptions(config));
    const jwt = new JwtService(await jwtSecret(orm, config), config.KEFU_JWT_TTL_SECONDS);
    const { pubsub, service: pubsubService } = createHubPubSub(broker);
    const outbox = new OutboxRelay(orm, broker, (event) => {
      void pubsub.publish(topics.workspaceEvents(event.workspaceId), { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload });
    });
    const queues = await createQueues({ redisUrl: config.KEFU_REDIS_URL, prefix: `kefu:${config.KEFU_NAMESPACE}`, orm, logger: broker.getLogger('queues'), runWorkers: true });
    cleanup.unshift(() => queues.close());

    let temporal: Connection | null = null;
    let temporalClient: Client | null = null;
    if (opts.temporalAddress) {
      temporal = await Connection.connect({ address: opts.temporalAddress });
      temporalClient = new Client({ connection: temporal, namespace: config.KEFU_TEMPORAL_NAMESPACE });
      cleanup.unshift(() => temporal!.close());
    }

    const conversations = new ConversationService({ orm, pubsub, outbox });
    const lifecycle = temporalClient
      ? new LifecycleClient({ orm, client: temporalClient, taskQueue: config.KEFU_TEMPORAL_TASK_QUEUE, pubsub, nudgeOutbox: () => outbox.nudge() })
      : null;
    const routingLog = broker.getLogger('routing');
    const routingLogger = { debug: (m: string) => routingLog.debug(m), info: (m: string) => routingLog.info(m), warn: (m: string) => routingLog.warn(m), error: (m: string) => routingLog.error(m) };
    // The engine (policies, diversion, overflow, decision log) and the Redis state machine need each other.
    let engine: RoutingEngine | null = null;
    const routing: RoutingService = new RoutingService({
      queueRuntime: (ws, g) => engine!.queueRuntime(ws, g),
      beforeDrain: (ws, g) => engine!.beforeDrain(ws, g),
      redisUrl: config.KEFU_REDIS_URL,
      prefix: `kefu:${config.KEFU_NAMESPACE}`,
      orm,
      logger: routingLogger,
      onAssigned: createAssignmentHandler({
        orm, conversations, lifecycle: () => lifecycle, nudgeOutbox: () => outbox.nudge(),
        release: (i) => routing.release(i), logger: { warn: (m: string) => routingLog.warn(m) },
      }),
      onPositions: (updates) => {
        for (const u of updates) conversations.publish({ kind: 'queue_position', conversationId: u.conversationId, position: u.position, estimatedWaitSec: u.estimatedWaitSec });
      },
    });
    engine = new RoutingEngine({
      orm, routing, registry, logger: routingLogger,
      onQueueChanged: (ws, conversationId) => conversations.publishTo(convTopics.queue(ws), { kind: 'queue_changed', conversationId }),
      exitQueue: async (conversationId, reason) => {
        if (!lifecycle) throw new Error('no Temporal client on this node');
        await lifecycle.queueExit(conversationId, reason);
      },
    });
    const router = engine;
    cleanup.unshift(() => routing.close());
    const bots = new BotPipeline({
      orm, registry, conversations, logger: broker.getLogger('bot'),
      requestHuman: async (_ws: string, conversationId: string, rule: string) => {
        if (!lifecycle) throw new Error('no Temporal client on this node');
        await lifecycle.requestHuman(conversationId, rule);
      },
    });
    // Only messages sent during a bot phase need the bot; messages sent before the bot node is entered
    // are caught up when it is (enterNode), so every other message skips the pipeline's queries.
    conversations.onCustomerMessage(async (workspaceId, message, statusAtSend) => {
      if (statusAtSend === 'bot') await bots.onCustomerMessage(workspaceId, message);
    });

    const rateLog = broker.getLogger('rate-limit');
    const rateLimiter = new RateLimiter({ redisUrl: config.KEFU_REDIS_URL, prefix: `kefu:${config.KEFU_NAMESPACE}`, limits: config.KEFU_RATE_LIMITS, warn: (m) => rateLog.warn(m) });
    cleanup.unshift(() => rateLimiter.close());
    const services: HubServices = {
      config, orm, broker, registry, jwt, pubsub, outbox, queues, rateLimiter, temporal, temporalClient,
      conversations, lifecycle, routing, router, bots, nodeTypes: new NodeRegistry(),
      async transact<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
        const result = await em.transactional(work);
        outbox.nudge();
        return result;
      },
    };
    registry.bind({ orm, broker });

    broker.createService(pubsubService as never);
    for (const svc of registry.services()) broker.createService(svc as never);
    await broker.start();
    cleanup.unshift(() => broker.stop());
    outbox.start();
    cleanup.unshift(() => outbox.stop());
    await routing.reconcile();
    routing.start();
    if (lifecycle) {
      const statusLog = broker.getLogger('agent-status');
      // The away grace: agents away for longer than their workspace allows have their held chats requeued.
      await queues.scheduleMaintenance('requeue-away-agents', 15_000, () => requeueAwayAgents({ orm, lifecycle, logger: { warn: (m: string) => statusLog.warn(m) } }));
      // Waiting customers routing lost (a Redis restart): back to their workflows, which queue them again.
      const auditLog = broker.getLogger('queue-audit');
      await queues.scheduleMaintenance('queue-audit', 30_000, () => auditQueues({ orm, routing, queueLost: (id) => lifecycle.queueLost(id), logger: { warn: (m: string) => auditLog.warn(m) } }));
    }

    const schema = buildSchema(registry);
    let http: HttpServer | null = null;
    if (opts.http !== false) {
      http = await startHttpServer(services, schema, config.KEFU_HTTP_HOST, config.KEFU_HTTP_PORT, join(ROOT, 'admin-ui', 'dist'));
      cleanup.unshift(() => http!.close());
    }

    let worker: HubWorker | null = null;
    if (opts.temporalAddress && config.KEFU_RUN_WORKER) {
      worker = await startWorker({
        address: opts.temporalAddress,
        namespace: config.KEFU_TEMPORAL_NAMESPACE,
        taskQueue: config.KEFU_TEMPORAL_TASK_QUEUE,
        activities: createActivities({ orm, registry, lifecycle: { orm, conversations, routing: lifecycleRouting(routing, router), nudgeOutbox: () => outbox.nudge(), botCatchUp: (ws, conv) => bots.catchUp(ws, conv) } }),
        logLevel: config.KEFU_LOG_LEVEL,
      });
      cleanup.unshift(() => worker!.shutdown());
    }

    const url = http ? config.KEFU_PUBLIC_URL ?? `http://localhost:${http.port}` : null;
    let stopping: Promise<void> | null = null;
    return {
      services, http, worker, url,
      stop() {
        stopping ??= (async () => {
          for (const fn of cleanup) await fn().catch((err: unknown) => broker.logger.warn('shutdown step failed', err));
          await closeHealthClients();
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const fn of cleanup) await fn().catch(() => undefined);
    throw err;
  }
}

/** Routing as the lifecycle activities see it: arrival goes through the engine, the rest to Redis. */
function lifecycleRouting(routing: RoutingService, engine: RoutingEngine): RoutingPort {
  return {
    enqueue: (i) => engine.enqueue(i),
    arrivalRecovered: (i) => engine.arrivalRecovered(i),
    dequeue: (i) => routing.dequeue(i),
    isPending: (i) => routing.isPending(i),
    release: (i) => routing.release(i),
    assignDirect: (i) => routing.assignDirect(i),
  };
}
