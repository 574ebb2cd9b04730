// Every workflow the hub's worker registers. Workflow code is deterministic: no I/O, no Date.now(),
// no Math.random() outside Temporal's replay-safe versions.
export { pluginTaskWorkflow } from './plugin-task.ts';
