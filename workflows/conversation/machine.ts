/**
 * Pure phase logic of the conversation workflow: no Temporal, no I/O, unit-tested directly.
 * The workflow asks it where to go; it never decides by itself.
 */
import type { FlowDefinition, FlowNode } from '../../core/flows/types.ts';
import type { Phase } from './contract.ts';

export function nodeById(flow: FlowDefinition, id: string): FlowNode {
  const n = flow.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`flow has no node "${id}"`);
  return n;
}

/** The node an outcome leads to. Validated flows wire every outcome, so a miss is a bug. */
export function nextNodeId(flow: FlowDefinition, from: FlowNode, outcome: string): string {
  const to = from.next[outcome];
  if (!to) throw new Error(`node "${from.id}" (${from.type}) has no wiring for outcome "${outcome}"`);
  return to;
}

export function phaseOf(nodeType: string, current: Phase): Phase {
  switch (nodeType) {
    case 'self_service': return 'self_service';
    case 'bot': return 'bot';
    case 'queue': return 'queued';
    case 'agent': return 'assigned';
    case 'survey': return 'survey';
    case 'offline_message': return 'offline';
    case 'end': return 'ended';
    default: return current; // start, working_hours, plugin nodes: no phase of their own
  }
}

export interface WorkingHoursSpec {
  timezone: string;
  weekly: Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>;
  holidays: string[];
  alwaysOpen: boolean;
}

type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

/** Local date, weekday and HH:MM of an instant in a time zone. */
export function localParts(at: Date, timezone: string): { date: string; day: Day; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Day;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, day, time: `${get('hour')}:${get('minute')}` };
}

/** Open at `at`? Holidays close the whole local day; intervals are [start, end). */
export function isOpen(spec: WorkingHoursSpec, at: Date): boolean {
  if (spec.alwaysOpen) return true;
  const { date, day, time } = localParts(at, spec.timezone);
  if (spec.holidays.includes(date)) return false;
  return (spec.weekly[day] ?? []).some(([start, end]) => time >= start && time < end);
}

/** When to continue-as-new: well before Temporal's history limits, and bounded transitions. */
export const CONTINUE_AS_NEW_AFTER_TRANSITIONS = 50;
export const PATH_LIMIT = 50;

export function appendPath(path: string[], nodeId: string): string[] {
  const next = [...path, nodeId];
  return next.length > PATH_LIMIT ? next.slice(next.length - PATH_LIMIT) : next;
}

/** How long to wait before re-checking inactivity: until `last + limit`, at least 1 s. */
export function inactivityWaitMs(lastActivityMs: number, limitMs: number, nowMs: number): number {
  return Math.max(1000, lastActivityMs + limitMs - nowMs);
}
