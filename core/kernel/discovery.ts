import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginLoadError } from './errors.ts';

export interface DiscoveredPlugin {
  /** Where it came from, for error messages: `plugins/example` or `npm:@acme/kefu-plugin-crm`. */
  source: string;
  definition: unknown;
}

async function importDefault(spec: string, source: string, label: string): Promise<unknown> {
  let mod: { default?: unknown };
  try {
    mod = (await import(spec)) as { default?: unknown };
  } catch (err) {
    throw new PluginLoadError(label, source, `cannot be imported: ${(err as Error).message}`);
  }
  if (!mod.default) throw new PluginLoadError(label, source, 'has no default export (export default definePlugin({...}))');
  return mod.default;
}

/**
 * Finds plugins in the `plugins/` folder (each a package whose package.json has
 * `"kefuHub": { "plugin": true }`) and the npm packages named in configuration.
 */
export async function discoverPlugins(pluginsDir: string, npmPackages: string[]): Promise<DiscoveredPlugin[]> {
  const found: DiscoveredPlugin[] = [];
  const dir = resolve(pluginsDir);
  if (existsSync(dir)) {
    const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const pkgPath = join(dir, entry.name, 'package.json');
      if (!existsSync(pkgPath)) continue;
      const source = `plugins/${entry.name}`;
      let pkg: { name?: string; exports?: unknown; main?: string; kefuHub?: { plugin?: boolean } };
      try {
        pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
      } catch (err) {
        throw new PluginLoadError(entry.name, source, `package.json is not valid JSON: ${(err as Error).message}`);
      }
      if (!pkg.kefuHub?.plugin) continue;
      const exp = pkg.exports as string | Record<string, unknown> | undefined;
      const main = (typeof exp === 'string' ? exp : typeof exp?.['.'] === 'string' ? (exp['.']) : undefined) ?? pkg.main;
      if (!main) throw new PluginLoadError(pkg.name ?? entry.name, source, 'package.json names no entry point ("exports" or "main")');
      const file = join(dir, entry.name, main);
      found.push({ source, definition: await importDefault(pathToFileURL(file).href, source, pkg.name ?? entry.name) });
    }
  }
  for (const name of npmPackages) {
    found.push({ source: `npm:${name}`, definition: await importDefault(name, `npm:${name}`, name) });
  }
  return found;
}
