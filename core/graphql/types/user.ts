import { z } from 'zod';
import { ROLES } from '@kefu-hub/plugin-sdk';
import { User, AgentProfile } from '../../db/entities/index.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf, type HubGraphQLContext } from '../context.ts';
import { badInput, notFound, rethrowUnique } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const Roles = z.array(z.enum(ROLES)).min(1).transform((r) => [...new Set(r)]);
const CreateUserInput = z.object({
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(120),
  password: z.string().min(10).max(200),
  roles: Roles,
  departmentId: z.uuid().nullish(),
  maxConcurrentChats: z.number().int().min(0).max(100).nullish(),
});
const UpdateUserInput = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(120).nullish(),
  roles: Roles.nullish(),
  departmentId: z.uuid().nullish(),
  disabled: z.boolean().nullish(),
});

export async function requireDepartment(ctx: HubGraphQLContext, id: string | null | undefined): Promise<void> {
  if (id && !(await ctx.loaders.department.load(id))) throw notFound('Department', id);
}

export function registerUser(builder: HubBuilder, refs: Refs) {
  const RoleEnum = refs.Role;
  const UserRef = refs.User.implement({
    description: 'A person who signs in: admin, supervisor, agent or operator.',
    authScopes: can.directoryRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      email: t.exposeString('email'),
      name: t.exposeString('name'),
      roles: t.field({ type: [RoleEnum], resolve: (u) => u.roles }),
      disabled: t.exposeBoolean('disabled'),
      departmentId: t.exposeID('departmentId', { nullable: true }),
      department: t.field({
        type: refs.Department,
        nullable: true,
        resolve: (u, _a, ctx) => (u.departmentId ? ctx.loaders.department.load(u.departmentId) : null),
      }),
      agentProfile: t.field({ type: refs.AgentProfile, nullable: true, resolve: (u, _a, ctx) => ctx.loaders.agentProfileByUser.load(u.id) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('users', (t) =>
    t.field({
      type: [UserRef],
      authScopes: can.directoryRead,
      args: { role: t.arg({ type: RoleEnum, required: false }), includeDisabled: t.arg.boolean({ required: false }) },
      description: "Users of the workspace (a supervisor's: the members of their departments, and themselves).",
      resolve: async (_r, args, ctx) => {
        const users = await ctx.em.find(User, { $and: [args.includeDisabled ? {} : { disabled: false }, (await departmentScopeOf(ctx)).users()] }, { orderBy: { createdAt: 'asc' }, limit: 1000 });
        return args.role ? users.filter((u) => u.roles.includes(args.role!)) : users;
      },
    }),
  );

  builder.queryField('user', (t) =>
    t.field({
      type: UserRef,
      authScopes: can.directoryRead,
      args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => {
        const user = (await departmentScopeOf(ctx)).seesUser(String(id)) ? await ctx.loaders.user.load(String(id)) : null;
        return user ?? Promise.reject(notFound('User', String(id)));
      },
    }),
  );

  builder.mutationField('createUser', (t) =>
    t.field({
      type: UserRef,
      authScopes: can.adminWrite,
      args: {
        email: t.arg.string(), name: t.arg.string(), password: t.arg.string(), roles: t.arg({ type: [RoleEnum] }),
        departmentId: t.arg.id({ required: false }), maxConcurrentChats: t.arg.int({ required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(CreateUserInput, args);
        const wsId = workspaceOf(ctx);
        await requireDepartment(ctx, input.departmentId);
        const passwordHash = await hashPassword(input.password);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const user = tx.create(User, { workspaceId: wsId, email: input.email, name: input.name, passwordHash, roles: input.roles, departmentId: input.departmentId ?? null, tokenVersion: 1, disabled: false });
          if (input.roles.includes('agent') || input.roles.includes('supervisor')) {
            tx.create(AgentProfile, { workspaceId: wsId, userId: user.id, status: 'offline', maxConcurrentChats: input.maxConcurrentChats ?? 5 });
          }
          recordAudit(tx, wsId, actorOf(ctx), 'user.create', { type: 'User', id: user.id }, { email: input.email, roles: input.roles });
          recordEvent(tx, wsId, 'user.created', { userId: user.id, name: user.name, email: user.email, roles: user.roles });
          await tx.flush().catch((e: unknown) => rethrowUnique(e, `a user with e-mail ${input.email} already exists`));
          return user;
        });
      },
    }),
  );

  builder.mutationField('updateUser', (t) =>
    t.field({
      type: UserRef,
      description: 'Changing roles or disabling a user revokes their existing tokens.',
      authScopes: can.adminWrite,
      args: {
        id: t.arg.id(), name: t.arg.string({ required: false }), roles: t.arg({ type: [RoleEnum], required: false }),
        departmentId: t.arg.id({ required: false }), disabled: t.arg.boolean({ required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(UpdateUserInput, args);
        const wsId = workspaceOf(ctx);
        await requireDepartment(ctx, input.departmentId);
        if (ctx.principal.kind === 'user' && ctx.principal.userId === input.id && (input.disabled || (input.roles && !input.roles.includes('admin')))) {
          throw badInput('you cannot disable yourself or remove your own admin role');
        }
        return ctx.hub.transact(ctx.em, async (tx) => {
          const user = await tx.findOne(User, { id: input.id });
          if (!user) throw notFound('User', input.id);
          const revoke = (input.roles && input.roles.join() !== user.roles.join()) || (input.disabled != null && input.disabled !== user.disabled);
          if (input.name != null) user.name = input.name;
          if (input.roles) user.roles = input.roles;
          if (input.departmentId !== undefined) user.departmentId = input.departmentId;
          if (input.disabled != null) user.disabled = input.disabled;
          if (revoke) user.tokenVersion += 1;
          recordAudit(tx, wsId, actorOf(ctx), 'user.update', { type: 'User', id: user.id }, { ...args, revokedTokens: revoke });
          return user;
        });
      },
    }),
  );

  builder.mutationField('resetUserPassword', (t) =>
    t.field({
      type: UserRef,
      description: "Sets a user's password (admin); revokes the user's tokens.",
      authScopes: can.adminWrite,
      args: { id: t.arg.id(), password: t.arg.string() },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(z.object({ id: z.uuid(), password: z.string().min(10).max(200) }), args);
        const wsId = workspaceOf(ctx);
        const passwordHash = await hashPassword(input.password);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const user = await tx.findOne(User, { id: input.id });
          if (!user) throw notFound('User', input.id);
          user.passwordHash = passwordHash;
          user.tokenVersion += 1;
          recordAudit(tx, wsId, actorOf(ctx), 'user.password_reset', { type: 'User', id: user.id });
          return user;
        });
      },
    }),
  );
}
