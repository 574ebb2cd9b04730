/** Flow definitions as the hub stores them (core/flows/types.ts), and a diff of two versions. */
export interface FlowNodeDef {
  id: string;
  type: string;
  config: Record<string, unknown>;
  next: Record<string, string>;
  position?: { x: number; y: number };
}
export interface FlowDef { schemaVersion: 1; start: string; nodes: FlowNodeDef[] }

export interface FlowDiff {
  added: FlowNodeDef[];
  removed: FlowNodeDef[];
  config: { nodeId: string; field: string; from: unknown; to: unknown }[];
  wiring: { nodeId: string; outcome: string; from: string | null; to: string | null }[];
  moved: string[];
  startChanged: { from: string; to: string } | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Flattens nested config objects into dotted paths (arrays stay whole). */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** What changed from `a` (older) to `b` (newer): nodes added/removed, config fields, wiring, start. */
export function diffFlows(a: FlowDef, b: FlowDef, normalise: (n: FlowNodeDef) => Record<string, unknown> = (n) => n.config): FlowDiff {
  const A = new Map(a.nodes.map((n) => [n.id, n]));
  const B = new Map(b.nodes.map((n) => [n.id, n]));
  const d: FlowDiff = { added: [], removed: [], config: [], wiring: [], moved: [], startChanged: a.start !== b.start ? { from: a.start, to: b.start } : null };
  for (const n of b.nodes) if (!A.has(n.id)) d.added.push(n);
  for (const n of a.nodes) if (!B.has(n.id)) d.removed.push(n);
  for (const nb of b.nodes) {
    const na = A.get(nb.id);
    if (!na) continue;
    const fa = flatten(normalise(na));
    const fb = flatten(normalise(nb));
    for (const field of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
      if (!same(fa[field], fb[field])) d.config.push({ nodeId: nb.id, field, from: fa[field], to: fb[field] });
    }
    if (na.type !== nb.type) d.config.push({ nodeId: nb.id, field: '(type)', from: na.type, to: nb.type });
    for (const outcome of new Set([...Object.keys(na.next), ...Object.keys(nb.next)])) {
      if ((na.next[outcome] ?? null) !== (nb.next[outcome] ?? null)) d.wiring.push({ nodeId: nb.id, outcome, from: na.next[outcome] ?? null, to: nb.next[outcome] ?? null });
    }
    if (!same(na.position, nb.position)) d.moved.push(nb.id);
  }
  return d;
}

export const isEmptyDiff = (d: FlowDiff) => !d.added.length && !d.removed.length && !d.config.length && !d.wiring.length && !d.startChanged;

/** A node's config with the defaults of its type's JSON Schema filled in (older versions may omit them). */
export function withDefaults(config: Record<string, unknown>, schema: { properties?: Record<string, { default?: unknown }> } | undefined): Record<string, unknown> {
  const out = { ...(config ?? {}) };
  for (const [k, p] of Object.entries(schema?.properties ?? {})) if (out[k] === undefined && p.default !== undefined) out[k] = p.default;
  return out;
}
