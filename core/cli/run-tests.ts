/**
 * Runs the test suite (or the files given) against the real services: checks them, starts one
 * Temporal dev server for the run (in-memory, headless), then `node --test`.
 *   node core/cli/run-tests.ts [files…]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { checkServices } from '../infra/preflight.ts';
import { ensureTemporalCli } from '../infra/tools.ts';
import { startTemporalDevServer } from '../infra/temporal-dev-server.ts';
import { ROOT } from '../hub.ts';

const log = (m: string) => console.log(`[test] ${m}`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const CHROMIUM = '/usr/bin/chromium';
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/**
 * The browser tests (*.e2e.test.ts) drive a real Chromium from Debian's `chromium` package, with a CJK
 * font so Chinese renders: install them with apt-get when missing (`apt-get update` first only if the
 * plain install fails). Never fatal here: the tests then fail and say why.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM) && existsSync(CJK_FONT)) return;
  const packages = existsSync(CHROMIUM) ? ['fonts-wqy-microhei'] : ['chromium', 'fonts-wqy-microhei'];
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8' });
  log(`installing ${packages.join(' ')} for the browser tests (apt-get install -y)`);
  let r = apt(['install', '-y', ...packages]);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', ...packages]);
  }
  if (r.status === 0 && existsSync(CHROMIUM)) return;
  const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() ?? '';
  if (!existsSync(CHROMIUM)) log(`Chromium is not installed and \`apt-get install -y chromium\` failed${why ? ` (${why})` : ''}: the browser tests will fail — install it as root: apt-get install -y chromium fonts-wqy-microhei`);
  else log(`no CJK font (\`apt-get install -y fonts-wqy-microhei\` failed${why ? `: ${why}` : ''}): browser screenshots will show Chinese as boxes`);
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'fixtures' || e.name === 'helpers' ? [] : testFiles(join(dir, e.name))) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  ).sort();
}

export async function runTests(files: string[]): Promise<number> {
  const config = loadConfig();
  await checkServices({ dbUrl: config.KEFU_DB_URL, redisUrl: config.KEFU_REDIS_URL, natsUrl: 'nats://127.0.0.1:4222' });
  await ensureTemporalCli(log);
  const list = files.length ? files : testFiles(join(ROOT, 'test'));
  if (list.some((f) => f.endsWith('.e2e.test.ts'))) ensureChromium();
  const dev = await startTemporalDevServer({ port: await freePort(), headless: true, namespace: 'default', log });
  log(`Temporal dev server at ${dev.address}`);
  try {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...list], {
      stdio: 'inherit',
      cwd: ROOT,
      env: { ...process.env, KEFU_TEST_TEMPORAL_ADDRESS: dev.address },
    });
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await dev.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runTests(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(`[test] ${(err as Error).message}`);
    process.exit(1);
  });
}
