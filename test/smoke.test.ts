import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, signUp, ok, code } from './helpers/hub.ts';

void test('a fresh hub migrates an empty database, signs up a workspace and answers GraphQL', async (t) => {
  const th = await startTestHub();
  t.after(() => th.close());
  const a = await signUp(th.gql, 'smoke-a');
  const me = ok(await th.gql('{ me { email roles } }', {}, a.token));
  assert.deepEqual(me.me, { email: 'admin@smoke-a.test', roles: ['admin'] });
  assert.equal(code(await th.gql('{ me { email } }')), 'UNAUTHENTICATED');
  const health = await (await fetch(`${th.url}/healthz`)).json();
  assert.equal(health.ok, true, JSON.stringify(health));
});
