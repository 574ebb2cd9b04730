// Types shared by workflows and activities (workflow code imports only types from here).
import type { Phase } from '../../workflows/conversation/contract.ts';

export interface PluginActivityInput {
  plugin: string;
  activity: string;
  workspaceId: string;
  input: unknown;
  /** Same key ⇒ same effect: a retried or replayed call returns the first result. */
  idempotencyKey: string;
}

export interface ConvRef { workspaceId: string; conversationId: string }

export interface EnterNodeInput extends ConvRef {
  nodeId: string;
  nodeType: string;
  phase: Phase;
  config: Record<string, unknown>;
  /** Unique per visit of a node in this conversation; makes on-enter messages idempotent. */
  visitKey: string;
}

/** A refusal carries the failure type the update reports (REFUSAL in the workflow contract). */
export type TransferOutcome = { ok: true } | { ok: false; type: 'AgentUnavailable' | 'NoFreeSlot' | 'InvalidState'; reason: string };

export interface HubActivities {
  runPluginActivity(input: PluginActivityInput): Promise<unknown>;
  /** Records the node and phase on the conversation and posts the node's on-enter message. */
  enterNode(input: EnterNodeInput): Promise<void>;
  /** Activity timestamps (ms since epoch) the idle and inactivity timers are computed from. */
  activityTimes(input: ConvRef): Promise<{ startedAt: number; customerAt: number | null; agentAt: number | null; assignedAt: number | null }>;
  /** `keepPlace`: a chat sent back by its agent's status (offline, away) waits where it waited before. */
  /** keepPlace: at the first queue visit's time; restore: at this visit's own time (routing lost it). */
  enqueue(input: ConvRef & { skillGroupId: string | null; maxQueueLength: number; keepPlace?: boolean; restore?: boolean }): Promise<{ ok: true; position: number } | { ok: false; reason: 'full' | 'closed' }>;
  /** True if still queued and now removed; false if routing assigned it meanwhile. */
  dequeue(input: ConvRef & { skillGroupId: string | null }): Promise<boolean>;
  /** Records an SLA breach if the agent has not answered yet; returns whether they had. */
  checkFirstResponse(input: ConvRef & { agentId: string; slaSec: number }): Promise<{ responded: boolean }>;
  closeConversation(input: ConvRef & { by: string; actorId: string | null; reason: string; assigneeId: string | null }): Promise<void>;
  /** The direct transfer of workflows started before offers existed (kept for their replay). */
  transferToAgent(input: ConvRef & { fromAgentId: string; toAgentId: string; note: string | null; key: string }): Promise<{ ok: boolean; reason?: string }>;
  /**
   * Releases the agent's slot (if any) and points the conversation at a queue (a skill group, or the
   * default queue for null); with `transferId`, records the transfer (kind `group`, or `reassign` for a
   * supervisor's or the system's move).
   */
  transferToGroup(input: ConvRef & {
    fromAgentId: string | null; toSkillGroupId: string | null; note: string | null; key: string;
    transferId?: string; kind?: 'group' | 'reassign'; requestedById?: string | null; reason?: string | null;
  }): Promise<void>;
  /** Records a pending offer to an agent and tells them; refused (no writes) unless they are online. */
  offerTransfer(input: ConvRef & { transferId: string; fromAgentId: string; toAgentId: string; note: string | null; timeoutSec: number }): Promise<TransferOutcome>;
  /** Takes a slot of the receiver atomically, hands the chat over and frees the sender's slot. */
  acceptTransfer(input: ConvRef & { transferId: string; fromAgentId: string; toAgentId: string }): Promise<TransferOutcome>;
  /** Ends a pending offer without a hand-over (declined, expired, cancelled) and tells both agents. */
  settleTransfer(input: ConvRef & { transferId: string; status: 'declined' | 'expired' | 'cancelled'; decidedById: string | null; reason: string | null }): Promise<void>;
  /** A supervisor's move to a named agent, from an agent (`fromAgentId`) or out of the queue (null). */
  reassignToAgent(input: ConvRef & { transferId: string; fromAgentId: string | null; toAgentId: string; requestedById: string | null; note: string | null }): Promise<TransferOutcome>;
  saveSurvey(input: ConvRef & { stars: number; comment: string | null; agentId: string | null }): Promise<void>;
}
