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
/**
 * Routing took the conversation out of its queue for good (overflow chain exhausted, group closed);
 * it has already removed it from Redis. Unless an assignment came first, the queue node ends `full`.
 */
export interface QueueExit { reason: 'overflow_exhausted' | 'group_closed' }
export const queueExitSignal = defineSignal<[QueueExit]>('queueExit');
/**
 * Routing no longer has this waiting conversation (Redis restarted or was wiped; found by the queue
 * audit, core/routing/queue-audit.ts): if still queued, enqueue it again at the place it had.
 * Ignored in any other phase, and after an assignment.
 */
export const queueLostSignal = defineSignal('queueLost');

export interface CloseRequest { by: 'agent' | 'customer' | 'supervisor' | 'system'; actorId: string | null; reason: string }
export const closeUpdate = defineUpdate<{ ok: true; phase: Phase }, [CloseRequest]>('close');

/**
 * The assigned agent hands the chat on. To an agent it is an offer (`pending`, the chat stays with the
 * sender until the receiver answers or it expires); to a skill group it requeues at once (`completed`).
 */
export interface TransferRequest { byAgentId: string; toAgentId?: string | null; toSkillGroupId?: string | null; note?: string | null }
export interface TransferResult {
  ok: true;
  status: 'pending' | 'completed';
  /** Null only for a transfer made by the code before offers existed. */
  transferId: string | null;
  assigneeId: string | null;
  skillGroupId: string | null;
}
export const transferUpdate = defineUpdate<TransferResult, [TransferRequest]>('transfer');

/** The receiving agent accepts (takes a slot; refused while they have none) or declines a pending offer. */
export interface AnswerTransferRequest { transferId: string; agentId: string; accept: boolean; reason?: string | null }
export const answerTransferUpdate = defineUpdate<{ ok: true; status: 'accepted' | 'declined'; assigneeId: string | null }, [AnswerTransferRequest]>('answerTransfer');

/** The sender (or a supervisor, or the system) withdraws a pending offer. */
export interface CancelTransferRequest { transferId: string; by: 'agent' | 'supervisor' | 'system'; actorId: string | null; reason?: string | null }
export const cancelTransferUpdate = defineUpdate<{ ok: true }, [CancelTransferRequest]>('cancelTransfer');

/**
 * Moves the chat without an accept step: a supervisor to a named agent (capacity still enforced) or a
 * skill group; or the system back to its own queue (`requeue`, when its agent goes offline or stays
 * away), keeping its place. `expectAssigneeId`: only if this agent still holds it.
 */
export interface ReassignRequest {
  by: 'supervisor' | 'system';
  actorId: string | null;
  toAgentId?: string | null;
  toSkillGroupId?: string | null;
  requeue?: boolean;
  expectAssigneeId?: string | null;
  keepPlace?: boolean;
  note?: string | null;
  reason?: string | null;
}
export interface ReassignResult { ok: true; transferId: string; phase: Phase; assigneeId: string | null; skillGroupId: string | null }
export const reassignUpdate = defineUpdate<ReassignResult, [ReassignRequest]>('reassign');

/**
 * Failure types of the lifecycle updates (ApplicationFailure.type), mapped to API error codes by the
 * hub: a refusal the caller can act on is told apart from a plain wrong-phase one.
 */
export const REFUSAL = { invalidState: 'InvalidState', forbidden: 'Forbidden', agentUnavailable: 'AgentUnavailable', noFreeSlot: 'NoFreeSlot' } as const;

export interface RatingRequest { stars: number; comment?: string | null }
export const rateUpdate = defineUpdate<{ ok: true }, [RatingRequest]>('rate');

export const stateQuery = defineQuery<ConversationState>('state');
