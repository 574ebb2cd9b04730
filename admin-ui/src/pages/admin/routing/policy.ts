/**
 * A skill group's routing policy as the editor holds it: the shape of `SkillGroup.routingPolicy`
 * (core/routing/policy.ts GroupRoutingPolicySchema, defaults filled in) and `updateSkillGroupRouting`.
 */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
export type Interval = [string, string];

export interface WorkingHours { timezone: string; weekly: Record<Day, Interval[]>; holidays: string[]; alwaysOpen: boolean }
export interface PriorityRule { rule: string; weight: number; config: Record<string, unknown> }
export interface Policy {
  strategy: { name: string; config: Record<string, unknown> };
  priorityRules: PriorityRule[];
  maxChatsPerAgent: number | null;
  maxQueueLength: number | null;
  overflow: { afterSec: number; toSkillGroupId: string | null } | null;
  workingHours: WorkingHours | null;
}

export const DEFAULT_HOURS = (timezone: string): WorkingHours => ({
  timezone,
  weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']], sat: [], sun: [] },
  holidays: [],
  alwaysOpen: false,
});

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Reads a stored policy defensively (older rows, missing parts) into the editor's shape. */
export function toPolicy(v: unknown): Policy {
  const p = record(v);
  const strategy = record(p.strategy);
  const overflow = p.overflow ? record(p.overflow) : null;
  const hours = p.workingHours ? record(p.workingHours) : null;
  const weekly = record(hours?.weekly);
  return {
    strategy: { name: typeof strategy.name === 'string' ? strategy.name : 'balanced', config: record(strategy.config) },
    priorityRules: Array.isArray(p.priorityRules)
      ? p.priorityRules.map((r) => record(r)).map((r) => ({ rule: String(r.rule ?? ''), weight: typeof r.weight === 'number' ? r.weight : 60, config: record(r.config) }))
      : [],
    maxChatsPerAgent: typeof p.maxChatsPerAgent === 'number' ? p.maxChatsPerAgent : null,
    maxQueueLength: typeof p.maxQueueLength === 'number' ? p.maxQueueLength : null,
    overflow: overflow ? { afterSec: typeof overflow.afterSec === 'number' ? overflow.afterSec : 120, toSkillGroupId: typeof overflow.toSkillGroupId === 'string' ? overflow.toSkillGroupId : null } : null,
    workingHours: hours
      ? {
          timezone: typeof hours.timezone === 'string' ? hours.timezone : 'Asia/Shanghai',
          weekly: Object.fromEntries(DAYS.map((d) => [d, Array.isArray(weekly[d]) ? (weekly[d] as Interval[]) : []])) as Record<Day, Interval[]>,
          holidays: Array.isArray(hours.holidays) ? (hours.holidays as string[]) : [],
          alwaysOpen: hours.alwaysOpen === true,
        }
      : null,
  };
}

/** Validation issues (`extensions.details.issues`) by their dotted path; several on one path are joined. */
export function issuesByPath(issues: { path?: string; message: string }[], stripPrefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    let path = i.path ?? '';
    if (stripPrefix && (path === stripPrefix || path.startsWith(`${stripPrefix}.`))) path = path.slice(stripPrefix.length + 1);
    out[path] = out[path] ? `${out[path]}; ${i.message}` : i.message;
  }
  return out;
}

/** The issues under `prefix.` with the prefix removed (what a nested form shows). */
export function within(errors: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

/** The first issue at `path` or below it. */
export function errorAt(errors: Record<string, string>, path: string): string | undefined {
  return errors[path] ?? Object.entries(errors).find(([k]) => k.startsWith(`${path}.`))?.[1];
}

/** Which editor tab a policy path belongs to. */
export function tabOf(path: string): 'strategy' | 'priority' | 'limits' | 'hours' | null {
  if (path.startsWith('strategy')) return 'strategy';
  if (path.startsWith('priorityRules')) return 'priority';
  if (path.startsWith('maxChatsPerAgent') || path.startsWith('maxQueueLength') || path.startsWith('overflow')) return 'limits';
  if (path.startsWith('workingHours')) return 'hours';
  return null;
}

/**
 * The overflow chain starting at `groupId` under the edited policy (others as stored): group ids, then
 * null for the offline message, or 'loop' when it comes back to a group already on it.
 */
export function overflowChain(groupId: string, edited: Policy, stored: Map<string, Policy>): (string | null | 'loop')[] {
  const out: (string | null | 'loop')[] = [];
  const seen = new Set([groupId]);
  let next = edited.overflow ? edited.overflow.toSkillGroupId : undefined;
  for (let hop = 0; next !== undefined && hop < 20; hop++) {
    if (next === null) { out.push(null); break; }
    if (seen.has(next)) { out.push(next, 'loop'); break; }
    out.push(next);
    seen.add(next);
    const p = stored.get(next);
    next = p?.overflow ? p.overflow.toSkillGroupId : undefined;
  }
  return out;
}
