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

export interface HubActivities {
  runPluginActivity(input: PluginActivityInput): Promise<unknown>;
  /** Records the node and phase on the conversation and posts the node's on-enter message. */
  enterNode(input: EnterNodeInput): Promise<void>;
  /** Activity timestamps (ms since epoch) the idle and inactivity timers are computed from. */
  activityTimes(input: ConvRef): Promise<{ startedAt: number; customerAt: number | null; agentAt: number | null; assignedAt: number | null }>;
  enqueue(input: ConvRef & { skillGroupId: string | null; maxQueueLength: number }): Promise<{ ok: true; position: number } | { ok: false; reason: 'full' }>;
  /** True if still queued and now removed; false if routing assigned it meanwhile. */
  dequeue(input: ConvRef & { skillGroupId: string | null }): Promise<boolean>;
  /** Records an SLA breach if the agent has not answered yet; returns whether they had. */
  checkFirstResponse(input: ConvRef & { agentId: string; slaSec: number }): Promise<{ responded: boolean }>;
  closeConversation(input: ConvRef & { by: string; actorId: string | null; reason: string; assigneeId: string | null }): Promise<void>;
  transferToAgent(input: ConvRef & { fromAgentId: string; toAgentId: string; note: string | null; key: string }): Promise<{ ok: boolean; reason?: string }>;
  /** Releases the agent's slot and puts the conversation back in a queue (to another group). */
  transferToGroup(input: ConvRef & { fromAgentId: string; toSkillGroupId: string; note: string | null; key: string }): Promise<void>;
  saveSurvey(input: ConvRef & { stars: number; comment: string | null; agentId: string | null }): Promise<void>;
}
