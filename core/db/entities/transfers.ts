import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns, updatedAt } from './columns.ts';

/**
 * `agent`: an offer to a colleague, who accepts or declines; `group`: back to a skill group's queue
 * (no accept step); `reassign`: a supervisor (or the system, when an agent goes offline or stays away)
 * moves the chat, no accept step.
 */
export const TRANSFER_KINDS = ['agent', 'group', 'reassign'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** `pending` only for agent offers; `completed` for the kinds without an accept step. */
export const TRANSFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'cancelled', 'completed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** One hand-over of a conversation (or an offer of one): the transfer history that follows the chat. */
export const ConversationTransferSchema = defineEntity({
  name: 'ConversationTransfer',
  tableName: 'conversation_transfer',
  indexes: [
    { properties: ['workspaceId', 'conversationId'] },
    { properties: ['workspaceId', 'toAgentId', 'status'] },
  ],
  properties: {
    ...tenantColumns(),
    conversationId: p.string().length(36),
    kind: p.enum(TRANSFER_KINDS),
    status: p.enum(TRANSFER_STATUSES),
    /** The agent who held the chat (null when a supervisor pulled it out of a queue). */
    fromAgentId: p.string().length(36).nullable(),
    toAgentId: p.string().length(36).nullable(),
    /** Target queue of group transfers and requeues (null with toAgentId null: the default queue). */
    toSkillGroupId: p.string().length(36).nullable(),
    note: p.string().length(1000).nullable(),
    /** Who started it: the sending agent, the supervisor, or null for the system. */
    requestedById: p.string().length(36).nullable(),
    /** Who ended a pending offer (receiver, sender, supervisor), null for the system or an expiry. */
    decidedById: p.string().length(36).nullable(),
    /** Why it was declined / cancelled / requeued (agent_offline, agent_away, …). */
    reason: p.string().length(200).nullable(),
    expiresAt: p.datetime(3).nullable(),
    decidedAt: p.datetime(3).nullable(),
    updatedAt: updatedAt(),
  },
});
export class ConversationTransfer extends ConversationTransferSchema.class {}
ConversationTransferSchema.setClass(ConversationTransfer);
