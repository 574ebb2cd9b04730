import { z } from 'zod';
import { ROUTING_DECISION_KINDS, RoutingDecision, SkillGroup, Conversation, PluginInstallation } from '../../db/entities/index.ts';
import { recordAudit } from '../../events/outbox.ts';
import { GroupRoutingPolicySchema } from '../../routing/policy.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { badInput, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

/** Supervisors (and admins, and API keys that read admin data) see routing decisions and queues. */
const routingRead = { $any: { role: 'supervisor', apiScope: 'admin:read' } } as const;

interface QueuedCustomerView {
  conversationId: string; position: number; waitedSec: number; waitedInGroupSec: number; advanceSec: number; terms: unknown; estimatedWaitSec: number | null;
}
interface RoutingContributionView { kind: string; name: string; plugin: string; label: { en: string; 'zh-CN': string }; configJsonSchema: Record<string, unknown>; enabled: boolean }

export function registerRouting(builder: HubBuilder, refs: Refs) {
  const DecisionKind = builder.enumType('RoutingDecisionKind', { values: ROUTING_DECISION_KINDS });
  const Decision = builder.objectRef<RoutingDecision>('RoutingDecision').implement({
    description: 'One routing decision with what it was made from (the decision log): why a customer went where.',
    authScopes: routingRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      conversationId: t.exposeID('conversationId'),
      kind: t.field({ type: DecisionKind, resolve: (d) => d.kind }),
      skillGroupId: t.exposeID('skillGroupId', { nullable: true }),
      skillGroup: t.field({ type: refs.SkillGroup, nullable: true, resolve: (d, _a, ctx) => (d.skillGroupId ? ctx.loaders.skillGroup.load(d.skillGroupId) : null) }),
      agentId: t.exposeID('agentId', { nullable: true }),
      strategy: t.exposeString('strategy', { nullable: true }),
      summary: t.exposeString('summary'),
      detail: t.field({
        type: 'JSON',
        description: 'queued: diversion, priority terms, overflow hops; assigned: the queue head, every candidate with load, capacity, level, rank and reason; overflowed/exited: why.',
        resolve: (d) => d.detail,
      }),
      decidedAt: t.expose('decidedAt', { type: 'DateTime' }),
    }),
  });

  const QueuedCustomer = builder.objectRef<QueuedCustomerView>('QueuedCustomer').implement({
    description: 'A waiting customer with the place routing gives them and why.',
    authScopes: routingRead,
    fields: (t) => ({
      conversationId: t.exposeID('conversationId'),
      position: t.exposeInt('position'),
      waitedSec: t.exposeInt('waitedSec'),
      waitedInGroupSec: t.exposeInt('waitedInGroupSec', { description: 'Time in this group (overflow counts from here).' }),
      advanceSec: t.exposeFloat('advanceSec', { description: 'How far ahead of their arrival the priority rules place them.' }),
      terms: t.field({ type: 'JSON', description: 'Each priority rule that counted: rule, points, weight, advanceSec, reason.', resolve: (q) => q.terms }),
      estimatedWaitSec: t.exposeInt('estimatedWaitSec', { nullable: true }),
    }),
  });

  const Contribution = builder.objectRef<RoutingContributionView>('RoutingContribution').implement({
    description: 'A routing strategy or customer-priority rule that skill-group policies can use.',
    authScopes: can.directoryRead,
    fields: (t) => ({
      kind: t.exposeString('kind', { description: '`strategy` or `priority_rule`.' }),
      name: t.exposeString('name'),
      plugin: t.exposeString('plugin'),
      label: t.field({ type: 'JSON', resolve: (c) => c.label }),
      configJsonSchema: t.field({ type: 'JSON', resolve: (c) => c.configJsonSchema }),
      enabled: t.exposeBoolean('enabled', { description: 'Usable in this workspace: the core\'s, or its plugin is installed and enabled here.' }),
    }),
  });

  builder.objectField(refs.SkillGroup, 'routingPolicy', (t) =>
    t.field({
      type: 'JSON',
      description: 'Routing policy: strategy, priority rules with weights, maxChatsPerAgent, maxQueueLength, overflow, workingHours (defaults filled in).',
      resolve: (g) => {
        const p = GroupRoutingPolicySchema.safeParse(g.routing ?? {});
        return p.success ? p.data : GroupRoutingPolicySchema.parse({});
      },
    }),
  );

  builder.objectField(refs.Conversation, 'routingDecisions', (t) =>
    t.field({
      type: [Decision],
      authScopes: routingRead,
      description: 'Every routing decision of this conversation, oldest first.',
      resolve: (c, _a, ctx) => ctx.em.find(RoutingDecision, { conversationId: c.id }, { orderBy: { decidedAt: 'asc', createdAt: 'asc' }, limit: 200 }),
    }),
  );

  builder.queryField('routingCatalog', (t) =>
    t.field({
      type: [Contribution], authScopes: can.directoryRead,
      description: 'Strategies (the core\'s `balanced` and those of plugins) and customer-priority rules skill groups can use.',
      resolve: async (_r, _a, ctx) => {
        const enabled = new Set((await ctx.em.find(PluginInstallation, { enabled: true }, { fields: ['pluginName'] })).map((p) => p.pluginName));
        return [
          { kind: 'strategy', name: 'balanced', plugin: 'core', label: { en: 'Balanced by load', 'zh-CN': '负载均衡' }, configJsonSchema: { type: 'object', properties: {} }, enabled: true },
          ...ctx.hub.registry.routingCatalog().map((c) => ({ ...c, enabled: enabled.has(c.plugin) })),
        ];
      },
    }),
  );

  builder.queryField('routingDecisions', (t) =>
    t.field({
      type: [Decision], authScopes: routingRead,
      description: 'The decision log, newest first (a supervisor: decisions in the skill groups of their departments).',
      args: {
        conversationId: t.arg.id({ required: false }),
        skillGroupId: t.arg.id({ required: false }),
        agentId: t.arg.id({ required: false }),
        kind: t.arg({ type: DecisionKind, required: false }),
        since: t.arg({ type: 'DateTime', required: false }),
        limit: t.arg.int({ required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const limit = parseInput(z.number().int().min(1).max(500).default(100), args.limit ?? undefined);
        const scope = await departmentScopeOf(ctx);
        const where: Record<string, unknown> = {};
        if (args.conversationId) {
          const c = await ctx.em.findOne(Conversation, { id: String(args.conversationId) });
          if (!c || !scope.seesConversation(c)) throw notFound('Conversation', String(args.conversationId));
          where.conversationId = c.id;
        }
        if (args.skillGroupId) {
          if (!scope.seesSkillGroup(String(args.skillGroupId))) throw notFound('SkillGroup', String(args.skillGroupId));
          where.skillGroupId = String(args.skillGroupId);
        }
        if (args.agentId) where.agentId = String(args.agentId);
        if (args.kind) where.kind = args.kind;
        if (args.since) where.decidedAt = { $gte: args.since };
        const rows = await ctx.em.find(RoutingDecision, where, { orderBy: { decidedAt: 'desc', createdAt: 'desc' }, limit: args.conversationId ? limit : limit * 3 });
        // Department scope: a decision belongs to its skill group (or, without one, the default queue —
        // visible to whoever sees the conversation).
        const out: RoutingDecision[] = [];
        for (const d of rows) {
          if (out.length >= limit) break;
          if (args.conversationId || scope.seesSkillGroup(d.skillGroupId) || (!d.skillGroupId && scope.seesUser(d.agentId))) out.push(d);
        }
        return out;
      },
    }),
  );

  builder.queryField('queuePreview', (t) =>
    t.field({
      type: [QueuedCustomer], authScopes: routingRead,
      description: 'Who waits in a skill group\'s queue (null: the default queue), in routing order, with the priority that placed them.',
      args: { skillGroupId: t.arg.id({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const ws = workspaceOf(ctx);
        const groupId = args.skillGroupId ? String(args.skillGroupId) : null;
        if (groupId && (!(await ctx.loaders.skillGroup.load(groupId)) || !(await departmentScopeOf(ctx)).seesSkillGroup(groupId))) throw notFound('SkillGroup', groupId);
        const { now, entries } = await ctx.hub.routing.queueEntries(ws, groupId);
        const perSec = entries.length ? await ctx.hub.routing.serviceRate(ws, groupId ?? '_') : 0;
        const all = entries.map((e, i) => ({
          conversationId: e.conversationId, position: i + 1,
          waitedSec: Math.max(0, Math.round((now - e.meta.queuedAt) / 1000)),
          waitedInGroupSec: Math.max(0, Math.round((now - e.meta.groupSince) / 1000)),
          advanceSec: e.meta.advanceSec, terms: e.meta.terms,
          estimatedWaitSec: perSec > 0 ? Math.ceil((i + 1) / perSec) : null,
        }));
        if (groupId || !all.length) return all;
        // The default queue belongs to no department: a limited supervisor sees only the customers they
        // may see (with their real positions).
        const scope = await departmentScopeOf(ctx);
        const rows = await ctx.em.find(Conversation, { id: { $in: all.map((q) => q.conversationId) } });
        const visible = new Set(rows.filter((c) => scope.seesConversation(c)).map((c) => c.id));
        return all.filter((q) => visible.has(q.conversationId));
      },
    }),
  );

  builder.mutationField('updateSkillGroupRouting', (t) =>
    t.field({
      type: refs.SkillGroup, authScopes: can.adminWrite,
      description: 'Sets a skill group\'s routing policy. Validated as a whole (schema, strategies and rules enabled here, overflow chain without a loop); nothing is saved on error (BAD_USER_INPUT with `issues`).',
      args: { id: t.arg.id(), policy: t.arg({ type: 'JSON' }) },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.id);
        const wsId = workspaceOf(ctx);
        const group = await ctx.em.findOne(SkillGroup, { id });
        if (!group) throw notFound('SkillGroup', id);
        const checked = await ctx.hub.router.validatePolicy(wsId, id, args.policy);
        if (!checked.ok) throw badInput(`invalid routing policy: ${checked.issues.map((i) => `${i.path || '(policy)'}: ${i.message}`).join('; ')}`, { issues: checked.issues });
        const saved = await ctx.hub.transact(ctx.em, async (tx) => {
          const g = await tx.findOneOrFail(SkillGroup, { id });
          g.routing = checked.policy;
          recordAudit(tx, wsId, actorOf(ctx), 'skill_group.routing', { type: 'SkillGroup', id }, checked.policy);
          return g;
        });
        ctx.hub.router.invalidate(wsId, id);
        return saved;
      },
    }),
  );
}
