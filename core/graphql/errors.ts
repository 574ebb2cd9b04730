import { GraphQLError } from 'graphql';

/** Expected errors carry a stable `extensions.code`; anything else is masked by yoga. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'PLUGIN_NOT_INSTALLED',
  'PLUGIN_ERROR',
  'QUERY_TOO_COMPLEX',
  /** The conversation is not in a phase that allows this (e.g. rating before the survey). */
  'INVALID_STATE',
  /** A dependency (Temporal, Redis) is unavailable; retry later. */
  'UNAVAILABLE',
  /** The agent a chat is transferred or reassigned to does not take chats now (busy, away, offline). */
  'AGENT_UNAVAILABLE',
  /** The agent is at their maximum of concurrent chats. */
  'NO_FREE_SLOT',
  /** Too many attempts from this address (or at this account); `details.retryAfterSec` says when to retry. */
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class HubError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message, { extensions: { code, ...(details ? { details } : {}) } });
  }
}

export const notFound = (type: string, id: string) => new HubError('NOT_FOUND', `${type} ${id} not found`, { type, id });
export const forbidden = (why = 'not allowed') => new HubError('FORBIDDEN', why);
export const unauthenticated = (why = 'authentication required') => new HubError('UNAUTHENTICATED', why);
export const badInput = (message: string, details?: Record<string, unknown>) => new HubError('BAD_USER_INPUT', message, details);
export const rateLimited = (retryAfterSec: number) => new HubError('RATE_LIMITED', `too many attempts; retry in ${retryAfterSec} s`, { retryAfterSec });
export const conflict = (message: string, details?: Record<string, unknown>) => new HubError('CONFLICT', message, details);

/** Maps a duplicate-key error from MariaDB to CONFLICT; rethrows anything else. */
export function rethrowUnique(err: unknown, message: string): never {
  const e = err as { code?: string; name?: string };
  if (e?.code === 'ER_DUP_ENTRY' || e?.name === 'UniqueConstraintViolationException') throw conflict(message);
  throw err;
}
