import type { ServiceBroker, ServiceSchema, Context } from 'moleculer';
import type { MikroORM } from '@mikro-orm/mysql';
import type { EntitySchema } from '@mikro-orm/core';
import { z } from 'zod';
import type { HubEvent, PluginDefinition, PluginLogger, PluginMigration, PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { discoverPlugins } from './discovery.ts';
import { validatePlugin } from './validate.ts';
import { PluginLoadError } from './errors.ts';
import { workspaceEm } from '../db/orm.ts';
import { PluginInstallation } from '../db/entities/index.ts';
import { render } from '../templates.ts';

export class PluginNotInstalledError extends Error {
  override name = 'PluginNotInstalledError';
  readonly plugin: string;
  readonly workspaceId: string;
  constructor(plugin: string, workspaceId: string) {
    super(`plugin "${plugin}" is not installed or is disabled in this workspace`);
    this.plugin = plugin;
    this.workspaceId = workspaceId;
  }
}

export interface RuntimeDeps {
  orm: MikroORM;
  broker: ServiceBroker;
}

export interface PluginCatalogEntry {
  name: string;
  version: string;
  kinds: string[];
  displayName: { en: string; 'zh-CN': string };
  description?: { en: string; 'zh-CN': string };
  configJsonSchema: Record<string, unknown>;
  source: string;
}

/**
 * The kernel's view of every loaded plugin. Built once at boot from discovery + validation; the
 * runtime half (contexts for handlers) is bound once the ORM and broker exist.
 */
export class PluginRegistry {
  private deps: RuntimeDeps | null = null;
  private readonly loaded: Map<string, { def: PluginDefinition; source: string }>;
  private constructor(loaded: Map<string, { def: PluginDefinition; source: string }>) {
    this.loaded = loaded;
  }

  static async load(pluginsDir: string, npmPackages: string[]): Promise<PluginRegistry> {
    const discovered = await discoverPlugins(pluginsDir, npmPackages);
    const loaded = new Map<string, { def: PluginDefinition; source: string }>();
    const ruleOwners = new Map<string, string>();
    const priorityOwners = new Map<string, string>();
    const strategyOwners = new Map<string, string>();
    for (const { source, definition } of discovered) {
      const def = validatePlugin(definition, source);
      const dup = loaded.get(def.name);
      if (dup) throw new PluginLoadError(def.name, source, `name already used by ${dup.source}`);
      for (const rule of Object.keys(def.rules ?? {})) {
        const owner = ruleOwners.get(rule);
        if (owner) throw new PluginLoadError(def.name, source, `transfer rule "${rule}" is already contributed by plugin "${owner}"`);
        ruleOwners.set(rule, def.name);
      }
      for (const [owners, names, what] of [
        [priorityOwners, Object.keys(def.priorityRules ?? {}), 'priority rule'],
        [strategyOwners, Object.keys(def.strategies ?? {}), 'assignment strategy'],
      ] as const) {
        for (const n of names) {
          const owner = owners.get(n) ?? (what === 'assignment strategy' && n === 'balanced' ? 'core' : undefined);
          if (owner) throw new PluginLoadError(def.name, source, `${what} "${n}" is already contributed by ${owner === 'core' ? 'the core' : `plugin "${owner}"`}`);
          owners.set(n, def.name);
        }
      }
      loaded.set(def.name, { def, source });
    }
    return new PluginRegistry(loaded);
  }

  get names(): string[] { return [...this.loaded.keys()]; }
  get(name: string): PluginDefinition | undefined { return this.loaded.get(name)?.def; }

  catalog(): PluginCatalogEntry[] {
    return [...this.loaded.values()].map(({ def, source }) => ({
      name: def.name,
      version: def.version,
      kinds: def.kinds,
      displayName: def.displayName,
      description: def.description,
      configJsonSchema: z.toJSONSchema(def.config, { io: 'input' }),
      source,
    }));
  }

  entities(): EntitySchema[] {
    return [...this.loaded.values()].flatMap(({ def }) => def.entities ?? []);
  }

  migrations(): { plugin: string; migrations: PluginMigration[] }[] {
    return [...this.loaded.values()].filter(({ def }) => def.migrations?.length).map(({ def }) => ({ plugin: def.name, migrations: def.migrations! }));
  }

  /** Validates a workspace's config for a plugin; returns the parsed value or the list of problems. */
  parseConfig(name: string, config: unknown): { ok: true; value: unknown } | { ok: false; issues: { path: string; message: string }[] } {
    const def = this.require(name);
    const r = def.config.safeParse(config ?? {});
    return r.success ? { ok: true, value: r.data } : { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  }

  bind(deps: RuntimeDeps): void { this.deps = deps; }

  logger(plugin: string): PluginLogger {
    const log = this.deps?.broker.getLogger(`plugin.${plugin}`);
    const fmt = (msg: string, data?: Record<string, unknown>) => (data ? `${msg} ${JSON.stringify(data)}` : msg);
    return {
      debug: (m, d) => log?.debug(fmt(m, d)),
      info: (m, d) => log?.info(fmt(m, d)),
      warn: (m, d) => log?.warn(fmt(m, d)),
      error: (m, d) => log?.error(fmt(m, d)),
    };
  }

  /** The context a plugin handler runs in for one workspace. Throws if not installed/enabled there. */
  async runtime(plugin: string, workspaceId: string): Promise<PluginRuntimeContext<any>> {
    const def = this.require(plugin);
    const { orm, broker } = this.requireDeps();
    const em = workspaceEm(orm, workspaceId);
    const inst = await em.findOne(PluginInstallation, { pluginName: plugin });
    if (!inst || !inst.enabled) throw new PluginNotInstalledError(plugin, workspaceId);
    const config = def.config.parse(inst.config);
    return {
      plugin,
      workspaceId,
      config,
      em,
      logger: this.logger(plugin),
      call: <T>(action: string, params?: Record<string, unknown>) =>
        broker.call<T, Record<string, unknown>>(action, params ?? {}, { meta: { workspaceId, principal: { kind: 'plugin', plugin, workspaceId } } }),
      render,
    };
  }

  /** Records a run-time failure of a plugin in a workspace (shown to admins); never throws. */
  async recordError(plugin: string, workspaceId: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.logger(plugin).error('handler failed', { workspaceId, error: message });
    try {
      const em = workspaceEm(this.requireDeps().orm, workspaceId);
      await em.nativeUpdate(PluginInstallation, { pluginName: plugin }, { lastError: message.slice(0, 4000), lastErrorAt: new Date() });
    } catch (e) {
      this.logger(plugin).error('could not record plugin error', { error: String(e) });
    }
  }

  /**
   * Moleculer services: each plugin's own services (names checked) with handlers contained, plus one
   * synthesized `plugin.<name>.events` service that delivers hub events to the plugin's handlers.
   */
  services(): Partial<ServiceSchema>[] {
    const out: Partial<ServiceSchema>[] = [];
    for (const { def, source } of this.loaded.values()) {
      const own = def.services?.({ runtime: (ws) => this.runtime(def.name, ws) }) ?? [];
      for (const svc of own) {
        const name = String(svc.name ?? '');
        if (name !== `plugin.${def.name}` && !name.startsWith(`plugin.${def.name}.`)) {
          throw new PluginLoadError(def.name, source, `service "${name}" must be named plugin.${def.name} or plugin.${def.name}.*`);
        }
        out.push(this.containEvents(def.name, svc));
      }
      if (def.events && Object.keys(def.events).length > 0) {
        const events: Record<string, (ctx: Context<HubEvent>) => Promise<void>> = {};
        for (const [type, handler] of Object.entries(def.events)) {
          events[`hub.${type}`] = async (ctx) => {
            const event = ctx.params;
            let runtime: PluginRuntimeContext<any>;
            try {
              runtime = await this.runtime(def.name, event.workspaceId);
            } catch (err) {
              if (err instanceof PluginNotInstalledError) return; // not this workspace's plugin
              return this.recordError(def.name, event.workspaceId, err);
            }
            try {
              await handler(event, runtime);
            } catch (err) {
              await this.recordError(def.name, event.workspaceId, err);
            }
          };
        }
        out.push({ name: `plugin.${def.name}.events`, events: events as ServiceSchema['events'] });
      }
    }
    return out;
  }

  /** Wraps a plugin service's own event handlers so a throw is logged, not propagated into the broker. */
  private containEvents(plugin: string, svc: Partial<ServiceSchema>): Partial<ServiceSchema> {
    if (!svc.events) return svc;
    const events: Record<string, unknown> = {};
    for (const [name, ev] of Object.entries(svc.events)) {
      const handler = (typeof ev === 'function' ? ev : (ev as { handler?: unknown }).handler) as ((...a: unknown[]) => unknown) | undefined;
      if (!handler) { events[name] = ev; continue; }
      const safe = async function (this: unknown, ...args: unknown[]) {
        try {
          await handler.apply(this, args);
        } catch (err) {
          (this as { logger?: { error(...a: unknown[]): void } }).logger?.error(`plugin ${plugin} event ${name} failed`, err);
        }
      };
      events[name] = typeof ev === 'function' ? safe : { ...(ev as object), handler: safe };
    }
    return { ...svc, events: events as ServiceSchema['events'] };
  }

  /** A transfer rule by its (hub-wide unique) name, with the plugin that contributes it. */
  rule(name: string): { plugin: string; rule: NonNullable<PluginDefinition['rules']>[string] } | undefined {
    for (const { def } of this.loaded.values()) {
      const rule = def.rules?.[name];
      if (rule) return { plugin: def.name, rule };
    }
    return undefined;
  }

  rules(): { name: string; plugin: string; label: { en: string; 'zh-CN': string }; configJsonSchema: Record<string, unknown> }[] {
    return [...this.loaded.values()].flatMap(({ def }) => Object.entries(def.rules ?? {}).map(([name, r]) => ({
      name, plugin: def.name, label: r.label, configJsonSchema: z.toJSONSchema(r.config, { io: 'input' }),
    })));
  }

  /** A customer-priority rule by its (hub-wide unique) name, with the plugin that contributes it. */
  priorityRule(name: string): { plugin: string; rule: NonNullable<PluginDefinition['priorityRules']>[string] } | undefined {
    for (const { def } of this.loaded.values()) {
      const rule = def.priorityRules?.[name];
      if (rule) return { plugin: def.name, rule };
    }
    return undefined;
  }

  /** An assignment strategy by its (hub-wide unique) name, with the plugin that contributes it. */
  strategy(name: string): { plugin: string; strategy: NonNullable<PluginDefinition['strategies']>[string] } | undefined {
    for (const { def } of this.loaded.values()) {
      const strategy = def.strategies?.[name];
      if (strategy) return { plugin: def.name, strategy };
    }
    return undefined;
  }

  /** Routing contributions for the admin UI's policy form. */
  routingCatalog(): { kind: 'priority_rule' | 'strategy'; name: string; plugin: string; label: { en: string; 'zh-CN': string }; configJsonSchema: Record<string, unknown> }[] {
    return [...this.loaded.values()].flatMap(({ def }) => [
      ...Object.entries(def.priorityRules ?? {}).map(([name, r]) => ({ kind: 'priority_rule' as const, name, plugin: def.name, label: r.label, configJsonSchema: z.toJSONSchema(r.config, { io: 'input' }) })),
      ...Object.entries(def.strategies ?? {}).map(([name, r]) => ({ kind: 'strategy' as const, name, plugin: def.name, label: r.label, configJsonSchema: z.toJSONSchema(r.config, { io: 'input' }) })),
    ]);
  }

  activity(plugin: string, name: string) {
    return this.get(plugin)?.activities?.[name];
  }

  private require(name: string): PluginDefinition {
    const entry = this.loaded.get(name);
    if (!entry) throw new Error(`unknown plugin "${name}"`);
    return entry.def;
  }

  private requireDeps(): RuntimeDeps {
    if (!this.deps) throw new Error('plugin registry used before the hub bound its runtime');
    return this.deps;
  }

  sourceOf(name: string): string { return this.loaded.get(name)?.source ?? name; }
  definitions(): { def: PluginDefinition; source: string }[] { return [...this.loaded.values()]; }
}
