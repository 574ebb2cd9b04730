import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import { Message } from '../../db/entities/index.ts';
import { toView } from '../../conversations/service.ts';
import { recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { badInput, notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { conversationFor } from './conversation.ts';

/**
 * Customers rate bot answers (有帮助 / 没帮助). The rating is kept on the bot message's body as
 * `feedback: { useful, at }` (agents and metrics see it with the message) and announced as the event
 * `bot.answer_rated`. The same rating twice changes nothing; a change of mind is recorded. When an
 * answer becomes "not useful" while the conversation is still with the bot, the bot node's transfer
 * rules run with the rating (the `not_useful` rule hands the customer to a human).
 */
export function registerBotFeedback(builder: HubBuilder, refs: Refs) {
  builder.mutationField('rateBotAnswer', (t) =>
    t.field({
      type: refs.Message,
      description: 'The visitor marks a bot answer in their conversation useful or not useful; "not useful" may hand them to a human (transfer rule `not_useful`). Idempotent.',
      authScopes: can.visitor,
      args: { messageId: t.arg.id(), useful: t.arg.boolean() },
      resolve: async (_r, args, ctx) => {
        const p = ctx.principal;
        if (p.kind !== 'visitor') throw unauthenticated();
        const id = String(args.messageId);
        const useful = parseInput(z.boolean(), args.useful);
        const found = z.uuid().safeParse(id).success ? await ctx.em.findOne(Message, { id }) : null;
        if (!found) throw notFound('Message', id);
        const conv = await conversationFor(ctx, found.conversationId); // the visitor's own conversation, or NOT_FOUND
        if (found.senderType !== 'bot') throw badInput('only answers of the bot can be rated');

        const changed = await ctx.hub.transact(ctx.em, async (tx) => {
          const m = await tx.findOne(Message, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          if (!m) throw notFound('Message', id);
          const before = (m.body.feedback as { useful?: unknown } | undefined)?.useful;
          if (before === useful) return { message: m, changed: false };
          m.body = { ...m.body, feedback: { useful, at: new Date().toISOString() } };
          recordEvent(tx, conv.workspaceId, 'bot.answer_rated', {
            conversationId: conv.id, messageId: m.id, useful, entryId: typeof m.body.entryId === 'string' ? m.body.entryId : null,
            bot: typeof m.body.bot === 'string' ? m.body.bot : null,
          });
          return { message: m, changed: true };
        });
        if (changed.changed && !useful) await ctx.hub.bots.onBotFeedback(conv.workspaceId, conv.id, id, false);
        return toView(changed.message);
      },
    }),
  );
}
