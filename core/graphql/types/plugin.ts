import { z } from 'zod';
import { PluginInstallation } from '../../db/entities/index.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { badInput, conflict, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import type { HubGraphQLContext } from '../context.ts';

function validConfig(ctx: HubGraphQLContext, plugin: string, config: unknown): Record<string, unknown> {
  const r = ctx.hub.registry.parseConfig(plugin, config ?? {});
  if (!r.ok) throw badInput(`configuration rejected by plugin "${plugin}"`, { issues: r.issues });
  return (config ?? {}) as Record<string, unknown>;
}

export function registerPlugin(builder: HubBuilder, refs: Refs) {
  const I18n = builder.objectRef<{ en: string; 'zh-CN': string }>('LocalizedText').implement({
    fields: (t) => ({ en: t.exposeString('en'), zhCN: t.string({ resolve: (x) => x['zh-CN'] }) }),
  });

  refs.AvailablePlugin.implement({
    description: 'A plugin this hub has loaded, installable per workspace.',
    authScopes: can.pluginsRead,
    fields: (t) => ({
      name: t.exposeString('name'),
      version: t.exposeString('version'),
      kinds: t.exposeStringList('kinds'),
      displayName: t.field({ type: I18n, resolve: (p) => p.displayName }),
      description: t.field({ type: I18n, nullable: true, resolve: (p) => p.description ?? null }),
      configJsonSchema: t.field({ type: 'JSON', description: 'JSON Schema of the config; the admin UI renders it as a form.', resolve: (p) => p.configJsonSchema }),
      source: t.exposeString('source'),
    }),
  });

  refs.PluginInstallation.implement({
    authScopes: can.pluginsRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      pluginName: t.exposeString('pluginName'),
      enabled: t.exposeBoolean('enabled'),
      config: t.expose('config', { type: 'JSON' }),
      lastError: t.exposeString('lastError', { nullable: true }),
      lastErrorAt: t.expose('lastErrorAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('availablePlugins', (t) =>
    t.field({ type: [refs.AvailablePlugin], authScopes: can.pluginsRead, resolve: (_r, _a, ctx) => ctx.hub.registry.catalog() }),
  );
  builder.queryField('pluginInstallations', (t) =>
    t.field({ type: [refs.PluginInstallation], authScopes: can.pluginsRead, resolve: (_r, _a, ctx) => ctx.em.find(PluginInstallation, {}, { orderBy: { pluginName: 'asc' } }) }),
  );
  builder.queryField('pluginInstallation', (t) =>
    t.field({
      type: refs.PluginInstallation, authScopes: can.pluginsRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await ctx.em.findOne(PluginInstallation, { id: String(id) })) ?? Promise.reject(notFound('PluginInstallation', String(id))),
    }),
  );

  builder.mutationField('installPlugin', (t) =>
    t.field({
      type: refs.PluginInstallation, authScopes: can.pluginsWrite,
      args: { name: t.arg.string(), config: t.arg({ type: 'JSON', required: false }) },
      resolve: async (_r, args, ctx) => {
        const name = parseInput(z.string().min(1).max(64), args.name);
        if (!ctx.hub.registry.get(name)) throw notFound('Plugin', name);
        const config = validConfig(ctx, name, args.config);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          if (await tx.findOne(PluginInstallation, { pluginName: name })) throw conflict(`plugin "${name}" is already installed`);
          const inst = tx.create(PluginInstallation, { workspaceId: wsId, pluginName: name, enabled: true, config });
          recordAudit(tx, wsId, actorOf(ctx), 'plugin.install', { type: 'PluginInstallation', id: inst.id }, { plugin: name });
          recordEvent(tx, wsId, 'plugin.installed', { plugin: name, installationId: inst.id });
          return inst;
        });
      },
    }),
  );

  builder.mutationField('configurePlugin', (t) =>
    t.field({
      type: refs.PluginInstallation, authScopes: can.pluginsWrite,
      args: { id: t.arg.id(), config: t.arg({ type: 'JSON' }) },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        const found = await ctx.em.findOne(PluginInstallation, { id });
        if (!found) throw notFound('PluginInstallation', id);
        const config = validConfig(ctx, found.pluginName, args.config);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const inst = await tx.findOneOrFail(PluginInstallation, { id });
          inst.config = config;
          recordAudit(tx, wsId, actorOf(ctx), 'plugin.configure', { type: 'PluginInstallation', id }, { plugin: inst.pluginName });
          return inst;
        });
      },
    }),
  );

  builder.mutationField('setPluginEnabled', (t) =>
    t.field({
      type: refs.PluginInstallation, authScopes: can.pluginsWrite,
      args: { id: t.arg.id(), enabled: t.arg.boolean() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const inst = await tx.findOne(PluginInstallation, { id });
          if (!inst) throw notFound('PluginInstallation', id);
          inst.enabled = args.enabled;
          if (args.enabled) { inst.lastError = null; inst.lastErrorAt = null; }
          recordAudit(tx, wsId, actorOf(ctx), args.enabled ? 'plugin.enable' : 'plugin.disable', { type: 'PluginInstallation', id }, { plugin: inst.pluginName });
          return inst;
        });
      },
    }),
  );

  builder.mutationField('uninstallPlugin', (t) =>
    t.boolean({
      description: "Removes the plugin from this workspace (the plugin's own data tables are kept).",
      authScopes: can.pluginsWrite, args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const inst = await tx.findOne(PluginInstallation, { id });
          if (!inst) throw notFound('PluginInstallation', id);
          tx.remove(inst);
          recordAudit(tx, wsId, actorOf(ctx), 'plugin.uninstall', { type: 'PluginInstallation', id }, { plugin: inst.pluginName });
          return true;
        });
      },
    }),
  );
}
