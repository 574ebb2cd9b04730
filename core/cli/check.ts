/**
 * `npm test`: typecheck, type-aware lint, schema drift check, then the whole suite on the real
 * services. Stops at the first failing step.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../hub.ts';
import { runTests } from './run-tests.ts';

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const steps: [string, string, string[]][] = [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json']],
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['schema', process.execPath, ['core/cli/print-schema.ts', '--check']],
];
for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[check] ${name} failed`);
    process.exit(r.status ?? 1);
  }
  console.log(`[check] ${name} ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
const code = await runTests(process.argv.slice(2));
process.exit(code);
