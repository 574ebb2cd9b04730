/**
 * Department scoping of supervisors (core/auth/department-scope.ts) against the real services.
 * One workspace with departments 华东 East (with 上海 Shanghai below it) and 华南 South; a supervisor
 * for each, one without a department, and an admin for comparison. Every scoped query, subscription
 * and supervisor mutation is checked both ways. Conversations and offline messages are written as rows
 * (what their department is depends only on their skill group and assignee); live events go through
 * the hub's own pub/sub.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestHub, signUp, ok, code, waitFor, type GqlResult, type TestHub } from './helpers/hub.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation, Message, OfflineMessage } from '../core/db/entities/index.ts';
import { convTopics } from '../core/conversations/topics.ts';

const PASSWORD = 'supervisor password 1';
const SLUG = 'dept-scope';

let th: TestHub;
let admin: string;
let workspaceId: string;
const dept: Record<'east' | 'shanghai' | 'south', string> = { east: '', shanghai: '', south: '' };
const group: Record<'east' | 'shanghai' | 'south' | 'shared', string> = { east: '', shanghai: '', south: '', shared: '' };
const user: Record<'supEast' | 'supSouth' | 'supNone' | 'agentSh' | 'agentSouth', string> = { supEast: '', supSouth: '', supNone: '', agentSh: '', agentSouth: '' };
const token: Record<'supEast' | 'supSouth' | 'supNone' | 'agentSouth', string> = { supEast: '', supSouth: '', supNone: '', agentSouth: '' };
const profile: Record<'agentSh' | 'agentSouth', string> = { agentSh: '', agentSouth: '' };
/** east: queued in East's group; sh: Shanghai's group; south: South's group but assigned to a Shanghai agent; looseSouth: no group, South's agent; nowhere: neither. */
const conv: Record<'east' | 'sh' | 'south' | 'looseSouth' | 'nowhere', string> = { east: '', sh: '', south: '', looseSouth: '', nowhere: '' };
const offline: Record<'east' | 'south' | 'nowhere', string> = { east: '', south: '', nowhere: '' };
let customerId: string;
let visitor: string;

const gql = (query: string, variables: Record<string, unknown>, t: string) => th.gql(query, variables, t);
const sorted = (xs: string[]) => [...xs].sort();

before(async () => {
  th = await startTestHub();
  const s = await signUp(th.gql, SLUG);
  admin = s.token;
  workspaceId = s.workspaceId;
  const mkDept = async (name: string, parentId: string | null) =>
    ok(await gql('mutation($n: String!, $p: ID) { createDepartment(name: $n, parentId: $p) { id } }', { n: name, p: parentId }, admin)).createDepartment.id as string;
  dept.east = await mkDept('华东 East', null);
  dept.shanghai = await mkDept('上海 Shanghai', dept.east);
  dept.south = await mkDept('华南 South', null);
  const mkGroup = async (name: string, departmentId: string | null) =>
    ok(await gql('mutation($n: String!, $d: ID) { createSkillGroup(name: $n, departmentId: $d) { id } }', { n: name, d: departmentId }, admin)).createSkillGroup.id as string;
  group.east = await mkGroup('East sales', dept.east);
  group.shanghai = await mkGroup('Shanghai support', dept.shanghai);
  group.south = await mkGroup('South sales', dept.south);
  group.shared = await mkGroup('Shared (no department)', null);
  const mkUser = async (email: string, roles: string[], departmentId: string | null) =>
    ok(await gql('mutation($e: String!, $r: [Role!]!, $d: ID, $p: String!) { createUser(email: $e, name: $e, password: $p, roles: $r, departmentId: $d) { id } }', { e: email, r: roles, d: departmentId, p: PASSWORD }, admin)).createUser.id as string;
  user.supEast = await mkUser(`sup-east@${SLUG}.test`, ['supervisor'], dept.east);
  user.supSouth = await mkUser(`sup-south@${SLUG}.test`, ['supervisor'], dept.south);
  user.supNone = await mkUser(`sup-none@${SLUG}.test`, ['supervisor'], null);
  user.agentSh = await mkUser(`agent-sh@${SLUG}.test`, ['agent'], dept.shanghai);
  user.agentSouth = await mkUser(`agent-south@${SLUG}.test`, ['agent'], dept.south);
  const login = async (email: string) =>
    ok(await th.gql('mutation($w: String!, $e: String!, $p: String!) { login(workspace: $w, email: $e, password: $p) { token } }', { w: SLUG, e: email, p: PASSWORD })).login.token as string;
  token.supEast = await login(`sup-east@${SLUG}.test`);
  token.supSouth = await login(`sup-south@${SLUG}.test`);
  token.supNone = await login(`sup-none@${SLUG}.test`);
  token.agentSouth = await login(`agent-south@${SLUG}.test`);
  // The Shanghai agent also serves South's group: membership alone does not make them South's.
  ok(await gql('mutation($u: ID!, $s: [AgentSkillInput!]) { updateAgentProfile(userId: $u, skills: $s) { id } }', { u: user.agentSh, s: [{ skillGroupId: group.shanghai, level: 3 }, { skillGroupId: group.south, level: 2 }] }, admin));
  ok(await gql('mutation($u: ID!, $s: [AgentSkillInput!]) { updateAgentProfile(userId: $u, skills: $s) { id } }', { u: user.agentSouth, s: [{ skillGroupId: group.south, level: 4 }] }, admin));
  const agents = ok(await gql('{ agents { id userId } }', {}, admin)).agents as { id: string; userId: string }[];
  profile.agentSh = agents.find((a) => a.userId === user.agentSh)!.id;
  profile.agentSouth = agents.find((a) => a.userId === user.agentSouth)!.id;

  const channel = ok(await gql('mutation { createChannel(kind: "web-widget", name: "官网") { id publicKey } }', {}, admin)).createChannel;
  const session = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k, displayName: "王先生") { token customerId } }', { k: channel.publicKey })).startVisitorSession;
  visitor = session.token;
  customerId = session.customerId;

  const em = workspaceEm(th.hub.services.orm, workspaceId);
  const row = (skillGroupId: string | null, assigneeId: string | null, status: 'queued' | 'assigned' | 'offline') =>
    em.create(Conversation, { workspaceId, channelId: channel.id, customerId, status, skillGroupId, assigneeId, trail: [], lastSeq: 1, queuedAt: new Date() });
  const rows = {
    east: row(group.east, null, 'queued'),
    sh: row(group.shanghai, user.agentSh, 'assigned'),
    south: row(group.south, user.agentSh, 'assigned'),
    looseSouth: row(null, user.agentSouth, 'offline'),
    nowhere: row(null, null, 'offline'),
  };
  for (const [k, c] of Object.entries(rows)) conv[k as keyof typeof conv] = c.id;
  // One bot answer in East's and one in South's conversation, for the statistics.
  for (const c of [rows.east, rows.south]) {
    em.create(Message, { workspaceId, conversationId: c.id, seq: 1, senderType: 'bot', type: 'text', body: { text: '您好', matched: true } });
  }
  const leave = (c: Conversation, content: string) =>
    em.create(OfflineMessage, { workspaceId, conversationId: c.id, customerId, channelId: channel.id, reason: 'offline', content, contact: {}, status: 'open' });
  offline.east = leave(rows.east, 'east').id;
  offline.south = leave(rows.looseSouth, 'south').id;
  offline.nowhere = leave(rows.nowhere, 'nowhere').id;
  await em.flush();
});
after(async () => {
  await th?.close();
});

// ---------------------------------------------------------------------------------------------
// graphql-ws helpers

function wsClient(t: string): Client {
  return createClient({ url: `${th.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${t}` }, retryAttempts: 0, lazy: true });
}

interface WsSubscription { events: GqlResult[]; failure: unknown; completed: boolean; unsubscribe(): void }

function wsSubscribe(client: Client, query: string, variables: Record<string, unknown> = {}): WsSubscription {
  const s: WsSubscription = { events: [], failure: null, completed: false, unsubscribe: () => undefined };
  s.unsubscribe = client.subscribe({ query, variables }, {
    next: (v) => { s.events.push(v as GqlResult); },
    error: (e) => { s.failure = e ?? new Error('unknown graphql-ws error'); },
    complete: () => { s.completed = true; },
  });
  return s;
}

/** The error code a subscription is refused with (a `next` with errors, or an `error` message). */
async function wsRefusal(t: string, query: string, variables: Record<string, unknown>): Promise<string> {
  const client = wsClient(t);
  try {
    const s = wsSubscribe(client, query, variables);
    await waitFor(async () => s.events.length > 0 || s.failure != null || s.completed, 'a graphql-ws result');
    s.unsubscribe();
    if (s.events[0]) return code(s.events[0]);
    if (Array.isArray(s.failure)) return code({ errors: s.failure as GqlResult['errors'] });
    return 'NO_RESULT';
  } finally {
    await client.dispose();
  }
}

/** Subscribes as each of `who`, keeps calling `poke` until each has `min` events, and returns them. */
async function collect(who: string[], query: string, variables: Record<string, unknown>, poke: () => Promise<void>, min = 1): Promise<GqlResult[][]> {
  const clients = who.map(wsClient);
  try {
    const subs = clients.map((c) => wsSubscribe(c, query, variables));
    // Subscriptions register asynchronously on the server: poke until every one has seen enough.
    await waitFor(async () => {
      for (const s of subs) if (s.failure || s.completed) throw new Error(`subscription ended: ${JSON.stringify(s.failure)} ${JSON.stringify(s.events)}`);
      if (subs.every((s) => s.events.length >= min)) return true;
      await poke();
      return false;
    }, `${min} event(s) for each subscriber`, 15_000, 250);
    for (const s of subs) s.unsubscribe();
    return subs.map((s) => s.events);
  } finally {
    for (const c of clients) await c.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

void describe('a supervisor sees their departments (their own and the ones below it)', () => {
  void test('departments, skill groups, users and agents are listed per department', async () => {
    const q = '{ departments { id } skillGroups { id } users { id } agents { userId } }';
    const east = ok(await gql(q, {}, token.supEast));
    assert.deepEqual(sorted(east.departments.map((d: any) => d.id)), sorted([dept.east, dept.shanghai]));
    assert.deepEqual(sorted(east.skillGroups.map((g: any) => g.id)), sorted([group.east, group.shanghai]));
    assert.deepEqual(sorted(east.users.map((u: any) => u.id)), sorted([user.supEast, user.agentSh]));
    assert.deepEqual(sorted(east.agents.map((a: any) => a.userId)), sorted([user.supEast, user.agentSh]));

    const south = ok(await gql(q, {}, token.supSouth));
    assert.deepEqual(south.departments.map((d: any) => d.id), [dept.south]);
    assert.deepEqual(south.skillGroups.map((g: any) => g.id), [group.south]);
    assert.deepEqual(sorted(south.users.map((u: any) => u.id)), sorted([user.supSouth, user.agentSouth]));
    assert.deepEqual(sorted(south.agents.map((a: any) => a.userId)), sorted([user.supSouth, user.agentSouth]));

    // Without a department: nothing department-bound, only themselves.
    const none = ok(await gql(q, {}, token.supNone));
    assert.deepEqual(none, { departments: [], skillGroups: [], users: [{ id: user.supNone }], agents: [{ userId: user.supNone }] });

    // The admin sees the whole workspace.
    const all = ok(await gql(q, {}, admin));
    assert.equal(all.departments.length, 3);
    assert.equal(all.skillGroups.length, 4);
    assert.equal(all.users.length, 6);
  });

  void test('single objects outside the scope are NOT_FOUND, both ways', async () => {
    const cases: [string, string, string][] = [
      ['query($id: ID!) { department(id: $id) { id } }', dept.south, dept.shanghai],
      ['query($id: ID!) { skillGroup(id: $id) { id } }', group.south, group.shanghai],
      ['query($id: ID!) { user(id: $id) { id } }', user.agentSouth, user.agentSh],
      ['query($id: ID!) { agent(id: $id) { id } }', profile.agentSouth, profile.agentSh],
    ];
    for (const [q, southId, eastId] of cases) {
      assert.equal(code(await gql(q, { id: southId }, token.supEast)), 'NOT_FOUND', `East → South: ${q}`);
      assert.equal(code(await gql(q, { id: eastId }, token.supSouth)), 'NOT_FOUND', `South → East: ${q}`);
      assert.equal(code(await gql(q, { id: eastId }, token.supEast)), 'OK', `East → East: ${q}`);
      assert.equal(code(await gql(q, { id: southId }, token.supSouth)), 'OK', `South → South: ${q}`);
      assert.equal(code(await gql(q, { id: eastId }, token.supNone)), 'NOT_FOUND', `no department → East: ${q}`);
    }
    // A group's members and an agent's groups stop at the department's edge.
    const members = async (t: string) => ok(await gql('query($id: ID!) { skillGroup(id: $id) { members { agentProfileId } } }', { id: group.south }, t)).skillGroup.members.map((m: any) => m.agentProfileId);
    assert.deepEqual(await members(token.supSouth), [profile.agentSouth]);
    assert.deepEqual(sorted(await members(admin)), sorted([profile.agentSh, profile.agentSouth]));
    const skills = ok(await gql('query($id: ID!) { agent(id: $id) { skills { skillGroupId skillGroup { name } } } }', { id: profile.agentSh }, token.supEast)).agent.skills;
    assert.deepEqual(skills.find((s: any) => s.skillGroupId === group.south).skillGroup, null);
    assert.equal(skills.find((s: any) => s.skillGroupId === group.shanghai).skillGroup.name, 'Shanghai support');
  });

  void test("conversations: lists, a customer's history and single fetches follow the skill group (or the assignee without one)", async () => {
    const list = async (t: string, args = '') => sorted(ok(await gql(`{ conversations${args} { id } }`, {}, t)).conversations.map((c: any) => c.id));
    assert.deepEqual(await list(token.supEast), sorted([conv.east, conv.sh]));
    assert.deepEqual(await list(token.supSouth), sorted([conv.south, conv.looseSouth]));
    assert.deepEqual(await list(token.supNone), []);
    assert.deepEqual(await list(admin), sorted(Object.values(conv)));
    // Filters narrow within the scope, never widen it.
    assert.deepEqual(await list(token.supEast, '(status: ["assigned"])'), [conv.sh]);
    assert.deepEqual(await list(token.supSouth, `(assigneeId: "${user.agentSh}")`), [conv.south]);
    assert.deepEqual(await list(token.supEast, `(assigneeId: "${user.agentSh}")`), [conv.sh]);

    const history = async (t: string) => sorted(ok(await gql('query($id: ID!) { conversation(id: $id) { customer { conversations { id } } } }', { id: t === token.supEast ? conv.east : conv.south }, t)).conversation.customer.conversations.map((c: any) => c.id));
    assert.deepEqual(await history(token.supEast), sorted([conv.east, conv.sh]));
    assert.deepEqual(await history(token.supSouth), sorted([conv.south, conv.looseSouth]));

    const one = (id: string, t: string) => gql('query($id: ID!) { conversation(id: $id) { id messages { seq } } }', { id }, t);
    for (const id of [conv.south, conv.looseSouth, conv.nowhere]) assert.equal(code(await one(id, token.supEast)), 'NOT_FOUND', `East → ${id}`);
    for (const id of [conv.east, conv.sh, conv.nowhere]) assert.equal(code(await one(id, token.supSouth)), 'NOT_FOUND', `South → ${id}`);
    assert.equal(code(await one(conv.east, token.supNone)), 'NOT_FOUND');
    assert.equal(ok(await one(conv.sh, token.supEast)).conversation.id, conv.sh);
    assert.equal(ok(await one(conv.looseSouth, token.supSouth)).conversation.id, conv.looseSouth);

    // Out of scope looks exactly like another workspace's conversation.
    const other = await signUp(th.gql, `${SLUG}-other`);
    assert.equal(code(await one(conv.east, other.token)), code(await one(conv.east, token.supSouth)));
  });

  void test('offline messages and statistics count only the departments’ conversations', async () => {
    const pool = async (t: string) => sorted(ok(await gql('{ offlineMessages { id } }', {}, t)).offlineMessages.map((o: any) => o.id));
    assert.deepEqual(await pool(token.supEast), [offline.east]);
    assert.deepEqual(await pool(token.supSouth), [offline.south]);
    assert.deepEqual(await pool(token.supNone), []);
    assert.deepEqual(await pool(admin), sorted(Object.values(offline)));

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const asked = async (t: string) => ok(await gql('query($f: DateTime!, $t: DateTime!) { botMetrics(from: $f, to: $t) { total { asked answered botConversations } } }', { f: from, t: to }, t)).botMetrics.total;
    assert.deepEqual(await asked(admin), { asked: 2, answered: 2, botConversations: 2 });
    assert.deepEqual(await asked(token.supEast), { asked: 1, answered: 1, botConversations: 1 });
    assert.deepEqual(await asked(token.supSouth), { asked: 1, answered: 1, botConversations: 1 });
    assert.deepEqual(await asked(token.supNone), { asked: 0, answered: 0, botConversations: 0 });
  });
});

void describe('live updates are scoped too', () => {
  const EVENTS = 'subscription($id: ID!) { conversationEvents(conversationId: $id) { kind conversationId } }';
  const PROFILE = 'subscription($id: ID!) { agentProfileChanged(id: $id) { id status } }';
  const INBOX = 'subscription { agentInbox { kind conversationId } }';

  void test("a conversation's events: NOT_FOUND outside the scope, delivered inside it", async () => {
    assert.equal(await wsRefusal(token.supEast, EVENTS, { id: conv.south }), 'NOT_FOUND');
    assert.equal(await wsRefusal(token.supSouth, EVENTS, { id: conv.east }), 'NOT_FOUND');
    assert.equal(await wsRefusal(token.supNone, EVENTS, { id: conv.east }), 'NOT_FOUND');
    for (const [t, id] of [[token.supEast, conv.east], [token.supSouth, conv.south]] as const) {
      const [events] = await collect([t], EVENTS, { id }, async () => { ok(await th.gql('mutation($c: ID!) { sendTyping(conversationId: $c, preview: "在吗") }', { c: id }, visitor)); });
      assert.deepEqual(events![0], { data: { conversationEvents: { kind: 'typing', conversationId: id } } });
    }
  });

  void test("an agent's status: NOT_FOUND outside the scope, delivered inside it", async () => {
    assert.equal(await wsRefusal(token.supEast, PROFILE, { id: profile.agentSouth }), 'NOT_FOUND');
    assert.equal(await wsRefusal(token.supSouth, PROFILE, { id: profile.agentSh }), 'NOT_FOUND');
    const [events] = await collect([token.supSouth], PROFILE, { id: profile.agentSouth }, async () => { ok(await th.gql('mutation { setMyStatus(status: busy) { status } }', {}, token.agentSouth)); });
    assert.deepEqual(events![0], { data: { agentProfileChanged: { id: profile.agentSouth, status: 'busy' } } });
  });

  void test("queue changes reach each supervisor for their departments' conversations only", async () => {
    const all = [conv.nowhere, conv.south, conv.east, conv.looseSouth, conv.sh];
    const poke = async () => { for (const id of all) th.hub.services.conversations.publishTo(convTopics.queue(workspaceId), { kind: 'queue_changed', conversationId: id }); };
    // Four events each: at least one full round of all five conversations has passed every subscriber.
    const [east, south, everything] = await collect([token.supEast, token.supSouth, admin], INBOX, {}, poke, 4);
    const ids = (events: GqlResult[]) => new Set(events.map((e) => { assert.equal(e.errors, undefined); return e.data.agentInbox.conversationId as string; }));
    assert.deepEqual(sorted([...ids(east!)]), sorted([conv.east, conv.sh]));
    assert.deepEqual(sorted([...ids(south!)]), sorted([conv.south, conv.looseSouth]));
    assert.ok(ids(everything!).size >= 4, 'the admin gets every conversation’s queue changes');
  });
});

void describe('supervisor mutations outside the scope are refused without a write', () => {
  const row = async (table: 'conversation' | 'offline_message', id: string) =>
    JSON.stringify((await th.hub.services.orm.em.getConnection().execute(`select * from ${table} where id = ?`, [id]))[0]);
  const audits = async () => Number((await th.hub.services.orm.em.getConnection().execute('select count(*) as n from audit_log where workspace_id = ?', [workspaceId]))[0]?.n);
  const outbox = async () => Number((await th.hub.services.orm.em.getConnection().execute('select count(*) as n from outbox_event where workspace_id = ?', [workspaceId]))[0]?.n);

  void test('closing another department’s conversation is NOT_FOUND (as across workspaces) and changes nothing', async () => {
    const close = 'mutation($c: ID!) { closeConversation(conversationId: $c) { id status } }';
    for (const [t, id] of [[token.supEast, conv.south], [token.supSouth, conv.east], [token.supNone, conv.sh]] as const) {
      const before = await row('conversation', id);
      const [a, o] = [await audits(), await outbox()];
      const r = await gql(close, { c: id }, t);
      assert.equal(code(r), 'NOT_FOUND', JSON.stringify(r));
      assert.equal(r.data?.closeConversation ?? null, null);
      assert.equal(await row('conversation', id), before, 'the conversation row is unchanged');
      assert.deepEqual([await audits(), await outbox()], [a, o], 'no audit entry or event');
    }
  });

  void test('assigning offline messages: only inside the scope, to agents inside it', async () => {
    const assign = 'mutation($id: ID!, $a: ID!) { assignOfflineMessage(id: $id, agentId: $a) { id status assigneeId } }';
    const refusals: [string, string, string][] = [
      [token.supEast, offline.south, user.agentSouth], // South's message
      [token.supSouth, offline.east, user.agentSouth], // East's message
      [token.supEast, offline.east, user.agentSouth], // East's message to South's agent
      [token.supNone, offline.nowhere, user.supNone], // a message of no department
    ];
    for (const [t, id, agent] of refusals) {
      const before = await row('offline_message', id);
      const a = await audits();
      const r = await gql(assign, { id, a: agent }, t);
      assert.equal(code(r), 'NOT_FOUND', JSON.stringify(r));
      assert.equal(await row('offline_message', id), before, 'the offline message is unchanged');
      assert.equal(await audits(), a, 'no audit entry');
    }
    // Inside the scope the same supervisor may (control: the refusals above are about scope, not role).
    assert.deepEqual(ok(await gql(assign, { id: offline.east, a: user.agentSh }, token.supEast)).assignOfflineMessage, { id: offline.east, status: 'assigned', assigneeId: user.agentSh });
  });

  void test('the scope follows the department tree as it is now: moving Shanghai under South moves its data', async () => {
    ok(await gql('mutation($id: ID!, $p: ID) { updateDepartment(id: $id, name: "上海 Shanghai", parentId: $p) { id } }', { id: dept.shanghai, p: dept.south }, admin));
    try {
      const list = async (t: string) => sorted(ok(await gql('{ conversations { id } }', {}, t)).conversations.map((c: any) => c.id));
      assert.deepEqual(await list(token.supEast), [conv.east]);
      assert.deepEqual(await list(token.supSouth), sorted([conv.south, conv.looseSouth, conv.sh]));
      assert.equal(code(await gql('query($id: ID!) { user(id: $id) { id } }', { id: user.agentSh }, token.supEast)), 'NOT_FOUND');
    } finally {
      ok(await gql('mutation($id: ID!, $p: ID) { updateDepartment(id: $id, name: "上海 Shanghai", parentId: $p) { id } }', { id: dept.shanghai, p: dept.east }, admin));
    }
  });
});
