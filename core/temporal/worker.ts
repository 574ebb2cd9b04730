import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { HubActivities } from './activity-types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKFLOWS_PATH = join(ROOT, 'workflows', 'index.ts');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (name === 'histories' || name === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(p.slice(ROOT.length)).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'workflows'));
  h.update(readFileSync(join(ROOT, 'core', 'temporal', 'activity-types.ts')));
  h.update(readFileSync(join(ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

/**
 * Bundles the workflow code once per source version and caches it under `.artifacts/` (webpack takes
 * seconds; every hub start and test would otherwise pay it).
 */
export async function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const dir = join(ROOT, '.artifacts', 'workflow-bundles');
  const file = join(dir, `${sourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') } as WorkflowBundleWithSourceMap;
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.tmp${process.pid}`, bundle.code);
  (await import('node:fs')).renameSync(`${file}.tmp${process.pid}`, file);
  return bundle;
}

export interface HubWorker { worker: Worker; run: Promise<void>; shutdown(): Promise<void> }

let runtimeInstalled = false;

/** Routes the Temporal SDK's own logs through its default logger at the hub's level (once per process). */
function installRuntime(level: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const map: Record<string, 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };
  try {
    Runtime.install({ logger: new DefaultLogger(map[level] ?? 'INFO') });
  } catch {
    // Already instantiated by an earlier connection in this process; keep it.
  }
}

export async function startWorker(opts: { address: string; namespace: string; taskQueue: string; activities: HubActivities; logLevel?: string }): Promise<HubWorker> {
  installRuntime(opts.logLevel ?? 'info');
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: opts.activities,
    shutdownGraceTime: '5 seconds',
  });
  const run = worker.run();
  return {
    worker,
    run,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
      await connection.close();
    },
  };
}
