import { AuditLog } from '../../db/entities/index.ts';
import { topics } from '../../events/pubsub.ts';
import { can, type HubBuilder } from '../builder.ts';
import { workspaceOf } from '../context.ts';
import type { Refs, HubEventView } from '../refs.ts';

export function registerSystem(builder: HubBuilder, refs: Refs) {
  refs.AuditLogEntry.implement({
    description: 'One admin action: who did what to which object, when.',
    authScopes: can.adminRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      actorType: t.exposeString('actorType'),
      actorId: t.exposeID('actorId', { nullable: true }),
      action: t.exposeString('action'),
      targetType: t.exposeString('targetType'),
      targetId: t.exposeID('targetId', { nullable: true }),
      details: t.expose('details', { type: 'JSON' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  refs.HubEvent.implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      type: t.exposeString('type'),
      occurredAt: t.exposeString('occurredAt'),
      payload: t.expose('payload', { type: 'JSON' }),
    }),
  });

  builder.queryField('auditLog', (t) =>
    t.field({
      type: [refs.AuditLogEntry], authScopes: can.adminRead,
      args: { limit: t.arg.int({ required: false }), action: t.arg.string({ required: false }) },
      resolve: (_r, args, ctx) =>
        ctx.em.find(AuditLog, args.action ? { action: args.action } : {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(args.limit ?? 100, 1), 500) }),
    }),
  );

  builder.subscriptionField('workspaceEvents', (t) =>
    t.field({
      type: refs.HubEvent,
      description: "Live stream of the workspace's domain events (as published from the outbox).",
      authScopes: can.adminRead,
      subscribe: (_r, _a, ctx) => ctx.hub.pubsub.subscribe(topics.workspaceEvents(workspaceOf(ctx))) as AsyncIterable<unknown>,
      resolve: (payload) => payload as HubEventView,
    }),
  );

  const NodeRef = builder.objectRef<{ id: string; local: boolean; available: boolean; services: string[] }>('HubNode').implement({
    fields: (t) => ({
      id: t.exposeString('id'), local: t.exposeBoolean('local'), available: t.exposeBoolean('available'), services: t.exposeStringList('services'),
    }),
  });
  builder.queryField('hubNodes', (t) =>
    t.field({
      type: [NodeRef],
      description: 'Hub nodes in this Moleculer namespace and the services each runs.',
      authScopes: { role: 'admin' },
      resolve: (_r, _a, ctx) => {
        const broker = ctx.hub.broker;
        const services = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true, withActions: false }) as { name: string; nodeID: string }[];
        return (broker.registry.getNodeList({ onlyAvailable: false, withServices: false }) as { id: string; local: boolean; available: boolean }[]).map((n) => ({
          id: n.id, local: n.local, available: n.available,
          services: [...new Set(services.filter((s) => s.nodeID === n.id).map((s) => s.name))].sort(),
        }));
      },
    }),
  );
}
