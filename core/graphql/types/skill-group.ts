import { z } from 'zod';
import { AgentSkill, SkillGroup } from '../../db/entities/index.ts';
import { recordAudit } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { notFound, rethrowUnique } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const Input = z.object({
  name: z.string().trim().min(1).max(120),
  departmentId: z.uuid().nullish(),
  description: z.string().max(500).nullish(),
});

export function registerSkillGroup(builder: HubBuilder, refs: Refs) {
  refs.SkillGroup.implement({
    description: 'A queue of customers and the agents skilled to serve them (技能组).',
    authScopes: can.directoryRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      description: t.exposeString('description', { nullable: true }),
      departmentId: t.exposeID('departmentId', { nullable: true }),
      department: t.field({ type: refs.Department, nullable: true, resolve: (g, _a, ctx) => (g.departmentId ? ctx.loaders.department.load(g.departmentId) : null) }),
      members: t.field({
        type: [refs.AgentSkill],
        description: "The group's agents (for a supervisor: those of their departments).",
        resolve: async (g, _a, ctx) =>
          ctx.em.find(AgentSkill, { $and: [{ skillGroupId: g.id }, (await departmentScopeOf(ctx)).agentSkills(ctx.em, g.workspaceId)] }, { orderBy: { level: 'desc' } }),
      }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('skillGroups', (t) =>
    t.field({
      type: [refs.SkillGroup], authScopes: can.directoryRead,
      description: "The workspace's skill groups (a supervisor's: those of their departments).",
      resolve: async (_r, _a, ctx) => ctx.em.find(SkillGroup, (await departmentScopeOf(ctx)).skillGroups(), { orderBy: { name: 'asc' } }),
    }),
  );
  builder.queryField('skillGroup', (t) =>
    t.field({
      type: refs.SkillGroup, authScopes: can.directoryRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => {
        const group = (await departmentScopeOf(ctx)).seesSkillGroup(String(id)) ? await ctx.loaders.skillGroup.load(String(id)) : null;
        return group ?? Promise.reject(notFound('SkillGroup', String(id)));
      },
    }),
  );

  const upsert = (mode: 'create' | 'update') => async (_r: unknown, args: Record<string, unknown>, ctx: Parameters<typeof workspaceOf>[0]) => {
    const input = parseInput(mode === 'create' ? Input : Input.extend({ id: z.uuid() }), args) as z.output<typeof Input> & { id?: string };
    const wsId = workspaceOf(ctx);
    if (input.departmentId && !(await ctx.loaders.department.load(input.departmentId))) throw notFound('Department', input.departmentId);
    return ctx.hub.transact(ctx.em, async (tx) => {
      let g: SkillGroup | null;
      if (mode === 'create') {
        g = tx.create(SkillGroup, { workspaceId: wsId, name: input.name, departmentId: input.departmentId ?? null, description: input.description ?? null });
      } else {
        g = await tx.findOne(SkillGroup, { id: input.id! });
        if (!g) throw notFound('SkillGroup', input.id!);
        tx.assign(g, { name: input.name, departmentId: input.departmentId ?? null, description: input.description ?? null });
      }
      recordAudit(tx, wsId, actorOf(ctx), `skill_group.${mode}`, { type: 'SkillGroup', id: g.id }, input);
      await tx.flush().catch((e: unknown) => rethrowUnique(e, `skill group "${input.name}" exists`));
      return g;
    });
  };

  builder.mutationField('createSkillGroup', (t) =>
    t.field({
      type: refs.SkillGroup, authScopes: can.adminWrite,
      args: { name: t.arg.string(), departmentId: t.arg.id({ required: false }), description: t.arg.string({ required: false }) },
      resolve: upsert('create'),
    }),
  );
  builder.mutationField('updateSkillGroup', (t) =>
    t.field({
      type: refs.SkillGroup, authScopes: can.adminWrite,
      args: { id: t.arg.id(), name: t.arg.string(), departmentId: t.arg.id({ required: false }), description: t.arg.string({ required: false }) },
      resolve: upsert('update'),
    }),
  );
  builder.mutationField('deleteSkillGroup', (t) =>
    t.boolean({
      authScopes: can.adminWrite, args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const g = await tx.findOne(SkillGroup, { id });
          if (!g) throw notFound('SkillGroup', id);
          await tx.nativeDelete(AgentSkill, { skillGroupId: id });
          tx.remove(g);
          recordAudit(tx, wsId, actorOf(ctx), 'skill_group.delete', { type: 'SkillGroup', id });
          return true;
        });
      },
    }),
  );
}
