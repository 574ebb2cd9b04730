// Every workflow the hub's worker registers. Workflow code is deterministic: no I/O, no Node APIs,
// time and randomness only through Temporal's replay-safe versions.
export { pluginTaskWorkflow } from './plugin-task.ts';
export { conversationWorkflow } from './conversation/workflow.ts';
