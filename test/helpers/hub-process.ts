import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../core/hub.ts';

/** A hub started as its own process (`core/cli/serve.ts`), for multi-node and crash tests. */
export interface HubProcess {
  nodeID: string;
  child: ChildProcess;
  /** http://127.0.0.1:<port> (serve.ts prints localhost; tests bind 127.0.0.1). */
  url: string;
  /** The last 4,000 characters it printed, for failure messages. */
  output(): string;
  exited: Promise<void>;
}

const children: ChildProcess[] = [];

/** SIGKILLs every hub process this test file started (also on process exit). */
export function killAllHubProcesses(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAllHubProcesses);

/** Spawns `node core/cli/serve.ts` with `env` and waits for its `READY <url> <nodeID>` line. */
export async function spawnHubProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<HubProcess> {
  const label = env.KEFU_NODE_ID ?? 'hub';
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'node'), ['core/cli/serve.ts'], {
    cwd: ROOT, env: { ...process.env, KEFU_RATE_LIMITS: 'off', ...env }, // test clients all call from 127.0.0.1 stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const output = () => out.slice(-4000);
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; nodeID: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} not READY after ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const onData = () => {
      const m = /^READY (\S+) (\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ url: m[1]!, nodeID: m[2]! });
    };
    child.stdout.on('data', onData);
    void exited.then(() => { clearTimeout(timer); reject(new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before READY:\n${output()}`)); });
  });
  return { nodeID: ready.nodeID, child, url: `http://127.0.0.1:${new URL(ready.url).port}`, output, exited };
}

/** SIGTERM, then SIGKILL after 10 s; a no-op for a process that has already exited. */
export async function stopHubProcess(h: HubProcess | undefined): Promise<void> {
  if (!h || h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.child.kill('SIGTERM');
  const timer = setTimeout(() => h.child.kill('SIGKILL'), 10_000);
  await h.exited;
  clearTimeout(timer);
}
