// `npm run schema:print`: writes schema/schema.graphql (core + plugins in plugins/). `--check` fails if it differs.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PluginRegistry } from '../kernel/registry.ts';
import { buildSchema, printHubSchema } from '../graphql/schema.ts';
import { ROOT } from '../hub.ts';

const registry = await PluginRegistry.load(join(ROOT, 'plugins'), []);
const sdl = printHubSchema(buildSchema(registry));
const file = join(ROOT, 'schema', 'schema.graphql');
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== sdl) {
    console.error('schema/schema.graphql is out of date: run `npm run schema:print` and commit it');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  writeFileSync(file, sdl);
  console.log(`wrote ${file.slice(ROOT.length + 1)} (${sdl.split('\n').length} lines)`);
}
