import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One line of human-readable progress output. */
export type LogFn = (line: string) => void;

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const WAIT_FOR_OTHER_BUILD_MS = 20 * 60_000;
const POLL_MS = 2_000;

/**
 * Where helper binaries (the Temporal CLI) are kept: outside the checkout, so every clone
 * and every `npm ci` reuses them.
 */
export function toolsDir(): string {
  return (
    process.env.KEFU_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kefu-hub', 'tools')
  );
}

const exe = process.platform === 'win32' ? '.exe' : '';

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the `go` binary on PATH or in the standard /usr/local/go install. */
export async function findGo(): Promise<string | null> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  if (process.env.GOROOT) dirs.push(join(process.env.GOROOT, 'bin'));
  dirs.push('/usr/local/go/bin');
  for (const dir of dirs) {
    const candidate = join(dir, `go${exe}`);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock file names a process that no longer exists (a build that crashed). */
async function lockIsStale(lockFile: string): Promise<boolean> {
  try {
    const pid = Number.parseInt((await readFile(lockFile, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
  } catch {
    return false; // unreadable or just created and still empty: assume a live owner
  }
}

function runGoInstall(go: string, gobin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Returns the path of the `temporal` CLI: `KEFU_TEMPORAL_CLI` if set, else `<toolsDir>/temporal`,
 * building it once with `go install` when missing. Concurrent callers (several clones, parallel
 * test runs) share one build through an O_EXCL lock file; the others wait for it.
 */
export async function ensureTemporalCli(log: LogFn): Promise<string> {
  const fromEnv = process.env.KEFU_TEMPORAL_CLI;
  if (fromEnv) return fromEnv;

  const dir = toolsDir();
  const binary = join(dir, `temporal${exe}`);
  const lockFile = join(dir, 'temporal.build.lock');
  if (await isExecutable(binary)) return binary;

  const go = await findGo();
  if (!go) {
    throw new Error(
      `Go is needed to build the Temporal CLI once (into ${dir}); install Go (https://go.dev/dl/), ` +
        'or set KEFU_TEMPORAL_ADDRESS to an existing Temporal server.',
    );
  }
  await mkdir(dir, { recursive: true });

  const deadline = Date.now() + WAIT_FOR_OTHER_BUILD_MS;
  let announcedWait = false;
  for (;;) {
    let handle;
    try {
      handle = await open(lockFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }

    if (handle) {
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        // Another process may have finished between our first check and taking the lock.
        if (await isExecutable(binary)) return binary;
        log(
          `building the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${dir} with go install; ` +
            'this one-time build takes several minutes...',
        );
        await runGoInstall(go, dir);
        if (!(await isExecutable(binary))) throw new Error(`go install finished but ${binary} is missing`);
        log(`Temporal CLI built: ${binary}`);
        return binary;
      } finally {
        await rm(lockFile, { force: true });
      }
    }

    // Somebody else holds the lock: wait for their build.
    if (!announcedWait) {
      log(`waiting for another process to finish building the Temporal CLI (lock ${lockFile})...`);
      announcedWait = true;
    }
    for (;;) {
      const lockHeld = await exists(lockFile);
      // The binary can appear before `go install` is done writing it, so trust it once the lock is gone.
      if (!lockHeld && (await isExecutable(binary))) return binary;
      if (!lockHeld) break; // the other build gave up: try to take the lock ourselves
      if (await lockIsStale(lockFile)) {
        log(`removing stale Temporal CLI build lock ${lockFile}`);
        await rm(lockFile, { force: true });
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after 20 minutes waiting for another process to build the Temporal CLI; ` +
            `remove ${lockFile} if no build is running`,
        );
      }
      await sleep(POLL_MS);
    }
  }
}
