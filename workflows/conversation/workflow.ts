/**
 * One workflow per conversation: an interpreter of the workspace's published flow (fixed at start).
 * It owns lifecycle decisions and timers; messages never pass through it (the hot path persists and
 * pushes directly), so no transcript lives in workflow state.
 */
import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, uuid4, workflowInfo,
} from '@temporalio/workflow';
import type { HubActivities } from '../../core/temporal/activity-types.ts';
import {
  REFUSAL, answerTransferUpdate, assignedSignal, cancelTransferUpdate, closeUpdate, offlineSubmittedSignal, queueExitSignal, queueLostSignal, rateUpdate,
  reassignUpdate, requestHumanSignal, stateQuery, transferUpdate,
  type AnswerTransferRequest, type CancelTransferRequest, type CloseRequest, type ConversationState, type ConversationWorkflowInput,
  type Phase, type QueueExit, type ReassignRequest, type ReassignResult, type TransferRequest, type TransferResult,
} from './contract.ts';
import {
  CONTINUE_AS_NEW_AFTER_TRANSITIONS, appendPath, inactivityWaitMs, isOpen, nextNodeId, nodeById, phaseOf, type WorkingHoursSpec,
} from './machine.ts';
import type { FlowNode } from '../../core/flows/types.ts';

const acts = proxyActivities<HubActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20 },
});

const CLOSABLE: Phase[] = ['self_service', 'bot', 'queued', 'assigned'];

/**
 * Transfers to an agent became offers (accept / decline / expiry). Workflows that handled a transfer
 * before this change replay the direct hand-over they recorded.
 */
const PATCH_TRANSFER_OFFERS = 'transfer-offers';

/** A change of hands requested through an update, waiting for the node that holds the chat to do it. */
type Op =
  | { kind: 'transfer'; req: TransferRequest }
  | { kind: 'answer'; req: AnswerTransferRequest }
  | { kind: 'cancel'; req: CancelTransferRequest }
  | { kind: 'reassign'; req: ReassignRequest };
interface OpSlot { op: Op; result: { ok: true; value: unknown } | { ok: false; type: string; reason: string } | null }

/** A pending offer of the chat to a colleague; the chat stays with `fromAgentId` until it is answered. */
interface Offer { transferId: string; fromAgentId: string; toAgentId: string; expiresAt: number }

const refusal = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);

export async function conversationWorkflow(input: ConversationWorkflowInput): Promise<ConversationState> {
  const { flow, workspaceId, conversationId } = input;
  const ref = { workspaceId, conversationId };
  const resume = input.resume;
  let transitions = resume?.transitions ?? 0;
  const state: ConversationState = {
    nodeId: resume?.nodeId ?? flow.start,
    nodeType: '',
    phase: 'self_service',
    assigneeId: resume?.assigneeId ?? null,
    skillGroupId: resume?.skillGroupId ?? null,
    transferRule: resume?.transferRule ?? null,
    path: [],
  };

  // Lifecycle inputs, set by handlers and consumed by the node being executed.
  let humanRequested: { rule: string } | null = null;
  let assigned: { agentId: string; skillGroupId: string | null } | null = null;
  let closeReq: CloseRequest | null = null;
  let closeDone = false;
  // Transfers, answers to offers, cancels and reassigns, handled in arrival order by the queue or agent node.
  const ops: OpSlot[] = [];
  let offer: Offer | null = null;
  let queueExit: QueueExit | null = null;
  let queueLost = false;
  /** The next enqueue keeps the conversation's earlier place (it was sent back by its agent's status). */
  let keepPlaceNext = false;
  let rated = false;
  let transfers = 0;
  let offlineDone = false;

  setHandler(stateQuery, () => state);
  setHandler(requestHumanSignal, (r) => {
    if (state.phase === 'bot' || state.phase === 'self_service') humanRequested ??= { rule: r.rule };
  });
  setHandler(assignedSignal, (a) => {
    // Accepted whenever we are (or were just) queued; duplicates from routing retries are harmless.
    if (state.phase === 'queued' && !assigned) assigned = a;
  });
  setHandler(offlineSubmittedSignal, () => { offlineDone = true; });
  setHandler(queueExitSignal, (e) => {
    if (state.phase === 'queued') queueExit ??= e;
  });
  setHandler(queueLostSignal, () => {
    if (state.phase === 'queued') queueLost = true;
  });

  async function submit<T>(op: Op): Promise<T> {
    const slot: OpSlot = { op, result: null };
    ops.push(slot);
    await condition(() => slot.result !== null);
    const r = slot.result!;
    if (!r.ok) throw refusal(r.type, r.reason);
    return r.value as T;
  }
  const done = (slot: OpSlot, value: unknown) => { slot.result = { ok: true, value }; };
  const refuse = (slot: OpSlot, type: string, reason: string) => { slot.result = { ok: false, type, reason }; };
  /** Requests that arrived but can no longer be done here (the node is left): each caller gets a refusal. */
  const failOps = (reason: string) => {
    for (let slot = ops.shift(); slot; slot = ops.shift()) refuse(slot, REFUSAL.invalidState, reason);
  };
  const pendingOp = (kind: Op['kind']) => ops.some((s) => s.op.kind === kind);
  setHandler(closeUpdate, async (req) => {
    closeReq = req;
    await condition(() => closeDone);
    return { ok: true as const, phase: state.phase };
  }, {
    validator: (req) => {
      if (!CLOSABLE.includes(state.phase)) throw new Error(`the conversation cannot be closed in phase "${state.phase}"`);
      if (closeReq) throw new Error('the conversation is already closing');
      if (req.by === 'agent' && state.phase === 'assigned' && req.actorId !== state.assigneeId) throw new Error('only the assigned agent can close this conversation');
    },
  });
  setHandler(transferUpdate, (req) => submit<TransferResult>({ kind: 'transfer', req }), {
    validator: (req) => {
      if (state.phase !== 'assigned') throw new Error(`only a conversation with an agent can be transferred (phase "${state.phase}")`);
      if (req.byAgentId !== state.assigneeId) throw refusal(REFUSAL.forbidden, 'only the assigned agent can transfer this conversation');
      if (!req.toAgentId === !req.toSkillGroupId) throw new Error('transfer to exactly one of an agent or a skill group');
      if (req.toAgentId && req.toAgentId === state.assigneeId) throw new Error('the conversation is already with this agent');
      if (pendingOp('transfer')) throw new Error('a transfer is already in progress');
      if (offer) throw new Error('a transfer offer is pending: cancel it first');
    },
  });
  setHandler(answerTransferUpdate, (req) => submit<{ ok: true; status: 'accepted' | 'declined'; assigneeId: string | null }>({ kind: 'answer', req }), {
    validator: (req) => {
      if (state.phase !== 'assigned' || !offer || offer.transferId !== req.transferId) throw new Error('this transfer offer is no longer pending');
      if (req.agentId !== offer.toAgentId) throw refusal(REFUSAL.forbidden, 'only the agent the chat is offered to can answer the offer');
      if (pendingOp('answer')) throw new Error('the offer is already being answered');
      if (req.reason && req.reason.length > 500) throw new Error('reason is longer than 500 characters');
    },
  });
  setHandler(cancelTransferUpdate, (req) => submit<{ ok: true }>({ kind: 'cancel', req }), {
    validator: (req) => {
      if (state.phase !== 'assigned' || !offer || offer.transferId !== req.transferId) throw new Error('this transfer offer is no longer pending');
      if (req.by === 'agent' && req.actorId !== offer.fromAgentId) throw refusal(REFUSAL.forbidden, 'only the agent who made the offer can cancel it');
    },
  });
  setHandler(reassignUpdate, (req) => submit<ReassignResult>({ kind: 'reassign', req }), {
    validator: (req) => {
      const targets = [req.toAgentId, req.toSkillGroupId, req.requeue].filter(Boolean).length;
      if (targets !== 1) throw new Error('reassign to exactly one of an agent, a skill group or back to its queue');
      if (closeReq) throw new Error('the conversation is closing');
      if (state.phase === 'queued') {
        if (!req.toAgentId) throw new Error('a waiting conversation can be reassigned to a named agent only');
      } else if (state.phase !== 'assigned') {
        throw new Error(`only a waiting or assigned conversation can be reassigned (phase "${state.phase}")`);
      }
      if (req.expectAssigneeId && (state.phase !== 'assigned' || state.assigneeId !== req.expectAssigneeId)) throw new Error('the conversation is no longer with this agent');
      if (req.toAgentId && req.toAgentId === state.assigneeId) throw new Error('the conversation is already with this agent');
    },
  });
  setHandler(rateUpdate, async (r) => {
    await acts.saveSurvey({ ...ref, stars: r.stars, comment: r.comment ?? null, agentId: state.assigneeId });
    rated = true;
    return { ok: true as const };
  }, {
    validator: (r) => {
      if (state.phase !== 'survey') throw new Error(`no survey is open (phase "${state.phase}")`);
      if (!Number.isInteger(r.stars) || r.stars < 1 || r.stars > 5) throw new Error('stars must be an integer from 1 to 5');
      if (r.comment && r.comment.length > 2000) throw new Error('comment is longer than 2000 characters');
      if (rated) throw new Error('already rated');
    },
  });

  const close = async (by: string, actorId: string | null, reason: string) => {
    await acts.closeConversation({ ...ref, by, actorId, reason, assigneeId: state.phase === 'assigned' ? state.assigneeId : null });
  };
  const ackClose = () => { closeDone = true; };

  async function runBot(node: FlowNode): Promise<string> {
    const idleMs = Number(node.config.idleTimeoutSec ?? 600) * 1000;
    for (;;) {
      const t = await acts.activityTimes(ref);
      const last = Math.max(t.customerAt ?? 0, t.startedAt);
      const wait = inactivityWaitMs(last, idleMs, Date.now());
      if (await condition(() => humanRequested !== null || closeReq !== null, wait)) {
        if (closeReq) {
          await close(closeReq.by, closeReq.actorId, closeReq.reason);
          ackClose();
          return 'closed';
        }
        state.transferRule = humanRequested!.rule;
        humanRequested = null;
        return 'transfer';
      }
      const again = await acts.activityTimes(ref);
      if (Math.max(again.customerAt ?? 0, again.startedAt) + idleMs <= Date.now()) {
        await close('system', null, 'bot_idle');
        return 'idle';
      }
    }
  }

  /** A supervisor pulls the waiting conversation to a named agent (routing can no longer assign it then). */
  async function queueOp(slot: OpSlot): Promise<boolean> {
    if (slot.op.kind !== 'reassign' || !slot.op.req.toAgentId) {
      refuse(slot, REFUSAL.invalidState, 'a waiting conversation can be reassigned to a named agent only');
      return false;
    }
    const req = slot.op.req;
    const transferId = uuid4();
    const r = await acts.reassignToAgent({ ...ref, transferId, fromAgentId: null, toAgentId: req.toAgentId!, requestedById: req.actorId, note: req.note ?? null });
    if (!r.ok) {
      refuse(slot, r.type, r.reason);
      return false;
    }
    state.assigneeId = req.toAgentId!;
    done(slot, { ok: true, transferId, phase: 'assigned', assigneeId: state.assigneeId, skillGroupId: state.skillGroupId } satisfies ReassignResult);
    return true;
  }

  async function runQueue(node: FlowNode): Promise<string> {
    const skillGroupId = state.skillGroupId ?? (node.config.skillGroupId as string | null) ?? null;
    state.skillGroupId = skillGroupId;
    const q = await acts.enqueue({ ...ref, skillGroupId, maxQueueLength: Number(node.config.maxQueueLength ?? 200), ...(keepPlaceNext ? { keepPlace: true } : {}) });
    keepPlaceNext = false;
    if (!q.ok) return 'full';
    const timeoutMs = Number(node.config.timeoutSec ?? 300) * 1000;
    const deadline = Date.now() + timeoutMs;
    for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
      const woke = await condition(() => assigned !== null || closeReq !== null || queueExit !== null || ops.length > 0 || queueLost, left);
      if (!woke || assigned || closeReq) break;
      if (queueLost) {
        // Routing lost its copy of the queue: back in at the same place (a no-op if it is there after all).
        queueLost = false;
        const again = await acts.enqueue({ ...ref, skillGroupId, maxQueueLength: Number(node.config.maxQueueLength ?? 200), restore: true });
        if (!again.ok) return 'full';
        continue;
      }
      if (queueExit) {
        // Routing has taken it out of Redis already: nothing to dequeue.
        queueExit = null;
        return 'full';
      }
      const slot = ops.shift();
      if (slot && (await queueOp(slot))) {
        assigned = null;
        return 'assigned';
      }
    }
    queueExit = null;
    if (!assigned) {
      // Timed out or closing: take the customer out of the queue, unless routing was faster.
      const removed = await acts.dequeue({ ...ref, skillGroupId });
      if (removed) {
        if (closeReq) {
          await close(closeReq.by, closeReq.actorId, closeReq.reason);
          ackClose();
          return 'closed';
        }
        return 'timeout';
      }
      // Routing committed an assignment first; its signal is on the way (routing retries until it lands).
      await condition(() => assigned !== null);
    }
    state.assigneeId = assigned!.agentId;
    assigned = null;
    return 'assigned';
  }

  /** Ends the pending offer without a hand-over; a no-op without one. */
  async function settleOffer(status: 'declined' | 'expired' | 'cancelled', decidedById: string | null, reason: string | null): Promise<void> {
    if (!offer) return;
    const { transferId } = offer;
    offer = null;
    await acts.settleTransfer({ ...ref, transferId, status, decidedById, reason });
  }

  /**
   * One request to the agent node. 'handed_over': another agent holds the chat now; 'requeue': it goes
   * back to a queue; 'stay': still with the same agent.
   */
  async function agentOp(slot: OpSlot, offerTimeoutSec: number): Promise<'stay' | 'handed_over' | 'requeue'> {
    const { op } = slot;
    const from = state.assigneeId!;
    switch (op.kind) {
      case 'transfer': {
        const req = op.req;
        if (req.byAgentId !== from) {
          refuse(slot, REFUSAL.forbidden, 'only the assigned agent can transfer this conversation');
          return 'stay';
        }
        if (req.toAgentId) {
          if (!patched(PATCH_TRANSFER_OFFERS)) {
            const r = await acts.transferToAgent({ ...ref, fromAgentId: from, toAgentId: req.toAgentId, note: req.note ?? null, key: `${transitions}.${++transfers}` });
            if (!r.ok) {
              refuse(slot, REFUSAL.agentUnavailable, r.reason ?? 'the agent cannot take it now');
              return 'stay';
            }
            state.assigneeId = req.toAgentId;
            done(slot, { ok: true, status: 'completed', transferId: null, assigneeId: state.assigneeId, skillGroupId: state.skillGroupId } satisfies TransferResult);
            return 'handed_over';
          }
          if (offer) {
            refuse(slot, REFUSAL.invalidState, 'a transfer offer is pending: cancel it first');
            return 'stay';
          }
          const transferId = uuid4();
          const r = await acts.offerTransfer({ ...ref, transferId, fromAgentId: from, toAgentId: req.toAgentId, note: req.note ?? null, timeoutSec: offerTimeoutSec });
          if (!r.ok) {
            refuse(slot, r.type, r.reason);
            return 'stay';
          }
          offer = { transferId, fromAgentId: from, toAgentId: req.toAgentId, expiresAt: Date.now() + offerTimeoutSec * 1000 };
          done(slot, { ok: true, status: 'pending', transferId, assigneeId: from, skillGroupId: state.skillGroupId } satisfies TransferResult);
          return 'stay';
        }
        const transferId = uuid4();
        await acts.transferToGroup({ ...ref, fromAgentId: from, toSkillGroupId: req.toSkillGroupId!, note: req.note ?? null, key: `${transitions}.${++transfers}`, transferId, kind: 'group', requestedById: req.byAgentId });
        state.skillGroupId = req.toSkillGroupId!;
        state.assigneeId = null;
        done(slot, { ok: true, status: 'completed', transferId, assigneeId: null, skillGroupId: state.skillGroupId } satisfies TransferResult);
        return 'requeue';
      }
      case 'answer':
      case 'cancel': {
        const req = op.req;
        if (!offer || offer.transferId !== req.transferId) {
          refuse(slot, REFUSAL.invalidState, 'this transfer offer is no longer pending');
          return 'stay';
        }
        if (op.kind === 'cancel') {
          await settleOffer('cancelled', op.req.actorId, op.req.reason ?? null);
          done(slot, { ok: true });
          return 'stay';
        }
        if (!op.req.accept) {
          await settleOffer('declined', op.req.agentId, op.req.reason ?? null);
          done(slot, { ok: true, status: 'declined', assigneeId: from });
          return 'stay';
        }
        const r = await acts.acceptTransfer({ ...ref, transferId: offer.transferId, fromAgentId: offer.fromAgentId, toAgentId: offer.toAgentId });
        if (!r.ok) {
          refuse(slot, r.type, r.reason); // the offer stays pending
          return 'stay';
        }
        state.assigneeId = offer.toAgentId;
        offer = null;
        done(slot, { ok: true, status: 'accepted', assigneeId: state.assigneeId });
        return 'handed_over';
      }
      case 'reassign': {
        const req = op.req;
        if (req.expectAssigneeId && req.expectAssigneeId !== from) {
          refuse(slot, REFUSAL.invalidState, 'the conversation is no longer with this agent');
          return 'stay';
        }
        const transferId = uuid4();
        if (req.toAgentId) {
          const r = await acts.reassignToAgent({ ...ref, transferId, fromAgentId: from, toAgentId: req.toAgentId, requestedById: req.actorId, note: req.note ?? null });
          if (!r.ok) {
            refuse(slot, r.type, r.reason);
            return 'stay';
          }
          await settleOffer('cancelled', req.actorId, 'reassigned');
          state.assigneeId = req.toAgentId;
          done(slot, { ok: true, transferId, phase: 'assigned', assigneeId: state.assigneeId, skillGroupId: state.skillGroupId } satisfies ReassignResult);
          return 'handed_over';
        }
        await settleOffer('cancelled', req.actorId, 'reassigned');
        const group = req.requeue ? state.skillGroupId : req.toSkillGroupId!;
        await acts.transferToGroup({
          ...ref, fromAgentId: from, toSkillGroupId: group, note: req.note ?? null, key: transferId, transferId, kind: 'reassign', requestedById: req.actorId, reason: req.reason ?? null,
        });
        state.skillGroupId = group;
        state.assigneeId = null;
        keepPlaceNext = req.keepPlace === true;
        done(slot, { ok: true, transferId, phase: 'queued', assigneeId: null, skillGroupId: group } satisfies ReassignResult);
        return 'requeue';
      }
    }
  }

  async function runAgent(node: FlowNode): Promise<string> {
    const slaMs = Number(node.config.firstResponseSlaSec ?? 60) * 1000;
    const inactivityMs = Number(node.config.inactivityCloseSec ?? 900) * 1000;
    const offerTimeoutSec = Number(node.config.transferOfferTimeoutSec ?? 60);
    let slaDeadline = Date.now() + slaMs;
    let slaChecked = false;
    let inactivityCheckAt = Date.now() + inactivityMs;
    for (;;) {
      const wakeAt = Math.min(slaChecked ? Infinity : slaDeadline, inactivityCheckAt, offer ? offer.expiresAt : Infinity);
      const woke = await condition(() => closeReq !== null || ops.length > 0, Math.max(1000, wakeAt - Date.now()));
      if (woke && closeReq) {
        await settleOffer('cancelled', null, 'conversation_closed');
        await close(closeReq.by, closeReq.actorId, closeReq.reason);
        ackClose();
        return 'closed';
      }
      if (woke && ops.length) {
        const outcome = await agentOp(ops.shift()!, offerTimeoutSec);
        if (outcome === 'requeue') return 'requeue';
        if (outcome === 'handed_over') {
          slaDeadline = Date.now() + slaMs;
          slaChecked = false;
        }
        continue;
      }
      if (offer && Date.now() >= offer.expiresAt) await settleOffer('expired', null, null);
      if (!slaChecked && Date.now() >= slaDeadline) {
        slaChecked = true;
        await acts.checkFirstResponse({ ...ref, agentId: state.assigneeId!, slaSec: slaMs / 1000 });
      }
      if (Date.now() >= inactivityCheckAt) {
        // Auto-close only when the customer owes the answer: the agent spoke last and the customer
        // has been silent since for the whole limit.
        const t = await acts.activityTimes(ref);
        const agentAt = t.agentAt ?? 0;
        const customerAt = t.customerAt ?? 0;
        if (agentAt > customerAt && agentAt + inactivityMs <= Date.now()) {
          await settleOffer('cancelled', null, 'conversation_closed');
          await close('system', null, 'customer_inactive');
          return 'closed';
        }
        inactivityCheckAt = agentAt > customerAt ? agentAt + inactivityMs : Date.now() + inactivityMs;
      }
    }
  }

  async function runNode(node: FlowNode): Promise<string | null> {
    switch (node.type) {
      case 'start': return 'next';
      case 'working_hours': return isOpen(node.config as unknown as WorkingHoursSpec, new Date()) ? 'open' : 'closed';
      case 'self_service': return 'next';
      case 'bot': return runBot(node);
      case 'queue': return runQueue(node);
      case 'agent': return runAgent(node);
      case 'survey': return (await condition(() => rated, Number(node.config.expirySec ?? 600) * 1000)) ? 'done' : 'expired';
      case 'offline_message': return (await condition(() => offlineDone, Number(node.config.expirySec ?? 86_400) * 1000)) ? 'done' : 'expired';
      case 'end': return null;
      default: throw ApplicationFailure.nonRetryable(`unknown flow node type "${node.type}"`, 'UnknownNodeType');
    }
  }

  let nodeId = state.nodeId;
  for (;;) {
    const node = nodeById(flow, nodeId);
    transitions += 1;
    state.nodeId = node.id;
    state.nodeType = node.type;
    state.phase = phaseOf(node.type, state.phase);
    state.path = appendPath(state.path, node.id);
    if (node.type !== 'start' && node.type !== 'working_hours') {
      await acts.enterNode({ ...ref, nodeId: node.id, nodeType: node.type, phase: state.phase, config: node.config, visitKey: `${node.id}#${transitions}` });
    }
    // A close that arrived in a phase that has no close handling of its own is acknowledged here.
    if (closeReq && !closeDone && !CLOSABLE.includes(state.phase)) ackClose();
    const outcome = await runNode(node);
    failOps(`the conversation has moved on (phase "${state.phase}")`);
    if (outcome === null) {
      if (closeReq) ackClose();
      await condition(allHandlersFinished);
      return state;
    }
    nodeId = nextNodeId(flow, node, outcome);
    if (transitions % CONTINUE_AS_NEW_AFTER_TRANSITIONS === 0 || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof conversationWorkflow>({
        ...input,
        resume: { nodeId, assigneeId: state.assigneeId, skillGroupId: state.skillGroupId, transferRule: state.transferRule, transitions },
      });
    }
  }
}
