import { z } from 'zod';
import { User, Workspace } from '../../db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm } from '../../db/orm.ts';
import { hashPassword, verifyPassword } from '../../auth/secrets.ts';
import { recordAudit } from '../../events/outbox.ts';
import type { HubBuilder } from '../builder.ts';
import type { HubGraphQLContext } from '../context.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { HubError, badInput, rateLimited, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs, Session } from '../refs.ts';

export async function issueSession(ctx: HubGraphQLContext, user: User): Promise<Session> {
  const { token, expiresAt } = await ctx.hub.jwt.sign({ sub: user.id, ws: user.workspaceId, roles: user.roles, tv: user.tokenVersion });
  return { token, expiresAt, user };
}

const LoginInput = z.object({ workspace: z.string().min(1).max(64), email: z.email().transform((e) => e.toLowerCase()), password: z.string().min(1).max(200) });
const PasswordInput = z.object({ currentPassword: z.string().min(1), newPassword: z.string().min(10).max(200) });

// A real hash to verify against when the user does not exist, so timing does not reveal accounts.
let decoyHash: Promise<string> | null = null;

export function registerAuth(builder: HubBuilder, refs: Refs) {
  const SessionUser = builder.objectRef<User>('SessionUser').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      workspaceId: t.exposeID('workspaceId'),
      email: t.exposeString('email'),
      name: t.exposeString('name'),
      roles: t.field({ type: [refs.Role], resolve: (u) => u.roles }),
    }),
  });
  const SessionRef = refs.Session.implement({
    description: 'A signed-in user: bearer token (JWT) and its expiry.',
    fields: (t) => ({
      token: t.exposeString('token'),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      // Who just signed in. A separate type: at login the caller is still anonymous, so User's scopes cannot apply.
      user: t.field({ type: SessionUser, resolve: (s) => s.user }),
    }),
  });

  builder.mutationField('login', (t) =>
    t.field({
      type: SessionRef,
      description: 'Signs a user in with workspace slug, e-mail and password.',
      args: { workspace: t.arg.string(), email: t.arg.string(), password: t.arg.string() },
      resolve: async (_root, args, ctx) => {
        const input = parseInput(LoginInput, args);
        // Failed attempts are limited per address and per address + account; a locked-out caller is
        // refused before the password is even checked (no oracle while limited).
        const accountKey = `${ctx.clientIp}|${input.workspace}|${input.email.toLowerCase()}`;
        for (const [name, key] of [['login', ctx.clientIp], ['loginAccount', accountKey]] as const) {
          const v = await ctx.hub.rateLimiter.exceeded(name, key);
          if (!v.allowed) throw rateLimited(v.retryAfterSec);
        }
        const em = systemEm(ctx.hub.orm);
        const ws = await em.findOne(Workspace, { slug: input.workspace });
        const user = ws ? await em.findOne(User, { workspaceId: ws.id, email: input.email }, NO_TENANT_FILTER) : null;
        decoyHash ??= hashPassword('decoy-password-for-timing');
        const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash), input.password);
        if (!user || !ok || user.disabled) {
          await Promise.all([ctx.hub.rateLimiter.hit('login', ctx.clientIp), ctx.hub.rateLimiter.hit('loginAccount', accountKey)]);
          throw new HubError('UNAUTHENTICATED', 'wrong workspace, e-mail or password');
        }
        return issueSession(ctx, user);
      },
    }),
  );

  builder.queryField('me', (t) =>
    t.field({
      type: refs.User,
      description: 'The signed-in user.',
      authScopes: { user: true },
      resolve: async (_root, _args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const user = await ctx.loaders.user.load(ctx.principal.userId);
        if (!user) throw unauthenticated();
        return user;
      },
    }),
  );

  builder.mutationField('changePassword', (t) =>
    t.field({
      type: SessionRef,
      description: 'Changes the own password; every other token of the user is revoked, a new session is returned.',
      authScopes: { user: true },
      args: { currentPassword: t.arg.string(), newPassword: t.arg.string() },
      resolve: async (_root, args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const input = parseInput(PasswordInput, args);
        const userId = ctx.principal.userId;
        const current = await ctx.em.findOne(User, { id: userId });
        if (!current) throw unauthenticated();
        if (!(await verifyPassword(current.passwordHash, input.currentPassword))) throw badInput('current password is wrong');
        const passwordHash = await hashPassword(input.newPassword);
        const user = await ctx.hub.transact(ctx.em, async (tx) => {
          const u = await tx.findOneOrFail(User, { id: userId });
          u.passwordHash = passwordHash;
          u.tokenVersion += 1;
          recordAudit(tx, workspaceOf(ctx), actorOf(ctx), 'user.password_change', { type: 'User', id: u.id });
          return u;
        });
        return issueSession(ctx, user);
      },
    }),
  );

  builder.mutationField('logoutEverywhere', (t) =>
    t.boolean({
      description: 'Revokes every token of the signed-in user.',
      authScopes: { user: true },
      resolve: async (_root, _args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        await ctx.em.getConnection().execute('update hub_user set token_version = token_version + 1 where id = ? and workspace_id = ?', [ctx.principal.userId, ctx.principal.workspaceId]);
        return true;
      },
    }),
  );
}
