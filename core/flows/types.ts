/**
 * A flow is data: a graph of typed nodes that the conversation workflow interprets. Admins compose
 * flows in the flow composer; each published version is immutable.
 */
export interface FlowNode {
  id: string;
  /** A type from the node registry (`start`, `working_hours`, `bot`, `queue`, …, or a plugin's). */
  type: string;
  config: Record<string, unknown>;
  /** Outcome name → next node id. Every outcome the node type declares must be wired. */
  next: Record<string, string>;
  /** Composer layout; ignored by the workflow. */
  position?: { x: number; y: number };
}

export interface FlowDefinition {
  schemaVersion: 1;
  start: string;
  nodes: FlowNode[];
}
