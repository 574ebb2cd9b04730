/**
 * Left-to-right layout of a flow with dagre (@dagrejs/dagre). Loaded on demand by the composer
 * (`import('./autoLayout')`), so the layout library is its own chunk, fetched only when a flow is laid out.
 */
import { graphlib, layout } from '@dagrejs/dagre';
import type { FlowNodeDef } from './flowDiff';

export interface Size { width: number; height: number }

/** Space kept around each outcome label on an edge, and between nodes and ranks. */
const EDGE_LABEL: Size = { width: 56, height: 16 };
const NODE_GAP = 36;
const RANK_GAP = 70;

/**
 * New top-left positions for every node, laid out left to right along the wiring (`next`), using each
 * node's rendered size. Nodes that no edge reaches still get a place; positions are whole pixels.
 */
export function layoutLeftToRight(nodes: FlowNodeDef[], sizeOf: (n: FlowNodeDef) => Size, start?: string): Map<string, { x: number; y: number }> {
  // A multigraph: one node may wire several outcomes to the same target, each edge carrying its label.
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: NODE_GAP, ranksep: RANK_GAP, edgesep: 12, marginx: 0, marginy: 0, ranker: 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { ...sizeOf(n) });
  for (const n of nodes) {
    for (const [outcome, target] of Object.entries(n.next)) {
      if (ids.has(target) && target !== n.id) g.setEdge(n.id, target, { ...EDGE_LABEL, labelpos: 'c', minlen: 1, weight: n.id === start ? 2 : 1 }, outcome);
    }
  }
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    // dagre gives centres; React Flow places nodes by their top-left corner.
    if (placed) out.set(n.id, { x: Math.round(placed.x - placed.width / 2), y: Math.round(placed.y - placed.height / 2) });
  }
  return out;
}
