import { z } from 'zod';
import { Customer } from '../../db/entities/index.ts';
import { recordAudit } from '../../events/outbox.ts';
import type { HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

const Input = z.object({
  id: z.uuid(),
  tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  attributes: z.record(z.string().min(1).max(64), z.unknown()).optional()
    .refine((a) => a === undefined || JSON.stringify(a).length <= 16_384, 'attributes are larger than 16 kB'),
});

/** Customer tags and attributes (VIP, membership level, …): what diversion and priority rules read. */
export function registerCustomer(builder: HubBuilder, refs: Refs) {
  builder.mutationField('updateCustomer', (t) =>
    t.field({
      type: refs.Customer,
      authScopes: { $any: { role: 'agent', apiScope: 'customers:write', $any: { role: 'supervisor' } } },
      description: 'Sets a customer\'s tags and/or attributes (each replaced as a whole when given). CRM connectors use an API key with customers:write.',
      args: { id: t.arg.id(), tags: t.arg.stringList({ required: false }), attributes: t.arg({ type: 'JSON', required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(Input, { id: args.id, tags: args.tags ?? undefined, attributes: args.attributes ?? undefined });
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const c = await tx.findOne(Customer, { id: input.id });
          if (!c) throw notFound('Customer', input.id);
          if (input.tags) c.tags = [...new Set(input.tags)];
          if (input.attributes) c.attributes = input.attributes;
          recordAudit(tx, wsId, actorOf(ctx), 'customer.update', { type: 'Customer', id: c.id }, { tags: input.tags, attributes: input.attributes });
          return c;
        });
      },
    }),
  );
}
