// Types shared by workflows and activities (workflow code imports types only from here).
export interface PluginActivityInput {
  plugin: string;
  activity: string;
  workspaceId: string;
  input: unknown;
  /** Same key ⇒ same effect: a retried or replayed call returns the first result. */
  idempotencyKey: string;
}

export interface HubActivities {
  runPluginActivity(input: PluginActivityInput): Promise<unknown>;
}
