import type { MikroORM } from '@mikro-orm/mysql';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Conversation, FlowVersion } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import { recordEvent } from '../events/outbox.ts';
import { resolvePublishedFlow } from '../flows/store.ts';
import type { FlowDefinition } from '../flows/types.ts';
import {
  answerTransferUpdate, assignedSignal, cancelTransferUpdate, closeUpdate, conversationWorkflowId, offlineSubmittedSignal, queueExitSignal, rateUpdate,
  queueLostSignal, reassignUpdate, requestHumanSignal, stateQuery, transferUpdate,
  type AnswerTransferRequest, type CancelTransferRequest, type CloseRequest, type ConversationWorkflowInput, type QueueExit, type RatingRequest,
  type ReassignRequest, type TransferRequest,
} from '../../workflows/conversation/contract.ts';
import type { HubPubSub } from '../events/pubsub.ts';
import { convTopics } from './topics.ts';

export class LifecycleRefusedError extends Error {
  override name = 'LifecycleRefusedError';
  /** The workflow's failure type (REFUSAL in the contract, or `Error` for a plain wrong-phase refusal). */
  readonly type: string;
  constructor(message: string, type = 'Error') {
    super(message);
    this.type = type;
  }
}

/** Unwraps a refused update (validator or handler failure) into its message and failure type for the API. */
async function update<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause as { message?: string; type?: string | null } | undefined;
        throw new LifecycleRefusedError(cause?.message ?? err.message, cause?.type ?? 'Error');
      }
      // The run continued as new while the update was in flight: Temporal aborts it and the next run
      // (the handle follows the workflow id) takes it. A workflow that really ended refuses it again.
      if (attempt < 4 && err instanceof WorkflowNotFoundError && /aborted by closing workflow/.test(err.message)) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      // The workflow already ended (e.g. a retried close whose first attempt went through on a node
      // that died before answering): a refusal the caller can act on, not an internal error.
      if (err instanceof WorkflowNotFoundError && /already completed/.test(err.message)) throw new LifecycleRefusedError('the conversation has already ended', 'ENDED');
      throw err;
    }
  }
}

/**
 * The hub's side of the conversation workflow: starts one per conversation and forwards lifecycle
 * events to it. Messages never come through here.
 */
export class LifecycleClient {
  private readonly orm: MikroORM;
  private readonly client: Client;
  private readonly taskQueue: string;
  private readonly pubsub: HubPubSub;
  private readonly nudgeOutbox: () => void;

  constructor(deps: { orm: MikroORM; client: Client; taskQueue: string; pubsub: HubPubSub; nudgeOutbox: () => void }) {
    this.orm = deps.orm;
    this.client = deps.client;
    this.taskQueue = deps.taskQueue;
    this.pubsub = deps.pubsub;
    this.nudgeOutbox = deps.nudgeOutbox;
  }

  /** Creates the conversation row and starts its workflow with the workspace's published flow. */
  async start(input: { workspaceId: string; channelId: string; customerId: string; trail?: { url: string; title?: string; at: string }[]; flowName?: string }): Promise<Conversation> {
    const em = workspaceEm(this.orm, input.workspaceId);
    const flow = await resolvePublishedFlow(em, input.workspaceId, input.flowName);
    const conv = await em.transactional(async (tx) => {
      const c = tx.create(Conversation, {
        workspaceId: input.workspaceId, channelId: input.channelId, customerId: input.customerId, status: 'self_service',
        flowVersionId: flow.flowVersionId, trail: (input.trail ?? []).slice(-50), lastSeq: 0,
      });
      recordEvent(tx, input.workspaceId, 'conversation.created', { conversationId: c.id, channelId: input.channelId, customerId: input.customerId, flowVersionId: flow.flowVersionId });
      return c;
    });
    this.nudgeOutbox();
    await this.startWorkflow(conv, flow.definition);
    void this.pubsub.publish(convTopics.queue(input.workspaceId), { kind: 'conversation_started', conversationId: conv.id });
    return conv;
  }

  /**
   * Starts the workflow of a conversation whose row was committed but whose workflow may never have
   * started (the node died, or Temporal was unreachable, between the two). A no-op while it runs;
   * one that has finished is never started again. The widget calls startConversation again on
   * reconnect, which lands here for a conversation no workflow has touched yet.
   */
  async ensureStarted(conv: Conversation): Promise<void> {
    const version = await workspaceEm(this.orm, conv.workspaceId).findOneOrFail(FlowVersion, { id: conv.flowVersionId! });
    try {
      await this.startWorkflow(conv, version.definition as unknown as FlowDefinition);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // it ran and finished
    }
  }

  private async startWorkflow(conv: Conversation, flow: FlowDefinition): Promise<void> {
    const args: ConversationWorkflowInput = {
      workspaceId: conv.workspaceId, conversationId: conv.id, channelId: conv.channelId, customerId: conv.customerId,
      flowVersionId: conv.flowVersionId!, flow,
    };
    await this.client.workflow.start('conversationWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: conversationWorkflowId(conv.id),
      args: [args],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }

  private handle(conversationId: string) {
    return this.client.workflow.getHandle(conversationWorkflowId(conversationId));
  }

  requestHuman(conversationId: string, rule: string): Promise<void> {
    return this.handle(conversationId).signal(requestHumanSignal, { rule });
  }
  assigned(conversationId: string, agentId: string, skillGroupId: string | null): Promise<void> {
    return this.handle(conversationId).signal(assignedSignal, { agentId, skillGroupId });
  }
  offlineSubmitted(conversationId: string, offlineMessageId: string): Promise<void> {
    return this.handle(conversationId).signal(offlineSubmittedSignal, { offlineMessageId });
  }
  close(conversationId: string, req: CloseRequest) {
    return update(() => this.handle(conversationId).executeUpdate(closeUpdate, { args: [req] }));
  }
  /** To an agent: a pending offer (the result carries its id); to a skill group: requeued at once. */
  transfer(conversationId: string, req: TransferRequest) {
    return update(() => this.handle(conversationId).executeUpdate(transferUpdate, { args: [req] }));
  }
  answerTransfer(conversationId: string, req: AnswerTransferRequest) {
    return update(() => this.handle(conversationId).executeUpdate(answerTransferUpdate, { args: [req] }));
  }
  cancelTransfer(conversationId: string, req: CancelTransferRequest) {
    return update(() => this.handle(conversationId).executeUpdate(cancelTransferUpdate, { args: [req] }));
  }
  reassign(conversationId: string, req: ReassignRequest) {
    return update(() => this.handle(conversationId).executeUpdate(reassignUpdate, { args: [req] }));
  }
  /** Routing took the conversation out of its queue for good (it has removed it from Redis already). */
  queueExit(conversationId: string, reason: QueueExit['reason']): Promise<void> {
    return this.handle(conversationId).signal(queueExitSignal, { reason });
  }
  /** Routing lost the waiting conversation (queue audit): the workflow enqueues it again if still queued. */
  queueLost(conversationId: string): Promise<void> {
    return this.handle(conversationId).signal(queueLostSignal);
  }
  rate(conversationId: string, req: RatingRequest) {
    return update(() => this.handle(conversationId).executeUpdate(rateUpdate, { args: [req] }));
  }
  state(conversationId: string) {
    return this.handle(conversationId).query(stateQuery);
  }
}
