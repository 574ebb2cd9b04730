import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef } from 'react';

/** Where the hub is: the UI is served by the hub itself at /admin, so the same origin. */
const httpUrl = '/graphql';
const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

const TOKEN_KEY = 'kefu.token';
let token: string | null = localStorage.getItem(TOKEN_KEY);
let onUnauthenticated: (() => void) | null = null;

export const getToken = () => token;
export function setToken(t: string | null): void {
  token = t;
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
  resetWs();
}
export function setUnauthenticatedHandler(fn: () => void): void { onUnauthenticated = fn; }

export interface GqlIssue { nodeId?: string | null; path?: string; message: string; field?: string }
export interface GqlErrorEntry { message: string; path?: (string | number)[]; extensions?: { code?: string; details?: { issues?: GqlIssue[] }; issues?: GqlIssue[]; [k: string]: unknown } }

/** A GraphQL error response: the first error's message and code, and every issue it carries. */
export class GqlError extends Error {
  readonly errors: GqlErrorEntry[];
  constructor(errors: GqlErrorEntry[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'GqlError';
    this.errors = errors;
  }
  get code(): string { return this.errors[0]?.extensions?.code ?? 'ERROR'; }
  /** Validation issues (`extensions.details.issues`, e.g. flow nodes or input fields). */
  get issues(): GqlIssue[] {
    const ext = this.errors[0]?.extensions;
    return ext?.details?.issues ?? ext?.issues ?? [];
  }
}

/** One query or mutation over HTTP. Types come from ./generated.ts (codegen of ./operations.ts). */
export async function request<TData, TVars extends Record<string, unknown> = Record<string, never>>(query: string, variables?: TVars): Promise<TData> {
  const res = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables: variables ?? {} }),
  });
  let json: { data?: TData | null; errors?: GqlErrorEntry[] };
  try {
    json = (await res.json()) as typeof json;
  } catch {
    throw new GqlError([{ message: `HTTP ${res.status}`, extensions: { code: 'NETWORK' } }]);
  }
  if (json.errors?.length) {
    const err = new GqlError(json.errors);
    if (err.code === 'UNAUTHENTICATED' && token) onUnauthenticated?.();
    throw err;
  }
  return json.data as TData;
}

// ---------------------------------------------------------------- subscriptions (graphql-ws)

let ws: Client | null = null;
const wsListeners = new Set<(state: 'connected' | 'closed') => void>();

function resetWs(): void {
  const old = ws;
  ws = null;
  if (old) void old.dispose();
}

export function wsClient(): Client {
  ws ??= createClient({
    url: wsUrl(),
    lazy: true,
    lazyCloseTimeout: 3000,
    keepAlive: 15_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (n) => { await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** n, 10_000))); },
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
    on: {
      connected: () => wsListeners.forEach((l) => l('connected')),
      closed: () => wsListeners.forEach((l) => l('closed')),
    },
  });
  return ws;
}

export function onWsState(fn: (state: 'connected' | 'closed') => void): () => void {
  wsListeners.add(fn);
  return () => wsListeners.delete(fn);
}

/** Subscribes; returns the unsubscribe function. Errors are reported, and the stream ends. */
export function subscribe<TData, TVars extends Record<string, unknown> = Record<string, never>>(
  query: string, variables: TVars | undefined, onData: (data: TData) => void, onError?: (err: unknown) => void,
): () => void {
  return wsClient().subscribe<TData>(
    { query, variables: variables ?? {} },
    {
      next: (r) => { if (r.data) onData(r.data); else if (r.errors) onError?.(new GqlError(r.errors as GqlErrorEntry[])); },
      error: (e) => onError?.(e),
      complete: () => undefined,
    },
  );
}

/**
 * React hook: a live subscription while `enabled`; resubscribes when `key` changes. The handler may
 * change on every render (kept in a ref).
 */
export function useSubscription<TData, TVars extends Record<string, unknown> = Record<string, never>>(
  query: string, variables: TVars | undefined, onData: (data: TData) => void, opts: { enabled?: boolean; key?: string; onError?: (e: unknown) => void } = {},
): void {
  const handler = useRef(onData);
  handler.current = onData;
  const errHandler = useRef(opts.onError);
  errHandler.current = opts.onError;
  const enabled = opts.enabled ?? true;
  const key = opts.key ?? JSON.stringify(variables ?? {});
  useEffect(() => {
    if (!enabled) return undefined;
    return subscribe<TData, TVars>(query, variables, (d) => handler.current(d), (e) => errHandler.current?.(e));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, key, enabled]);
}
