/**
 * Runs the test suite (or the files given) against the real services: checks them, starts one
 * Temporal dev server for the run (in-memory, headless), then `node --test`.
 *   node core/cli/run-tests.ts [files…]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync } from 'node:fs';
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

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'fixtures' || e.name === 'helpers' ? [] : testFiles(join(dir, e.name))) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  ).sort();
}

export async function runTests(files: string[]): Promise<number> {
  const config = loadConfig();
  await checkServices({ dbUrl: config.KEFU_DB_URL, redisUrl: config.KEFU_REDIS_URL, natsUrl: 'nats://127.0.0.1:4222' });
  await ensureTemporalCli(log);
  const dev = await startTemporalDevServer({ port: await freePort(), headless: true, namespace: 'default', log });
  log(`Temporal dev server at ${dev.address}`);
  try {
    const list = files.length ? files : testFiles(join(ROOT, 'test'));
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
