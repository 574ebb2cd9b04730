import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Channel, KnowledgeCategory, SkillGroup } from '../../db/entities/index.ts';
import { SelfServiceSettings } from '../../knowledge/self-service.ts';
import { recordAudit } from '../../events/outbox.ts';
import { channelChanged } from '../../auth/principal.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { badInput, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import type { HubGraphQLContext } from '../context.ts';

/**
 * Checks the parts of a channel's config the hub reads: `skillGroupId` (the channel's default group for
 * routing: a group of this workspace, or null) and `selfService` (SelfServiceSettings, with categories of
 * this workspace). Bad config is BAD_USER_INPUT with per-field issues (`config.selfService.…`).
 */
async function checkConfig(ctx: HubGraphQLContext, config: Record<string, unknown> | null | undefined): Promise<void> {
  const group = config?.skillGroupId;
  if (group !== undefined && group !== null && (typeof group !== 'string' || !(await ctx.em.findOne(SkillGroup, { id: group }, { fields: ['id'] })))) {
    throw badInput('invalid channel settings', { issues: [{ path: 'config.skillGroupId', message: `no skill group ${JSON.stringify(group)} in this workspace` }] });
  }
  if (!config || config.selfService === undefined) return;
  const r = SelfServiceSettings.safeParse(config.selfService);
  if (!r.success) {
    throw badInput('invalid self-service settings', { issues: r.error.issues.map((i) => ({ path: ['config', 'selfService', ...i.path.map(String)].join('.'), message: i.message })) });
  }
  const ids = r.data.categories.ids;
  if (ids.length) {
    const found = new Set((await ctx.em.find(KnowledgeCategory, { id: { $in: ids } }, { fields: ['id'] })).map((c) => c.id));
    const issues = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: `config.selfService.categories.ids.${i}`, message: `no knowledge category ${id}` }]));
    if (issues.length) throw badInput('invalid self-service settings', { issues });
  }
}

const CreateInput = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/),
  name: z.string().trim().min(1).max(120),
  config: z.record(z.string(), z.unknown()).nullish(),
});
const UpdateInput = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(120).nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  enabled: z.boolean().nullish(),
});

export function registerChannel(builder: HubBuilder, refs: Refs) {
  refs.Channel.implement({
    description: 'An entry point customers use: web widget, WeChat OA, e-mail, WhatsApp, API, …',
    authScopes: can.directoryRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      kind: t.exposeString('kind'),
      name: t.exposeString('name'),
      publicKey: t.exposeString('publicKey', { description: 'Non-secret id for embed snippets and inbound webhook URLs.' }),
      config: t.field({
        type: 'JSON',
        description: 'Channel settings. Secrets (keys containing "secret", e.g. the widget\'s identitySecret) are shown to admins only; others see "********". `selfService` configures the widget\'s self-service (猜你想问, category lists, cards, guide bubbles; see the README).',
        resolve: (c, _a, ctx) => {
          const p = ctx.principal;
          const admin = (p.kind === 'user' && p.roles.includes('admin')) || (p.kind === 'apiKey' && p.scopes.includes('admin:write'));
          return admin ? c.config : Object.fromEntries(Object.entries(c.config ?? {}).map(([k, v]) => [k, /secret/i.test(k) && v ? '********' : v]));
        },
      }),
      enabled: t.exposeBoolean('enabled'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('channels', (t) =>
    t.field({ type: [refs.Channel], authScopes: can.directoryRead, resolve: (_r, _a, ctx) => ctx.em.find(Channel, {}, { orderBy: { createdAt: 'asc' } }) }),
  );
  builder.queryField('channel', (t) =>
    t.field({
      type: refs.Channel, authScopes: can.directoryRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await ctx.em.findOne(Channel, { id: String(id) })) ?? Promise.reject(notFound('Channel', String(id))),
    }),
  );

  builder.mutationField('createChannel', (t) =>
    t.field({
      type: refs.Channel, authScopes: can.adminWrite,
      args: { kind: t.arg.string(), name: t.arg.string(), config: t.arg({ type: 'JSON', required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(CreateInput, args);
        await checkConfig(ctx, input.config);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const c = tx.create(Channel, {
            workspaceId: wsId, kind: input.kind, name: input.name, config: input.config ?? {}, enabled: true,
            publicKey: `ch_${randomBytes(15).toString('base64url')}`,
          });
          recordAudit(tx, wsId, actorOf(ctx), 'channel.create', { type: 'Channel', id: c.id }, { kind: input.kind, name: input.name });
          return c;
        });
      },
    }),
  );

  builder.mutationField('updateChannel', (t) =>
    t.field({
      type: refs.Channel, authScopes: can.adminWrite,
      args: { id: t.arg.id(), name: t.arg.string({ required: false }), config: t.arg({ type: 'JSON', required: false }), enabled: t.arg.boolean({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(UpdateInput, args);
        await checkConfig(ctx, input.config);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const c = await tx.findOne(Channel, { id: input.id });
          if (!c) throw notFound('Channel', input.id);
          if (input.name != null) c.name = input.name;
          if (input.config != null) c.config = input.config;
          if (input.enabled != null) c.enabled = input.enabled;
          recordAudit(tx, wsId, actorOf(ctx), 'channel.update', { type: 'Channel', id: c.id }, { name: input.name, enabled: input.enabled });
          return c;
        }).finally(() => channelChanged(input.id)); // after the commit: a read meanwhile would cache the old state
      },
    }),
  );

  builder.mutationField('deleteChannel', (t) =>
    t.boolean({
      description: 'Disables a channel and removes it from lists (conversations keep their history).',
      authScopes: can.adminWrite, args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const c = await tx.findOne(Channel, { id });
          if (!c) throw notFound('Channel', id);
          tx.remove(c);
          recordAudit(tx, wsId, actorOf(ctx), 'channel.delete', { type: 'Channel', id });
          return true;
        }).finally(() => channelChanged(id));
      },
    }),
  );
}
