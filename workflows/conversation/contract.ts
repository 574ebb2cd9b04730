/**
 * The conversation workflow's public contract: its input, signals, updates and query. Imported by
 * the workflow, the hub's client code and the tests, so all three agree by construction.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FlowDefinition } from '../../core/flows/types.ts';

export const CONVERSATION_TASK_QUEUE_DEFAULT = 'kefu-hub';

/** Workflow id derived from the conversation id: at most one lifecycle per conversation. */
export const conversationWorkflowId = (conversationId: string) => `conversation-${conversationId}`;

export interface ConversationWorkflowInput {
  workspaceId: string;
  conversationId: string;
  channelId: string;
  customerId: string;
  flowVersionId: string;
  /** The published flow, fixed for this conversation's whole life (later publishes don't affect it). */
  flow: FlowDefinition;
  /** Set when continuing as new: where to pick up. */
  resume?: ResumePoint;
}

export interface ResumePoint {
  nodeId: string;
  assigneeId: string | null;
  skillGroupId: string | null;
  transferRule: string | null;
  transitions: number;
}

export type Phase = 'self_service' | 'bot' | 'queued' | 'assigned' | 'survey' | 'offline' | 'ended';

export interface ConversationState {
  nodeId: string;
  nodeType: string;
  phase: Phase;
  assigneeId: string | null;
  skillGroupId: string | null;
  transferRule: string | null;
  /** Node ids visited, in order (bounded). */
  path: string[];
}

/** The customer (or a transfer rule acting for them) asks for a human. */
export const requestHumanSignal = defineSignal<[{ rule: string; detail?: string }]>('requestHuman');
/** Routing assigned an agent (sent after the assignment is committed to the database). */
export const assignedSignal = defineSignal<[{ agentId: string; skillGroupId: string | null }]>('assigned');
/** The customer submitted the offline-message form (the message is already in the pool). */
export const offlineSubmittedSignal = defineSignal<[{ offlineMessageId: string }]>('offlineSubmitted');

export interface CloseRequest { by: 'agent' | 'customer' | 'supervisor' | 'system'; actorId: string | null; reason: string }
export const closeUpdate = defineUpdate<{ ok: true; phase: Phase }, [CloseRequest]>('close');

export interface TransferRequest { byAgentId: string; toAgentId?: string | null; toSkillGroupId?: string | null; note?: string | null }
export const transferUpdate = defineUpdate<{ ok: true; assigneeId: string | null; skillGroupId: string | null }, [TransferRequest]>('transfer');

export interface RatingRequest { stars: number; comment?: string | null }
export const rateUpdate = defineUpdate<{ ok: true }, [RatingRequest]>('rate');

export const stateQuery = defineQuery<ConversationState>('state');
