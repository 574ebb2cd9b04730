import { z } from 'zod';
import { Workspace, User, AgentProfile } from '../../db/entities/index.ts';
import { systemEm } from '../../db/orm.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, limitRate, workspaceOf } from '../context.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { issueSession } from './auth.ts';
import type { Refs } from '../refs.ts';

export const SlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');
const SignUpInput = z.object({
  name: z.string().trim().min(1).max(120),
  slug: SlugSchema,
  adminEmail: z.email().max(254).transform((e) => e.toLowerCase()),
  adminName: z.string().trim().min(1).max(120),
  adminPassword: z.string().min(10).max(200),
});
const UpdateWorkspaceInput = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
  timezone: z.string().min(1).max(64).refine((tz) => { try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; } }, 'unknown IANA time zone').optional(),
});

export function registerWorkspace(builder: HubBuilder, refs: Refs) {
  const WorkspaceRef = refs.Workspace.implement({
    description: 'A tenant: every other object belongs to exactly one workspace.',
    authScopes: { $any: { user: true, apiScope: 'admin:read' } },
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      slug: t.exposeString('slug'),
      locale: t.exposeString('locale'),
      timezone: t.exposeString('timezone'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('workspace', (t) =>
    t.field({
      type: WorkspaceRef,
      description: "The caller's workspace.",
      authScopes: { $any: { user: true, apiScope: 'admin:read' } },
      resolve: async (_root, _args, ctx) => {
        const ws = await ctx.em.findOne(Workspace, { id: workspaceOf(ctx) });
        if (!ws) throw notFound('Workspace', workspaceOf(ctx));
        return ws;
      },
    }),
  );

  builder.mutationField('signUpWorkspace', (t) =>
    t.field({
      type: refs.Session,
      description: 'Creates a workspace and its first admin, and signs that admin in (disabled with KEFU_ALLOW_SIGNUP=false).',
      skipTypeScopes: true,
      args: {
        name: t.arg.string(), slug: t.arg.string(), adminEmail: t.arg.string(), adminName: t.arg.string(), adminPassword: t.arg.string(),
      },
      resolve: async (_root, args, ctx) => {
        if (!ctx.hub.config.KEFU_ALLOW_SIGNUP) throw forbidden('workspace sign-up is disabled on this hub');
        const input = parseInput(SignUpInput, args);
        await limitRate(ctx, 'signUp');
        const em = systemEm(ctx.hub.orm);
        if (await em.count(Workspace, { slug: input.slug })) throw conflict(`workspace slug "${input.slug}" is taken`);
        const passwordHash = await hashPassword(input.adminPassword);
        const user = await em.transactional(async (tx) => {
          const ws = tx.create(Workspace, { name: input.name, slug: input.slug });
          tx.setFilterParams('workspace', { id: ws.id });
          const admin = tx.create(User, { workspaceId: ws.id, email: input.adminEmail, name: input.adminName, passwordHash, roles: ['admin'], tokenVersion: 1, disabled: false });
          tx.create(AgentProfile, { workspaceId: ws.id, userId: admin.id, status: 'offline', maxConcurrentChats: 5 });
          recordAudit(tx, ws.id, { actorType: 'user', actorId: admin.id }, 'workspace.create', { type: 'Workspace', id: ws.id });
          recordEvent(tx, ws.id, 'workspace.created', { workspaceId: ws.id, slug: ws.slug });
          return admin;
        }).catch((err: { code?: string }) => {
          if (err?.code === 'ER_DUP_ENTRY') throw conflict(`workspace slug "${input.slug}" is taken`);
          throw err;
        });
        ctx.hub.outbox.nudge();
        return issueSession(ctx, user);
      },
    }),
  );

  builder.mutationField('updateWorkspace', (t) =>
    t.field({
      type: WorkspaceRef,
      authScopes: can.adminWrite,
      args: { name: t.arg.string({ required: false }), locale: t.arg.string({ required: false }), timezone: t.arg.string({ required: false }) },
      resolve: async (_root, args, ctx) => {
        const input = parseInput(UpdateWorkspaceInput, { name: args.name ?? undefined, locale: args.locale ?? undefined, timezone: args.timezone ?? undefined });
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const ws = await tx.findOne(Workspace, { id: wsId });
          if (!ws) throw notFound('Workspace', wsId);
          tx.assign(ws, input);
          recordAudit(tx, wsId, actorOf(ctx), 'workspace.update', { type: 'Workspace', id: wsId }, input);
          return ws;
        });
      },
    }),
  );
}
