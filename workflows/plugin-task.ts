import { proxyActivities } from '@temporalio/workflow';
import type { HubActivities, PluginActivityInput } from '../core/temporal/activity-types.ts';

const { runPluginActivity } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '500 milliseconds', backoffCoefficient: 2 },
});

/**
 * Runs one plugin activity durably (retries, survives worker restarts). The conversation workflow
 * calls plugins the same way; this one exists for one-off plugin tasks and for tests.
 */
export async function pluginTaskWorkflow(input: PluginActivityInput): Promise<unknown> {
  return runPluginActivity(input);
}
