import { MikroORM, type EntityManager, type Options } from '@mikro-orm/mysql';
import { Migrator, Migration } from '@mikro-orm/migrations';
import type { EntitySchema, EventSubscriber, EventArgs } from '@mikro-orm/core';
import { coreEntities } from './entities/index.ts';
import { coreMigrations } from './migrations/index.ts';
import type { PluginMigration } from '@kefu-hub/plugin-sdk';

export type { EntityManager };
export const WORKSPACE_FILTER = 'workspace';

export interface OrmOptions {
  dbUrl: string;
  /** Entities contributed by plugins (validated by the kernel to carry `workspaceId`). */
  pluginEntities?: EntitySchema[];
  pluginMigrations?: { plugin: string; migrations: PluginMigration[] }[];
  debug?: boolean;
  poolMax?: number;
  /** No migrator log lines (tests, quiet log levels). */
  silent?: boolean;
}

/**
 * Refuses writes of tenant rows whose `workspaceId` differs from the workspace the EntityManager is
 * bound to: the read filter keeps other tenants' rows out, this keeps our rows from being written there.
 */
class WorkspaceWriteGuard implements EventSubscriber {
  beforeCreate(args: EventArgs<any>): void { this.check(args); }
  beforeUpdate(args: EventArgs<any>): void { this.check(args); }
  beforeDelete(args: EventArgs<any>): void { this.check(args); }
  private check({ entity, em }: EventArgs<any>): void {
    if (!('workspaceId' in entity)) return;
    const bound = em.getFilterParams<{ id?: string }>(WORKSPACE_FILTER)?.id;
    if (bound && entity.workspaceId !== bound) {
      throw new Error(`cross-workspace write refused: ${entity.constructor.name} of ${String(entity.workspaceId)} from ${bound}`);
    }
  }
}

/** Wraps a plugin's declarative SQL migration in MikroORM's Migration class. */
function pluginMigrationClass(m: PluginMigration): new (...args: any[]) => Migration {
  return class extends Migration {
    override up(): void { for (const sql of m.up) this.addSql(sql); }
    override down(): void { for (const sql of m.down ?? []) this.addSql(sql); }
  };
}

export function ormOptions(opts: OrmOptions): Options {
  const url = new URL(opts.dbUrl);
  const entities = [...coreEntities, ...(opts.pluginEntities ?? [])];
  const migrationsList = [
    ...coreMigrations.map((c) => ({ name: `core/${c.name}`, class: c })),
    ...(opts.pluginMigrations ?? []).flatMap(({ plugin, migrations }) =>
      migrations.map((m) => ({ name: `plugin/${plugin}/${m.name}`, class: pluginMigrationClass(m) })),
    ),
  ];
  return {
    entities,
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    dbName: url.pathname.replace(/^\//, ''),
    pool: { min: 0, max: opts.poolMax ?? 10 },
    debug: opts.debug ?? false,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: opts.silent ?? false },
    // Every tenant table is filtered by workspace; an EntityManager without a bound workspace
    // throws on tenant queries instead of returning everything (fail closed).
    filters: {
      [WORKSPACE_FILTER]: {
        name: WORKSPACE_FILTER,
        cond: (args: { id: string }) => ({ workspaceId: args.id }),
        default: true,
        entity: entities.filter((e) => 'workspaceId' in (e.meta.properties ?? {})).map((e) => e.meta.className),
      },
    },
    subscribers: [new WorkspaceWriteGuard()],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    timezone: '+00:00',
    ignoreUndefinedInQuery: true,
  } satisfies Options;
}

export async function initOrm(opts: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormOptions(opts));
}

/** A fresh EntityManager bound to one workspace: the only way request, action and activity code gets one. */
export function workspaceEm(orm: MikroORM, workspaceId: string): EntityManager {
  const em = orm.em.fork({ clear: true });
  em.setFilterParams(WORKSPACE_FILTER, { id: workspaceId });
  return em;
}

/** An EntityManager for hub-level work (login lookup, seeding): tenant filter explicitly disabled. */
export function systemEm(orm: MikroORM): EntityManager {
  const em = orm.em.fork({ clear: true });
  em.setFilterParams(WORKSPACE_FILTER, { id: '__system__' });
  return em;
}

export const NO_TENANT_FILTER = { filters: { [WORKSPACE_FILTER]: false } } as const;

/** Creates the database named in the URL if it does not exist (MariaDB/MySQL). */
export async function ensureDatabase(dbUrl: string): Promise<void> {
  const { createConnection } = await import('mysql2/promise');
  const url = new URL(dbUrl);
  const db = url.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(db)) throw new Error(`invalid database name "${db}"`);
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function migrateUp(orm: MikroORM): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}
