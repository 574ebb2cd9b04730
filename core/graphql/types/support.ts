import { z } from 'zod';
import { CannedReply, Conversation, Customer, OfflineMessage, User } from '../../db/entities/index.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import { render } from '../../templates.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf, type HubGraphQLContext } from '../context.ts';
import { HubError, forbidden, notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { conversationFor } from './conversation.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const CannedInput = z.object({
  title: z.string().trim().min(1).max(120),
  shortcut: z.string().regex(/^[a-z0-9_-]{1,32}$/).nullish(),
  template: z.string().min(1).max(5000),
});

/** An offline message the caller may see (outside a supervisor's departments: NOT_FOUND). */
async function offlineMessageFor(ctx: HubGraphQLContext, id: string): Promise<OfflineMessage> {
  const o = z.uuid().safeParse(id).success ? await ctx.em.findOne(OfflineMessage, { id }) : null;
  if (!o) throw notFound('OfflineMessage', id);
  const scope = await departmentScopeOf(ctx);
  if (scope.limited && !scope.seesOfflineMessage(o, await ctx.em.findOne(Conversation, { id: o.conversationId }))) throw notFound('OfflineMessage', id);
  return o;
}

/** Canned replies (常用语) and the offline-message pool (留言). */
export function registerSupport(builder: HubBuilder, refs: Refs) {
  refs.CannedReply.implement({
    authScopes: { role: 'agent' },
    fields: (t) => ({
      id: t.exposeID('id'),
      title: t.exposeString('title'),
      shortcut: t.exposeString('shortcut', { nullable: true }),
      template: t.exposeString('template', { description: 'Handlebars: {{customer.name}}, {{agent.name}}, {{workspace.name}}, {{conversation.id}}' }),
    }),
  });

  builder.queryField('cannedReplies', (t) =>
    t.field({ type: [refs.CannedReply], authScopes: { role: 'agent' }, resolve: (_r, _a, ctx) => ctx.em.find(CannedReply, {}, { orderBy: { title: 'asc' } }) }),
  );

  builder.mutationField('saveCannedReply', (t) =>
    t.field({
      type: refs.CannedReply, authScopes: { $any: { role: 'supervisor', apiScope: 'admin:write' } },
      args: { id: t.arg.id({ required: false }), title: t.arg.string(), shortcut: t.arg.string({ required: false }), template: t.arg.string() },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(CannedInput, args);
        try {
          render(input.template, {});
        } catch (err) {
          throw new HubError('BAD_USER_INPUT', `template does not compile: ${(err as Error).message}`);
        }
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          let r: CannedReply | null;
          if (args.id) {
            r = await tx.findOne(CannedReply, { id: String(args.id) });
            if (!r) throw notFound('CannedReply', String(args.id));
            tx.assign(r, { title: input.title, shortcut: input.shortcut ?? null, template: input.template });
          } else {
            r = tx.create(CannedReply, { workspaceId: wsId, title: input.title, shortcut: input.shortcut ?? null, template: input.template });
          }
          recordAudit(tx, wsId, actorOf(ctx), 'canned_reply.save', { type: 'CannedReply', id: r.id }, { title: input.title });
          return r;
        });
      },
    }),
  );

  builder.mutationField('deleteCannedReply', (t) =>
    t.boolean({
      authScopes: { $any: { role: 'supervisor', apiScope: 'admin:write' } }, args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const r = await ctx.em.findOne(CannedReply, { id: String(args.id) });
        if (!r) throw notFound('CannedReply', String(args.id));
        await ctx.hub.transact(ctx.em, async (tx) => {
          tx.remove(await tx.findOneOrFail(CannedReply, { id: r.id }));
          recordAudit(tx, workspaceOf(ctx), actorOf(ctx), 'canned_reply.delete', { type: 'CannedReply', id: r.id });
        });
        return true;
      },
    }),
  );

  builder.queryField('renderCannedReply', (t) =>
    t.string({
      description: 'A canned reply rendered for one conversation (customer, agent and workspace variables filled in).',
      authScopes: { role: 'agent' },
      args: { id: t.arg.id(), conversationId: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const reply = await ctx.em.findOne(CannedReply, { id: String(args.id) });
        if (!reply) throw notFound('CannedReply', String(args.id));
        const c = await conversationFor(ctx, String(args.conversationId));
        const customer = await ctx.em.findOne(Customer, { id: c.customerId });
        const agent = await ctx.loaders.user.load(ctx.principal.userId);
        const ws = await ctx.em.getConnection().execute<{ name: string }[]>('select name from workspace where id = ?', [c.workspaceId]);
        return render(reply.template, {
          customer: { name: customer?.displayName ?? '', email: customer?.email ?? '', tags: customer?.tags ?? [], ...(customer?.attributes ?? {}) },
          agent: { name: agent?.name ?? '', email: agent?.email ?? '' },
          workspace: { name: ws[0]?.name ?? '' },
          conversation: { id: c.id, createdAt: c.createdAt.toISOString() },
        });
      },
    }),
  );

  refs.OfflineMessage.implement({
    description: 'A message left when no agent could take the chat (留言).',
    authScopes: { $any: { role: 'agent', apiScope: 'conversations:read', visitor: true, $any: { role: 'supervisor' } } },
    fields: (t) => ({
      id: t.exposeID('id'),
      conversationId: t.exposeID('conversationId'),
      customerId: t.exposeID('customerId'),
      channelId: t.exposeID('channelId'),
      reason: t.exposeString('reason'),
      content: t.exposeString('content'),
      contact: t.expose('contact', { type: 'JSON' }),
      status: t.exposeString('status'),
      assigneeId: t.exposeID('assigneeId', { nullable: true }),
      reply: t.exposeString('reply', { nullable: true }),
      repliedAt: t.expose('repliedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('offlineMessages', (t) =>
    t.field({
      type: [refs.OfflineMessage],
      description: "The offline-message pool (a supervisor's: of their departments), oldest first.",
      authScopes: can.conversationsRead,
      args: { status: t.arg.stringList({ required: false }), mine: t.arg.boolean({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const where: Record<string, unknown> = {};
        if (args.status?.length) where.status = { $in: args.status };
        if (args.mine && ctx.principal.kind === 'user') where.assigneeId = ctx.principal.userId;
        const scope = (await departmentScopeOf(ctx)).offlineMessages(ctx.em, workspaceOf(ctx));
        return ctx.em.find(OfflineMessage, { $and: [where, scope] }, { orderBy: { createdAt: 'asc' }, limit: 500 });
      },
    }),
  );

  builder.mutationField('assignOfflineMessage', (t) =>
    t.field({
      type: refs.OfflineMessage,
      description: 'A supervisor assigns an offline message to an agent (or an agent takes it: agentId = self).',
      authScopes: { $any: { role: 'agent', $any: { role: 'supervisor' } } },
      args: { id: t.arg.id(), agentId: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const agentId = String(args.agentId);
        const p = ctx.principal;
        if (agentId !== p.userId && !p.roles.some((r) => r === 'supervisor' || r === 'admin')) throw forbidden('only supervisors assign offline messages to others');
        const scope = await departmentScopeOf(ctx);
        if (!(await ctx.em.findOne(User, { id: agentId })) || !scope.seesUser(agentId)) throw notFound('User', agentId);
        await offlineMessageFor(ctx, String(args.id));
        return ctx.hub.transact(ctx.em, async (tx) => {
          const o = await tx.findOne(OfflineMessage, { id: String(args.id) });
          if (!o) throw notFound('OfflineMessage', String(args.id));
          if (o.status === 'replied') throw new HubError('INVALID_STATE', 'already replied');
          o.assigneeId = agentId;
          o.status = 'assigned';
          recordAudit(tx, workspaceOf(ctx), actorOf(ctx), 'offline_message.assign', { type: 'OfflineMessage', id: o.id }, { agentId });
          return o;
        });
      },
    }),
  );

  builder.mutationField('replyOfflineMessage', (t) =>
    t.field({
      type: refs.OfflineMessage,
      description: "Answers an offline message; the reply is delivered into the customer's conversation on their channel.",
      authScopes: { role: 'agent' },
      args: { id: t.arg.id(), text: t.arg.string() },
      resolve: async (_r, args, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const text = parseInput(z.string().trim().min(1).max(5000), args.text);
        const userId = ctx.principal.userId;
        const wsId = workspaceOf(ctx);
        await offlineMessageFor(ctx, String(args.id));
        const o = await ctx.hub.transact(ctx.em, async (tx) => {
          const om = await tx.findOne(OfflineMessage, { id: String(args.id) });
          if (!om) throw notFound('OfflineMessage', String(args.id));
          if (om.status === 'replied') throw new HubError('INVALID_STATE', 'already replied');
          if (om.assigneeId && om.assigneeId !== userId) throw forbidden('this offline message is assigned to another agent');
          Object.assign(om, { status: 'replied', assigneeId: userId, reply: text, repliedAt: new Date() });
          recordEvent(tx, wsId, 'offline_message.replied', { offlineMessageId: om.id, conversationId: om.conversationId, agentId: userId });
          return om;
        });
        const conv = await ctx.em.findOne(Conversation, { id: o.conversationId });
        if (conv) {
          await ctx.hub.conversations.post({
            workspaceId: wsId, conversationId: conv.id, senderType: 'agent', senderId: userId, type: 'text',
            body: { text, offlineReply: true }, clientMessageId: `offline-reply:${o.id}`, allowEnded: true,
          }).catch(() => undefined);
        }
        return o;
      },
    }),
  );
}
