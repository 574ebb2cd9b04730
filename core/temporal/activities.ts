import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/mysql';
import type { PluginRegistry } from '../kernel/registry.ts';
import { PluginNotInstalledError } from '../kernel/registry.ts';
import { workspaceEm } from '../db/orm.ts';
import { PluginActivityResult } from '../db/entities/index.ts';
import type { HubActivities, PluginActivityInput } from './activity-types.ts';
import { createLifecycleActivities, type LifecycleDeps } from './lifecycle-activities.ts';

export interface ActivityDeps {
  orm: MikroORM;
  registry: PluginRegistry;
  lifecycle: LifecycleDeps;
}

/**
 * The hub's activities. Plugin work goes through one generic activity: it looks up the plugin's
 * activity, runs it in the workspace's runtime context, and records the result under the
 * idempotency key so that a retry after a crash returns the stored result instead of redoing it.
 */
export function createActivities({ orm, registry, lifecycle }: ActivityDeps): HubActivities {
  return {
    ...createLifecycleActivities(lifecycle),
    async runPluginActivity(call: PluginActivityInput): Promise<unknown> {
      const fn = registry.activity(call.plugin, call.activity);
      if (!fn) throw ApplicationFailure.nonRetryable(`plugin "${call.plugin}" has no activity "${call.activity}"`, 'UnknownPluginActivity');
      const em = workspaceEm(orm, call.workspaceId);
      const done = await em.findOne(PluginActivityResult, { idempotencyKey: call.idempotencyKey });
      if (done) return done.result;
      let runtime;
      try {
        runtime = await registry.runtime(call.plugin, call.workspaceId);
      } catch (err) {
        if (err instanceof PluginNotInstalledError) throw ApplicationFailure.nonRetryable(err.message, 'PluginNotInstalled');
        throw err;
      }
      let result: unknown;
      try {
        result = await fn(call.input, { ...runtime, idempotencyKey: call.idempotencyKey });
      } catch (err) {
        await registry.recordError(call.plugin, call.workspaceId, err);
        throw err;
      }
      try {
        em.create(PluginActivityResult, { workspaceId: call.workspaceId, idempotencyKey: call.idempotencyKey, plugin: call.plugin, activity: call.activity, result: result ?? null });
        await em.flush();
      } catch (err) {
        // A concurrent attempt recorded first: its result wins, so every caller sees one answer.
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY') {
          const first = await workspaceEm(orm, call.workspaceId).findOneOrFail(PluginActivityResult, { idempotencyKey: call.idempotencyKey });
          return first.result;
        }
        throw err;
      }
      return result ?? null;
    },
  };
}
