import { z } from 'zod';
import { Department, SkillGroup, User } from '../../db/entities/index.ts';
import { recordAudit } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { conflict, notFound, rethrowUnique } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const Input = z.object({ name: z.string().trim().min(1).max(120), parentId: z.uuid().nullish() });

export function registerDepartment(builder: HubBuilder, refs: Refs) {
  refs.Department.implement({
    description: 'An organisational unit; supervisors see the data of their departments only.',
    authScopes: can.directoryRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      parentId: t.exposeID('parentId', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('departments', (t) =>
    t.field({
      type: [refs.Department], authScopes: can.directoryRead,
      description: "The workspace's departments (a supervisor's: their own and the ones below it).",
      resolve: async (_r, _a, ctx) => ctx.em.find(Department, (await departmentScopeOf(ctx)).departments(), { orderBy: { name: 'asc' } }),
    }),
  );
  builder.queryField('department', (t) =>
    t.field({
      type: refs.Department, authScopes: can.directoryRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => {
        const department = (await departmentScopeOf(ctx)).seesDepartment(String(id)) ? await ctx.loaders.department.load(String(id)) : null;
        return department ?? Promise.reject(notFound('Department', String(id)));
      },
    }),
  );

  builder.mutationField('createDepartment', (t) =>
    t.field({
      type: refs.Department, authScopes: can.adminWrite, args: { name: t.arg.string(), parentId: t.arg.id({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(Input, args);
        const wsId = workspaceOf(ctx);
        if (input.parentId && !(await ctx.loaders.department.load(input.parentId))) throw notFound('Department', input.parentId);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const d = tx.create(Department, { workspaceId: wsId, name: input.name, parentId: input.parentId ?? null });
          recordAudit(tx, wsId, actorOf(ctx), 'department.create', { type: 'Department', id: d.id }, input);
          await tx.flush().catch((e: unknown) => rethrowUnique(e, `department "${input.name}" exists`));
          return d;
        });
      },
    }),
  );

  builder.mutationField('updateDepartment', (t) =>
    t.field({
      type: refs.Department, authScopes: can.adminWrite, args: { id: t.arg.id(), name: t.arg.string(), parentId: t.arg.id({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(Input.extend({ id: z.uuid() }), args);
        const wsId = workspaceOf(ctx);
        if (input.parentId) {
          if (input.parentId === input.id) throw conflict('a department cannot be its own parent');
          if (!(await ctx.loaders.department.load(input.parentId))) throw notFound('Department', input.parentId);
        }
        return ctx.hub.transact(ctx.em, async (tx) => {
          const d = await tx.findOne(Department, { id: input.id });
          if (!d) throw notFound('Department', input.id);
          d.name = input.name;
          d.parentId = input.parentId ?? null;
          recordAudit(tx, wsId, actorOf(ctx), 'department.update', { type: 'Department', id: d.id }, input);
          await tx.flush().catch((e: unknown) => rethrowUnique(e, `department "${input.name}" exists`));
          return d;
        });
      },
    }),
  );

  builder.mutationField('deleteDepartment', (t) =>
    t.boolean({
      authScopes: can.adminWrite, args: { id: t.arg.id() },
      description: 'Deletes an empty department (no users, skill groups or sub-departments).',
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const d = await tx.findOne(Department, { id });
          if (!d) throw notFound('Department', id);
          const inUse = (await tx.count(User, { departmentId: id })) + (await tx.count(SkillGroup, { departmentId: id })) + (await tx.count(Department, { parentId: id }));
          if (inUse > 0) throw conflict('department is not empty');
          tx.remove(d);
          recordAudit(tx, wsId, actorOf(ctx), 'department.delete', { type: 'Department', id });
          return true;
        });
      },
    }),
  );
}
