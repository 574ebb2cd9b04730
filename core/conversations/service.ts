import type { MikroORM } from '@mikro-orm/mysql';
import { Conversation, Message } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { newId } from '../db/ids.ts';
import { recordEvent } from '../events/outbox.ts';
import type { HubPubSub } from '../events/pubsub.ts';
import type { OutboxRelay } from '../events/outbox.ts';
import { convTopics, type ConversationEvent, type MessageView } from './topics.ts';

export interface PostMessageInput {
  workspaceId: string;
  conversationId: string;
  senderType: MessageView['senderType'];
  senderId: string | null;
  type: string;
  body: Record<string, unknown>;
  /** Client-chosen id: the same id twice is one message (retries, reconnects). */
  clientMessageId?: string | null;
  /** Deliver into an ended conversation (replies to offline messages). */
  allowEnded?: boolean;
}

export class ConversationClosedError extends Error {
  override name = 'ConversationClosedError';
}

export function toView(m: Message): MessageView {
  return {
    id: m.id, conversationId: m.conversationId, seq: m.seq, clientMessageId: m.clientMessageId ?? null,
    senderType: m.senderType, senderId: m.senderId ?? null, type: m.type, body: m.body,
    createdAt: m.createdAt.toISOString(), recalledAt: m.recalledAt ? m.recalledAt.toISOString() : null,
  };
}

/**
 * The message hot path: persist (one short transaction that takes the next per-conversation
 * sequence number under a row lock and suppresses duplicate client ids), then push to subscribers
 * on every node. Nothing here waits on Temporal.
 */
export class ConversationService {
  private readonly orm: MikroORM;
  private readonly pubsub: HubPubSub;
  private readonly outbox: OutboxRelay;

  private readonly customerListeners: ((workspaceId: string, message: MessageView, statusAtSend: string) => Promise<void>)[] = [];

  /** Registers work to run after each new customer message (bot answers, rules); never awaited by the sender. */
  onCustomerMessage(listener: (workspaceId: string, message: MessageView, statusAtSend: string) => Promise<void>): void {
    this.customerListeners.push(listener);
  }

  constructor(deps: { orm: MikroORM; pubsub: HubPubSub; outbox: OutboxRelay }) {
    this.orm = deps.orm;
    this.pubsub = deps.pubsub;
    this.outbox = deps.outbox;
  }

  async post(input: PostMessageInput): Promise<{ message: MessageView; duplicate: boolean }> {
    const em = workspaceEm(this.orm, input.workspaceId);
    const result = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const rows: { last_seq: number; status: string; first_response_at: Date | null }[] = await conn.execute(
        'select last_seq, status, first_response_at from conversation where id = ? and workspace_id = ? for update',
        [input.conversationId, input.workspaceId], 'all', tx.getTransactionContext(),
      );
      const row = rows[0];
      if (!row) throw new ConversationClosedError(`conversation ${input.conversationId} not found`);
      if (input.clientMessageId) {
        const existing = await tx.findOne(Message, { conversationId: input.conversationId, clientMessageId: input.clientMessageId });
        if (existing) return { message: existing, duplicate: true, status: row.status };
      }
      if (row.status === 'ended' && input.senderType !== 'system' && !input.allowEnded) throw new ConversationClosedError('the conversation has ended');
      const seq = row.last_seq + 1;
      const now = new Date();
      const set: string[] = ['last_seq = ?', 'updated_at = ?'];
      const params: unknown[] = [seq, now];
      if (input.senderType === 'customer') { set.push('last_customer_message_at = ?'); params.push(now); }
      if (input.senderType === 'agent') {
        set.push('last_agent_message_at = ?');
        params.push(now);
        if (!row.first_response_at) { set.push('first_response_at = ?'); params.push(now); }
      }
      await conn.execute(`update conversation set ${set.join(', ')} where id = ?`, [...params, input.conversationId], 'run', tx.getTransactionContext());
      const message = tx.create(Message, {
        id: newId(), workspaceId: input.workspaceId, conversationId: input.conversationId, seq,
        clientMessageId: input.clientMessageId ?? null, senderType: input.senderType, senderId: input.senderId,
        type: input.type as Message['type'], body: input.body, createdAt: now, recalledAt: null,
      });
      recordEvent(tx, input.workspaceId, 'message.created', {
        conversationId: input.conversationId, messageId: message.id, seq, senderType: input.senderType, type: input.type,
      });
      return { message, duplicate: false, status: row.status };
    });
    const view = toView(result.message);
    if (!result.duplicate) {
      this.publish({ kind: 'message', conversationId: input.conversationId, seq: view.seq, message: view });
      this.outbox.nudge();
      if (input.senderType === 'customer') {
        for (const listener of this.customerListeners) void listener(input.workspaceId, view, result.status).catch(() => undefined);
      }
    }
    return { message: view, duplicate: result.duplicate };
  }

  publish(event: ConversationEvent): void {
    void this.pubsub.publish(convTopics.conversation(event.conversationId), event);
  }

  publishTo(topic: string, event: unknown): void {
    void this.pubsub.publish(topic, event);
  }

  /** Messages after a cursor, in order: the replay half of resume-from-cursor. */
  async messagesAfter(workspaceId: string, conversationId: string, afterSeq: number, limit = 500): Promise<MessageView[]> {
    const em = workspaceEm(this.orm, workspaceId);
    const rows = await em.find(Message, { conversationId, seq: { $gt: afterSeq } }, { orderBy: { seq: 'asc' }, limit });
    return rows.map(toView);
  }

  async get(workspaceId: string, conversationId: string): Promise<Conversation | null> {
    return workspaceEm(this.orm, workspaceId).findOne(Conversation, { id: conversationId });
  }
}
