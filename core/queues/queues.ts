import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { MikroORM } from '@mikro-orm/mysql';
import type { ServiceBroker } from 'moleculer';
import { failKnowledgeImport, runKnowledgeImport, type KnowledgeImportJobData } from '../knowledge/import.ts';

type LoggerInstance = ReturnType<ServiceBroker['getLogger']>;

/** BullMQ on Redis: background work that must survive restarts and be inspectable in bull-board. */
export const QUEUE_NAMES = { maintenance: 'maintenance', webhooks: 'webhook-delivery', knowledgeImport: 'knowledge-import' } as const;

export interface HubQueues {
  all: Queue[];
  maintenance: Queue;
  webhooks: Queue;
  /** Knowledge-base imports (core/knowledge/import.ts); job id = import id. */
  knowledgeImport: Queue<KnowledgeImportJobData>;
  /**
   * Runs `handler` as the maintenance job `name` every `everyMs` (one schedule however many nodes
   * register it; any node with workers runs it). Registered after start by services built later.
   */
  scheduleMaintenance(name: string, everyMs: number, handler: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export function redisConnection(redisUrl: string): ConnectionOptions {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.replace('/', '') || 0),
    maxRetriesPerRequest: null,
  };
}

/**
 * Creates the hub's queues and, when `runWorkers`, their processors. Maintenance purges published
 * outbox rows after 7 days (a repeatable job: one schedule however many nodes register it).
 */
export async function createQueues(opts: { redisUrl: string; prefix: string; orm: MikroORM; logger: LoggerInstance; runWorkers: boolean }): Promise<HubQueues> {
  const connection = redisConnection(opts.redisUrl);
  const common = { connection, prefix: opts.prefix };
  const maintenance = new Queue(QUEUE_NAMES.maintenance, { ...common, defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 } });
  const webhooks = new Queue(QUEUE_NAMES.webhooks, {
    ...common,
    defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: false },
  });
  // Retries resume after the last committed batch; finished jobs are dropped soon (their files are large).
  const knowledgeImport = new Queue<KnowledgeImportJobData>(QUEUE_NAMES.knowledgeImport, {
    ...common,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } },
  });
  const workers: Worker[] = [];
  const maintenanceHandlers = new Map<string, () => Promise<unknown>>();
  if (opts.runWorkers) {
    await maintenance.upsertJobScheduler('purge-outbox', { every: 3600_000 }, { name: 'purge-outbox' });
    workers.push(
      new Worker(QUEUE_NAMES.maintenance, async (job: Job) => {
        if (job.name === 'purge-outbox') {
          const res = await opts.orm.em.getConnection().execute(
            'delete from outbox_event where published_at is not null and published_at < ? limit 10000',
            [new Date(Date.now() - 7 * 24 * 3600_000)],
          );
          return { deleted: (res as { affectedRows?: number }).affectedRows ?? 0 };
        }
        const handler = maintenanceHandlers.get(job.name);
        if (handler) return handler();
        // A scheduled job this node has not registered (yet, or at all): another node runs the next one.
        if (await maintenance.getJobScheduler(job.name)) return { skipped: 'not registered on this node' };
        throw new Error(`unknown maintenance job ${job.name}`);
      }, { ...common, concurrency: 1 }),
    );
    workers.push(
      new Worker<KnowledgeImportJobData>(QUEUE_NAMES.knowledgeImport, async (job) => {
        try {
          return await runKnowledgeImport(opts.orm, job.data, (p) => job.updateProgress(p));
        } catch (err) {
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
            await failKnowledgeImport(opts.orm, job.data.workspaceId, job.data.importId, `import failed: ${(err as Error).message}`).catch(() => undefined);
          }
          throw err;
        }
      }, { ...common, concurrency: 2 }),
    );
    for (const w of workers) w.on('failed', (job, err) => opts.logger.warn(`job ${job?.queueName}/${job?.name} failed: ${err.message}`));
  }
  return {
    all: [maintenance, webhooks, knowledgeImport],
    maintenance,
    webhooks,
    knowledgeImport,
    async scheduleMaintenance(name, everyMs, handler) {
      maintenanceHandlers.set(name, handler);
      if (opts.runWorkers) await maintenance.upsertJobScheduler(name, { every: everyMs }, { name });
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([maintenance.close(), webhooks.close(), knowledgeImport.close()]);
    },
  };
}
