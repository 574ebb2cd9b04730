/**
 * Builds the admin UI (admin-ui/, its own npm package) when its production bundle is missing or
 * older than its sources. Used by `npm start` and by the browser tests; the hub serves the result at /admin.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../hub.ts';

export const ADMIN_UI_DIR = join(ROOT, 'admin-ui');
export const ADMIN_UI_DIST = join(ADMIN_UI_DIR, 'dist');

const SOURCES = ['src', 'index.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/** Why the bundle must be (re)built, or null when dist/ is newer than every source. */
export function adminUiStaleReason(): string | null {
  const index = join(ADMIN_UI_DIST, 'index.html');
  if (!existsSync(index)) return 'admin-ui/dist is missing';
  const built = statSync(index).mtimeMs;
  const src = Math.max(...SOURCES.map((s) => newestMtime(join(ADMIN_UI_DIR, s))));
  return src > built ? 'admin-ui sources changed since the last build' : null;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // The root's Node 24 first on PATH, so npm and vite run on it whatever the machine's node is.
    const bin = dirname(process.execPath);
    const child = spawn(cmd, args, { cwd, env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', (err) => resolve({ code: 1, output: `${output}\n${err.message}` }));
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export interface AdminUiBuild { ok: boolean; built: boolean; reason: string | null; error?: string; ms: number }

/**
 * `npm install` (when admin-ui/node_modules is missing or older than the lock file) and `npm run build`
 * inside admin-ui, when the bundle is stale. Never throws: a failure is returned with the tail of the output.
 */
export async function ensureAdminUi(opts: { force?: boolean; log?: (m: string) => void } = {}): Promise<AdminUiBuild> {
  const started = Date.now();
  const reason = opts.force ? 'forced' : adminUiStaleReason();
  if (!reason) return { ok: true, built: false, reason: null, ms: 0 };
  opts.log?.(`building the admin UI (${reason}) …`);
  const modules = join(ADMIN_UI_DIR, 'node_modules', '.package-lock.json');
  if (!existsSync(modules) || statSync(join(ADMIN_UI_DIR, 'package-lock.json')).mtimeMs > statSync(modules).mtimeMs) {
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], ADMIN_UI_DIR);
    if (install.code !== 0) return { ok: false, built: false, reason, error: `npm install failed: ${tail(install.output)}`, ms: Date.now() - started };
  }
  const build = await run('npm', ['run', 'build', '--silent'], ADMIN_UI_DIR);
  if (build.code !== 0) return { ok: false, built: false, reason, error: `build failed: ${tail(build.output)}`, ms: Date.now() - started };
  return { ok: true, built: true, reason, ms: Date.now() - started };
}

const tail = (s: string) => s.trim().split('\n').filter((l) => !/Unknown user config/.test(l)).slice(-12).join('\n');
