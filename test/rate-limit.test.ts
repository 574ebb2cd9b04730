/**
 * Rate limits of the public entry points on the real hub and Redis (core/http/rate-limit.ts), with
 * small limits set for this hub: failed sign-ins per address and per account, workspace sign-up,
 * widget sessions and anonymous self-service. Behind a trusted proxy the address is X-Forwarded-For's.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, signUp, ok, code, type TestHub, type GqlResult } from './helpers/hub.ts';
import { loadConfig } from '../core/config.ts';
import { NO_TENANT_FILTER, systemEm } from '../core/db/orm.ts';
import { Workspace } from '../core/db/entities/index.ts';

let th: TestHub;
before(async () => {
  th = await startTestHub({
    temporal: false,
    env: { KEFU_RATE_LIMITS: 'login=6/60,loginAccount=3/60,signUp=3/60,visitorSession=4/60,selfService=5/60', KEFU_TRUST_PROXY: 'true' },
  });
});
after(async () => { await th?.close(); });

/** A request as if from `ip` (the hub trusts X-Forwarded-For here). */
async function from(ip: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const res = await fetch(`${th.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `${ip}, 10.0.0.1` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult;
}
const LOGIN = 'mutation($w: String!, $e: String!, $p: String!) { login(workspace: $w, email: $e, password: $p) { token } }';

void test('failed sign-ins: 3 per account and address, then RATE_LIMITED with retryAfterSec — even with the right password; other addresses are not affected', async () => {
  const ws = await signUp(th.gql, 'rl-login');
  const email = 'admin@rl-login.test';
  const right = 'correct horse battery'; // signUp's admin password
  for (let i = 0; i < 3; i++) assert.equal(code(await from('198.51.100.7', LOGIN, { w: 'rl-login', e: email, p: `wrong ${i}` })), 'UNAUTHENTICATED');
  const limited = await from('198.51.100.7', LOGIN, { w: 'rl-login', e: email, p: right });
  assert.equal(code(limited), 'RATE_LIMITED');
  const retry = (limited.errors![0]!.extensions as { details?: { retryAfterSec?: number } }).details?.retryAfterSec;
  assert.ok(typeof retry === 'number' && retry >= 1 && retry <= 60, `retryAfterSec ${retry}`);
  // The same account from another address, and the right password: signed in.
  assert.ok(ok(await from('198.51.100.8', LOGIN, { w: 'rl-login', e: email, p: right })).login.token);
  // Successful sign-ins do not count.
  for (let i = 0; i < 5; i++) ok(await from('198.51.100.9', LOGIN, { w: 'rl-login', e: email, p: right }));
  assert.ok(ws.workspaceId);
});

void test('failed sign-ins across accounts: 6 per address, then RATE_LIMITED for any account from it', async () => {
  for (let i = 0; i < 6; i++) assert.equal(code(await from('203.0.113.5', LOGIN, { w: 'nobody', e: `u${i}@x.test`, p: 'wrong password' })), 'UNAUTHENTICATED');
  assert.equal(code(await from('203.0.113.5', LOGIN, { w: 'nobody', e: 'fresh@x.test', p: 'wrong password' })), 'RATE_LIMITED');
  assert.equal(code(await from('203.0.113.6', LOGIN, { w: 'nobody', e: 'fresh@x.test', p: 'wrong password' })), 'UNAUTHENTICATED');
});

void test('workspace sign-up, widget sessions and anonymous self-service are limited per address; nothing is written past the limit', async () => {
  const SIGN_UP = 'mutation($s: String!) { signUpWorkspace(name: "RL", slug: $s, adminEmail: "a@rl.test", adminName: "A", adminPassword: "correct horse battery") { token } }';
  for (let i = 0; i < 3; i++) ok(await from('192.0.2.10', SIGN_UP, { s: `rl-su-${i}-${Date.now() % 100000}` }));
  const slug = `rl-su-x-${Date.now() % 100000}`;
  assert.equal(code(await from('192.0.2.10', SIGN_UP, { s: slug })), 'RATE_LIMITED');
  assert.equal(await systemEm(th.hub.services.orm).count(Workspace, { slug }, NO_TENANT_FILTER), 0, 'the refused sign-up wrote nothing');
  const admin = (await signUp(th.gql, 'rl-check')).token; // th.gql calls from 127.0.0.1: a count of its own

  const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel.publicKey as string;
  const START = 'mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }';
  for (let i = 0; i < 4; i++) ok(await from('192.0.2.20', START, { k: channel }));
  assert.equal(code(await from('192.0.2.20', START, { k: channel })), 'RATE_LIMITED');
  ok(await from('192.0.2.21', START, { k: channel }));

  const SELF = 'query($k: String!) { selfService(channelKey: $k, pageUrl: "https://shop.example/") { title } }';
  for (let i = 0; i < 5; i++) assert.equal(code(await from('192.0.2.30', SELF, { k: channel })), 'OK');
  assert.equal(code(await from('192.0.2.30', SELF, { k: channel })), 'RATE_LIMITED');
});

void test('KEFU_RATE_LIMITS is validated at start-up: unknown names and malformed values are refused; "off" disables', () => {
  assert.throws(() => loadConfig({ KEFU_RATE_LIMITS: 'logins=5/60' }), /KEFU_RATE_LIMITS.*name=count\/seconds/s);
  assert.throws(() => loadConfig({ KEFU_RATE_LIMITS: 'login=5' }), /KEFU_RATE_LIMITS/);
  assert.throws(() => loadConfig({ KEFU_RATE_LIMITS: 'login=0/60' }), /KEFU_RATE_LIMITS/);
  assert.equal(loadConfig({ KEFU_RATE_LIMITS: 'off' }).KEFU_RATE_LIMITS, null);
  const c = loadConfig({ KEFU_RATE_LIMITS: 'visitorSession=1000/60' }).KEFU_RATE_LIMITS!;
  assert.deepEqual(c.visitorSession, { count: 1000, windowSec: 60 });
  assert.deepEqual(c.loginAccount, { count: 10, windowSec: 900 }, 'the rest keep their defaults');
});
