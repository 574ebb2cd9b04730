import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns, updatedAt } from './columns.ts';

export const ChannelSchema = defineEntity({
  name: 'Channel',
  tableName: 'channel',
  properties: {
    ...tenantColumns(),
    /** The channel plugin that serves it, e.g. `web-widget`, `wechat-oa`. */
    kind: p.string().length(64),
    name: p.string().length(120),
    /** Public, non-secret id used in embed snippets and inbound webhook URLs. */
    publicKey: p.string().length(40).unique(),
    config: p.json<Record<string, unknown>>(),
    enabled: p.boolean().default(true),
    updatedAt: updatedAt(),
  },
});
export class Channel extends ChannelSchema.class {}
ChannelSchema.setClass(Channel);

/**
 * Where a conversation is in its lifecycle. `self_service`/`bot`: automated; `queued`: waiting for an
 * agent; `assigned`: with an agent; `survey`: closed, waiting for the rating; `offline`: collecting an
 * offline message (留言); `ended`: finished.
 */
export const CONVERSATION_STATUSES = ['self_service', 'bot', 'queued', 'assigned', 'survey', 'offline', 'ended'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const ConversationSchema = defineEntity({
  name: 'Conversation',
  tableName: 'conversation',
  indexes: [{ properties: ['workspaceId', 'status'] }, { properties: ['status', 'queuedAt'] }],
  properties: {
    ...tenantColumns(),
    channelId: p.string().length(36),
    customerId: p.string().length(36).index(),
    status: p.enum(CONVERSATION_STATUSES).default('bot'),
    skillGroupId: p.string().length(36).nullable(),
    assigneeId: p.string().length(36).nullable(),
    flowVersionId: p.string().length(36).nullable(),
    /** Last message sequence number handed out; messages are ordered by it. */
    lastSeq: p.integer().default(0),
    /** Read receipts: highest seq each side has read. */
    customerReadSeq: p.integer().default(0),
    agentReadSeq: p.integer().default(0),
    /** The flow node the workflow is executing (its config drives the bot/rules in the message path). */
    currentNodeId: p.string().length(64).nullable(),
    /** The transfer-to-human rule that fired (keyword, unmatched, vip, …), if any. */
    transferRule: p.string().length(64).nullable(),
    /** Pages the visitor saw before the chat (F3 visitor trail). */
    trail: p.json<{ url: string; title?: string; at: string }[]>(),
    queuedAt: p.datetime(3).nullable(),
    /** First time it joined a queue (never moved): a chat sent back by its agent's status keeps this place. */
    firstQueuedAt: p.datetime(3).nullable(),
    assignedAt: p.datetime(3).nullable(),
    firstResponseAt: p.datetime(3).nullable(),
    closedAt: p.datetime(3).nullable(),
    closeReason: p.string().length(32).nullable(),
    lastCustomerMessageAt: p.datetime(3).nullable(),
    lastAgentMessageAt: p.datetime(3).nullable(),
    updatedAt: updatedAt(),
  },
});
export class Conversation extends ConversationSchema.class {}
ConversationSchema.setClass(Conversation);

export const MESSAGE_TYPES = ['text', 'rich_text', 'image', 'file', 'card', 'audio', 'video', 'system'] as const;
export const SENDER_TYPES = ['customer', 'agent', 'bot', 'system'] as const;

export const MessageSchema = defineEntity({
  name: 'Message',
  tableName: 'message',
  uniques: [
    { properties: ['conversationId', 'seq'] },
    { properties: ['conversationId', 'clientMessageId'] },
  ],
  properties: {
    ...tenantColumns(),
    conversationId: p.string().length(36),
    seq: p.integer(),
    clientMessageId: p.string().length(128).nullable(),
    senderType: p.enum(SENDER_TYPES),
    senderId: p.string().length(36).nullable(),
    type: p.enum(MESSAGE_TYPES),
    body: p.json<Record<string, unknown>>(),
    recalledAt: p.datetime().nullable(),
  },
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);

/** Agent canned replies (常用语); `template` is handlebars with customer/agent/conversation variables. */
export const CannedReplySchema = defineEntity({
  name: 'CannedReply',
  tableName: 'canned_reply',
  properties: {
    ...tenantColumns(),
    title: p.string().length(120),
    shortcut: p.string().length(32).nullable(),
    template: p.text(),
    updatedAt: updatedAt(),
  },
});
export class CannedReply extends CannedReplySchema.class {}
CannedReplySchema.setClass(CannedReply);

export const SurveyResponseSchema = defineEntity({
  name: 'SurveyResponse',
  tableName: 'survey_response',
  properties: {
    ...tenantColumns(),
    conversationId: p.string().length(36).unique(),
    agentId: p.string().length(36).nullable(),
    stars: p.integer(),
    comment: p.string().length(2000).nullable(),
  },
});
export class SurveyResponse extends SurveyResponseSchema.class {}
SurveyResponseSchema.setClass(SurveyResponse);

export const OFFLINE_MESSAGE_STATUSES = ['open', 'assigned', 'replied'] as const;

/** A message left out of hours or when no agent could take the chat (留言); agents answer it later. */
export const OfflineMessageSchema = defineEntity({
  name: 'OfflineMessage',
  tableName: 'offline_message',
  indexes: [{ properties: ['workspaceId', 'status'] }],
  properties: {
    ...tenantColumns(),
    conversationId: p.string().length(36).unique(),
    customerId: p.string().length(36),
    channelId: p.string().length(36),
    reason: p.string().length(32),
    content: p.text(),
    contact: p.json<{ name?: string; email?: string; phone?: string }>(),
    status: p.enum(OFFLINE_MESSAGE_STATUSES).default('open'),
    assigneeId: p.string().length(36).nullable(),
    reply: p.text().nullable(),
    repliedAt: p.datetime(3).nullable(),
    updatedAt: updatedAt(),
  },
});
export class OfflineMessage extends OfflineMessageSchema.class {}
OfflineMessageSchema.setClass(OfflineMessage);

// The knowledge base (KnowledgeEntry and friends) lives in ./knowledge.ts.
