/**
 * One workflow per conversation: an interpreter of the workspace's published flow (fixed at start).
 * It owns lifecycle decisions and timers; messages never pass through it (the hot path persists and
 * pushes directly), so no transcript lives in workflow state.
 */
import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { HubActivities } from '../../core/temporal/activity-types.ts';
import {
  assignedSignal, closeUpdate, offlineSubmittedSignal, rateUpdate, requestHumanSignal, stateQuery, transferUpdate,
  type CloseRequest, type ConversationState, type ConversationWorkflowInput, type Phase, type TransferRequest,
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
  let transferReq: TransferRequest | null = null;
  let transferResult: { ok: true; assigneeId: string | null; skillGroupId: string | null } | { ok: false; reason: string } | null = null;
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
  setHandler(transferUpdate, async (req) => {
    transferReq = req;
    transferResult = null;
    await condition(() => transferResult !== null);
    const r = transferResult!;
    if (!r.ok) throw ApplicationFailure.nonRetryable(r.reason, 'TransferRefused');
    return r;
  }, {
    validator: (req) => {
      if (state.phase !== 'assigned') throw new Error(`only a conversation with an agent can be transferred (phase "${state.phase}")`);
      if (req.byAgentId !== state.assigneeId) throw new Error('only the assigned agent can transfer this conversation');
      if (!req.toAgentId === !req.toSkillGroupId) throw new Error('transfer to exactly one of an agent or a skill group');
      if (req.toAgentId && req.toAgentId === state.assigneeId) throw new Error('the conversation is already with this agent');
      if (transferReq) throw new Error('a transfer is already in progress');
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

  async function runQueue(node: FlowNode): Promise<string> {
    const skillGroupId = state.skillGroupId ?? (node.config.skillGroupId as string | null) ?? null;
    state.skillGroupId = skillGroupId;
    const q = await acts.enqueue({ ...ref, skillGroupId, maxQueueLength: Number(node.config.maxQueueLength ?? 200) });
    if (!q.ok) return 'full';
    const timeoutMs = Number(node.config.timeoutSec ?? 300) * 1000;
    await condition(() => assigned !== null || closeReq !== null, timeoutMs);
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

  async function runAgent(node: FlowNode): Promise<string> {
    const slaMs = Number(node.config.firstResponseSlaSec ?? 60) * 1000;
    const inactivityMs = Number(node.config.inactivityCloseSec ?? 900) * 1000;
    let slaDeadline = Date.now() + slaMs;
    let slaChecked = false;
    let inactivityCheckAt = Date.now() + inactivityMs;
    for (;;) {
      const wakeAt = Math.min(slaChecked ? Infinity : slaDeadline, inactivityCheckAt);
      const woke = await condition(() => closeReq !== null || transferReq !== null, Math.max(1000, wakeAt - Date.now()));
      if (woke && closeReq) {
        await close(closeReq.by, closeReq.actorId, closeReq.reason);
        ackClose();
        return 'closed';
      }
      if (woke && transferReq) {
        const req = transferReq;
        if (req.toAgentId) {
          const r = await acts.transferToAgent({ ...ref, fromAgentId: state.assigneeId!, toAgentId: req.toAgentId, note: req.note ?? null, key: `${transitions}.${++transfers}` });
          if (r.ok) {
            state.assigneeId = req.toAgentId;
            slaDeadline = Date.now() + slaMs;
            slaChecked = false;
            transferResult = { ok: true, assigneeId: state.assigneeId, skillGroupId: state.skillGroupId };
          } else {
            transferResult = { ok: false, reason: r.reason ?? 'the agent cannot take it now' };
          }
          transferReq = null;
          continue;
        }
        await acts.transferToGroup({ ...ref, fromAgentId: state.assigneeId!, toSkillGroupId: req.toSkillGroupId!, note: req.note ?? null, key: `${transitions}.${++transfers}` });
        state.skillGroupId = req.toSkillGroupId!;
        state.assigneeId = null;
        transferResult = { ok: true, assigneeId: null, skillGroupId: state.skillGroupId };
        transferReq = null;
        return 'requeue';
      }
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
