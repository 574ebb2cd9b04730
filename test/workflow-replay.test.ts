/**
 * Replays the recorded conversation histories (workflows/histories, written by
 * `node core/cli/record-histories.ts`) against the current workflow code. A change to the workflow that
 * would break conversations already running (a command added, removed or reordered without
 * `patched()`) fails here, before it reaches a worker. No services needed.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import protos from '@temporalio/proto';
import { ROOT } from '../core/hub.ts';
import { workflowBundle } from '../core/temporal/worker.ts';
import { historyFromJSON } from '../core/temporal/history-json.ts';
import { SCENARIOS } from '../core/cli/record-histories.ts';

const HISTORIES = join(ROOT, 'workflows', 'histories');

interface Recorded { name: string; workflowId: string; history: History }

function load(): Recorded[] {
  return readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const json = JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')) as { events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] };
    const workflowId = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? f;
    return { name: f.replace(/\.json$/, ''), workflowId, history: historyFromJSON(json) };
  });
}

async function replayAll(bundle: WorkflowBundleWithSourceMap, histories: Recorded[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) results.push(r);
  return results;
}

/**
 * Bundles a workflows module written to a temp dir. It imports the real workflow code by absolute
 * path; `@temporalio/workflow` resolves from the project's node_modules.
 */
async function bundleVariant(source: string): Promise<WorkflowBundleWithSourceMap> {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-replay-'));
  try {
    const workflowsPath = join(dir, 'workflows.ts');
    writeFileSync(workflowsPath, source);
    return await bundleWorkflowCode({
      workflowsPath,
      webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), join(ROOT, 'node_modules')] } }),
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The real conversation workflow, with one activity call added before it starts (so before its first
 * `enterNode`): optionally behind `patched(id)`, the replay-safe way to make that change.
 */
const variant = (patchId: string | null) => `
import { patched, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from ${JSON.stringify(join(ROOT, 'core/temporal/activity-types.ts'))};
import type { ConversationWorkflowInput } from ${JSON.stringify(join(ROOT, 'workflows/conversation/contract.ts'))};
import { conversationWorkflow as current } from ${JSON.stringify(join(ROOT, 'workflows/conversation/workflow.ts'))};
export { pluginTaskWorkflow } from ${JSON.stringify(join(ROOT, 'workflows/plugin-task.ts'))};

const acts = proxyActivities<HubActivities>({ startToCloseTimeout: '20 seconds' });

export async function conversationWorkflow(input: ConversationWorkflowInput) {
  if (${patchId ? `patched(${JSON.stringify(patchId)})` : 'true'}) await acts.activityTimes({ workspaceId: input.workspaceId, conversationId: input.conversationId });
  return current(input);
}
`;

void describe('replay of recorded conversation histories', { timeout: 180_000 }, () => {
  let recorded: Recorded[] = [];
  before(() => {
    // Replay failures are the point of the last tests: keep the SDK's own logging to errors.
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
    } catch { /* installed already */ }
    recorded = load();
  });

  void test('a history is recorded for every lifecycle scenario', () => {
    // Older histories (kept after a patched() change) may sit next to these.
    const names = recorded.map((r) => r.name);
    for (const scenario of Object.keys(SCENARIOS)) assert.ok(names.includes(scenario), `workflows/histories/${scenario}.json is missing`);
    // Recorded before transfers became offers (patch "transfer-offers"): running conversations of that
    // time still replay the direct hand-over.
    for (const legacy of ['transfer-to-agent']) assert.ok(names.includes(legacy), `workflows/histories/${legacy}.json (legacy) is missing`);
    for (const added of ['transfer-offer-accepted', 'transfer-offer-declined', 'transfer-offer-expired', 'supervisor-reassign', 'queue-lost-restored']) {
      assert.ok(names.includes(added), `workflows/histories/${added}.json is missing`);
    }
    for (const r of recorded) {
      const types = (r.history.events ?? []).map((e) => e.eventType);
      assert.ok(types.length > 10, `${r.name} has a real history`);
      assert.equal(types.at(-1), protos.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, `${r.name} ran to completion`);
    }
  });

  void test('every recorded history replays against the current workflow code (no determinism error)', async () => {
    const results = await replayAll(await workflowBundle(), recorded);
    assert.equal(results.length, recorded.length);
    for (const r of results) assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.name}: ${r.error?.message}`);
  });

  void test('an unversioned change (an extra activity before enterNode) is caught as a determinism error', async () => {
    const happy = recorded.find((r) => r.name === 'happy-path');
    assert.ok(happy);
    const results = await replayAll(await bundleVariant(variant(null)), [happy]);
    const error = results[0]?.error;
    assert.ok(error, 'the changed workflow must not replay');
    assert.equal(error.name, 'DeterminismViolationError', `${error.name}: ${error.message}`);
    assert.match(error.message, /enterNode|activityTimes|nondetermin/i);
  });

  void test('the same change behind patched() replays every history', async () => {
    const results = await replayAll(await bundleVariant(variant('extra-activity-times')), recorded);
    for (const r of results) assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.name}: ${r.error?.message}`);
  });
});
