import { z } from 'zod';
import { Channel, Customer, CustomerIdentity, VisitorSession } from '../../db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm } from '../../db/orm.ts';
import { newVisitorToken } from '../../auth/secrets.ts';
import { recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

const VISITOR_TTL_MS = 30 * 24 * 3600 * 1000;
const StartInput = z.object({
  channelKey: z.string().regex(/^ch_[A-Za-z0-9_-]{20}$/, 'not a channel key'),
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).nullish(),
  displayName: z.string().trim().min(1).max(120).nullish(),
});

export function registerVisitor(builder: HubBuilder, refs: Refs) {
  refs.VisitorSession.implement({
    description: 'A widget visitor session: a server-generated token bound to one channel and one customer.',
    fields: (t) => ({
      token: t.exposeString('token'),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      customerId: t.exposeID('customerId'),
      channelId: t.exposeID('channelId'),
    }),
  });

  builder.mutationField('startVisitorSession', (t) =>
    t.field({
      type: refs.VisitorSession,
      description: 'Starts (or resumes, with the same visitorId) an anonymous visitor on a channel.',
      args: { channelKey: t.arg.string(), visitorId: t.arg.string({ required: false }), displayName: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(StartInput, args);
        const em = systemEm(ctx.hub.orm);
        const channel = await em.findOne(Channel, { publicKey: input.channelKey, enabled: true }, NO_TENANT_FILTER);
        if (!channel) throw notFound('Channel', input.channelKey);
        const { token, tokenHash } = newVisitorToken();
        const expiresAt = new Date(Date.now() + VISITOR_TTL_MS);
        const wsEm = em.fork();
        wsEm.setFilterParams('workspace', { id: channel.workspaceId });
        const customerId = await ctx.hub.transact(wsEm, async (tx) => {
          const known = input.visitorId ? await tx.findOne(CustomerIdentity, { channelId: channel.id, externalId: `visitor:${input.visitorId}` }) : null;
          let id = known?.customerId;
          if (!id) {
            const c = tx.create(Customer, { workspaceId: channel.workspaceId, displayName: input.displayName ?? 'Visitor', tags: [], attributes: {} });
            tx.create(CustomerIdentity, { workspaceId: channel.workspaceId, customerId: c.id, channelId: channel.id, externalId: `visitor:${input.visitorId ?? c.id}`, verified: false });
            recordEvent(tx, channel.workspaceId, 'customer.created', { customerId: c.id, channelId: channel.id });
            id = c.id;
          }
          tx.create(VisitorSession, { workspaceId: channel.workspaceId, channelId: channel.id, customerId: id, tokenHash, expiresAt });
          return id;
        });
        return { token, expiresAt, customerId, channelId: channel.id };
      },
    }),
  );

  builder.queryField('visitorSession', (t) =>
    t.field({
      type: refs.VisitorSession,
      description: 'The calling visitor (token is not echoed back).',
      authScopes: can.visitor,
      resolve: async (_r, _a, ctx) => {
        if (ctx.principal.kind !== 'visitor') throw unauthenticated();
        const s = await ctx.em.findOne(VisitorSession, { id: ctx.principal.sessionId });
        if (!s) throw unauthenticated();
        return { token: '', expiresAt: s.expiresAt, customerId: s.customerId, channelId: s.channelId };
      },
    }),
  );
}
