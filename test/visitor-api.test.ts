/**
 * The visitor API the web widget (F3) stands on. Identified visitors: startVisitorSession(identity)
 * verifies an HMAC-SHA256 signature made with the channel's config.identitySecret; the identity names
 * one customer in the workspace; the secret never reaches the browser or non-admins. Attachments:
 * data: URLs up to about 1 MB. Events: conversationEvents never skips a message that reached the
 * bus out of order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createClient } from 'graphql-ws';
import NodeWebSocket from 'ws';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import type { ConversationEvent } from '../core/conversations/topics.ts';

let th: TestHub;
let admin: string;
let agent: string;
let workspaceId: string;
const SECRET = 'whsec-widget-identity-0123456789abcdef';
let signedKey: string; // channel with a secret
let otherKey: string; // second channel of the workspace, another secret
let plainKey: string; // channel without a secret

const sign = (secret: string, externalId: string, ts: number) => createHmac('sha256', secret).update(`${externalId}:${ts}`).digest('hex');
const now = () => Math.floor(Date.now() / 1000);
const START = 'mutation($k: String!, $i: VisitorIdentityInput, $v: String) { startVisitorSession(channelKey: $k, identity: $i, visitorId: $v) { token customerId settings } }';

before(async () => {
  th = await startTestHub();
  const ws = await signUp(th.gql, 'ident-a');
  admin = ws.token;
  workspaceId = ws.workspaceId;
  ok(await th.gql('mutation { createUser(email: "agent@ident-a.test", name: "Agent A", password: "agent password 1", roles: [agent]) { id } }', {}, admin));
  agent = ok(await th.gql('mutation { login(workspace: "ident-a", email: "agent@ident-a.test", password: "agent password 1") { token } }')).login.token;
  const create = async (name: string, config: Record<string, unknown>) =>
    ok(await th.gql('mutation($n: String!, $c: JSON) { createChannel(kind: "web-widget", name: $n, config: $c) { publicKey } }', { n: name, c: config }, admin)).createChannel.publicKey as string;
  signedKey = await create('site', { identitySecret: SECRET, title: '星河客服', accentColor: '#0f9d58' });
  otherKey = await create('app', { identitySecret: 'another-secret-for-the-app-channel' });
  plainKey = await create('blog', {});
});
after(async () => { await th?.close(); });

async function customerRow(customerId: string) {
  const conn = th.hub.services.orm.em.fork().getConnection();
  const [c] = await conn.execute('select display_name, email from customer where id = ? and workspace_id = ?', [customerId, workspaceId]);
  const ids = await conn.execute('select external_id, verified from customer_identity where customer_id = ? and workspace_id = ? order by created_at', [customerId, workspaceId]);
  return { customer: c as { display_name: string; email: string | null }, identities: ids as { external_id: string; verified: number }[] };
}

void test('a good signature identifies the customer user:<externalId>, verified, from any browser and any channel of the workspace', async () => {
  const ts = now();
  const identity = { externalId: 'u-1001', name: '王小明', email: 'xiaoming@example.com', ts, sig: sign(SECRET, 'u-1001', ts) };
  const first = ok(await th.gql(START, { k: signedKey, i: identity, v: 'browser-one-visitor-id' })).startVisitorSession;
  assert.match(first.token, /^vt_/);
  assert.deepEqual(first.settings, { title: '星河客服', accentColor: '#0f9d58' }, 'public settings only, never the secret');
  const row = await customerRow(first.customerId);
  assert.equal(row.customer.display_name, '王小明');
  assert.equal(row.customer.email, 'xiaoming@example.com');
  assert.deepEqual(row.identities.map((i) => [i.external_id, !!i.verified]), [['user:u-1001', true]]);

  // Another browser (another anonymous visitor id, a later signature): the same customer; a new name is taken.
  const ts2 = ts + 5;
  const second = ok(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', name: '王小明 (VIP)', ts: ts2, sig: sign(SECRET, 'u-1001', ts2) }, v: 'browser-two-visitor-id' })).startVisitorSession;
  assert.equal(second.customerId, first.customerId);
  assert.equal((await customerRow(first.customerId)).customer.display_name, '王小明 (VIP)');

  // Another widget of the same workspace, signed with its own secret: still the same customer.
  const other = ok(await th.gql(START, { k: otherKey, i: { externalId: 'u-1001', ts, sig: sign('another-secret-for-the-app-channel', 'u-1001', ts) } })).startVisitorSession;
  assert.equal(other.customerId, first.customerId);
  assert.equal((await customerRow(first.customerId)).identities.length, 2);

  // The token works as a visitor token bound to that customer.
  const conv = ok(await th.gql('{ visitorSession { customerId channelId } }', {}, second.token)).visitorSession;
  assert.equal(conv.customerId, first.customerId);

  // A different user is a different customer; an anonymous visitor is never merged into one.
  const someoneElse = ok(await th.gql(START, { k: signedKey, i: { externalId: 'u-2002', ts, sig: sign(SECRET, 'u-2002', ts) } })).startVisitorSession;
  assert.notEqual(someoneElse.customerId, first.customerId);
  const anon = ok(await th.gql(START, { k: signedKey, v: 'browser-one-visitor-id' })).startVisitorSession;
  assert.notEqual(anon.customerId, first.customerId);
});

void test('a bad signature is UNAUTHENTICATED', async () => {
  const ts = now();
  const wrongSecret = await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts, sig: sign('not-the-secret', 'u-1001', ts) } });
  assert.equal(code(wrongSecret), 'UNAUTHENTICATED');
  assert.match(wrongSecret.errors![0]!.message, /signature does not match/);
  // Signed for someone else / another time: the signature covers externalId and ts.
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1002', ts, sig: sign(SECRET, 'u-1001', ts) } })), 'UNAUTHENTICATED');
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts: ts + 1, sig: sign(SECRET, 'u-1001', ts) } })), 'UNAUTHENTICATED');
  // Not even hex: refused as input before any comparison.
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts, sig: 'zz' } })), 'BAD_USER_INPUT');
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts: ts + 0.5, sig: sign(SECRET, 'u-1001', ts) } })), 'BAD_USER_INPUT');
});

void test('a signature older than 24 hours (or from the future) is refused', async () => {
  const old = now() - 24 * 3600 - 60;
  const expired = await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts: old, sig: sign(SECRET, 'u-1001', old) } });
  assert.equal(code(expired), 'UNAUTHENTICATED');
  assert.match(expired.errors![0]!.message, /expired/);
  const recent = now() - 23 * 3600;
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts: recent, sig: sign(SECRET, 'u-1001', recent) } })), 'OK');
  const future = now() + 3600;
  assert.equal(code(await th.gql(START, { k: signedKey, i: { externalId: 'u-1001', ts: future, sig: sign(SECRET, 'u-1001', future) } })), 'UNAUTHENTICATED');
});

void test('a channel without an identity secret refuses identified visitors (anonymous ones still work)', async () => {
  const ts = now();
  const r = await th.gql(START, { k: plainKey, i: { externalId: 'u-1001', ts, sig: sign(SECRET, 'u-1001', ts) } });
  assert.equal(code(r), 'BAD_USER_INPUT');
  assert.match(r.errors![0]!.message, /identitySecret/);
  assert.equal(code(await th.gql(START, { k: plainKey, v: 'some-anonymous-visitor' })), 'OK');
});

void test('the identity secret is shown to admins only', async () => {
  const asAdmin = ok(await th.gql('{ channels { publicKey config } }', {}, admin)).channels.find((c: any) => c.publicKey === signedKey);
  assert.equal(asAdmin.config.identitySecret, SECRET);
  const asAgent = ok(await th.gql('{ channels { publicKey config } }', {}, agent)).channels.find((c: any) => c.publicKey === signedKey);
  assert.equal(asAgent.config.identitySecret, '********');
  assert.equal(asAgent.config.title, '星河客服');
});

void test('widget attachments: data: URLs up to about 1 MB are accepted, larger ones refused', async () => {
  const visitor = ok(await th.gql(START, { k: plainKey, v: 'attachment-visitor-0001' })).startVisitorSession.token;
  const conv = ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation;
  const send = (type: string, body: unknown, cid: string) =>
    th.gql('mutation($c: ID!, $t: String!, $b: JSON!, $m: String) { sendMessage(conversationId: $c, type: $t, body: $b, clientMessageId: $m) { seq type } }', { c: conv.id, t: type, b: body, m: cid }, visitor);
  const image = `data:image/png;base64,${Buffer.alloc(900 * 1024, 7).toString('base64')}`;
  assert.equal(ok(await send('image', { url: image }, 'att-00000001')).sendMessage.type, 'image');
  const file = `data:application/pdf;base64,${Buffer.alloc(700 * 1024, 1).toString('base64')}`;
  assert.equal(ok(await send('file', { url: file, name: '发票.pdf', size: 700 * 1024, mime: 'application/pdf' }, 'att-00000002')).sendMessage.type, 'file');
  assert.equal(code(await send('image', { url: `data:image/png;base64,${Buffer.alloc(1100 * 1024).toString('base64')}` }, 'att-00000003')), 'BAD_USER_INPUT');
  assert.equal(code(await send('image', { url: 'data:image/svg+xml;base64,PHN2Zz4=' }, 'att-00000004')), 'BAD_USER_INPUT', 'no SVG (scripts)');
  assert.equal(code(await send('image', { url: `https://img.example/${'x'.repeat(2100)}.png` }, 'att-00000005')), 'BAD_USER_INPUT', 'http URLs stay ≤ 2000 characters');
  const stored = ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { type body } } }', { id: conv.id }, visitor)).conversation.messages;
  assert.equal(stored.find((m: any) => m.type === 'image').body.url, image, 'stored intact');
});

void test('conversationEvents with a cursor fills the gap when two messages reach the bus out of order', async () => {
  const visitor = ok(await th.gql(START, { k: plainKey, v: 'gap-visitor-00000001' })).startVisitorSession.token;
  const conv = ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation;
  const stored = async () => ok(await th.gql('query($id: ID!) { conversation(id: $id) { messages { seq } } }', { id: conv.id }, visitor)).conversation.messages.map((m: any) => m.seq as number);
  const start = await waitFor(async () => (await stored()).length ? await stored() : null, 'the greeting');
  const afterSeq = start[start.length - 1]!;

  // Hold back the bus event of "first" until "second" has been published: the subscriber sees n+1 before n.
  const svc = th.hub.services.conversations;
  const publish = svc.publish.bind(svc);
  let held: ConversationEvent | null = null;
  svc.publish = (e: ConversationEvent) => {
    if (e.kind === 'message' && e.conversationId === conv.id && e.message.body.text === 'first') { held = e; return; }
    publish(e);
    if (held && e.kind === 'message' && e.message.body.text === 'second') { publish(held); held = null; }
  };
  const client = createClient({ url: `${th.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: NodeWebSocket, connectionParams: { authorization: `Bearer ${visitor}` }, retryAttempts: 0 });
  const seen: number[] = [];
  const stop = client.subscribe(
    { query: 'subscription($c: ID!, $a: Int) { conversationEvents(conversationId: $c, afterSeq: $a) { kind message { seq } } }', variables: { c: conv.id, a: afterSeq } },
    { next: (r: any) => { if (r.data?.conversationEvents.kind === 'message') seen.push(r.data.conversationEvents.message.seq); }, error: () => undefined, complete: () => undefined },
  );
  try {
    await new Promise((r) => setTimeout(r, 300)); // subscribed
    for (const [i, text] of ['first', 'second'].entries()) {
      ok(await th.gql('mutation($c: ID!, $b: JSON!, $m: String) { sendMessage(conversationId: $c, type: "text", body: $b, clientMessageId: $m) { seq } }', { c: conv.id, b: { text }, m: `gap-0000000${i}` }, visitor));
    }
    const fresh = async () => (await stored()).filter((q: number) => q > afterSeq);
    await waitFor(async () => { const s = await fresh(); return s.length >= 2 && seen.length >= s.length; }, 'every new message on the stream', 5000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up now
    assert.deepEqual(seen, await fresh(), 'each message once, in seq order');
    assert.equal(held, null);
  } finally {
    svc.publish = publish;
    stop();
    await client.dispose();
  }
});
