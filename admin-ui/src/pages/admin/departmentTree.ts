/** Department tree helpers shared by the directory pages and the live view. */

export type Tree<T> = T & { children?: Tree<T>[] };
interface DeptLike { id: string; parentId?: string | null }

/**
 * Departments as a tree. A department whose parent the caller cannot see (a supervisor's own
 * department) is a root; one caught in a parent cycle is shown as a root too rather than lost.
 */
export function departmentTree<T extends DeptLike>(list: readonly T[]): Tree<T>[] {
  const ids = new Set(list.map((d) => d.id));
  const kids = new Map<string | null, T[]>();
  for (const d of list) {
    const parent = d.parentId && ids.has(d.parentId) ? d.parentId : null;
    kids.set(parent, [...(kids.get(parent) ?? []), d]);
  }
  const placed = new Set<string>();
  const build = (d: T): Tree<T> => {
    placed.add(d.id);
    const children = (kids.get(d.id) ?? []).filter((c) => !placed.has(c.id)).map(build);
    return children.length ? { ...d, children } : { ...d };
  };
  const roots = (kids.get(null) ?? []).map(build);
  for (const d of list) if (!placed.has(d.id)) roots.push(build(d));
  return roots;
}

/** A department and every department below it. */
export function subtreeIds(rootId: string, list: readonly DeptLike[]): Set<string> {
  const out = new Set<string>();
  const todo = [rootId];
  while (todo.length) {
    const id = todo.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const d of list) if (d.parentId === id) todo.push(d.id);
  }
  return out;
}

export interface DepartmentOption { value: string; title: string; disabled: boolean; children?: DepartmentOption[] }

/** Options for a department TreeSelect. */
export function departmentOptions<T extends DeptLike & { name: string }>(list: readonly T[], disabled: ReadonlySet<string> = new Set()): DepartmentOption[] {
  const toNode = (d: Tree<T>): DepartmentOption =>
    ({ value: d.id, title: d.name, disabled: disabled.has(d.id), ...(d.children ? { children: d.children.map(toNode) } : {}) });
  return departmentTree(list).map(toNode);
}
