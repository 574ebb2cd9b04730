import { z } from 'zod';
import { AGENT_STATUSES, AgentProfile, AgentSkill } from '../../db/entities/index.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { topics } from '../../events/pubsub.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf, type HubGraphQLContext } from '../context.ts';
import { badInput, notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { syncAgentToRouting } from '../../routing/sync.ts';
import { applyAgentStatus } from '../../conversations/agent-status.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const SkillsInput = z.array(z.object({ skillGroupId: z.uuid(), level: z.number().int().min(1).max(5) })).max(100)
  .refine((s) => new Set(s.map((x) => x.skillGroupId)).size === s.length, 'a skill group may appear once');
const UpdateInput = z.object({
  userId: z.uuid(),
  maxConcurrentChats: z.number().int().min(0).max(100).nullish(),
  skills: SkillsInput.nullish(),
});

/** An agent profile in the caller's workspace and department scope, or null. */
async function visibleProfile(ctx: HubGraphQLContext, id: string): Promise<AgentProfile | null> {
  const profile = await ctx.em.findOne(AgentProfile, { id });
  return profile && (await departmentScopeOf(ctx)).seesUser(profile.userId) ? profile : null;
}

export function registerAgent(builder: HubBuilder, refs: Refs) {
  const StatusEnum = builder.enumType('AgentStatus', { values: AGENT_STATUSES });
  const SkillInput = builder.inputType('AgentSkillInput', {
    fields: (t) => ({ skillGroupId: t.id(), level: t.int() }),
  });

  refs.AgentSkill.implement({
    authScopes: can.directoryRead,
    fields: (t) => ({
      skillGroupId: t.exposeID('skillGroupId'),
      agentProfileId: t.exposeID('agentProfileId'),
      level: t.exposeInt('level'),
      skillGroup: t.field({
        type: refs.SkillGroup, nullable: true, description: "Null when the group is outside a supervisor's departments.",
        resolve: async (s, _a, ctx) => ((await departmentScopeOf(ctx)).seesSkillGroup(s.skillGroupId) ? ctx.loaders.skillGroup.load(s.skillGroupId) : null),
      }),
    }),
  });

  refs.AgentProfile.implement({
    description: 'The agent side of a user: status, capacity and skills.',
    authScopes: can.directoryRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      userId: t.exposeID('userId'),
      user: t.field({ type: refs.User, nullable: true, resolve: (a, _x, ctx) => ctx.loaders.user.load(a.userId) }),
      status: t.field({ type: StatusEnum, resolve: (a) => a.status }),
      maxConcurrentChats: t.exposeInt('maxConcurrentChats'),
      skills: t.field({ type: [refs.AgentSkill], resolve: (a, _x, ctx) => ctx.loaders.skillsByAgent.load(a.id) }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('agents', (t) =>
    t.field({
      type: [refs.AgentProfile], authScopes: can.directoryRead,
      description: "Agents of the workspace (a supervisor's: of their departments).",
      args: { status: t.arg({ type: StatusEnum, required: false }) },
      resolve: async (_r, args, ctx) => ctx.em.find(AgentProfile, { $and: [args.status ? { status: args.status } : {}, (await departmentScopeOf(ctx)).agentProfiles()] }, { orderBy: { createdAt: 'asc' }, limit: 5000 }),
    }),
  );
  builder.queryField('agent', (t) =>
    t.field({
      type: refs.AgentProfile, authScopes: can.directoryRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await visibleProfile(ctx, String(id))) ?? Promise.reject(notFound('AgentProfile', String(id))),
    }),
  );

  builder.mutationField('updateAgentProfile', (t) =>
    t.field({
      type: refs.AgentProfile,
      description: "Sets an agent's capacity and skill groups (creates the profile when the user has none).",
      authScopes: can.adminWrite,
      args: { userId: t.arg.id(), maxConcurrentChats: t.arg.int({ required: false }), skills: t.arg({ type: [SkillInput], required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(UpdateInput, args);
        const wsId = workspaceOf(ctx);
        if (!(await ctx.loaders.user.load(input.userId))) throw notFound('User', input.userId);
        for (const s of input.skills ?? []) if (!(await ctx.loaders.skillGroup.load(s.skillGroupId))) throw notFound('SkillGroup', s.skillGroupId);
        const saved = await ctx.hub.transact(ctx.em, async (tx) => {
          let profile = await tx.findOne(AgentProfile, { userId: input.userId });
          profile ??= tx.create(AgentProfile, { workspaceId: wsId, userId: input.userId, status: 'offline', maxConcurrentChats: 5 });
          if (input.maxConcurrentChats != null) profile.maxConcurrentChats = input.maxConcurrentChats;
          if (input.skills) {
            await tx.nativeDelete(AgentSkill, { agentProfileId: profile.id });
            for (const s of input.skills) tx.create(AgentSkill, { workspaceId: wsId, agentProfileId: profile.id, skillGroupId: s.skillGroupId, level: s.level });
          }
          recordAudit(tx, wsId, actorOf(ctx), 'agent.update', { type: 'AgentProfile', id: profile.id }, input);
          return profile;
        });
        await syncAgentToRouting(ctx.hub.orm, ctx.hub.routing, wsId, input.userId);
        return saved;
      },
    }),
  );

  builder.mutationField('setMyStatus', (t) =>
    t.field({
      type: refs.AgentProfile,
      description: 'Sets the signed-in agent’s status. online: new chats; busy: none, keeps held chats, refuses transfer offers; away: as busy, held chats requeued after the workspace’s awayRequeueAfterSec; offline: held chats requeued at once.',
      authScopes: { $any: { role: 'agent', user: true } },
      args: { status: t.arg({ type: StatusEnum }) },
      resolve: async (_r, args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const userId = ctx.principal.userId;
        const wsId = workspaceOf(ctx);
        const profile = await ctx.hub.transact(ctx.em, async (tx) => {
          const p = await tx.findOne(AgentProfile, { userId });
          if (!p) throw badInput('you have no agent profile; ask an admin to make you an agent');
          const from = p.status;
          p.status = args.status;
          if (from !== args.status) p.statusChangedAt = new Date(); // the away grace counts from here
          recordEvent(tx, wsId, 'agent.status_changed', { agentProfileId: p.id, userId, from, to: args.status });
          return p;
        });
        await syncAgentToRouting(ctx.hub.orm, ctx.hub.routing, wsId, userId);
        // Offline sends held chats back to their queues; leaving online withdraws offers waiting for them.
        const log = ctx.hub.broker.getLogger('agent-status');
        await applyAgentStatus({ orm: ctx.hub.orm, lifecycle: ctx.hub.lifecycle, logger: { warn: (m: string) => log.warn(m) } }, wsId, userId, args.status)
          .catch((err: unknown) => log.warn(`status effects of ${userId} failed: ${(err as Error).message}`));
        void ctx.hub.pubsub.publish(topics.agentProfile(profile.id), { id: profile.id });
        return profile;
      },
    }),
  );

  builder.subscriptionField('agentProfileChanged', (t) =>
    t.field({
      type: refs.AgentProfile,
      description: "Emits an agent's profile whenever its status changes.",
      authScopes: can.directoryRead,
      args: { id: t.arg.id() },
      subscribe: async (_r, { id }, ctx) => {
        const profileId = String(id);
        // Scope check before subscribing: another workspace's (or department's) agent is NOT_FOUND, not a silent stream.
        if (!(await visibleProfile(ctx, profileId))) throw notFound('AgentProfile', profileId);
        return ctx.hub.pubsub.subscribe(topics.agentProfile(profileId)) as AsyncIterable<unknown>;
      },
      resolve: async (_payload, { id }, ctx) => {
        ctx.em.clear();
        return (await ctx.em.findOne(AgentProfile, { id: String(id) })) ?? Promise.reject(notFound('AgentProfile', String(id)));
      },
    }),
  );
}
