import type { EntityManager, MikroORM } from '@mikro-orm/mysql';
import type { ServiceBroker } from 'moleculer';
import type { HubEvent } from '@kefu-hub/plugin-sdk';
import { OutboxEvent, AuditLog } from '../db/entities/index.ts';

/**
 * Adds an event to the outbox inside the caller's unit of work: it is committed with the change it
 * announces or not at all. The relay publishes it afterwards.
 */
export function recordEvent(em: EntityManager, workspaceId: string, type: string, payload: Record<string, unknown>): void {
  em.create(OutboxEvent, { workspaceId, type, payload, attempts: 0, publishedAt: null });
}

export function recordAudit(
  em: EntityManager,
  workspaceId: string,
  actor: { actorType: string; actorId: string | null },
  action: string,
  target: { type: string; id: string | null },
  details: Record<string, unknown> = {},
): void {
  em.create(AuditLog, { workspaceId, ...actor, action, targetType: target.type, targetId: target.id, details });
}

/**
 * Publishes committed outbox rows on the broker as `hub.<type>` (balanced: each subscribing service
 * group gets it once) and as a broadcast for GraphQL subscriptions. Several nodes may run relays at
 * once: rows are claimed with `FOR UPDATE SKIP LOCKED`, so each row is published by one of them.
 * Delivery is at-least-once (a crash between publish and mark re-publishes); handlers are idempotent
 * by event id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  private readonly orm: MikroORM;
  private readonly broker: ServiceBroker;
  private readonly onPublished: (event: HubEvent) => void;
  private readonly intervalMs: number;

  constructor(orm: MikroORM, broker: ServiceBroker, onPublished: (event: HubEvent) => void, intervalMs = 500) {
    this.orm = orm;
    this.broker = broker;
    this.onPublished = onPublished;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.nudge();
      this.timer = setTimeout(tick, this.intervalMs);
    };
    tick();
  }

  /** Runs a drain now (coalescing with one in flight); call after committing outbox rows. */
  nudge(): void {
    if (this.running) { this.again = true; return; }
    this.running = this.drain()
      .then(() => undefined)
      .catch((err: unknown) => this.broker.logger.error('outbox relay failed', err))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) { this.again = false; this.nudge(); }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes until the outbox is empty; returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch(100);
      total += n;
      if (n < 100) return total;
    }
  }

  private async publishBatch(limit: number): Promise<number> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const rows: { id: string; workspace_id: string; type: string; payload: string | Record<string, unknown>; created_at: Date }[] = await conn.execute(
        'select id, workspace_id, type, payload, created_at from outbox_event where published_at is null order by id limit ? for update skip locked',
        [limit],
      );
      if (rows.length === 0) return 0;
      for (const row of rows) {
        const event: HubEvent = {
          id: row.id,
          type: row.type,
          workspaceId: row.workspace_id,
          occurredAt: new Date(row.created_at).toISOString(),
          payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
        };
        await this.broker.emit(`hub.${event.type}`, event);
        this.onPublished(event);
      }
      await conn.execute(
        `update outbox_event set published_at = ?, attempts = attempts + 1 where id in (${rows.map(() => '?').join(',')})`,
        [new Date(), ...rows.map((r) => r.id)],
      );
      return rows.length;
    });
  }
}
