import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { loadConfig, type HubConfig } from '../../core/config.ts';
import { startHub, type Hub } from '../../core/hub.ts';

export const DB_BASE = process.env.KEFU_TEST_DB_URL ?? 'mysql://root@127.0.0.1:3306/';

/** The Temporal dev server the test runner started for this run (npm test sets it). */
export function temporalAddress(): string {
  const a = process.env.KEFU_TEST_TEMPORAL_ADDRESS ?? process.env.KEFU_TEMPORAL_ADDRESS;
  if (!a) throw new Error('KEFU_TEST_TEMPORAL_ADDRESS is not set: run the suite with `npm test`, which starts a Temporal dev server');
  return a;
}

/** A configuration with a fresh database and a namespace of its own, so test files never share state. */
export function testConfig(overrides: Record<string, string> = {}): HubConfig & { dbName: string } {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `kefu_t_${suffix}`;
  const url = new URL(DB_BASE);
  url.pathname = `/${dbName}`;
  const config = loadConfig({
    KEFU_DB_URL: url.toString(),
    KEFU_HTTP_HOST: '127.0.0.1',
    KEFU_HTTP_PORT: '0',
    KEFU_NAMESPACE: `t-${suffix}`,
    KEFU_TEMPORAL_TASK_QUEUE: `kefu-test-${suffix}`,
    KEFU_LOG_LEVEL: 'warn',
    // Every test client calls from 127.0.0.1; test/rate-limit.test.ts sets limits of its own.
    KEFU_RATE_LIMITS: 'off',
    ...overrides,
  });
  return Object.assign(config, { dbName });
}

export async function dropDatabase(dbName: string): Promise<void> {
  const url = new URL(DB_BASE);
  const conn = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) });
  try {
    await conn.query(`drop database if exists \`${dbName}\``);
  } finally {
    await conn.end();
  }
}

export interface TestHub {
  hub: Hub;
  url: string;
  config: HubConfig & { dbName: string };
  gql: GqlClient;
  close(): Promise<void>;
}

export async function startTestHub(opts: { env?: Record<string, string>; temporal?: boolean } = {}): Promise<TestHub> {
  const config = testConfig(opts.env);
  const hub = await startHub({ config, migrate: true, temporalAddress: opts.temporal === false ? null : temporalAddress() });
  const url = `http://127.0.0.1:${hub.http!.port}`;
  return {
    hub, url, config, gql: gqlClient(url),
    async close() {
      await hub.stop();
      await dropDatabase(config.dbName);
    },
  };
}

export interface GqlResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }[];
}
export type GqlClient = <T = any>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<GqlResult<T>>;

export function gqlClient(url: string): GqlClient {
  return async (query, variables = {}, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult;
  };
}

/** The first error's code, or 'OK' when there is none (assertions read well: equal(code(r), 'NOT_FOUND')). */
export function code(r: GqlResult): string {
  return r.errors?.[0]?.extensions?.code ?? (r.errors?.length ? 'NO_CODE' : 'OK');
}

export function ok<T>(r: GqlResult<T>): T {
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** Creates a workspace with its first admin through the public sign-up mutation; returns the admin's token. */
export async function signUp(gql: GqlClient, slug: string): Promise<{ token: string; workspaceId: string; adminId: string }> {
  const r = ok(await gql<{ signUpWorkspace: { token: string; user: { id: string } } }>(
    `mutation($slug: String!) { signUpWorkspace(name: "WS ${slug}", slug: $slug, adminEmail: "admin@${slug}.test", adminName: "Admin ${slug}", adminPassword: "correct horse battery") { token user { id } } }`,
    { slug },
  ));
  const ws = ok(await gql<{ workspace: { id: string } }>('{ workspace { id } }', {}, r.signUpWorkspace.token));
  return { token: r.signUpWorkspace.token, workspaceId: ws.workspace.id, adminId: r.signUpWorkspace.user.id };
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
