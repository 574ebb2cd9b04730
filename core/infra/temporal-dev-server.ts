import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortOpen, probeTemporal } from './preflight.ts';
import { ensureTemporalCli, type LogFn } from './tools.ts';

export interface TemporalDevServerOptions {
  /** Frontend gRPC port, bound on 127.0.0.1. */
  port: number;
  /** Web UI port; without it (or with `headless`) the UI is disabled. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file for persistent state; without it state lives in memory and dies with the server. */
  dbFile?: string;
  /** Namespace created at launch (`default` always exists). */
  namespace: string;
  log: LogFn;
}

export interface TemporalDevServer {
  /** `127.0.0.1:<port>`, ready for `Connection.connect({ address })`. */
  address: string;
  /** Stops the server we started (SIGTERM, SIGKILL after 5 s); a no-op for a reused server. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 20;

/** Keeps the last lines written to a stream, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, lines: string[]): void {
  if (!stream) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim()) lines.push(line.trimEnd());
    }
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  });
  stream.on('end', () => {
    if (partial.trim()) lines.push(partial.trimEnd());
    partial = '';
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    function onExit() {
      clearTimeout(timer);
      resolve(true);
    }
    child.once('exit', onExit);
  });
}

/**
 * Starts `temporal server start-dev` on 127.0.0.1:`port`, or reuses a Temporal server that already
 * answers there (then `stop()` does nothing). Resolves once the frontend answers `getSystemInfo`.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const { port, namespace, log } = options;
  const address = `${HOST}:${port}`;

  if (await isPortOpen(HOST, port)) {
    try {
      await probeTemporal(address, 3_000);
    } catch (err) {
      throw new Error(
        `port ${port} on ${HOST} is in use by something that is not a Temporal server ` +
          `(${(err as Error).message.split('\n')[0]}); free the port or choose another one`,
        { cause: err },
      );
    }
    log(`reusing the Temporal server already running at ${address}`);
    return { address, stop: async () => {} };
  }

  const cli = await ensureTemporalCli(log);
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  if (options.dbFile) {
    await mkdir(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.headless || options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const stdout: string[] = [];
  tail(child.stderr, stderr);
  tail(child.stdout, stdout);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  // Never let the server outlive us, and never let it (or its pipes) keep us alive.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();

  const exited = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
  const output = () => (stderr.length > 0 ? stderr : stdout).slice(-10).join('\n');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited()) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_GRACE_MS);
        }
      }
      process.off('exit', killOnExit);
    })();
    return stopping;
  };

  log(`starting Temporal dev server at ${address}${options.dbFile ? ` (state in ${options.dbFile})` : ' (in memory)'}`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    if (exited()) {
      await stop();
      const how = spawnError ? spawnError.message : `exit ${child.exitCode ?? child.signalCode}`;
      throw new Error(`temporal server start-dev exited early (${how})${output() ? `:\n${output()}` : ''}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `Temporal dev server at ${address} did not become ready within ${READY_TIMEOUT_MS / 1000} s ` +
          `(${(lastError as Error | undefined)?.message?.split('\n')[0] ?? 'no answer'})${output() ? `:\n${output()}` : ''}`,
      );
    }
    if (await isPortOpen(HOST, port, 500)) {
      try {
        await probeTemporal(address, 2_000);
        log(`Temporal dev server ready at ${address}`);
        return { address, stop };
      } catch (err) {
        lastError = err;
      }
    }
    await sleep(250);
  }
}
