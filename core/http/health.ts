import { Redis } from 'ioredis';
import type { HubServices } from '../hub-services.ts';

export interface HealthReport {
  ok: boolean;
  node: string;
  services: Record<string, { ok: boolean; latencyMs: number; detail?: string }>;
  nodes: string[];
}

async function probe(fn: () => Promise<string | void>, timeoutMs = 2000): Promise<{ ok: boolean; latencyMs: number; detail?: string }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      fn(),
      new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - t0), ...(detail ? { detail } : {}) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - t0), detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

let redis: Redis | null = null;

/** Checks each service the hub depends on; 503 when any is down. */
export async function health(hub: HubServices): Promise<HealthReport> {
  redis ??= new Redis(hub.config.KEFU_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  const [database, redisRes, temporal, broker] = await Promise.all([
    probe(async () => { await hub.orm.em.getConnection().execute('select 1'); }),
    probe(async () => { const r = await redis!.ping(); if (r !== 'PONG') throw new Error(r); }),
    probe(async () => { if (!hub.temporal) return 'not configured on this node'; await hub.temporal.workflowService.getSystemInfo({}); }),
    probe(async () => {
      const t = hub.broker.transit;
      if (hub.config.KEFU_TRANSPORTER && !t?.connected) throw new Error('transporter disconnected');
      return hub.config.KEFU_TRANSPORTER ? `transporter ${hub.config.KEFU_TRANSPORTER.replace(/\/\/.*@/, '//***@')}` : 'local broker';
    }),
  ]);
  const nodes = (hub.broker.registry.getNodeList({ onlyAvailable: true, withServices: false }) as { id: string }[]).map((n) => n.id).sort();
  const services = { database, redis: redisRes, temporal, broker };
  return { ok: Object.values(services).every((s) => s.ok), node: hub.broker.nodeID, services, nodes };
}

export async function closeHealthClients(): Promise<void> {
  if (redis) { redis.disconnect(); redis = null; }
}
