import { z } from 'zod';
import { Channel, Conversation, Customer, Message, OfflineMessage, SurveyResponse } from '../../db/entities/index.ts';
import { recordEvent } from '../../events/outbox.ts';
import { ConversationClosedError, toView } from '../../conversations/service.ts';
import { LifecycleRefusedError } from '../../conversations/lifecycle.ts';
import { convTopics, type ConversationEvent, type MessageView } from '../../conversations/topics.ts';
import { can, type HubBuilder } from '../builder.ts';
import { workspaceOf, type HubGraphQLContext } from '../context.ts';
import { HubError, forbidden, notFound, unauthenticated, type ErrorCode } from '../errors.ts';
import { REFUSAL } from '../../../workflows/conversation/contract.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

const RECALL_WINDOW_MS = 2 * 60_000;

/** Inline attachments (the widget sends images and files as data: URLs): about 1 MB once base64-decoded. */
export const DATA_URL_MAX_CHARS = 1_400_000;
/** An http(s) URL (≤ 2000 characters) or a data: URL of the given shape (≤ DATA_URL_MAX_CHARS). */
const attachmentUrl = (data: RegExp, message: string) =>
  z.string().max(DATA_URL_MAX_CHARS, 'data: URLs are limited to about 1 MB').refine((u) => (/^https?:\/\//.test(u) && u.length <= 2000) || data.test(u), message);

const MessageInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), body: z.object({ text: z.string().trim().min(1).max(5000) }) }),
  z.object({ type: z.literal('rich_text'), body: z.object({ html: z.string().min(1).max(20_000) }) }),
  z.object({ type: z.literal('image'), body: z.object({ url: attachmentUrl(/^data:image\/(png|jpeg|gif|webp);base64,/, 'http(s) or data:image URL'), alt: z.string().max(200).optional(), width: z.number().int().positive().optional(), height: z.number().int().positive().optional() }) }),
  z.object({ type: z.literal('file'), body: z.object({ url: attachmentUrl(/^data:/, 'http(s) or data: URL'), name: z.string().min(1).max(255), size: z.number().int().nonnegative().optional(), mime: z.string().max(100).optional() }) }),
  z.object({ type: z.literal('card'), body: z.object({ title: z.string().min(1).max(200), description: z.string().max(1000).optional(), url: z.string().max(2000).optional(), image: z.string().max(2000).optional(), actions: z.array(z.object({ label: z.string().max(50), value: z.string().max(200) })).max(5).optional() }) }),
  z.object({ type: z.literal('audio'), body: z.object({ url: z.string().max(2000).regex(/^https?:\/\//) }) }),
  z.object({ type: z.literal('video'), body: z.object({ url: z.string().max(2000).regex(/^https?:\/\//) }) }),
]);
const ClientMessageId = z.string().regex(/^[A-Za-z0-9:_-]{8,64}$/, '8–64 of A-Z a-z 0-9 : _ -').nullish();

/**
 * Loads a conversation the caller may see: workspace-scoped, a visitor sees only their own, a
 * supervisor only their departments' (outside it is NOT_FOUND, like another workspace's).
 */
export async function conversationFor(ctx: HubGraphQLContext, id: string): Promise<Conversation> {
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) throw notFound('Conversation', id);
  const c = await ctx.em.findOne(Conversation, { id: parsed.data });
  if (!c) throw notFound('Conversation', id);
  if (ctx.principal.kind === 'visitor' && (c.customerId !== ctx.principal.customerId || c.channelId !== ctx.principal.channelId)) throw notFound('Conversation', id);
  if (!(await departmentScopeOf(ctx)).seesConversation(c)) throw notFound('Conversation', id);
  return c;
}

export function lifecycleOf(ctx: HubGraphQLContext) {
  if (!ctx.hub.lifecycle) throw new HubError('UNAVAILABLE', 'the conversation engine (Temporal) is not configured on this node');
  return ctx.hub.lifecycle;
}

/** Workflow refusal types with a code of their own; any other refusal is INVALID_STATE. */
const REFUSAL_CODES: Record<string, ErrorCode> = {
  [REFUSAL.forbidden]: 'FORBIDDEN',
  [REFUSAL.agentUnavailable]: 'AGENT_UNAVAILABLE',
  [REFUSAL.noFreeSlot]: 'NO_FREE_SLOT',
};

/** Maps lifecycle and hot-path refusals to typed API errors (nothing was written when one comes back). */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof LifecycleRefusedError) throw new HubError(REFUSAL_CODES[err.type] ?? 'INVALID_STATE', err.message);
    if (err instanceof ConversationClosedError) throw new HubError('INVALID_STATE', err.message);
    throw err;
  }
}

const visibleToVisitor = (m: MessageView) => !(m.type === 'system' && (m.body as { internal?: boolean }).internal === true);

function redactRecalled(m: MessageView): MessageView {
  return m.recalledAt ? { ...m, body: {} } : m;
}

export function registerConversation(builder: HubBuilder, refs: Refs) {
  const TrailInput = builder.inputType('TrailEntryInput', { fields: (t) => ({ url: t.string(), title: t.string({ required: false }), at: t.string() }) });

  refs.Message.implement({
    description: 'One message. `seq` orders messages within their conversation.',
    fields: (t) => ({
      id: t.exposeID('id'),
      conversationId: t.exposeID('conversationId'),
      seq: t.exposeInt('seq'),
      clientMessageId: t.exposeString('clientMessageId', { nullable: true }),
      senderType: t.exposeString('senderType'),
      senderId: t.exposeID('senderId', { nullable: true }),
      type: t.exposeString('type'),
      body: t.field({ type: 'JSON', resolve: (m) => m.body }),
      createdAt: t.exposeString('createdAt'),
      recalledAt: t.exposeString('recalledAt', { nullable: true }),
    }),
  });

  refs.Customer.implement({
    description: 'A customer, across channels.',
    authScopes: { $any: { role: 'agent', apiScope: 'customers:read', $any: { role: 'supervisor' } } },
    fields: (t) => ({
      id: t.exposeID('id'),
      displayName: t.exposeString('displayName'),
      email: t.exposeString('email', { nullable: true }),
      phone: t.exposeString('phone', { nullable: true }),
      tags: t.exposeStringList('tags'),
      attributes: t.expose('attributes', { type: 'JSON' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      conversations: t.field({
        type: [refs.Conversation],
        description: 'History conversations of this customer, newest first.',
        args: { limit: t.arg.int({ required: false }) },
        resolve: async (c, args, ctx) => ctx.em.find(Conversation, { $and: [{ customerId: c.id }, (await departmentScopeOf(ctx)).conversations()] }, { orderBy: { createdAt: 'desc' }, limit: Math.min(args.limit ?? 20, 100) }),
      }),
    }),
  });

  refs.Conversation.implement({
    description: 'A conversation and where it is in its lifecycle.',
    fields: (t) => ({
      id: t.exposeID('id'),
      status: t.exposeString('status'),
      channelId: t.exposeID('channelId'),
      channel: t.field({ type: refs.Channel, nullable: true, authScopes: can.conversationsRead, resolve: (c, _a, ctx) => ctx.em.findOne(Channel, { id: c.channelId }) }),
      customerId: t.exposeID('customerId'),
      customer: t.field({ type: refs.Customer, nullable: true, resolve: (c, _a, ctx) => ctx.em.findOne(Customer, { id: c.customerId }) }),
      assigneeId: t.exposeID('assigneeId', { nullable: true }),
      assignee: t.field({ type: refs.User, nullable: true, authScopes: can.conversationsRead, resolve: (c, _a, ctx) => (c.assigneeId ? ctx.loaders.user.load(c.assigneeId) : null) }),
      assigneeName: t.string({ nullable: true, description: 'Display name of the agent (safe to show to the customer).', resolve: async (c, _a, ctx) => (c.assigneeId ? (await ctx.loaders.user.load(c.assigneeId))?.name ?? null : null) }),
      skillGroupId: t.exposeID('skillGroupId', { nullable: true }),
      currentNodeId: t.exposeString('currentNodeId', { nullable: true }),
      flowVersionId: t.exposeID('flowVersionId', { nullable: true }),
      transferRule: t.exposeString('transferRule', { nullable: true }),
      trail: t.field({ type: 'JSON', resolve: (c) => c.trail }),
      lastSeq: t.exposeInt('lastSeq'),
      customerReadSeq: t.exposeInt('customerReadSeq'),
      agentReadSeq: t.exposeInt('agentReadSeq'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      queuedAt: t.expose('queuedAt', { type: 'DateTime', nullable: true }),
      assignedAt: t.expose('assignedAt', { type: 'DateTime', nullable: true }),
      firstResponseAt: t.expose('firstResponseAt', { type: 'DateTime', nullable: true }),
      closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
      closeReason: t.exposeString('closeReason', { nullable: true }),
      messages: t.field({
        type: [refs.Message],
        description: 'Messages after a cursor (seq), in order.',
        args: { afterSeq: t.arg.int({ required: false }), limit: t.arg.int({ required: false }) },
        resolve: async (c, args, ctx) => {
          const rows = await ctx.hub.conversations.messagesAfter(c.workspaceId, c.id, Math.max(args.afterSeq ?? 0, 0), Math.min(Math.max(args.limit ?? 200, 1), 500));
          return (ctx.principal.kind === 'visitor' ? rows.filter(visibleToVisitor) : rows).map(redactRecalled);
        },
      }),
      survey: t.field({ type: refs.SurveyResponse, nullable: true, resolve: (c, _a, ctx) => ctx.em.findOne(SurveyResponse, { conversationId: c.id }) }),
    }),
  });

  refs.SurveyResponse.implement({
    fields: (t) => ({
      stars: t.exposeInt('stars'),
      comment: t.exposeString('comment', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  refs.ConversationEvent.implement({
    description: 'A live event of one conversation (message, status, typing, read, queue position).',
    fields: (t) => ({
      kind: t.exposeString('kind'),
      conversationId: t.exposeID('conversationId'),
      seq: t.int({ nullable: true, resolve: (e) => ('seq' in e ? e.seq : null) }),
      message: t.field({ type: refs.Message, nullable: true, resolve: (e) => (e.kind === 'message' ? redactRecalled(e.message) : null) }),
      messageId: t.id({ nullable: true, resolve: (e) => (e.kind === 'recalled' ? e.messageId : e.kind === 'message' ? e.message.id : null) }),
      status: t.string({ nullable: true, resolve: (e) => (e.kind === 'status' ? e.status : null) }),
      assigneeId: t.id({ nullable: true, resolve: (e) => (e.kind === 'status' ? e.assigneeId : null) }),
      side: t.string({ nullable: true, resolve: (e) => (e.kind === 'typing' || e.kind === 'read' ? e.side : null) }),
      preview: t.string({ nullable: true, resolve: (e) => (e.kind === 'typing' ? e.preview ?? null : null) }),
      position: t.int({ nullable: true, resolve: (e) => (e.kind === 'queue_position' ? e.position : null) }),
      estimatedWaitSec: t.int({ nullable: true, resolve: (e) => (e.kind === 'queue_position' ? e.estimatedWaitSec : null) }),
    }),
  });

  // ------------------------------------------------------------------ queries

  builder.queryField('conversation', (t) =>
    t.field({
      type: refs.Conversation,
      authScopes: { $any: { role: 'agent', apiScope: 'conversations:read', visitor: true, $any: { role: 'supervisor' } } },
      args: { id: t.arg.id() },
      resolve: (_r, { id }, ctx) => conversationFor(ctx, String(id)),
    }),
  );

  builder.queryField('conversations', (t) =>
    t.field({
      type: [refs.Conversation],
      description: "Conversations of the workspace (a supervisor's: of their departments), newest first, filtered by status and assignee.",
      authScopes: can.conversationsRead,
      args: { status: t.arg.stringList({ required: false }), assigneeId: t.arg.id({ required: false }), mine: t.arg.boolean({ required: false }), limit: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const where: Record<string, unknown> = {};
        if (args.status?.length) where.status = { $in: args.status };
        if (args.mine) {
          if (ctx.principal.kind !== 'user') throw forbidden('only a signed-in agent has "mine"');
          where.assigneeId = ctx.principal.userId;
        } else if (args.assigneeId) where.assigneeId = String(args.assigneeId);
        return ctx.em.find(Conversation, { $and: [where, (await departmentScopeOf(ctx)).conversations()] }, { orderBy: { createdAt: 'desc' }, limit: Math.min(Math.max(args.limit ?? 50, 1), 500) });
      },
    }),
  );

  builder.queryField('visitorConversation', (t) =>
    t.field({
      type: refs.Conversation,
      nullable: true,
      description: "The visitor's conversation that has not ended, if any (the widget resumes it).",
      authScopes: can.visitor,
      resolve: (_r, _a, ctx) => {
        if (ctx.principal.kind !== 'visitor') throw unauthenticated();
        return ctx.em.findOne(Conversation, { customerId: ctx.principal.customerId, channelId: ctx.principal.channelId, status: { $ne: 'ended' } }, { orderBy: { createdAt: 'desc' } });
      },
    }),
  );

  // ------------------------------------------------------------------ visitor side

  builder.mutationField('startConversation', (t) =>
    t.field({
      type: refs.Conversation,
      description: "Starts the visitor's conversation (or returns the one still open) with the pages seen before it.",
      authScopes: can.visitor,
      args: { trail: t.arg({ type: [TrailInput], required: false }) },
      resolve: async (_r, args, ctx) => {
        if (ctx.principal.kind !== 'visitor') throw unauthenticated();
        const trail = parseInput(z.array(z.object({ url: z.string().max(2000), title: z.string().max(300).nullish(), at: z.string().max(40) })).max(50).nullish(), args.trail) ?? [];
        const p = ctx.principal;
        const open = await ctx.em.findOne(Conversation, { customerId: p.customerId, channelId: p.channelId, status: { $ne: 'ended' } }, { orderBy: { createdAt: 'desc' } });
        if (open) {
          // No workflow has touched it yet: its start may have been lost (crash right after the commit).
          if (!open.currentNodeId) await lifecycleOf(ctx).ensureStarted(open);
          return open;
        }
        return lifecycleOf(ctx).start({
          workspaceId: p.workspaceId, channelId: p.channelId, customerId: p.customerId,
          trail: trail.map((e) => ({ url: e.url, title: e.title ?? undefined, at: e.at })),
        });
      },
    }),
  );

  builder.mutationField('sendMessage', (t) =>
    t.field({
      type: refs.Message,
      description: 'Sends a message as the visitor, or as the assigned agent. The same clientMessageId twice is one message.',
      authScopes: { $any: { visitor: true, role: 'agent', apiScope: 'conversations:write' } },
      args: { conversationId: t.arg.id(), type: t.arg.string(), body: t.arg({ type: 'JSON' }), clientMessageId: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const msg = parseInput(MessageInput, { type: args.type, body: args.body });
        const clientMessageId = parseInput(ClientMessageId, args.clientMessageId);
        const c = await conversationFor(ctx, String(args.conversationId));
        const p = ctx.principal;
        let senderType: 'customer' | 'agent';
        let senderId: string | null;
        if (p.kind === 'visitor') {
          senderType = 'customer';
          senderId = p.customerId;
        } else if (p.kind === 'user') {
          if (c.assigneeId !== p.userId || c.status !== 'assigned') throw forbidden('only the assigned agent can reply in this conversation');
          senderType = 'agent';
          senderId = p.userId;
        } else {
          if (c.status !== 'assigned') throw new HubError('INVALID_STATE', 'the conversation has no agent');
          senderType = 'agent';
          senderId = c.assigneeId ?? null;
        }
        const { message } = await guarded(() => ctx.hub.conversations.post({
          workspaceId: c.workspaceId, conversationId: c.id, senderType, senderId, type: msg.type, body: msg.body, clientMessageId,
        }));
        return message;
      },
    }),
  );

  builder.mutationField('sendTyping', (t) =>
    t.boolean({
      description: 'Typing indicator; a visitor may send a preview of what they type (预读), shown to the agent only.',
      authScopes: { $any: { visitor: true, role: 'agent' } },
      args: { conversationId: t.arg.id(), preview: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const c = await conversationFor(ctx, String(args.conversationId));
        const side = ctx.principal.kind === 'visitor' ? 'customer' : 'agent';
        const preview = side === 'customer' && args.preview ? args.preview.slice(0, 500) : null;
        ctx.hub.conversations.publish({ kind: 'typing', conversationId: c.id, side, preview });
        return true;
      },
    }),
  );

  builder.mutationField('markRead', (t) =>
    t.field({
      type: refs.Conversation,
      description: 'Read receipt: everything up to `seq` has been read by the caller’s side.',
      authScopes: { $any: { visitor: true, role: 'agent' } },
      args: { conversationId: t.arg.id(), seq: t.arg.int() },
      resolve: async (_r, args, ctx) => {
        const c = await conversationFor(ctx, String(args.conversationId));
        const seq = parseInput(z.number().int().min(0), args.seq);
        const side = ctx.principal.kind === 'visitor' ? 'customer' : 'agent';
        const column = side === 'customer' ? 'customer_read_seq' : 'agent_read_seq';
        // Monotonic: a late receipt never moves the mark back; capped at the last message.
        await ctx.em.getConnection().execute(`update conversation set ${column} = greatest(${column}, least(?, last_seq)) where id = ? and workspace_id = ?`, [seq, c.id, c.workspaceId]);
        ctx.em.clear();
        const fresh = await conversationFor(ctx, c.id);
        ctx.hub.conversations.publish({ kind: 'read', conversationId: c.id, side, seq: side === 'customer' ? fresh.customerReadSeq : fresh.agentReadSeq });
        return fresh;
      },
    }),
  );

  builder.mutationField('recallMessage', (t) =>
    t.field({
      type: refs.Message,
      description: 'Recalls (撤回) one of your own messages within 2 minutes.',
      authScopes: { $any: { visitor: true, role: 'agent' } },
      args: { messageId: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const id = String(args.messageId);
        const m = z.uuid().safeParse(id).success ? await ctx.em.findOne(Message, { id }) : null;
        if (!m) throw notFound('Message', id);
        await conversationFor(ctx, m.conversationId);
        const p = ctx.principal;
        const mine = (p.kind === 'visitor' && m.senderType === 'customer' && m.senderId === p.customerId) || (p.kind === 'user' && m.senderType === 'agent' && m.senderId === p.userId);
        if (!mine) throw forbidden('you can only recall your own messages');
        if (Date.now() - m.createdAt.getTime() > RECALL_WINDOW_MS) throw new HubError('INVALID_STATE', 'messages can be recalled within 2 minutes');
        if (!m.recalledAt) {
          m.recalledAt = new Date();
          await ctx.em.flush();
          ctx.hub.conversations.publish({ kind: 'recalled', conversationId: m.conversationId, seq: m.seq, messageId: m.id });
        }
        return redactRecalled(toView(m));
      },
    }),
  );

  builder.mutationField('closeConversation', (t) =>
    t.field({
      type: refs.Conversation,
      description: 'Closes the conversation (the assigned agent, a supervisor, or the visitor); the survey follows if the flow has one.',
      authScopes: { $any: { visitor: true, role: 'agent', apiScope: 'conversations:write', $any: { role: 'supervisor' } } },
      args: { conversationId: t.arg.id(), reason: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const c = await conversationFor(ctx, String(args.conversationId));
        const p = ctx.principal;
        const by = p.kind === 'visitor' ? 'customer' : p.kind === 'user' ? (p.roles.includes('supervisor') || p.roles.includes('admin') ? (c.assigneeId === p.userId ? 'agent' : 'supervisor') : 'agent') : 'system';
        const actorId = p.kind === 'visitor' ? p.customerId : p.kind === 'user' ? p.userId : null;
        const reason = parseInput(z.string().max(32).nullish(), args.reason) ?? (by === 'customer' ? 'customer_left' : 'resolved');
        await guarded(() => lifecycleOf(ctx).close(c.id, { by, actorId, reason }));
        ctx.em.clear();
        return conversationFor(ctx, c.id);
      },
    }),
  );

  // transferConversation, answerTransfer, cancelTransfer and reassignConversation live in ./transfer.ts.

  builder.mutationField('rateConversation', (t) =>
    t.field({
      type: refs.Conversation,
      description: 'The visitor rates the closed conversation (1–5 stars, optional comment).',
      authScopes: can.visitor,
      args: { conversationId: t.arg.id(), stars: t.arg.int(), comment: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(z.object({ stars: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).nullish() }), { stars: args.stars, comment: args.comment });
        const c = await conversationFor(ctx, String(args.conversationId));
        await guarded(() => lifecycleOf(ctx).rate(c.id, { stars: input.stars, comment: input.comment ?? null }));
        ctx.em.clear();
        return conversationFor(ctx, c.id);
      },
    }),
  );

  builder.mutationField('leaveOfflineMessage', (t) =>
    t.field({
      type: refs.OfflineMessage,
      description: 'The visitor leaves a message (留言) when no agent can take the chat; it goes to the pool.',
      authScopes: can.visitor,
      args: { conversationId: t.arg.id(), content: t.arg.string(), name: t.arg.string({ required: false }), email: t.arg.string({ required: false }), phone: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(z.object({
          content: z.string().trim().min(1).max(5000),
          name: z.string().trim().max(120).nullish(), email: z.email().max(254).nullish().or(z.literal('')), phone: z.string().trim().max(40).nullish(),
        }), args);
        const c = await conversationFor(ctx, String(args.conversationId));
        if (c.status !== 'offline') throw new HubError('INVALID_STATE', 'the conversation is not taking offline messages');
        const existing = await ctx.em.findOne(OfflineMessage, { conversationId: c.id });
        if (existing) {
          // A retry: the first call may have stored the message but failed to tell the workflow.
          await lifecycleOf(ctx).offlineSubmitted(c.id, existing.id);
          return existing;
        }
        const om = await ctx.hub.transact(ctx.em, async (tx) => {
          const o = tx.create(OfflineMessage, {
            workspaceId: c.workspaceId, conversationId: c.id, customerId: c.customerId, channelId: c.channelId,
            reason: c.currentNodeId ?? 'offline', content: input.content, status: 'open',
            contact: { ...(input.name ? { name: input.name } : {}), ...(input.email ? { email: input.email } : {}), ...(input.phone ? { phone: input.phone } : {}) },
          });
          recordEvent(tx, c.workspaceId, 'offline_message.created', { offlineMessageId: o.id, conversationId: c.id, customerId: c.customerId });
          return o;
        });
        await ctx.hub.conversations.post({ workspaceId: c.workspaceId, conversationId: c.id, senderType: 'customer', senderId: c.customerId, type: 'text', body: { text: input.content, offline: true }, clientMessageId: `offline:${om.id}` }).catch(() => undefined);
        await lifecycleOf(ctx).offlineSubmitted(c.id, om.id);
        return om;
      },
    }),
  );

  // ------------------------------------------------------------------ live events

  builder.subscriptionField('conversationEvents', (t) =>
    t.field({
      type: refs.ConversationEvent,
      description: 'Live events of one conversation. With `afterSeq`, missed messages are replayed first (resume from a cursor); messages arrive in seq order without duplicates.',
      authScopes: { $any: { visitor: true, role: 'agent', apiScope: 'conversations:read', $any: { role: 'supervisor' } } },
      args: { conversationId: t.arg.id(), afterSeq: t.arg.int({ required: false }) },
      subscribe: async (_r, args, ctx) => {
        const c = await conversationFor(ctx, String(args.conversationId));
        const visitor = ctx.principal.kind === 'visitor';
        const live = ctx.hub.pubsub.subscribe(convTopics.conversation(c.id)) as AsyncIterable<ConversationEvent>;
        const liveIt = live[Symbol.asyncIterator]();
        // Start listening before reading the backlog so nothing falls between the two.
        const first = liveIt.next();
        const backlog = args.afterSeq != null ? await ctx.hub.conversations.messagesAfter(c.workspaceId, c.id, Math.max(args.afterSeq, 0), 500) : [];
        return (async function* () {
          let lastSeq = args.afterSeq ?? 0;
          try {
            for (const m of backlog) {
              lastSeq = m.seq;
              if (!visitor || visibleToVisitor(m)) yield { kind: 'message' as const, conversationId: c.id, seq: m.seq, message: m };
            }
            let next = await first;
            while (!next.done) {
              const e = next.value;
              if (e.kind === 'message') {
                if (args.afterSeq != null && e.seq > lastSeq + 1) {
                  // Two posts can reach the bus out of order (each publishes after its own commit); the
                  // ones before this seq are committed already, so fill the gap from the database instead
                  // of skipping them for good.
                  for (const m of await ctx.hub.conversations.messagesAfter(c.workspaceId, c.id, lastSeq, Math.min(e.seq - lastSeq - 1, 500))) {
                    if (m.seq >= e.seq) break;
                    lastSeq = m.seq;
                    if (!visitor || visibleToVisitor(m)) yield { kind: 'message' as const, conversationId: c.id, seq: m.seq, message: m };
                  }
                }
                if (e.seq > lastSeq || args.afterSeq == null) {
                  lastSeq = Math.max(lastSeq, e.seq);
                  if (!visitor || visibleToVisitor(e.message)) yield e;
                }
              } else if (!(visitor && e.kind === 'typing' && e.side === 'customer')) {
                yield e;
              }
              next = await liveIt.next();
            }
          } finally {
            await liveIt.return?.();
          }
        })();
      },
      resolve: (e) => e,
    }),
  );

  builder.subscriptionField('agentInbox', (t) =>
    t.field({
      type: builder.objectRef<{ kind: string; conversationId: string; note?: string | null; fromAgentId?: string | null; transferId?: string | null }>('InboxEvent').implement({
        fields: (f) => ({
          kind: f.exposeString('kind'),
          conversationId: f.exposeID('conversationId'),
          note: f.string({ nullable: true, description: "The transfer's note, or the reason a transfer offer ended.", resolve: (e) => e.note ?? null }),
          fromAgentId: f.id({ nullable: true, resolve: (e) => e.fromAgentId ?? null }),
          transferId: f.id({ nullable: true, description: 'The transfer (offer) the event is about.', resolve: (e) => e.transferId ?? null }),
        }),
      }),
      description: "The signed-in agent's inbox: assignments and transfers to them, and queue changes of the workspace (a supervisor's: of their departments).",
      authScopes: { $any: { role: 'agent', $any: { role: 'supervisor' } } },
      subscribe: async (_r, _a, ctx) => {
        if (ctx.principal.kind !== 'user') throw unauthenticated();
        const scope = await departmentScopeOf(ctx);
        const mine = ctx.hub.pubsub.subscribe(convTopics.inbox(ctx.principal.userId)) as AsyncIterable<any>;
        const queue = ctx.hub.pubsub.subscribe(convTopics.queue(workspaceOf(ctx))) as AsyncIterable<any>;
        return merge(mine, scope.limited ? visibleOnly(ctx, queue) : queue);
      },
      resolve: (e) => e,
    }),
  );
}

/** Queue events of conversations the (department-scoped) caller may see; the row is read fresh per event. */
async function* visibleOnly(ctx: HubGraphQLContext, events: AsyncIterable<{ conversationId: string }>): AsyncGenerator<{ conversationId: string }> {
  const scope = await departmentScopeOf(ctx);
  for await (const e of events) {
    const c = await ctx.em.fork().findOne(Conversation, { id: e.conversationId });
    if (c && scope.seesConversation(c)) yield e;
  }
}

/** Merges async iterables; ends when all end, and closes all when the consumer stops. */
async function* merge<T>(...sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number) => pending.set(i, its[i]!.next().then((r) => ({ i, r })));
  its.forEach((_, i) => pull(i));
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) { pending.delete(i); continue; }
      pull(i);
      yield r.value;
    }
  } finally {
    await Promise.all(its.map(async (it) => { await it.return?.(); }));
  }
}
