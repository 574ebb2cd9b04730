/**
 * GraphQL security against the real services: sign-in and roles, token revocation, API keys,
 * visitor tokens, workspace isolation (HTTP, SSE and graphql-ws), operation limits and bad input.
 * One hub for the whole file; every group signs up workspaces of its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestHub, signUp, ok, code, waitFor, type GqlResult, type TestHub } from './helpers/hub.ts';

const ADMIN_PASSWORD = 'correct horse battery'; // what signUp() sets
const USER_PASSWORD = 'agent password 0001';

let th: TestHub;
before(async () => {
  th = await startTestHub();
});
after(async () => {
  await th?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

type Role = 'admin' | 'supervisor' | 'agent' | 'operator';

async function createUser(token: string, email: string, roles: Role[], extra: { departmentId?: string; password?: string } = {}): Promise<string> {
  const r = ok(await th.gql(
    'mutation($email: String!, $roles: [Role!]!, $password: String!, $departmentId: ID) { createUser(email: $email, name: "Some One", password: $password, roles: $roles, departmentId: $departmentId) { id } }',
    { email, roles, password: extra.password ?? USER_PASSWORD, departmentId: extra.departmentId ?? null },
    token,
  ));
  return r.createUser.id as string;
}

function login(workspace: string, email: string, password: string): Promise<GqlResult> {
  return th.gql(
    'mutation($w: String!, $e: String!, $p: String!) { login(workspace: $w, email: $e, password: $p) { token user { id roles } } }',
    { w: workspace, e: email, p: password },
  );
}

async function loginToken(workspace: string, email: string, password: string): Promise<string> {
  return ok(await login(workspace, email, password)).login.token as string;
}

async function createApiKey(token: string, name: string, scopes: string[]): Promise<{ id: string; key: string; prefix: string }> {
  const r = ok(await th.gql(
    'mutation($name: String!, $scopes: [ApiScope!]!) { createApiKey(name: $name, scopes: $scopes) { key apiKey { id prefix scopes revokedAt } } }',
    { name, scopes }, token,
  ));
  return { id: r.createApiKey.apiKey.id, key: r.createApiKey.key, prefix: r.createApiKey.apiKey.prefix };
}

async function createChannel(token: string, name: string): Promise<{ id: string; publicKey: string }> {
  const r = ok(await th.gql('mutation($name: String!) { createChannel(kind: "web-widget", name: $name, config: { color: "blue" }) { id publicKey } }', { name }, token));
  return r.createChannel;
}

/** A result's first error, with a readable failure message when there is none. */
function firstError(r: GqlResult) {
  const e = r.errors?.[0];
  assert.ok(e, `expected an error, got ${JSON.stringify(r)}`);
  return e;
}

function expectCode(r: GqlResult, expected: string, what: string): void {
  assert.equal(code(r), expected, `${what}: ${JSON.stringify(r)}`);
  if (expected !== 'OK') assert.ok(r.data == null || Object.values(r.data).every((v) => v == null), `${what}: no data expected, got ${JSON.stringify(r.data)}`);
}

/** Sends a subscription over GraphQL-over-SSE (yoga, distinct connections) and returns the first result. */
async function sseFirstResult(query: string, variables: Record<string, unknown>, token?: string, timeoutMs = 10_000): Promise<GqlResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no SSE result within ${timeoutMs} ms`)), timeoutMs);
  try {
    const res = await fetch(`${th.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: ac.signal,
    });
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/, `status ${res.status}`);
    assert.ok(res.body, 'SSE response without a body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`SSE stream ended without a result; rest: ${JSON.stringify(buf)}`);
      buf += value;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (event === 'complete') throw new Error('SSE stream completed without a result');
        if (data) {
          await reader.cancel().catch(() => undefined);
          return JSON.parse(data) as GqlResult;
        }
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

function wsClient(token?: string): Client {
  return createClient({
    url: `${th.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

interface WsSubscription { events: GqlResult[]; failure: unknown; completed: boolean; unsubscribe(): void }

function wsSubscribe(client: Client, query: string, variables: Record<string, unknown>): WsSubscription {
  const s: WsSubscription = { events: [], failure: null, completed: false, unsubscribe: () => undefined };
  s.unsubscribe = client.subscribe({ query, variables }, {
    next: (v) => { s.events.push(v as GqlResult); },
    error: (e) => { s.failure = e ?? new Error('unknown graphql-ws error'); },
    complete: () => { s.completed = true; },
  });
  return s;
}

/**
 * The first outcome of a graphql-ws subscription as a GraphQL result: a `next` payload, or the
 * GraphQL errors of an `error` message. A closed socket or other failure fails the test.
 */
async function wsFirstResult(token: string | undefined, query: string, variables: Record<string, unknown>): Promise<GqlResult> {
  const client = wsClient(token);
  try {
    const s = wsSubscribe(client, query, variables);
    await waitFor(async () => s.events.length > 0 || s.failure != null || s.completed, 'a graphql-ws result');
    s.unsubscribe();
    if (s.events[0]) return s.events[0];
    if (Array.isArray(s.failure)) return { errors: s.failure as GqlResult['errors'] };
    const f = s.failure as { code?: number; reason?: string; message?: string } | null;
    throw new Error(`graphql-ws subscription failed without GraphQL errors: ${f ? `code=${f.code} reason=${f.reason} message=${f.message}` : 'completed with no result'}`);
  } finally {
    await client.dispose();
  }
}

const AGENT_PROFILE_CHANGED = 'subscription($id: ID!) { agentProfileChanged(id: $id) { id status } }';

// ---------------------------------------------------------------------------------------------
// 1. Login and role checks

void describe('login and roles', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  let agentToken: string;

  before(async () => {
    admin = await signUp(th.gql, 'sec-login');
    await createUser(admin.token, 'agent@sec-login.test', ['agent']);
    agentToken = await loginToken('sec-login', 'agent@sec-login.test', USER_PASSWORD);
  });

  void test('the right password signs in; the token acts as that user', async () => {
    const r = ok(await login('sec-login', 'Admin@SEC-login.test', ADMIN_PASSWORD));
    assert.equal(r.login.user.id, admin.adminId);
    assert.deepEqual(r.login.user.roles, ['admin']);
    const me = ok(await th.gql('{ me { id email } }', {}, r.login.token));
    assert.deepEqual(me.me, { id: admin.adminId, email: 'admin@sec-login.test' });
  });

  void test('wrong password, unknown e-mail and unknown workspace all fail alike with UNAUTHENTICATED', async () => {
    await signUp(th.gql, 'sec-login-other');
    const attempts = {
      wrongPassword: await login('sec-login', 'admin@sec-login.test', 'wrong password 123'),
      unknownEmail: await login('sec-login', 'nobody@sec-login.test', ADMIN_PASSWORD),
      unknownWorkspace: await login('sec-login-nope', 'admin@sec-login.test', ADMIN_PASSWORD),
      // A real user and password, but of another workspace.
      otherWorkspacesUser: await login('sec-login', 'admin@sec-login-other.test', ADMIN_PASSWORD),
    };
    const messages = new Set<string>();
    for (const [what, r] of Object.entries(attempts)) {
      expectCode(r, 'UNAUTHENTICATED', what);
      messages.add(firstError(r).message);
    }
    assert.equal(messages.size, 1, `login failures must not tell which part was wrong: ${[...messages].join(' | ')}`);
  });

  void test('an agent is FORBIDDEN on admin mutations', async () => {
    const attempts: Record<string, GqlResult> = {
      createDepartment: await th.gql('mutation { createDepartment(name: "agent-made") { id } }', {}, agentToken),
      createUser: await th.gql(`mutation { createUser(email: "x@sec-login.test", name: "X", password: "${USER_PASSWORD}", roles: [admin]) { id } }`, {}, agentToken),
      createApiKey: await th.gql('mutation { createApiKey(name: "agent key", scopes: [ADMIN_WRITE]) { key } }', {}, agentToken),
      installPlugin: await th.gql('mutation { installPlugin(name: "example") { id } }', {}, agentToken),
      updateUserSelfPromotion: await th.gql('mutation($id: ID!) { updateUser(id: $id, roles: [admin]) { id } }', { id: await myId(agentToken) }, agentToken),
    };
    for (const [what, r] of Object.entries(attempts)) expectCode(r, 'FORBIDDEN', what);
    // Nothing was written.
    const state = ok(await th.gql('{ departments { name } users { email roles } apiKeys { id } pluginInstallations { id } }', {}, admin.token));
    assert.deepEqual(state.departments, []);
    assert.deepEqual(state.users.map((u: { email: string }) => u.email).sort(), ['admin@sec-login.test', 'agent@sec-login.test']);
    assert.deepEqual(state.users.find((u: { email: string }) => u.email === 'agent@sec-login.test').roles, ['agent']);
    assert.deepEqual(state.apiKeys, []);
    assert.deepEqual(state.pluginInstallations, []);
  });

  void test('an agent reads directory data and sets its own status', async () => {
    ok(await th.gql('mutation { createSkillGroup(name: "Billing") { id } }', {}, admin.token));
    const r = ok(await th.gql('{ users { email } skillGroups { name } }', {}, agentToken));
    assert.ok(r.users.some((u: { email: string }) => u.email === 'admin@sec-login.test'));
    assert.deepEqual(r.skillGroups, [{ name: 'Billing' }]);
    const s = ok(await th.gql('mutation { setMyStatus(status: online) { status user { email } } }', {}, agentToken));
    assert.deepEqual(s.setMyStatus, { status: 'online', user: { email: 'agent@sec-login.test' } });
    // Admin-only reads stay closed to agents.
    expectCode(await th.gql('{ apiKeys { id } }', {}, agentToken), 'FORBIDDEN', 'apiKeys');
    expectCode(await th.gql('{ auditLog { id } }', {}, agentToken), 'FORBIDDEN', 'auditLog');
  });

  void test('an anonymous caller gets UNAUTHENTICATED; a garbage token too', async () => {
    expectCode(await th.gql('{ users { id } }'), 'UNAUTHENTICATED', 'anonymous users');
    expectCode(await th.gql('{ me { id } }'), 'UNAUTHENTICATED', 'anonymous me');
    expectCode(await th.gql('mutation { createDepartment(name: "anon") { id } }'), 'UNAUTHENTICATED', 'anonymous createDepartment');
    expectCode(await th.gql('{ users { id } }', {}, 'not-a-jwt'), 'UNAUTHENTICATED', 'garbage token');
    // A token signed with another secret.
    const [h, p] = admin.token.split('.');
    expectCode(await th.gql('{ users { id } }', {}, `${h}.${p}.${Buffer.from('forged signature').toString('base64url')}`), 'UNAUTHENTICATED', 'forged signature');
  });
});

async function myId(token: string): Promise<string> {
  return ok(await th.gql('{ me { id } }', {}, token)).me.id as string;
}

// ---------------------------------------------------------------------------------------------
// 2. Token revocation

void describe('token revocation', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  before(async () => {
    admin = await signUp(th.gql, 'sec-revoke');
  });

  void test('changePassword rejects the old token and returns a working new one', async () => {
    await createUser(admin.token, 'pw@sec-revoke.test', ['agent']);
    const old = await loginToken('sec-revoke', 'pw@sec-revoke.test', USER_PASSWORD);
    const other = await loginToken('sec-revoke', 'pw@sec-revoke.test', USER_PASSWORD);
    expectCode(await th.gql('mutation { changePassword(currentPassword: "not the password", newPassword: "new password 0002") { token } }', {}, old), 'BAD_USER_INPUT', 'wrong current password');
    const r = ok(await th.gql(`mutation { changePassword(currentPassword: "${USER_PASSWORD}", newPassword: "new password 0002") { token } }`, {}, old));
    const fresh = r.changePassword.token as string;
    expectCode(await th.gql('{ me { id } }', {}, old), 'UNAUTHENTICATED', 'old token');
    expectCode(await th.gql('{ me { id } }', {}, other), 'UNAUTHENTICATED', "the user's other old token");
    assert.equal(ok(await th.gql('{ me { email } }', {}, fresh)).me.email, 'pw@sec-revoke.test');
    expectCode(await login('sec-revoke', 'pw@sec-revoke.test', USER_PASSWORD), 'UNAUTHENTICATED', 'old password');
    ok(await login('sec-revoke', 'pw@sec-revoke.test', 'new password 0002'));
  });

  void test("an admin changing a user's roles revokes the user's tokens", async () => {
    const id = await createUser(admin.token, 'roles@sec-revoke.test', ['agent']);
    const old = await loginToken('sec-revoke', 'roles@sec-revoke.test', USER_PASSWORD);
    ok(await th.gql('{ me { id } }', {}, old));
    // A change that is not about roles or disabling keeps the token.
    ok(await th.gql('mutation($id: ID!) { updateUser(id: $id, name: "Renamed") { id } }', { id }, admin.token));
    ok(await th.gql('{ me { id } }', {}, old));
    ok(await th.gql('mutation($id: ID!) { updateUser(id: $id, roles: [supervisor]) { roles } }', { id }, admin.token));
    expectCode(await th.gql('{ me { id } }', {}, old), 'UNAUTHENTICATED', 'token after role change');
    const fresh = ok(await login('sec-revoke', 'roles@sec-revoke.test', USER_PASSWORD));
    assert.deepEqual(fresh.login.user.roles, ['supervisor']);
    ok(await th.gql('{ me { id } }', {}, fresh.login.token));
  });

  void test('disabling a user revokes the tokens and blocks login; resetUserPassword revokes too', async () => {
    const id = await createUser(admin.token, 'off@sec-revoke.test', ['agent']);
    const t1 = await loginToken('sec-revoke', 'off@sec-revoke.test', USER_PASSWORD);
    ok(await th.gql('mutation($id: ID!) { resetUserPassword(id: $id, password: "reset password 0003") { id } }', { id }, admin.token));
    expectCode(await th.gql('{ me { id } }', {}, t1), 'UNAUTHENTICATED', 'token after password reset');
    const t2 = await loginToken('sec-revoke', 'off@sec-revoke.test', 'reset password 0003');
    ok(await th.gql('mutation($id: ID!) { updateUser(id: $id, disabled: true) { disabled } }', { id }, admin.token));
    expectCode(await th.gql('{ me { id } }', {}, t2), 'UNAUTHENTICATED', 'token of a disabled user');
    expectCode(await login('sec-revoke', 'off@sec-revoke.test', 'reset password 0003'), 'UNAUTHENTICATED', 'login of a disabled user');
  });

  void test('logoutEverywhere revokes every token of the caller, and only theirs', async () => {
    await createUser(admin.token, 'out@sec-revoke.test', ['agent']);
    const a = await loginToken('sec-revoke', 'out@sec-revoke.test', USER_PASSWORD);
    const b = await loginToken('sec-revoke', 'out@sec-revoke.test', USER_PASSWORD);
    assert.equal(ok(await th.gql('mutation { logoutEverywhere }', {}, a)).logoutEverywhere, true);
    expectCode(await th.gql('{ me { id } }', {}, a), 'UNAUTHENTICATED', 'calling token');
    expectCode(await th.gql('{ me { id } }', {}, b), 'UNAUTHENTICATED', 'other token');
    ok(await th.gql('{ me { id } }', {}, admin.token));
    ok(await th.gql('{ me { id } }', {}, await loginToken('sec-revoke', 'out@sec-revoke.test', USER_PASSWORD)));
  });
});

// ---------------------------------------------------------------------------------------------
// 3. API keys

void describe('API keys', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  before(async () => {
    admin = await signUp(th.gql, 'sec-keys');
  });

  void test('the key is returned once, as kh_<10>_<43>, and only its SHA-256 is stored', async () => {
    const k = await createApiKey(admin.token, 'reader', ['ADMIN_READ']);
    const m = /^kh_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{43})$/.exec(k.key);
    assert.ok(m, `key format: ${k.key}`);
    assert.equal(m[1], k.prefix);
    const secret = m[2]!;
    const listed = ok(await th.gql('{ apiKeys { id name prefix scopes revokedAt } }', {}, admin.token));
    assert.deepEqual(listed.apiKeys, [{ id: k.id, name: 'reader', prefix: k.prefix, scopes: ['ADMIN_READ'], revokedAt: null }]);
    assert.ok(!JSON.stringify(listed).includes(secret), 'the secret must not be readable again');

    const conn = await createConnection({ uri: th.config.KEFU_DB_URL });
    try {
      const [rows] = await conn.query<RowDataPacket[]>('select * from api_key where id = ?', [k.id]);
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.match(String(row.secret_hash), /^[0-9a-f]{64}$/);
      assert.notEqual(row.secret_hash, secret);
      assert.equal(row.secret_hash, createHash('sha256').update(secret).digest('hex'));
      for (const [col, v] of Object.entries(row)) {
        assert.ok(!String(v instanceof Buffer ? v.toString('utf8') : JSON.stringify(v)).includes(secret), `column ${col} holds the plaintext secret`);
      }
    } finally {
      await conn.end();
    }
  });

  void test('ADMIN_READ reads users, departments and apiKeys but cannot write', async () => {
    const k = await createApiKey(admin.token, 'read only', ['ADMIN_READ']);
    const r = ok(await th.gql('{ users { email } departments { id } apiKeys { id } auditLog { action } workspace { id } }', {}, k.key));
    assert.ok(r.users.some((u: { email: string }) => u.email === 'admin@sec-keys.test'));
    assert.ok(r.apiKeys.some((x: { id: string }) => x.id === k.id));
    assert.equal(r.workspace.id, admin.workspaceId);
    expectCode(await th.gql('mutation { createDepartment(name: "by reader") { id } }', {}, k.key), 'FORBIDDEN', 'createDepartment with ADMIN_READ');
    expectCode(await th.gql('mutation { installPlugin(name: "example") { id } }', {}, k.key), 'FORBIDDEN', 'installPlugin with ADMIN_READ');
    expectCode(await th.gql('{ me { id } }', {}, k.key), 'FORBIDDEN', 'me with a key');
    assert.deepEqual(ok(await th.gql('{ departments { name } }', {}, admin.token)).departments, []);
  });

  void test('ADMIN_WRITE creates a department; the audit log names the key', async () => {
    const k = await createApiKey(admin.token, 'writer', ['ADMIN_WRITE']);
    const d = ok(await th.gql('mutation { createDepartment(name: "Made by key") { id name } }', {}, k.key));
    assert.equal(d.createDepartment.name, 'Made by key');
    const log = ok(await th.gql('{ auditLog(action: "department.create") { actorType actorId targetId } }', {}, admin.token));
    assert.deepEqual(log.auditLog, [{ actorType: 'apiKey', actorId: k.id, targetId: d.createDepartment.id }]);
    // admin:write implies admin:read (the key reads back what it wrote), but nothing beyond admin.
    assert.ok(ok(await th.gql('{ departments { id } }', {}, k.key)).departments.some((x: { id: string }) => x.id === d.createDepartment.id));
    expectCode(await th.gql('{ pluginInstallations { id } }', {}, k.key), 'FORBIDDEN', 'pluginInstallations with ADMIN_WRITE');
    expectCode(await th.gql('mutation { installPlugin(name: "example") { id } }', {}, k.key), 'FORBIDDEN', 'installPlugin with ADMIN_WRITE');
    expectCode(await th.gql('{ me { id } }', {}, k.key), 'FORBIDDEN', 'me with a key');
  });

  void test('no key can mint or revoke keys, whatever its scopes', async () => {
    const all = ['ADMIN_READ', 'ADMIN_WRITE', 'CONVERSATIONS_READ', 'CONVERSATIONS_WRITE', 'CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'PLUGINS_READ', 'PLUGINS_WRITE'];
    const k = await createApiKey(admin.token, 'everything', all);
    const before = ok(await th.gql('{ apiKeys { id } }', {}, admin.token)).apiKeys.length as number;
    expectCode(await th.gql('mutation { createApiKey(name: "escalated", scopes: [ADMIN_WRITE]) { key } }', {}, k.key), 'FORBIDDEN', 'createApiKey by key');
    expectCode(await th.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: k.id }, k.key), 'FORBIDDEN', 'revokeApiKey by key');
    assert.equal(ok(await th.gql('{ apiKeys { id } }', {}, admin.token)).apiKeys.length, before);
  });

  void test('revoked, malformed and wrong-secret keys are UNAUTHENTICATED', async () => {
    const k = await createApiKey(admin.token, 'to revoke', ['ADMIN_READ']);
    ok(await th.gql('{ users { id } }', {}, k.key));
    const r = ok(await th.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: k.id }, admin.token));
    assert.ok(r.revokeApiKey.revokedAt);
    expectCode(await th.gql('{ users { id } }', {}, k.key), 'UNAUTHENTICATED', 'revoked key');

    const live = await createApiKey(admin.token, 'live', ['ADMIN_READ']);
    const secret = live.key.slice(-43);
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const bad = {
      tooShort: 'kh_abc',
      badPrefix: `kh_${'!'.repeat(10)}_${secret}`,
      trailingJunk: `${live.key}x`,
      wrongSecret: `kh_${live.prefix}_${flipped}`,
      unknownPrefix: `kh_ZZZZZZZZZZ_${secret}`,
    };
    for (const [what, key] of Object.entries(bad)) expectCode(await th.gql('{ users { id } }', {}, key), 'UNAUTHENTICATED', what);
    ok(await th.gql('{ users { id } }', {}, live.key));
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Visitor tokens

void describe('visitor tokens', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  let channel: { id: string; publicKey: string };
  const START = 'mutation($k: String!, $v: String) { startVisitorSession(channelKey: $k, visitorId: $v) { token customerId channelId expiresAt } }';

  before(async () => {
    admin = await signUp(th.gql, 'sec-visitor');
    channel = await createChannel(admin.token, 'Website');
  });

  void test('a visitor session has a vt_ token of 256 bits and reads only itself', async () => {
    const s = ok(await th.gql(START, { k: channel.publicKey, v: null })).startVisitorSession;
    const m = /^vt_([A-Za-z0-9_-]+)$/.exec(s.token);
    assert.ok(m, `token format: ${s.token}`);
    assert.ok(m[1]!.length >= 43, `token entropy: ${m[1]!.length} base64url chars`);
    assert.equal(s.channelId, channel.id);
    assert.ok(new Date(s.expiresAt).getTime() > Date.now());

    const me = ok(await th.gql('{ visitorSession { customerId channelId token } }', {}, s.token));
    assert.deepEqual(me.visitorSession, { customerId: s.customerId, channelId: channel.id, token: '' });
    expectCode(await th.gql('{ users { id } }', {}, s.token), 'FORBIDDEN', 'visitor reads users');
    expectCode(await th.gql('{ workspace { id } }', {}, s.token), 'FORBIDDEN', 'visitor reads workspace');
    expectCode(await th.gql('{ channels { id } }', {}, s.token), 'FORBIDDEN', 'visitor reads channels');
    expectCode(await th.gql('mutation { createDepartment(name: "by visitor") { id } }', {}, s.token), 'FORBIDDEN', 'visitor writes');
    expectCode(await th.gql('mutation { setMyStatus(status: online) { id } }', {}, s.token), 'FORBIDDEN', 'visitor setMyStatus');
    // A signed-in user is not a visitor.
    expectCode(await th.gql('{ visitorSession { customerId } }', {}, admin.token), 'FORBIDDEN', 'admin reads visitorSession');
    expectCode(await th.gql('{ visitorSession { customerId } }'), 'UNAUTHENTICATED', 'anonymous visitorSession');
    // A token of the right shape that was never issued.
    expectCode(await th.gql('{ visitorSession { customerId } }', {}, `vt_${'A'.repeat(43)}`), 'UNAUTHENTICATED', 'unknown visitor token');
  });

  void test('resuming with the same visitorId keeps the customer; another visitorId gets another', async () => {
    const v = 'visitor-0123456789abcdef';
    const first = ok(await th.gql(START, { k: channel.publicKey, v })).startVisitorSession;
    const again = ok(await th.gql(START, { k: channel.publicKey, v })).startVisitorSession;
    const other = ok(await th.gql(START, { k: channel.publicKey, v: 'visitor-fedcba9876543210' })).startVisitorSession;
    assert.equal(again.customerId, first.customerId);
    assert.notEqual(again.token, first.token);
    assert.notEqual(other.customerId, first.customerId);
    assert.equal(ok(await th.gql('{ visitorSession { customerId } }', {}, first.token)).visitorSession.customerId, first.customerId);
    assert.equal(ok(await th.gql('{ visitorSession { customerId } }', {}, again.token)).visitorSession.customerId, first.customerId);
  });

  void test('unknown channel key is NOT_FOUND, a malformed one BAD_USER_INPUT, a disabled channel NOT_FOUND', async () => {
    expectCode(await th.gql(START, { k: `ch_${'x'.repeat(20)}`, v: null }), 'NOT_FOUND', 'unknown channel key');
    expectCode(await th.gql(START, { k: 'not-a-channel-key', v: null }), 'BAD_USER_INPUT', 'malformed channel key');
    expectCode(await th.gql(START, { k: channel.publicKey, v: 'short' }), 'BAD_USER_INPUT', 'malformed visitorId');
    const off = await createChannel(admin.token, 'Disabled');
    ok(await th.gql('mutation($id: ID!) { updateChannel(id: $id, enabled: false) { enabled } }', { id: off.id }, admin.token));
    expectCode(await th.gql(START, { k: off.publicKey, v: null }), 'NOT_FOUND', 'disabled channel');
  });

  void test('disabling a channel stops the visitor tokens it gave out; enabling it again restores them', async () => {
    const ch = await createChannel(admin.token, 'Switched');
    const s = ok(await th.gql(START, { k: ch.publicKey, v: null })).startVisitorSession;
    ok(await th.gql('{ visitorSession { customerId } }', {}, s.token));
    ok(await th.gql('mutation($id: ID!) { updateChannel(id: $id, enabled: false) { enabled } }', { id: ch.id }, admin.token));
    expectCode(await th.gql('{ visitorSession { customerId } }', {}, s.token), 'UNAUTHENTICATED', 'token of a disabled channel');
    expectCode(await th.gql('mutation { startConversation { id } }', {}, s.token), 'UNAUTHENTICATED', 'no conversation through a disabled channel');
    ok(await th.gql('mutation($id: ID!) { updateChannel(id: $id, enabled: true) { enabled } }', { id: ch.id }, admin.token));
    assert.equal(ok(await th.gql('{ visitorSession { customerId } }', {}, s.token)).visitorSession.customerId, s.customerId);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Workspace isolation

void describe('workspace isolation', () => {
  let a: { token: string; workspaceId: string; adminId: string };
  let b: { token: string; workspaceId: string; adminId: string };
  let aKey: string;
  const B = { userId: '', departmentId: '', skillGroupId: '', agentProfileId: '', channelId: '', apiKeyId: '', apiKey: '', pluginId: '' };
  let bIds: string[];
  const SNAPSHOT = `query($user: ID!, $dept: ID!, $sg: ID!, $agent: ID!, $ch: ID!, $plugin: ID!) {
    user(id: $user) { id name email roles disabled departmentId }
    department(id: $dept) { id name parentId }
    skillGroup(id: $sg) { id name description departmentId }
    agent(id: $agent) { id userId maxConcurrentChats status skills { skillGroupId level } }
    channel(id: $ch) { id name enabled config publicKey }
    apiKeys { id name revokedAt scopes }
    pluginInstallation(id: $plugin) { id pluginName enabled config }
    departments { id name } skillGroups { id name } channels { id } pluginInstallations { id } users { id }
  }`;
  let bBefore: any;

  const snapshotVars = () => ({ user: B.userId, dept: B.departmentId, sg: B.skillGroupId, agent: B.agentProfileId, ch: B.channelId, plugin: B.pluginId });

  before(async () => {
    a = await signUp(th.gql, 'sec-iso-a');
    b = await signUp(th.gql, 'sec-iso-b');
    aKey = (await createApiKey(a.token, 'A everything', ['ADMIN_READ', 'ADMIN_WRITE', 'PLUGINS_READ', 'PLUGINS_WRITE'])).key;

    B.departmentId = ok(await th.gql('mutation { createDepartment(name: "B Sales") { id } }', {}, b.token)).createDepartment.id;
    B.userId = await createUser(b.token, 'user@sec-iso-b.test', ['operator'], { departmentId: B.departmentId });
    B.skillGroupId = ok(await th.gql('mutation($d: ID!) { createSkillGroup(name: "B Group", departmentId: $d, description: "B only") { id } }', { d: B.departmentId }, b.token)).createSkillGroup.id;
    B.agentProfileId = ok(await th.gql(
      'mutation($u: ID!, $sg: ID!) { updateAgentProfile(userId: $u, maxConcurrentChats: 3, skills: [{ skillGroupId: $sg, level: 2 }]) { id } }',
      { u: B.userId, sg: B.skillGroupId }, b.token,
    )).updateAgentProfile.id;
    B.channelId = (await createChannel(b.token, 'B Web')).id;
    const key = await createApiKey(b.token, 'B key', ['ADMIN_READ']);
    B.apiKeyId = key.id;
    B.apiKey = key.key;
    B.pluginId = ok(await th.gql('mutation { installPlugin(name: "example", config: { greeting: "hi from B" }) { id } }', {}, b.token)).installPlugin.id;
    bIds = [b.adminId, ...Object.entries(B).filter(([k]) => k !== 'apiKey').map(([, v]) => v)];
    bBefore = ok(await th.gql(SNAPSHOT, snapshotVars(), b.token));
  });

  void test("reading B's objects by id from A is NOT_FOUND", async () => {
    const reads: [string, string, string][] = [
      ['user', 'query($id: ID!) { user(id: $id) { id email } }', B.userId],
      ['user (B admin)', 'query($id: ID!) { user(id: $id) { id email } }', b.adminId],
      ['department', 'query($id: ID!) { department(id: $id) { id name } }', B.departmentId],
      ['skillGroup', 'query($id: ID!) { skillGroup(id: $id) { id name } }', B.skillGroupId],
      ['agent', 'query($id: ID!) { agent(id: $id) { id status } }', B.agentProfileId],
      ['channel', 'query($id: ID!) { channel(id: $id) { id name } }', B.channelId],
      ['pluginInstallation', 'query($id: ID!) { pluginInstallation(id: $id) { id config } }', B.pluginId],
    ];
    for (const [who, cred] of [['A admin', a.token], ['A key', aKey]] as const) {
      for (const [what, q, id] of reads) expectCode(await th.gql(q, { id }, cred), 'NOT_FOUND', `${who}: ${what}`);
    }
  });

  void test("every mutation naming B's ids from A is NOT_FOUND and changes nothing", async () => {
    const aDept = ok(await th.gql('mutation { createDepartment(name: "A Dept") { id } }', {}, a.token)).createDepartment.id as string;
    const aSg = ok(await th.gql('mutation { createSkillGroup(name: "A Group") { id } }', {}, a.token)).createSkillGroup.id as string;
    const aUser = await createUser(a.token, 'user@sec-iso-a.test', ['agent']);
    const A_STATE = '{ users { id name departmentId roles } departments { id name parentId } skillGroups { id name departmentId } agents { id userId maxConcurrentChats skills { skillGroupId } } channels { id } apiKeys { id revokedAt } pluginInstallations { id } auditLog(limit: 500) { id } }';
    const aBefore = ok(await th.gql(A_STATE, {}, a.token));

    const attacks: { name: string; q: string; v: Record<string, unknown>; key?: 'FORBIDDEN' }[] = [
      { name: 'updateUser', q: 'mutation($id: ID!) { updateUser(id: $id, name: "hacked", roles: [admin], disabled: true) { id } }', v: { id: B.userId } },
      { name: 'updateUser (B admin)', q: 'mutation($id: ID!) { updateUser(id: $id, disabled: true) { id } }', v: { id: b.adminId } },
      { name: 'resetUserPassword', q: 'mutation($id: ID!) { resetUserPassword(id: $id, password: "hacked password 1") { id } }', v: { id: B.userId } },
      { name: 'updateDepartment', q: 'mutation($id: ID!) { updateDepartment(id: $id, name: "hacked") { id } }', v: { id: B.departmentId } },
      { name: 'deleteDepartment', q: 'mutation($id: ID!) { deleteDepartment(id: $id) }', v: { id: B.departmentId } },
      { name: 'updateSkillGroup', q: 'mutation($id: ID!) { updateSkillGroup(id: $id, name: "hacked") { id } }', v: { id: B.skillGroupId } },
      { name: 'deleteSkillGroup', q: 'mutation($id: ID!) { deleteSkillGroup(id: $id) }', v: { id: B.skillGroupId } },
      { name: 'updateAgentProfile (B user)', q: 'mutation($id: ID!) { updateAgentProfile(userId: $id, maxConcurrentChats: 99, skills: []) { id } }', v: { id: B.userId } },
      { name: 'updateAgentProfile (B skill group)', q: 'mutation($u: ID!, $sg: ID!) { updateAgentProfile(userId: $u, skills: [{ skillGroupId: $sg, level: 5 }]) { id } }', v: { u: aUser, sg: B.skillGroupId } },
      { name: 'createUser (B department)', q: `mutation($d: ID!) { createUser(email: "sneaky@sec-iso-a.test", name: "Sneaky", password: "${USER_PASSWORD}", roles: [agent], departmentId: $d) { id } }`, v: { d: B.departmentId } },
      { name: 'updateUser (B department)', q: 'mutation($id: ID!, $d: ID!) { updateUser(id: $id, departmentId: $d) { id } }', v: { id: aUser, d: B.departmentId } },
      { name: 'createDepartment (B parent)', q: 'mutation($d: ID!) { createDepartment(name: "A child of B", parentId: $d) { id } }', v: { d: B.departmentId } },
      { name: 'updateDepartment (B parent)', q: 'mutation($id: ID!, $d: ID!) { updateDepartment(id: $id, name: "A Dept", parentId: $d) { id } }', v: { id: aDept, d: B.departmentId } },
      { name: 'createSkillGroup (B department)', q: 'mutation($d: ID!) { createSkillGroup(name: "A in B", departmentId: $d) { id } }', v: { d: B.departmentId } },
      { name: 'updateSkillGroup (B department)', q: 'mutation($id: ID!, $d: ID!) { updateSkillGroup(id: $id, name: "A Group", departmentId: $d) { id } }', v: { id: aSg, d: B.departmentId } },
      { name: 'updateChannel', q: 'mutation($id: ID!) { updateChannel(id: $id, name: "hacked", enabled: false, config: { hacked: true }) { id } }', v: { id: B.channelId } },
      { name: 'deleteChannel', q: 'mutation($id: ID!) { deleteChannel(id: $id) }', v: { id: B.channelId } },
      { name: 'revokeApiKey', q: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', v: { id: B.apiKeyId }, key: 'FORBIDDEN' },
      { name: 'configurePlugin', q: 'mutation($id: ID!) { configurePlugin(id: $id, config: { greeting: "hacked" }) { id } }', v: { id: B.pluginId } },
      { name: 'setPluginEnabled', q: 'mutation($id: ID!) { setPluginEnabled(id: $id, enabled: false) { id } }', v: { id: B.pluginId } },
      { name: 'uninstallPlugin', q: 'mutation($id: ID!) { uninstallPlugin(id: $id) }', v: { id: B.pluginId } },
    ];
    for (const [who, cred] of [['A admin', a.token], ['A key', aKey]] as const) {
      for (const { name, q, v, key } of attacks) {
        const expected = who === 'A key' && key ? key : 'NOT_FOUND';
        expectCode(await th.gql(q, v, cred), expected, `${who}: ${name}`);
      }
    }

    // B is untouched: same objects, same values; B's user still signs in with the old password; B's key works.
    assert.deepEqual(ok(await th.gql(SNAPSHOT, snapshotVars(), b.token)), bBefore);
    assert.equal(bBefore.user.name, 'Some One');
    assert.equal(bBefore.channel.enabled, true);
    assert.equal(bBefore.pluginInstallation.enabled, true);
    assert.deepEqual(bBefore.pluginInstallation.config, { greeting: 'hi from B' });
    assert.equal(bBefore.apiKeys.find((k: { id: string }) => k.id === B.apiKeyId).revokedAt, null);
    assert.deepEqual(bBefore.agent.skills, [{ skillGroupId: B.skillGroupId, level: 2 }]);
    ok(await login('sec-iso-b', 'user@sec-iso-b.test', USER_PASSWORD));
    ok(await th.gql('{ me { id } }', {}, b.token));
    ok(await th.gql('{ users { id } }', {}, B.apiKey));
    // A is untouched too: no half-done writes, no audit entries from the failed attempts.
    assert.deepEqual(ok(await th.gql(A_STATE, {}, a.token)), aBefore);
  });

  void test("A's lists contain none of B's ids", async () => {
    // Give A something of each kind, so the lists are not trivially empty.
    await createChannel(a.token, 'A Web');
    ok(await th.gql('mutation { installPlugin(name: "example") { id } }', {}, a.token));
    for (const cred of [a.token, aKey]) {
      const r = ok(await th.gql(`{
        users(includeDisabled: true) { id } departments { id } skillGroups { id members { agentProfileId skillGroupId } } agents { id userId skills { skillGroupId } }
        channels { id } apiKeys { id } pluginInstallations { id } auditLog(limit: 500) { id actorId targetId }
      }`, {}, cred));
      for (const list of ['users', 'channels', 'pluginInstallations', 'auditLog', 'agents']) assert.ok(r[list].length > 0, `A's ${list} is empty`);
      const seen = JSON.stringify(r);
      for (const id of bIds) assert.ok(!seen.includes(id), `A sees B's id ${id}: ${seen}`);
    }
  });

  void test("subscribing to B's agent profile from A is NOT_FOUND over SSE", async () => {
    const r = await sseFirstResult(AGENT_PROFILE_CHANGED, { id: B.agentProfileId }, a.token);
    expectCode(r, 'NOT_FOUND', 'SSE agentProfileChanged(B)');
  });

  void test("subscribing to B's agent profile from A is NOT_FOUND over graphql-ws", async () => {
    expectCode(await wsFirstResult(a.token, AGENT_PROFILE_CHANGED, { id: B.agentProfileId }), 'NOT_FOUND', 'graphql-ws agentProfileChanged(B)');
    expectCode(await wsFirstResult(aKey, AGENT_PROFILE_CHANGED, { id: B.agentProfileId }), 'NOT_FOUND', 'graphql-ws agentProfileChanged(B) by key');
  });

  void test('graphql-ws and SSE check the credential: anonymous callers and bad tokens are refused', async () => {
    const aProfile = ok(await th.gql('{ me { agentProfile { id } } }', {}, a.token)).me.agentProfile.id as string;
    expectCode(await wsFirstResult(undefined, AGENT_PROFILE_CHANGED, { id: aProfile }), 'UNAUTHENTICATED', 'anonymous graphql-ws');
    expectCode(await wsFirstResult('not-a-jwt', AGENT_PROFILE_CHANGED, { id: aProfile }), 'UNAUTHENTICATED', 'garbage token graphql-ws');
    expectCode(await sseFirstResult(AGENT_PROFILE_CHANGED, { id: aProfile }), 'UNAUTHENTICATED', 'anonymous SSE');
  });

  void test('A subscribing to its own agent profile over graphql-ws receives the status change', async () => {
    const aProfile = ok(await th.gql('{ me { agentProfile { id status } } }', {}, a.token)).me.agentProfile;
    const client = wsClient(a.token);
    try {
      const s = wsSubscribe(client, AGENT_PROFILE_CHANGED, { id: aProfile.id });
      // The subscription is registered asynchronously on the server: publish until an event arrives.
      await waitFor(async () => {
        if (s.failure || s.completed) throw new Error(`subscription ended: ${JSON.stringify(s.failure)} ${JSON.stringify(s.events)}`);
        if (s.events.length) return true;
        ok(await th.gql('mutation { setMyStatus(status: online) { status } }', {}, a.token));
        return false;
      }, 'an agentProfileChanged event', 10_000, 200);
      assert.deepEqual(s.events[0], { data: { agentProfileChanged: { id: aProfile.id, status: 'online' } } });
      s.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Operation limits

/** `users { agentProfile { user { … { id } } } }` with `depth` levels counting the leaf. */
function deepUsers(depth: number): string {
  let inner = 'id';
  for (let level = depth - 1; level >= 2; level--) inner = `${level % 2 === 0 ? 'agentProfile' : 'user'} { ${inner} }`;
  return `users { ${inner} }`;
}

/** A selection below setMyStatus nested `levels` object levels deep, with `leaves` scalar fields at the bottom. */
function heavyStatus(levels: number, leaves: number, status = 'busy'): string {
  let inner = Array.from({ length: leaves }, () => 'id').join(' ');
  for (let level = levels; level >= 1; level--) inner = `${level % 2 === 1 ? 'user' : 'agentProfile'} { ${inner} }`;
  return `setMyStatus(status: ${status}) { ${inner} }`;
}

void describe('operation limits', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  before(async () => {
    admin = await signUp(th.gql, 'sec-limits');
  });

  function expectTooComplex(r: GqlResult, pattern: RegExp, what: string): void {
    expectCode(r, 'QUERY_TOO_COMPLEX', what);
    assert.match(firstError(r).message, pattern, what);
  }

  void test('depth above 10 is refused; depth 10 runs', async () => {
    ok(await th.gql(`{ ${deepUsers(10)} }`, {}, admin.token));
    expectTooComplex(await th.gql(`{ ${deepUsers(11)} }`, {}, admin.token), /depth/i, 'depth 11');
    expectTooComplex(await th.gql(`{ ${deepUsers(14)} }`, {}, admin.token), /depth/i, 'depth 14');
    // Fragments do not hide depth.
    const viaFragments = `{ users { ...U } } fragment U on User { agentProfile { user { agentProfile { ...P } } } } fragment P on AgentProfile { user { agentProfile { user { agentProfile { user { agentProfile { id } } } } } } }`;
    expectTooComplex(await th.gql(viaFragments, {}, admin.token), /depth/i, 'depth through fragments');
  });

  void test('more than 15 aliases are refused; 15 run', async () => {
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: workspace { id }`).join(' ')} }`;
    ok(await th.gql(aliased(15), {}, admin.token));
    expectTooComplex(await th.gql(aliased(16), {}, admin.token), /alias/i, '16 aliases');
  });

  void test('an over-costly operation is refused', async () => {
    // Depth 9 and no aliases, but 300 leaves under 8 object levels cost far more than 5000.
    ok(await th.gql(`{ ${deepUsers(9)} }`, {}, admin.token));
    const heavy = `{ users { agentProfile { user { agentProfile { user { agentProfile { user { agentProfile { ${'id '.repeat(300)} } } } } } } } } }`;
    expectTooComplex(await th.gql(heavy, {}, admin.token), /cost/i, 'cost');
  });

  void test('an over-limit mutation is refused before any resolver runs', async () => {
    const docs = {
      depth: `mutation { createDepartment(name: "should-not-exist") { id } ${heavyStatus(10, 1)} }`,
      aliases: `mutation { ${Array.from({ length: 16 }, (_, i) => `d${i}: createDepartment(name: "should-not-exist-${i}") { id }`).join(' ')} }`,
      cost: `mutation { createDepartment(name: "should-not-exist") { id } ${heavyStatus(7, 300)} }`,
    };
    const patterns = { depth: /depth/i, aliases: /alias/i, cost: /cost/i };
    for (const [what, doc] of Object.entries(docs)) expectTooComplex(await th.gql(doc, {}, admin.token), patterns[what as keyof typeof patterns], `mutation over the ${what} limit`);
    const r = ok(await th.gql('{ departments { name } me { agentProfile { status } } auditLog { action } }', {}, admin.token));
    assert.deepEqual(r.departments, [], 'a department was created by a refused operation');
    assert.equal(r.me.agentProfile.status, 'offline', 'setMyStatus ran in a refused operation');
    assert.ok(!r.auditLog.some((e: { action: string }) => e.action === 'department.create'), JSON.stringify(r.auditLog));
  });

  void test('limits apply to graphql-ws subscriptions too', async () => {
    const profile = ok(await th.gql('{ me { agentProfile { id } } }', {}, admin.token)).me.agentProfile.id as string;
    let inner = 'id';
    for (let level = 10; level >= 2; level--) inner = `${level % 2 === 0 ? 'user' : 'agentProfile'} { ${inner} }`;
    const deep = `subscription($id: ID!) { agentProfileChanged(id: $id) { ${inner} } }`;
    const r = await wsFirstResult(admin.token, deep, { id: profile });
    expectTooComplex(r, /depth/i, 'deep subscription over graphql-ws');
  });

  void test('an unexpected server error is masked', async () => {
    // The example plugin throws a plain Error once its note limit is reached: an unexpected error.
    ok(await th.gql('mutation { installPlugin(name: "example", config: { maxNotes: 1 }) { id } }', {}, admin.token));
    ok(await th.gql('mutation { exampleAddNote(text: "first") { id } }', {}, admin.token));
    const r = await th.gql('mutation { exampleAddNote(text: "second") { id } }', {}, admin.token);
    const e = firstError(r);
    assert.equal(e.message, 'Unexpected error.', JSON.stringify(r));
    assert.ok(!JSON.stringify(r).includes('note limit'), `internal detail leaked: ${JSON.stringify(r)}`);
    assert.ok(!JSON.stringify(r).includes('.ts:'), `stack trace leaked: ${JSON.stringify(r)}`);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Bad input

void describe('bad input', () => {
  let admin: { token: string; workspaceId: string; adminId: string };
  const COUNTS = '{ users(includeDisabled: true) { id } agents { id } departments { id } auditLog(limit: 500) { id } }';
  const counts = async () => {
    const r = ok(await th.gql(COUNTS, {}, admin.token));
    return { users: r.users.length, agents: r.agents.length, departments: r.departments.length, audit: r.auditLog.length };
  };
  const CREATE = 'mutation($e: String!, $p: String!) { createUser(email: $e, name: "New", password: $p, roles: [agent]) { id } }';

  before(async () => {
    admin = await signUp(th.gql, 'sec-input');
  });

  void test('createUser with a short password or a bad e-mail is BAD_USER_INPUT naming the field; nothing is written', async () => {
    const before = await counts();
    const cases: [string, Record<string, unknown>, string][] = [
      ['short password', { e: 'new@sec-input.test', p: 'short' }, 'password'],
      ['bad e-mail', { e: 'not-an-email', p: USER_PASSWORD }, 'email'],
    ];
    for (const [what, v, path] of cases) {
      const r = await th.gql(CREATE, v, admin.token);
      expectCode(r, 'BAD_USER_INPUT', what);
      const issues = (firstError(r).extensions?.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
      assert.ok(Array.isArray(issues), `${what}: no details.issues in ${JSON.stringify(r)}`);
      assert.deepEqual(issues.map((i) => i.path), [path], `${what}: ${JSON.stringify(issues)}`);
      assert.ok(issues.every((i) => typeof i.message === 'string' && i.message.length > 0));
    }
    const both = await th.gql(CREATE, { e: 'nope', p: 'short' }, admin.token);
    expectCode(both, 'BAD_USER_INPUT', 'both bad');
    const paths = ((firstError(both).extensions?.details as { issues: { path: string }[] }).issues).map((i) => i.path).sort();
    assert.deepEqual(paths, ['email', 'password']);
    assert.deepEqual(await counts(), before);
  });

  void test('a duplicate department name is CONFLICT; a duplicate e-mail is CONFLICT with no partial writes', async () => {
    ok(await th.gql('mutation { createDepartment(name: "Support") { id } }', {}, admin.token));
    await createUser(admin.token, 'dup@sec-input.test', ['agent']);
    const before = await counts();
    expectCode(await th.gql('mutation { createDepartment(name: "Support") { id } }', {}, admin.token), 'CONFLICT', 'duplicate department');
    // Same e-mail in another case: the agent profile, audit entry and event of the failed create must roll back with it.
    expectCode(await th.gql(CREATE, { e: 'DUP@sec-input.test', p: USER_PASSWORD }, admin.token), 'CONFLICT', 'duplicate e-mail');
    assert.deepEqual(await counts(), before);
  });
});
