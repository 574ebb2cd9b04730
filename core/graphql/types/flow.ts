import { z } from 'zod';
import { Flow, FlowVersion } from '../../db/entities/index.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { validateFlow } from '../../flows/registry.ts';
import { resolvePublishedFlow } from '../../flows/store.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { HubError, conflict, notFound, rethrowUnique } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

/** Flows (流程编排): versioned, validated definitions; the published version is what new conversations run. */
export function registerFlow(builder: HubBuilder, refs: Refs) {
  const NodeTypeRef = builder.objectRef<{ type: string; label: { en: string; 'zh-CN': string }; outcomes: string[]; source: string; configJsonSchema: unknown }>('FlowNodeType').implement({
    fields: (t) => ({
      type: t.exposeString('type'),
      labelEn: t.string({ resolve: (n) => n.label.en }),
      labelZh: t.string({ resolve: (n) => n.label['zh-CN'] }),
      outcomes: t.exposeStringList('outcomes'),
      source: t.exposeString('source'),
      configJsonSchema: t.field({ type: 'JSON', resolve: (n) => n.configJsonSchema }),
    }),
  });
  const RuleRef = builder.objectRef<{ name: string; plugin: string; label: { en: string; 'zh-CN': string }; configJsonSchema: unknown }>('TransferRuleType').implement({
    fields: (t) => ({
      name: t.exposeString('name'),
      plugin: t.exposeString('plugin'),
      labelEn: t.string({ resolve: (n) => n.label.en }),
      labelZh: t.string({ resolve: (n) => n.label['zh-CN'] }),
      configJsonSchema: t.field({ type: 'JSON', resolve: (n) => n.configJsonSchema }),
    }),
  });

  refs.FlowVersion.implement({
    authScopes: can.adminRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      flowId: t.exposeID('flowId'),
      version: t.exposeInt('version'),
      definition: t.expose('definition', { type: 'JSON' }),
      createdById: t.exposeID('createdById', { nullable: true }),
      publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  refs.Flow.implement({
    authScopes: can.adminRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      publishedVersionId: t.exposeID('publishedVersionId', { nullable: true }),
      versions: t.field({ type: [refs.FlowVersion], resolve: (f, _a, ctx) => ctx.em.find(FlowVersion, { flowId: f.id }, { orderBy: { version: 'desc' } }) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('flowNodeTypes', (t) =>
    t.field({
      type: [NodeTypeRef], authScopes: can.adminRead,
      description: 'The node palette: built-in and plugin node types with their config schemas and outcomes.',
      resolve: (_r, _a, ctx) => ctx.hub.nodeTypes.all().map((n) => ({ ...n, configJsonSchema: z.toJSONSchema(n.config, { io: 'input' }) })),
    }),
  );
  builder.queryField('transferRuleTypes', (t) =>
    t.field({ type: [RuleRef], authScopes: can.adminRead, resolve: (_r, _a, ctx) => ctx.hub.registry.rules() }),
  );
  builder.queryField('flows', (t) =>
    t.field({
      type: [refs.Flow], authScopes: can.adminRead,
      resolve: async (_r, _a, ctx) => {
        await resolvePublishedFlow(ctx.em, workspaceOf(ctx)); // every workspace has its default flow
        return ctx.em.find(Flow, {}, { orderBy: { name: 'asc' } });
      },
    }),
  );
  builder.queryField('flow', (t) =>
    t.field({
      type: refs.Flow, authScopes: can.adminRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await ctx.em.findOne(Flow, { id: String(id) })) ?? Promise.reject(notFound('Flow', String(id))),
    }),
  );

  builder.mutationField('saveFlowVersion', (t) =>
    t.field({
      type: refs.FlowVersion,
      description: 'Validates a definition and stores it as the next (unpublished) version of the flow; creates the flow if `flowId` is omitted.',
      authScopes: can.adminWrite,
      args: { flowId: t.arg.id({ required: false }), name: t.arg.string({ required: false }), definition: t.arg({ type: 'JSON' }) },
      resolve: async (_r, args, ctx) => {
        const checked = validateFlow(ctx.hub.nodeTypes, args.definition);
        if (!checked.ok) throw new HubError('BAD_USER_INPUT', 'the flow is not valid', { issues: checked.issues });
        const wsId = workspaceOf(ctx);
        const name = parseInput(z.string().trim().min(1).max(120).nullish(), args.name);
        return ctx.hub.transact(ctx.em, async (tx) => {
          let flow: Flow | null;
          if (args.flowId) {
            flow = await tx.findOne(Flow, { id: String(args.flowId) });
            if (!flow) throw notFound('Flow', String(args.flowId));
          } else {
            if (!name) throw new HubError('BAD_USER_INPUT', 'a new flow needs a name');
            flow = tx.create(Flow, { workspaceId: wsId, name, publishedVersionId: null });
            await tx.flush().catch((e: unknown) => rethrowUnique(e, `flow "${name}" exists`));
          }
          const last = await tx.findOne(FlowVersion, { flowId: flow.id }, { orderBy: { version: 'desc' } });
          const v = tx.create(FlowVersion, {
            workspaceId: wsId, flowId: flow.id, version: (last?.version ?? 0) + 1, definition: checked.flow as unknown as Record<string, unknown>,
            createdById: ctx.principal.kind === 'user' ? ctx.principal.userId : null, publishedAt: null,
          });
          recordAudit(tx, wsId, actorOf(ctx), 'flow.save_version', { type: 'FlowVersion', id: v.id }, { flowId: flow.id, version: v.version });
          await tx.flush().catch((e: unknown) => rethrowUnique(e, 'another version was saved at the same time; reload and retry'));
          return v;
        });
      },
    }),
  );

  builder.mutationField('publishFlowVersion', (t) =>
    t.field({
      type: refs.Flow,
      description: 'Publishes a version: conversations started from now on run it; running ones keep theirs.',
      authScopes: can.adminWrite,
      args: { versionId: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(z.uuid(), args.versionId);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const v = await tx.findOne(FlowVersion, { id });
          if (!v) throw notFound('FlowVersion', id);
          // Re-validate: node types or rules may have changed since it was saved.
          const checked = validateFlow(ctx.hub.nodeTypes, v.definition);
          if (!checked.ok) throw new HubError('BAD_USER_INPUT', 'the version is no longer valid', { issues: checked.issues });
          const flow = await tx.findOneOrFail(Flow, { id: v.flowId });
          if (flow.publishedVersionId === v.id) throw conflict('this version is already published');
          flow.publishedVersionId = v.id;
          v.publishedAt ??= new Date();
          recordAudit(tx, wsId, actorOf(ctx), 'flow.publish', { type: 'Flow', id: flow.id }, { versionId: v.id, version: v.version });
          recordEvent(tx, wsId, 'flow.published', { flowId: flow.id, versionId: v.id, version: v.version });
          return flow;
        });
      },
    }),
  );
}
