/** Pub/sub topics of the conversation hot path (delivered to every hub node through the broker). */
export const convTopics = {
  /** Everything a participant of one conversation sees: messages, status, typing, read, queue position. */
  conversation: (conversationId: string) => `conv:${conversationId}`,
  /** One agent's inbox: new assignments, transfers to them, messages in their conversations. */
  inbox: (userId: string) => `inbox:${userId}`,
  /** A workspace's queue changes, for supervisors and the "queued" tab. */
  queue: (workspaceId: string) => `queue:${workspaceId}`,
};

export type ConversationEvent =
  | { kind: 'message'; conversationId: string; seq: number; message: MessageView }
  | { kind: 'recalled'; conversationId: string; seq: number; messageId: string }
  | { kind: 'status'; conversationId: string; status: string; assigneeId: string | null; nodeType?: string }
  | { kind: 'typing'; conversationId: string; side: 'customer' | 'agent'; preview?: string | null }
  | { kind: 'read'; conversationId: string; side: 'customer' | 'agent'; seq: number }
  | { kind: 'queue_position'; conversationId: string; position: number; estimatedWaitSec: number | null };

/** A message as pushed to subscribers and returned by the API. */
export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  clientMessageId: string | null;
  senderType: 'customer' | 'agent' | 'bot' | 'system';
  senderId: string | null;
  type: string;
  body: Record<string, unknown>;
  createdAt: string;
  recalledAt: string | null;
}
