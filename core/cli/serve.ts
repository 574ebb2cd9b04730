/**
 * Runs one hub node against already-running services (KEFU_TEMPORAL_ADDRESS required): what
 * production process managers and the multi-node tests start. Prints `READY <url> <nodeID>` when up.
 */
import { loadConfig } from '../config.ts';
import { startHub } from '../hub.ts';

process.on('unhandledRejection', (err) => console.error('[kefu] unhandled rejection (contained):', err));
const config = loadConfig();
try {
  const hub = await startHub({ config, migrate: process.env.KEFU_MIGRATE === 'true', temporalAddress: config.KEFU_TEMPORAL_ADDRESS ?? null });
  console.log(`READY ${hub.url} ${hub.services.broker.nodeID}`);
  const stop = () => void hub.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  console.error(`[kefu] ${(err as Error).message}`);
  process.exit(1);
}
