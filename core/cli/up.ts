/**
 * `npm start`: the one command that runs a hub on this machine. Checks services, starts a Temporal
 * dev server when no cluster is configured, migrates, seeds the demo workspace and serves.
 */
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../config.ts';
import { checkServices } from '../infra/preflight.ts';
import { ensureTemporalCli, toolsDir } from '../infra/tools.ts';
import { startTemporalDevServer } from '../infra/temporal-dev-server.ts';
import { startHub } from '../hub.ts';
import { seedDemo } from '../seed.ts';
import { ensureAdminUi } from '../infra/admin-ui.ts';

const log = (msg: string) => console.log(`[kefu] ${msg}`);

async function main() {
  const config = loadConfig();
  const natsUrl = config.KEFU_TRANSPORTER?.startsWith('nats://') ? config.KEFU_TRANSPORTER : undefined;
  await checkServices({ dbUrl: config.KEFU_DB_URL, redisUrl: config.KEFU_REDIS_URL, temporalAddress: config.KEFU_TEMPORAL_ADDRESS, natsUrl });

  let temporalAddress = config.KEFU_TEMPORAL_ADDRESS ?? null;
  let stopTemporal: (() => Promise<void>) | null = null;
  if (!temporalAddress) {
    const port = Number(process.env.KEFU_TEMPORAL_DEV_PORT ?? 7233);
    await ensureTemporalCli(log);
    const dev = await startTemporalDevServer({ port, uiPort: port + 1000, dbFile: join(toolsDir(), 'temporal-dev.sqlite'), namespace: config.KEFU_TEMPORAL_NAMESPACE, log });
    temporalAddress = dev.address;
    stopTemporal = () => dev.stop();
    log(`Temporal dev server at ${dev.address} (UI http://localhost:${port + 1000})`);
  }

  // The admin UI is served from admin-ui/dist: (re)build it when missing or stale. A failed build is
  // reported and the hub starts anyway (the API does not need it).
  const ui = await ensureAdminUi();
  if (!ui.ok) log(`admin UI not built — ${(ui.error ?? 'unknown error').split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' | ')} (the API works without it; fix and restart, or run: npm --prefix admin-ui run build)`);
  else if (ui.built) log(`admin UI built in ${(ui.ms / 1000).toFixed(1)} s (${ui.reason})`);

  const hub = await startHub({ config, migrate: true, temporalAddress });
  const demo = await seedDemo(hub.services.orm, { adminEmail: config.KEFU_SEED_ADMIN_EMAIL, adminPassword: config.KEFU_SEED_ADMIN_PASSWORD });
  log(`Kefu Hub is up (node ${hub.services.broker.nodeID})`);
  if (ui.ok) log(`  Admin UI + workbench ${hub.url}/admin`);
  log(`  GraphQL + GraphiQL  ${hub.url}/graphql`);
  log(`  Queues (bull-board) ${hub.url}/admin/queues   (admins; POST /auth/session with a token to set the cookie)`);
  log(`  Health              ${hub.url}/healthz`);
  log(`  Demo workspace "${demo.workspaceSlug}": ${demo.adminEmail} / ${config.KEFU_SEED_ADMIN_PASSWORD === 'kefu-demo-2026' ? 'kefu-demo-2026 (change it: KEFU_SEED_ADMIN_PASSWORD)' : '(KEFU_SEED_ADMIN_PASSWORD)'}`);
  if (demo.widgetChannelKey) {
    log(`  Web widget channel key ${demo.widgetChannelKey}`);
    log(`  Widget demo  ${hub.url}/plugins/web-widget/demo?channel=${demo.widgetChannelKey}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await hub.stop();
    await stopTemporal?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

process.on('unhandledRejection', (err) => console.error('[kefu] unhandled rejection (contained):', err));
main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err as Error)?.name === 'ServiceUnavailableError' || (err as Error)?.name === 'PluginLoadError') {
    console.error(`[kefu] ${(err as Error).message}`);
  } else {
    console.error('[kefu] start-up failed:', err);
  }
  process.exit(1);
});
