import { z } from 'zod';
import { ConversationTransfer, TRANSFER_KINDS, TRANSFER_STATUSES, Workspace } from '../../db/entities/index.ts';
import { recordAudit } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf, type HubGraphQLContext } from '../context.ts';
import { HubError, badInput, forbidden, notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { conversationFor, guarded, lifecycleOf } from './conversation.ts';

const Note = z.string().trim().max(1000).nullish();
const Reason = z.string().trim().max(500).nullish();

function me(ctx: HubGraphQLContext): { userId: string; roles: readonly string[] } {
  if (ctx.principal.kind !== 'user') throw unauthenticated();
  return ctx.principal;
}

const isSupervisor = (roles: readonly string[]) => roles.includes('supervisor') || roles.includes('admin');

/** A transfer in the caller's workspace whose conversation they may see; NOT_FOUND otherwise. */
async function transferFor(ctx: HubGraphQLContext, id: string): Promise<ConversationTransfer> {
  const t = z.uuid().safeParse(id).success ? await ctx.em.findOne(ConversationTransfer, { id }) : null;
  if (!t) throw notFound('ConversationTransfer', id);
  await conversationFor(ctx, t.conversationId);
  return t;
}

async function fresh(ctx: HubGraphQLContext, id: string): Promise<ConversationTransfer> {
  ctx.em.clear();
  return ctx.em.findOneOrFail(ConversationTransfer, { id });
}

async function targetsOf(ctx: HubGraphQLContext, args: { toAgentId?: string | number | null; toSkillGroupId?: string | number | null }) {
  const toAgentId = args.toAgentId ? String(args.toAgentId) : null;
  const toSkillGroupId = args.toSkillGroupId ? String(args.toSkillGroupId) : null;
  if (!toAgentId === !toSkillGroupId) throw badInput('give exactly one of toAgentId or toSkillGroupId');
  if (toAgentId && !(z.uuid().safeParse(toAgentId).success && (await ctx.loaders.user.load(toAgentId)))) throw notFound('User', toAgentId);
  if (toSkillGroupId && !(z.uuid().safeParse(toSkillGroupId).success && (await ctx.loaders.skillGroup.load(toSkillGroupId)))) throw notFound('SkillGroup', toSkillGroupId);
  return { toAgentId, toSkillGroupId };
}

/**
 * Transfers between agents and groups with accept/decline (the workflow holds the offer and its
 * expiry timer), the transfer history of a conversation, a supervisor's reassign, and the workspace's
 * away grace. See core/conversations/agent-status.ts for what agent statuses do to held chats.
 */
export function registerTransfer(builder: HubBuilder, refs: Refs) {
  const Kind = builder.enumType('TransferKind', { values: TRANSFER_KINDS });
  const Status = builder.enumType('TransferStatus', { values: TRANSFER_STATUSES });
  const TransferRef = builder.objectRef<ConversationTransfer>('ConversationTransfer').implement({
    description: 'One hand-over of a conversation, or an offer of one (kind agent, pending until the receiver answers). Notes are for agents only.',
    authScopes: can.conversationsRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      conversationId: t.exposeID('conversationId'),
      conversation: t.field({ type: refs.Conversation, nullable: true, resolve: (x, _a, ctx) => conversationFor(ctx, x.conversationId).catch(() => null) }),
      kind: t.field({ type: Kind, resolve: (x) => x.kind }),
      status: t.field({ type: Status, resolve: (x) => x.status }),
      fromAgentId: t.exposeID('fromAgentId', { nullable: true }),
      fromAgent: t.field({ type: refs.User, nullable: true, resolve: (x, _a, ctx) => (x.fromAgentId ? ctx.loaders.user.load(x.fromAgentId) : null) }),
      toAgentId: t.exposeID('toAgentId', { nullable: true }),
      toAgent: t.field({ type: refs.User, nullable: true, resolve: (x, _a, ctx) => (x.toAgentId ? ctx.loaders.user.load(x.toAgentId) : null) }),
      toSkillGroupId: t.exposeID('toSkillGroupId', { nullable: true }),
      toSkillGroup: t.field({ type: refs.SkillGroup, nullable: true, resolve: (x, _a, ctx) => (x.toSkillGroupId ? ctx.loaders.skillGroup.load(x.toSkillGroupId) : null) }),
      note: t.exposeString('note', { nullable: true }),
      requestedById: t.exposeID('requestedById', { nullable: true, description: 'The sending agent or the supervisor; null for the system (status changes).' }),
      decidedById: t.exposeID('decidedById', { nullable: true }),
      reason: t.exposeString('reason', { nullable: true, description: 'Why it was declined or cancelled, or why the system requeued (agent_offline, agent_away).' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
      decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
    }),
  });

  builder.objectField(refs.Conversation, 'transfers', (t) =>
    t.field({
      type: [TransferRef],
      description: 'The transfer history of the conversation (offers included), oldest first.',
      authScopes: can.conversationsRead,
      resolve: (c, _a, ctx) => ctx.em.find(ConversationTransfer, { conversationId: c.id }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 200 }),
    }),
  );

  builder.objectField(refs.Workspace, 'awayRequeueAfterSec', (t) =>
    t.exposeInt('awayRequeueAfterSec', { description: 'An agent away for this long has their held chats put back in their queues.' }),
  );

  builder.queryField('transferOffers', (t) =>
    t.field({
      type: [TransferRef],
      description: 'Pending transfer offers to the signed-in agent (转给我的), oldest first.',
      authScopes: { role: 'agent' },
      resolve: (_r, _a, ctx) => ctx.em.find(ConversationTransfer, { toAgentId: me(ctx).userId, status: 'pending' }, { orderBy: { createdAt: 'asc' }, limit: 100 }),
    }),
  );

  builder.mutationField('transferConversation', (t) =>
    t.field({
      type: TransferRef,
      description: 'The assigned agent transfers the conversation with a note: to an online colleague as an offer (pending until they accept; the chat stays with you), or to a skill group (requeued at once).',
      authScopes: { role: 'agent' },
      args: { conversationId: t.arg.id(), toAgentId: t.arg.id({ required: false }), toSkillGroupId: t.arg.id({ required: false }), note: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const { userId } = me(ctx);
        const note = parseInput(Note, args.note) || null;
        const c = await conversationFor(ctx, String(args.conversationId));
        const targets = await targetsOf(ctx, args);
        const r = await guarded(() => lifecycleOf(ctx).transfer(c.id, { byAgentId: userId, ...targets, note }));
        if (r.transferId) return fresh(ctx, r.transferId);
        // A conversation whose workflow predates offers hands over directly and records no row.
        return Object.assign(new ConversationTransfer(), {
          id: c.id, workspaceId: c.workspaceId, conversationId: c.id, kind: targets.toAgentId ? 'agent' : 'group', status: 'completed',
          fromAgentId: userId, toAgentId: targets.toAgentId, toSkillGroupId: targets.toSkillGroupId, note, requestedById: userId,
          decidedById: null, reason: null, createdAt: new Date(), expiresAt: null, decidedAt: new Date(), updatedAt: new Date(),
        } satisfies Partial<ConversationTransfer>);
      },
    }),
  );

  builder.mutationField('answerTransfer', (t) =>
    t.field({
      type: TransferRef,
      description: 'The receiving agent accepts (takes one of their chat slots: NO_FREE_SLOT when they have none, and the offer stays pending) or declines (optional reason) a pending offer.',
      authScopes: { role: 'agent' },
      args: { transferId: t.arg.id(), accept: t.arg.boolean(), reason: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const { userId } = me(ctx);
        const reason = parseInput(Reason, args.reason) || null;
        const tr = await transferFor(ctx, String(args.transferId));
        if (tr.toAgentId !== userId) throw forbidden('only the agent the chat is offered to can answer the offer');
        if (tr.status !== 'pending') throw new HubError('INVALID_STATE', `this transfer offer is ${tr.status}`);
        await guarded(() => lifecycleOf(ctx).answerTransfer(tr.conversationId, { transferId: tr.id, agentId: userId, accept: args.accept, reason }));
        return fresh(ctx, tr.id);
      },
    }),
  );

  builder.mutationField('cancelTransfer', (t) =>
    t.field({
      type: TransferRef,
      description: 'The sending agent (or a supervisor) withdraws a pending transfer offer; the chat stays with the sender.',
      authScopes: { role: 'agent' },
      args: { transferId: t.arg.id(), reason: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const { userId, roles } = me(ctx);
        const reason = parseInput(Reason, args.reason) || null;
        const tr = await transferFor(ctx, String(args.transferId));
        const by = tr.fromAgentId === userId ? 'agent' : isSupervisor(roles) ? 'supervisor' : null;
        if (!by) throw forbidden('only the agent who made the offer, or a supervisor, can cancel it');
        if (tr.status !== 'pending') throw new HubError('INVALID_STATE', `this transfer offer is ${tr.status}`);
        await guarded(() => lifecycleOf(ctx).cancelTransfer(tr.conversationId, { transferId: tr.id, by, actorId: userId, reason }));
        return fresh(ctx, tr.id);
      },
    }),
  );

  builder.mutationField('reassignConversation', (t) =>
    t.field({
      type: TransferRef,
      description: "A supervisor moves a conversation to a named agent (no accept step; the agent must be online with a free slot) or a skill group's queue. A waiting conversation can be pulled from its queue to a named agent.",
      authScopes: { role: 'supervisor' },
      args: { conversationId: t.arg.id(), toAgentId: t.arg.id({ required: false }), toSkillGroupId: t.arg.id({ required: false }), note: t.arg.string({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const { userId } = me(ctx);
        const note = parseInput(Note, args.note) || null;
        const c = await conversationFor(ctx, String(args.conversationId));
        const targets = await targetsOf(ctx, args);
        const r = await guarded(() => lifecycleOf(ctx).reassign(c.id, { by: 'supervisor', actorId: userId, ...targets, note }));
        return fresh(ctx, r.transferId);
      },
    }),
  );

  builder.mutationField('updateAgentStatusPolicy', (t) =>
    t.field({
      type: refs.Workspace,
      description: 'Sets how long an agent may be away before their held chats go back to their queues (1 s to 1 day; default 300).',
      authScopes: can.adminWrite,
      args: { awayRequeueAfterSec: t.arg.int() },
      resolve: async (_r, args, ctx) => {
        const seconds = parseInput(z.number().int().min(1).max(86_400), args.awayRequeueAfterSec);
        const wsId = workspaceOf(ctx);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const ws = await tx.findOneOrFail(Workspace, { id: wsId });
          ws.awayRequeueAfterSec = seconds;
          recordAudit(tx, wsId, actorOf(ctx), 'workspace.agent_status_policy', { type: 'Workspace', id: wsId }, { awayRequeueAfterSec: seconds });
          return ws;
        });
      },
    }),
  );
}
