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

export const CONVERSATION_STATUSES = ['bot', 'queued', 'assigned', 'closed', 'offline'] as const;

export const ConversationSchema = defineEntity({
  name: 'Conversation',
  tableName: 'conversation',
  indexes: [{ properties: ['workspaceId', 'status'] }],
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
    closedAt: p.datetime().nullable(),
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
    clientMessageId: p.string().length(64).nullable(),
    senderType: p.enum(SENDER_TYPES),
    senderId: p.string().length(36).nullable(),
    type: p.enum(MESSAGE_TYPES),
    body: p.json<Record<string, unknown>>(),
    recalledAt: p.datetime().nullable(),
  },
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
