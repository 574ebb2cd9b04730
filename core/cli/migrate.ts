// `npm run migrate`: applies pending core and plugin migrations, then exits.
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { ensureDatabase, initOrm, migrateUp } from '../db/orm.ts';
import { PluginRegistry } from '../kernel/registry.ts';
import { ROOT } from '../hub.ts';

const config = loadConfig();
const registry = await PluginRegistry.load(config.KEFU_PLUGINS_DIR ?? join(ROOT, 'plugins'), config.KEFU_PLUGINS);
await ensureDatabase(config.KEFU_DB_URL);
const orm = await initOrm({ dbUrl: config.KEFU_DB_URL, pluginEntities: registry.entities(), pluginMigrations: registry.migrations() });
try {
  const applied = await migrateUp(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await orm.close(true);
}
