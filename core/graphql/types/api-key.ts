import { z } from 'zod';
import { API_SCOPES } from '@kefu-hub/plugin-sdk';
import { ApiKey } from '../../db/entities/index.ts';
import { newApiKey } from '../../auth/secrets.ts';
import { recordAudit } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

export function registerApiKey(builder: HubBuilder, refs: Refs) {
  const ScopeEnum = builder.enumType('ApiScope', { values: Object.fromEntries(API_SCOPES.map((s) => [s.replace(':', '_').toUpperCase(), { value: s }])) });

  refs.ApiKey.implement({
    description: 'A key for enterprise systems; the secret is shown once, at creation, and stored hashed.',
    authScopes: can.adminRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      prefix: t.exposeString('prefix'),
      scopes: t.field({ type: [ScopeEnum], resolve: (k) => k.scopes }),
      lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
      revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  refs.CreatedApiKey.implement({
    fields: (t) => ({
      apiKey: t.field({ type: refs.ApiKey, resolve: (c) => c.apiKey }),
      key: t.exposeString('key', { description: 'The full key. It cannot be read again.' }),
    }),
  });

  builder.queryField('apiKeys', (t) =>
    t.field({ type: [refs.ApiKey], authScopes: can.adminRead, resolve: (_r, _a, ctx) => ctx.em.find(ApiKey, {}, { orderBy: { createdAt: 'desc' } }) }),
  );

  builder.mutationField('createApiKey', (t) =>
    t.field({
      type: refs.CreatedApiKey,
      // Only a signed-in admin mints keys: a key cannot create keys (no privilege escalation by key).
      authScopes: { role: 'admin' },
      args: { name: t.arg.string(), scopes: t.arg({ type: [ScopeEnum] }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(z.object({ name: z.string().trim().min(1).max(120), scopes: z.array(z.enum(API_SCOPES)).min(1) }), args);
        const wsId = workspaceOf(ctx);
        const { key, prefix, secretHash } = newApiKey();
        const apiKey = await ctx.hub.transact(ctx.em, async (tx) => {
          const k = tx.create(ApiKey, {
            workspaceId: wsId, name: input.name, prefix, secretHash, scopes: [...new Set(input.scopes)],
            createdById: ctx.principal.kind === 'user' ? ctx.principal.userId : null,
          });
          recordAudit(tx, wsId, actorOf(ctx), 'api_key.create', { type: 'ApiKey', id: k.id }, { name: input.name, scopes: input.scopes });
          return k;
        });
        return { apiKey, key };
      },
    }),
  );

  builder.mutationField('revokeApiKey', (t) =>
    t.field({
      type: refs.ApiKey, authScopes: { role: 'admin' }, args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const k = await tx.findOne(ApiKey, { id });
          if (!k) throw notFound('ApiKey', id);
          k.revokedAt ??= new Date();
          recordAudit(tx, wsId, actorOf(ctx), 'api_key.revoke', { type: 'ApiKey', id });
          return k;
        });
      },
    }),
  );
}
