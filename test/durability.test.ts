/**
 * The conversation survives crashes. Hub nodes run as child processes (`core/cli/serve.ts`) on one
 * database, Redis namespace and Temporal task queue; the test SIGKILLs them (no graceful shutdown:
 * the worker, the routing deliveries and the HTTP server die mid-flight) and starts new ones.
 *   A. killed while the customer waits in the queue: the new node assigns exactly once;
 *   B. killed while messages flow both ways: clients retry with the same clientMessageId, nothing is
 *      lost or duplicated, order holds, and the lifecycle (close → survey → end) completes;
 *   C. only the worker node dies: an API-only node keeps serving the hot path, and a close asked for
 *      while no worker runs completes once a worker node is back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection, type Connection as DbConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation } from '../core/db/entities/index.ts';
import { RoutingService, type Assignment } from '../core/routing/routing.ts';
import { createLifecycleActivities } from '../core/temporal/lifecycle-activities.ts';
import { createAssignmentHandler } from '../core/conversations/assignment.ts';
import type { ConversationService, PostMessageInput } from '../core/conversations/service.ts';
import type { LifecycleClient } from '../core/conversations/lifecycle.ts';
import { spawnHubProcess, stopHubProcess, killAllHubProcesses, type HubProcess } from './helpers/hub-process.ts';
import { testConfig, dropDatabase, temporalAddress, waitFor, startTestHub, signUp, ok, code, type TestHub } from './helpers/hub.ts';
import { conversationWorkflowId, stateQuery, type ConversationState } from '../workflows/conversation/contract.ts';

const killAll = killAllHubProcesses;

const spawnHub = (name: string, env: Record<string, string>): Promise<HubProcess> => spawnHubProcess({ ...env, KEFU_NODE_ID: name });

/** SIGKILL: no shutdown hooks run (worker, routing deliveries, HTTP, outbox all die where they are). */
async function crash(h: HubProcess): Promise<void> {
  h.child.kill('SIGKILL');
  await h.exited;
}

const stopHub = stopHubProcess;

/** A network failure (the node is down or died mid-request), as opposed to an answer from the API. */
class Unreachable extends Error {}

/** POSTs a GraphQL operation with a per-request timeout; throws Unreachable on network failure, Error on GraphQL errors. */
async function gql<T = any>(url: string, op: Op, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const [query, vars] = op === SEND ? [SEND_TEXT, { c: variables.c, id: variables.id, b: { text: variables.t } }] : [op, variables];
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables: vars }),
      signal: AbortSignal.timeout(60_000),
    });
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new Unreachable(`${url}: ${(err as Error).message}`);
  }
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const SEND_TEXT = 'mutation($c: ID!, $b: JSON!, $id: String!) { sendMessage(conversationId: $c, type: "text", body: $b, clientMessageId: $id) { seq clientMessageId } }';
/** sendMessage of a text, as (url, SEND, { c, t, id }, token). */
const SEND = Symbol('send');
type Op = string | typeof SEND;

/**
 * What a well-behaved client does: send, and on a network failure retry the same clientMessageId
 * (against whatever node serves now) until the deadline. Returns the seq and how many attempts it took.
 */
async function sendWithRetry(url: () => string, token: string, conversationId: string, clientMessageId: string, text: string, deadline: number): Promise<{ seq: number; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await gql<{ sendMessage: { seq: number; clientMessageId: string } }>(url(), SEND, { c: conversationId, t: text, id: clientMessageId }, token);
      assert.equal(r.sendMessage.clientMessageId, clientMessageId);
      return { seq: r.sendMessage.seq, attempts: attempt };
    } catch (err) {
      if (!(err instanceof Unreachable) || Date.now() > deadline) throw err;
      await sleep(150);
    }
  }
}

interface Sender { acked: number; retries: number; done: Promise<void> }

/** Sends `ids` one after another (each waits for the previous: the per-sender order is defined), paced. */
function startSender(url: () => string, token: string, conversationId: string, ids: string[], paceMs: number, deadline: number): Sender {
  const s: Sender = { acked: 0, retries: 0, done: Promise.resolve() };
  s.done = (async () => {
    for (const id of ids) {
      const r = await sendWithRetry(url, token, conversationId, id, `message ${id}`, deadline);
      s.acked += 1;
      s.retries += r.attempts - 1;
      await sleep(paceMs);
    }
  })();
  return s;
}

void describe('conversation durability: hub processes killed mid-conversation', { timeout: 240_000 }, () => {
  const config = testConfig();
  const namespace = config.KEFU_NAMESPACE;
  const env: Record<string, string> = {
    KEFU_DB_URL: config.KEFU_DB_URL,
    KEFU_REDIS_URL: config.KEFU_REDIS_URL,
    KEFU_NAMESPACE: namespace,
    KEFU_HTTP_PORT: '0',
    KEFU_HTTP_HOST: '127.0.0.1',
    KEFU_TEMPORAL_ADDRESS: temporalAddress(),
    KEFU_TEMPORAL_NAMESPACE: 'default',
    KEFU_TEMPORAL_TASK_QUEUE: config.KEFU_TEMPORAL_TASK_QUEUE,
    KEFU_LOG_LEVEL: 'warn',
  };
  let hub: HubProcess; // the current full node (API + worker)
  const spawned: HubProcess[] = [];
  const startNode = async (name: string, extra: Record<string, string> = {}) => {
    const h = await spawnHub(name, { ...env, ...extra });
    spawned.push(h);
    return h;
  };
  let db: DbConnection;
  let redis: Redis;
  let temporalConnection: Connection;
  let temporal: Client;
  let workspaceId = '';
  let admin = '';
  let agent = '';
  let agentId = '';
  let channelKey = '';

  const routingKey = (what: string) => `kefu:${namespace}:routing:ws:${workspaceId}:${what}`;
  const handle = (conversationId: string) => temporal.workflow.getHandle(conversationWorkflowId(conversationId));
  const rows = async <T>(sql: string, params: unknown[]): Promise<T[]> => (await db.query(sql, params))[0] as T[];
  const conversationRow = async (id: string) =>
    (await rows<{ status: string; assignee_id: string | null; last_seq: number }>('select status, assignee_id, last_seq from conversation where id = ?', [id]))[0]!;
  const waitStatus = (id: string, status: string, timeoutMs = 30_000) =>
    waitFor(async () => (await conversationRow(id)).status === status, `conversation ${id} to be ${status}`, timeoutMs, 100);
  /** The workflow's own view (a query: needs a worker; bounded per call). */
  const workflowState = async (id: string): Promise<ConversationState | null> =>
    temporalConnection.withDeadline(Date.now() + 5000, () => handle(id).query(stateQuery)).catch(() => null);
  const waitNode = (id: string, nodeId: string, timeoutMs = 45_000) =>
    waitFor(async () => (await workflowState(id))?.nodeId === nodeId, `workflow of ${id} at node ${nodeId}`, timeoutMs, 250);
  const outboxCount = async (type: string, conversationId: string) =>
    (await rows<{ n: number }>("select count(*) as n from outbox_event where type = ? and json_unquote(json_extract(payload, '$.conversationId')) = ?", [type, conversationId]))[0]!.n;
  const systemEvents = async (conversationId: string, event: string) =>
    (await rows<{ n: number }>("select count(*) as n from message where conversation_id = ? and sender_type = 'system' and json_unquote(json_extract(body, '$.event')) = ?", [conversationId, event]))[0]!.n;

  async function newVisitor(url: string): Promise<string> {
    return (await gql(url, 'mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channelKey })).startVisitorSession.token as string;
  }

  /** Visitor starts a conversation and asks for a human (the keyword rule fires on 转人工). */
  async function toQueue(url: string, visitor: string, tag: string): Promise<string> {
    const conv = (await gql(url, 'mutation { startConversation { id } }', {}, visitor)).startConversation.id as string;
    await waitStatus(conv, 'bot');
    await gql(url, SEND, { c: conv, t: '转人工', id: `${tag}-human-0001` }, visitor);
    return conv;
  }

  /** Agent closes, visitor rates, the workflow ends; checks the survey and the result. */
  async function finish(url: () => string, visitor: string, conv: string, stars: number): Promise<ConversationState> {
    await gql(url(), 'mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, agent);
    await waitStatus(conv, 'survey');
    await gql(url(), 'mutation($c: ID!, $s: Int!) { rateConversation(conversationId: $c, stars: $s) { id } }', { c: conv, s: stars }, visitor);
    await waitStatus(conv, 'ended');
    const result = await temporalConnection.withDeadline(Date.now() + 30_000, () => handle(conv).result() as Promise<ConversationState>);
    assert.equal(result.phase, 'ended');
    assert.deepEqual(result.path.slice(-3), ['agent', 'survey', 'end']);
    const survey = await rows<{ stars: number; agent_id: string }>('select stars, agent_id from survey_response where conversation_id = ?', [conv]);
    assert.deepEqual(survey.map((r) => ({ ...r })), [{ stars, agent_id: agentId }]);
    return result;
  }

  /** Every message of the conversation: seq 1..N without gaps, client ids unique, lastSeq = N. */
  async function checkTranscript(conv: string): Promise<{ seq: number; client_message_id: string | null; sender_type: string }[]> {
    const msgs = await rows<{ seq: number; client_message_id: string | null; sender_type: string }>(
      'select seq, client_message_id, sender_type from message where conversation_id = ? order by seq', [conv]);
    assert.deepEqual(msgs.map((m) => m.seq), msgs.map((_m, i) => i + 1), 'seq is 1..N without gaps');
    assert.equal((await conversationRow(conv)).last_seq, msgs.length, 'lastSeq = number of messages');
    const ids = msgs.map((m) => m.client_message_id).filter((x): x is string => x !== null);
    assert.equal(new Set(ids).size, ids.length, 'no clientMessageId twice');
    return msgs;
  }

  /** The agent's routing load (Redis) once the deliveries settled: a leaked or double-freed slot shows here. */
  const agentLoad = async () => Number(await redis.hget(routingKey(`agent:${agentId}`), 'load'));

  before(async () => {
    hub = await startNode('durable-1', { KEFU_MIGRATE: 'true' });
    const url = hub.url;
    const slug = `durable-${namespace.slice(2)}`;
    const signUp = await gql(url, `mutation { signUpWorkspace(name: "Durable", slug: "${slug}", adminEmail: "admin@${slug}.test", adminName: "Admin", adminPassword: "correct horse battery") { token } }`);
    admin = signUp.signUpWorkspace.token;
    workspaceId = (await gql(url, '{ workspace { id } }', {}, admin)).workspace.id;
    for (const name of ['faq-bot', 'transfer-rules']) await gql(url, 'mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin);
    agentId = (await gql(url, `mutation { createUser(email: "agent@${slug}.test", name: "小王", password: "agent password 1", roles: [agent], maxConcurrentChats: 3) { id } }`, {}, admin)).createUser.id;
    agent = (await gql(url, `mutation { login(workspace: "${slug}", email: "agent@${slug}.test", password: "agent password 1") { token } }`)).login.token;
    channelKey = (await gql(url, 'mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel.publicKey;
    db = await createConnection({ uri: config.KEFU_DB_URL });
    redis = new Redis(config.KEFU_REDIS_URL, { maxRetriesPerRequest: 3 });
    temporalConnection = await Connection.connect({ address: temporalAddress() });
    temporal = new Client({ connection: temporalConnection, namespace: 'default' });
  });

  after(async () => {
    killAll();
    await Promise.all(spawned.map((h) => h.exited));
    await db?.end();
    redis?.disconnect();
    await temporalConnection?.close();
    await dropDatabase(config.dbName);
  });

  void test('A: killed while the customer waits in the queue → nothing lost, assigned exactly once after restart', async () => {
    const visitor = await newVisitor(hub.url);
    const conv = await toQueue(hub.url, visitor, 'a');
    await waitStatus(conv, 'queued');
    await waitFor(async () => (await redis.hget(routingKey('queued'), conv)) !== null, 'the conversation in the Redis queue');

    await crash(hub);
    // While nothing runs: the queue entry, the row and the workflow are all still there.
    assert.notEqual(await redis.hget(routingKey('queued'), conv), null);
    assert.equal((await conversationRow(conv)).status, 'queued');
    assert.equal((await handle(conv).describe()).status.name, 'RUNNING');
    // The customer writes while the hub is down: the send fails, the client keeps it for a retry.
    await assert.rejects(gql(hub.url, SEND, { c: conv, t: '还在吗？', id: 'a-while-down-0001' }, visitor), Unreachable);

    hub = await startNode('durable-2');
    const retried = await gql(hub.url, SEND, { c: conv, t: '还在吗？', id: 'a-while-down-0001' }, visitor);
    assert.ok(retried.sendMessage.seq > 0);

    await gql(hub.url, 'mutation { setMyStatus(status: online) { status } }', {}, agent);
    await waitStatus(conv, 'assigned');
    assert.equal((await conversationRow(conv)).assignee_id, agentId);
    await waitNode(conv, 'agent');
    await waitFor(async () => (await redis.hlen(routingKey('pending'))) === 0, 'no pending assignment left in Redis');
    assert.equal(await redis.hget(routingKey('queued'), conv), null, 'no longer queued in Redis');
    assert.equal(await outboxCount('conversation.assigned', conv), 1, 'exactly one conversation.assigned event');
    assert.equal(await systemEvents(conv, 'agent_joined'), 1, 'exactly one agent_joined message');
    assert.equal(await agentLoad(), 1);

    await gql(hub.url, SEND, { c: conv, t: '您好，我是小王', id: 'a-agent-0001' }, agent);
    await gql(hub.url, SEND, { c: conv, t: '订单 123 没到', id: 'a-cust-0002' }, visitor);
    const msgs = await checkTranscript(conv);
    assert.equal(msgs.filter((m) => m.client_message_id === 'a-while-down-0001').length, 1);

    const result = await finish(() => hub.url, visitor, conv, 5);
    assert.deepEqual(result.path, ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end']);
    assert.equal(await agentLoad(), 0, 'the slot is released on close');
  });

  void test('B: killed while messages flow both ways → clients retry the same ids, nothing lost or doubled, the lifecycle completes', async () => {
    const visitor = await newVisitor(hub.url);
    const conv = await toQueue(hub.url, visitor, 'b');
    await waitStatus(conv, 'assigned');
    await waitNode(conv, 'agent');

    const N = 10;
    const customerIds = Array.from({ length: N }, (_v, i) => `b-cust-${String(i + 1).padStart(4, '0')}`);
    const agentIds = Array.from({ length: N }, (_v, i) => `b-agent-${String(i + 1).padStart(4, '0')}`);
    const deadline = Date.now() + 90_000;
    const url = () => hub.url;
    const customer = startSender(url, visitor, conv, customerIds, 100, deadline);
    const agentSender = startSender(url, agent, conv, agentIds, 100, deadline);
    await waitFor(async () => customer.acked >= N / 2 && agentSender.acked >= N / 2, 'half of the messages sent', 30_000, 10);
    const before = hub;
    await crash(before);
    hub = await startNode('durable-3');
    await Promise.all([customer.done, agentSender.done]);
    assert.ok(customer.retries + agentSender.retries > 0, 'the crash interrupted the senders (some sends were retried)');

    const msgs = await checkTranscript(conv);
    const seqOf = new Map(msgs.map((m) => [m.client_message_id, m]));
    for (const [ids, sender] of [[customerIds, 'customer'], [agentIds, 'agent']] as const) {
      const seqs = ids.map((id) => {
        const m = seqOf.get(id);
        assert.ok(m, `${id} was stored`);
        assert.equal(m.sender_type, sender);
        return m.seq;
      });
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${sender} messages keep their order`);
    }
    assert.equal(msgs.filter((m) => m.sender_type === 'customer' || m.sender_type === 'agent').length, 2 * N + 1, 'each message once (plus 转人工)');

    await finish(() => hub.url, visitor, conv, 4);
    await checkTranscript(conv);
    assert.equal(await agentLoad(), 0);
  });

  void test('C: only the worker dies → the API-only node keeps the hot path; a close and a transfer request sent meanwhile take effect when a worker is back', async () => {
    const api = await startNode('durable-api', { KEFU_RUN_WORKER: 'false' });
    const worker = hub; // the full node from B runs the only worker
    const visitor = await newVisitor(api.url);
    const conv = await toQueue(api.url, visitor, 'c');
    await waitStatus(conv, 'assigned');
    await waitNode(conv, 'agent');
    await gql(api.url, SEND, { c: conv, t: '您好', id: 'c-agent-0001' }, agent);
    // A second customer still with the bot when the worker dies.
    const visitor2 = await newVisitor(api.url);
    const conv2 = (await gql(api.url, 'mutation { startConversation { id } }', {}, visitor2)).startConversation.id as string;
    await waitStatus(conv2, 'bot');

    await crash(worker);
    assert.equal((await handle(conv).describe()).status.name, 'RUNNING');
    // 转人工 while no worker runs: the rule fires on the API node and the signal waits in Temporal.
    await gql(api.url, SEND, { c: conv2, t: '转人工', id: 'c2-human-0001' }, visitor2);
    await waitFor(async () => (await systemEvents(conv2, 'transfer_requested')) === 1, 'the transfer rule to fire');
    await sleep(500);
    assert.equal((await conversationRow(conv2)).status, 'bot', 'nothing moves without a worker');
    for (let i = 2; i <= 6; i++) {
      await gql(api.url, SEND, { c: conv, t: `customer ${i}`, id: `c-cust-${String(i).padStart(4, '0')}` }, visitor);
      await gql(api.url, SEND, { c: conv, t: `agent ${i}`, id: `c-agent-${String(i).padStart(4, '0')}` }, agent);
    }
    const whileDown = await checkTranscript(conv);
    assert.equal(whileDown.filter((m) => m.client_message_id?.startsWith('c-')).length, 12);

    // Close while no worker runs: the request is held (the workflow decides), not refused or lost.
    let closed = false;
    const closing = gql(api.url, 'mutation($c: ID!) { closeConversation(conversationId: $c) { closedAt } }', { c: conv }, agent).then((r) => { closed = true; return r; });
    await sleep(1500);
    assert.equal(closed, false, 'nothing can close the conversation without a worker');
    assert.equal((await conversationRow(conv)).status, 'assigned');

    hub = await startNode('durable-worker-2');
    const r = await closing;
    assert.ok(r.closeConversation.closedAt, 'closed once a worker ran the close');
    await waitStatus(conv, 'survey');
    await waitStatus(conv2, 'assigned'); // the signal sent while no worker ran was not lost
    await waitNode(conv2, 'agent');
    await gql(api.url, 'mutation($c: ID!) { rateConversation(conversationId: $c, stars: 3) { id } }', { c: conv }, visitor);
    await waitStatus(conv, 'ended');
    const result = await temporalConnection.withDeadline(Date.now() + 30_000, () => handle(conv).result());
    assert.deepEqual(result.path.slice(-3), ['agent', 'survey', 'end']);
    assert.equal((await rows<{ stars: number }>('select stars from survey_response where conversation_id = ?', [conv]))[0]?.stars, 3);
    await checkTranscript(conv);
    await finish(() => api.url, visitor2, conv2, 5);
    assert.equal(await agentLoad(), 0);
    await stopHub(api);
  });
});

/**
 * The steps the crashes above can interrupt, forced one at a time: an activity retried after it did
 * part of its work (a crash, a Redis error), a routing delivery repeated after the conversation moved
 * on, and a client retrying a call whose effect on the workflow was lost. In-process, against a real
 * database and Redis, with faults injected around the real code.
 */
void describe('lifecycle steps under retries and lost calls (fault injection)', { timeout: 120_000 }, () => {
  let th: TestHub;
  let ws = '';
  let routing: RoutingService;
  let acts: ReturnType<typeof createLifecycleActivities>;
  let redis: Redis;
  /** Faults: the next release throws (before touching Redis); the next post matching this throws. */
  let failRelease = false;
  let failPost: ((input: PostMessageInput) => boolean) | null = null;
  let failDeliveryOf: string | null = null;
  const signals: { conversationId: string; agentId: string }[] = [];
  const delivered: Assignment[] = [];
  let handler: (a: Assignment) => Promise<void>;

  const em = () => workspaceEm(th.hub.services.orm, ws);
  const row = (id: string) => em().findOneOrFail(Conversation, { id });
  const newConversation = async (fields: Partial<Conversation> = {}): Promise<string> => {
    const e = em();
    const c = e.create(Conversation, { workspaceId: ws, channelId: randomUUID(), customerId: randomUUID(), status: 'queued', trail: [], lastSeq: 0, ...fields });
    await e.flush();
    return c.id;
  };
  const count = async (sql: string, params: unknown[]) => Number((await th.hub.services.orm.em.getConnection().execute<{ n: number }[]>(sql, params))[0]!.n);
  const events = (type: string, conversationId: string) =>
    count("select count(*) as n from outbox_event where type = ? and json_unquote(json_extract(payload, '$.conversationId')) = ?", [type, conversationId]);
  const marked = (conversationId: string, clientMessageId: string) =>
    count('select count(*) as n from message where conversation_id = ? and client_message_id = ?', [conversationId, clientMessageId]);
  const load = async (agentId: string) => Number(await redis.hget(routing.keys.agent(ws, agentId), 'load'));
  const online = async (capacity = 2, group?: string) => {
    const id = randomUUID();
    await routing.setAgentState({ workspaceId: ws, agentId: id, status: 'online', capacity, skillGroupIds: group ? [group] : [] });
    return id;
  };
  /** An agent holding `n` conversations (slots taken the way a transfer takes them). */
  const busyAgent = async (n: number, capacity = 3) => {
    const id = await online(capacity, `solo-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < n; i++) assert.equal(await routing.assignDirect({ workspaceId: ws, conversationId: randomUUID(), agentId: id }), true);
    return id;
  };

  before(async () => {
    th = await startTestHub();
    ws = (await signUp(th.gql, `idem-${randomUUID().slice(0, 8)}`)).workspaceId;
    const { orm, conversations } = th.hub.services;
    redis = new Redis(th.config.KEFU_REDIS_URL, { maxRetriesPerRequest: 3 });
    const fakeLifecycle = { assigned: async (conversationId: string, agentId: string) => { signals.push({ conversationId, agentId }); } } as unknown as LifecycleClient;
    // A routing of its own (own key prefix, no sweep timer): its deliveries go to the real handler.
    routing = new RoutingService({
      redisUrl: th.config.KEFU_REDIS_URL, prefix: `kefu:${th.config.KEFU_NAMESPACE}-faults`, orm,
      onAssigned: async (a) => {
        if (failDeliveryOf === a.conversationId) throw new Error('injected: delivery failed');
        delivered.push(a);
        await handler(a);
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      timings: { pendingRetryMs: 50 },
    });
    handler = createAssignmentHandler({ orm, conversations, lifecycle: () => fakeLifecycle, nudgeOutbox: () => undefined, release: (i) => routing.release(i) });
    const faultyConversations = Object.create(conversations) as ConversationService;
    faultyConversations.post = async (input) => {
      if (failPost?.(input)) {
        failPost = null;
        throw new Error(`injected: post of ${input.clientMessageId} failed`);
      }
      return conversations.post(input);
    };
    acts = createLifecycleActivities({
      orm, conversations: faultyConversations, nudgeOutbox: () => undefined,
      routing: {
        enqueue: (i) => routing.enqueue(i),
        dequeue: (i) => routing.dequeue(i),
        isPending: (i) => routing.isPending(i),
        assignDirect: (i) => routing.assignDirect(i),
        release: async (i) => {
          if (failRelease) {
            failRelease = false;
            throw new Error('injected: Redis unavailable');
          }
          await routing.release(i);
        },
      },
    });
  });

  after(async () => {
    await routing?.close();
    redis?.disconnect();
    await th?.close();
  });

  void test('enterNode(queue) retried: one conversation.queued event, queuedAt kept', async () => {
    const conv = await newConversation({ status: 'bot', currentNodeId: 'bot' });
    const input = { workspaceId: ws, conversationId: conv, nodeId: 'queue', nodeType: 'queue', phase: 'queued' as const, config: {}, visitKey: 'queue#4' };
    await acts.enterNode(input);
    const first = (await row(conv)).queuedAt?.getTime();
    assert.ok(first);
    await sleep(20);
    await acts.enterNode(input);
    assert.equal((await row(conv)).queuedAt?.getTime(), first);
    assert.equal(await events('conversation.queued', conv), 1);
  });

  void test('enqueue retried after its assignment was delivered: not queued (nor assigned) a second time', async () => {
    const agent = await online(2);
    const conv = await newConversation();
    const r = await acts.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: null, maxQueueLength: 10 });
    assert.equal(r.ok, true);
    await routing.settled();
    assert.equal((await row(conv)).assigneeId, agent);
    assert.equal(await load(agent), 1);
    // The worker died before reporting the result: the activity runs again.
    assert.deepEqual(await acts.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: null, maxQueueLength: 10 }), { ok: true, position: 0 });
    await routing.settled();
    assert.equal(await routing.position({ workspaceId: ws, conversationId: conv }), null, 'not back in the queue');
    assert.equal(await load(agent), 1, 'no second slot taken');
    assert.equal(delivered.filter((a) => a.conversationId === conv).length, 1, 'assigned once');
    assert.equal(await events('conversation.assigned', conv), 1);
    await routing.setAgentState({ workspaceId: ws, agentId: agent, status: 'offline', capacity: 2, skillGroupIds: [] });
  });

  void test('dequeue retried after it removed the conversation still says "removed"; it says "not removed" only for a real assignment', async () => {
    const empty = `nobody-${randomUUID().slice(0, 8)}`;
    const conv = await newConversation();
    assert.equal((await acts.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: empty, maxQueueLength: 10 })).ok, true);
    assert.equal(await acts.dequeue({ workspaceId: ws, conversationId: conv, skillGroupId: empty }), true);
    // "false" would make the workflow wait forever for an assignment that does not exist.
    assert.equal(await acts.dequeue({ workspaceId: ws, conversationId: conv, skillGroupId: empty }), true);

    const group = `grp-${randomUUID().slice(0, 8)}`;
    const agent = await online(2, group);
    const assignedConv = await newConversation();
    failDeliveryOf = assignedConv; // assigned in Redis, delivery fails: pending
    await acts.enqueue({ workspaceId: ws, conversationId: assignedConv, skillGroupId: group, maxQueueLength: 10 });
    await routing.settled();
    assert.equal(await routing.isPending({ workspaceId: ws, conversationId: assignedConv }), true);
    assert.equal(await acts.dequeue({ workspaceId: ws, conversationId: assignedConv, skillGroupId: group }), false, 'pending assignment');
    failDeliveryOf = null;
    await sleep(60);
    await routing.sweep();
    await routing.settled();
    assert.equal(await routing.isPending({ workspaceId: ws, conversationId: assignedConv }), false);
    assert.equal((await row(assignedConv)).assigneeId, agent);
    assert.equal(await acts.dequeue({ workspaceId: ws, conversationId: assignedConv, skillGroupId: group }), false, 'delivered assignment');
  });

  void test('checkFirstResponse retried: one sla_breached event and notice', async () => {
    const conv = await newConversation({ status: 'assigned', assigneeId: 'agent-x', assignedAt: new Date() });
    const input = { workspaceId: ws, conversationId: conv, agentId: 'agent-x', slaSec: 60 };
    assert.deepEqual(await acts.checkFirstResponse(input), { responded: false });
    assert.deepEqual(await acts.checkFirstResponse(input), { responded: false });
    assert.equal(await events('conversation.sla_breached', conv), 1);
    assert.equal(await count("select count(*) as n from message where conversation_id = ? and client_message_id like 'wf:sla:%'", [conv]), 1);
  });

  void test('closeConversation retried after the row was written but the slot not freed: frees it once, posts once', async () => {
    const agent = await busyAgent(2);
    const conv = await newConversation({ status: 'assigned', assigneeId: agent, assignedAt: new Date() });
    const input = { workspaceId: ws, conversationId: conv, by: 'agent', actorId: agent, reason: 'resolved', assigneeId: agent };
    failRelease = true;
    await assert.rejects(acts.closeConversation(input), /injected/);
    assert.ok((await row(conv)).closedAt, 'the close was committed');
    assert.equal(await load(agent), 2);
    await acts.closeConversation(input);
    assert.equal(await load(agent), 1, 'the retry freed the slot');
    await acts.closeConversation(input);
    assert.equal(await load(agent), 1, 'and only once');
    assert.equal(await marked(conv, `wf:closed:${conv}`), 1);
    assert.equal(await events('conversation.closed', conv), 1);
  });

  void test('transferToGroup retried after the slot was freed but the notice failed: frees it once', async () => {
    const agent = await busyAgent(2);
    const conv = await newConversation({ status: 'assigned', assigneeId: agent, assignedAt: new Date() });
    const input = { workspaceId: ws, conversationId: conv, fromAgentId: agent, toSkillGroupId: 'grp-billing', note: null, key: '7.1' };
    failPost = (i) => i.clientMessageId === 'wf:transfer:7.1';
    await assert.rejects(acts.transferToGroup(input), /injected/);
    assert.equal(await load(agent), 1);
    await acts.transferToGroup(input);
    assert.equal(await load(agent), 1, 'not freed twice');
    const c = await row(conv);
    assert.equal(c.assigneeId, null);
    assert.equal(c.skillGroupId, 'grp-billing');
    assert.equal(await marked(conv, 'wf:transfer:7.1'), 1);
    assert.equal(await events('conversation.transferred', conv), 1);
  });

  void test('transferToAgent retried after the transfer was committed: reports success, takes no second slot, frees the old one', async () => {
    const from = await busyAgent(1);
    const to = await online(1); // one slot: a second take would be refused
    const conv = await newConversation({ status: 'assigned', assigneeId: from, assignedAt: new Date() });
    const input = { workspaceId: ws, conversationId: conv, fromAgentId: from, toAgentId: to, note: 'VIP', key: '9.1' };
    failRelease = true;
    await assert.rejects(acts.transferToAgent(input), /injected/);
    assert.equal((await row(conv)).assigneeId, to, 'the transfer was committed');
    assert.deepEqual(await acts.transferToAgent(input), { ok: true });
    assert.equal(await load(to), 1);
    assert.equal(await load(from), 0);
    assert.equal(await marked(conv, 'wf:transfer:9.1'), 1);
    assert.equal(await events('conversation.transferred', conv), 1);
  });

  void test('a late redelivery of an assignment never moves the conversation back; an undelivered one gives the slot back', async () => {
    const agent = await online(3);
    const conv = await newConversation();
    await acts.enqueue({ workspaceId: ws, conversationId: conv, skillGroupId: null, maxQueueLength: 10 });
    await routing.settled();
    const a = delivered.find((d) => d.conversationId === conv);
    assert.ok(a);
    assert.equal((await row(conv)).status, 'assigned');
    // The conversation moves on (closed → survey) before the redelivery (a lost ack) arrives.
    await acts.closeConversation({ workspaceId: ws, conversationId: conv, by: 'agent', actorId: agent, reason: 'resolved', assigneeId: agent });
    await acts.enterNode({ workspaceId: ws, conversationId: conv, nodeId: 'survey', nodeType: 'survey', phase: 'survey', config: {}, visitKey: 'survey#6' });
    assert.equal(await load(agent), 0);
    assert.equal(await routing.assignDirect({ workspaceId: ws, conversationId: randomUUID(), agentId: agent }), true); // another chat: load 1
    const signalled = signals.length;
    await handler(a);
    const c = await row(conv);
    assert.equal(c.status, 'survey', 'not moved back to assigned');
    assert.equal(await events('conversation.assigned', conv), 1);
    assert.equal(signals.length, signalled, 'the workflow is not signalled again');
    assert.equal(await load(agent), 1, 'a delivered assignment is not released again');

    // Never delivered, and the conversation is no longer waiting: the slot it took is given back.
    const ended = await newConversation({ status: 'ended' });
    assert.equal(await routing.assignDirect({ workspaceId: ws, conversationId: ended, agentId: agent }), true); // load 2
    await handler({ workspaceId: ws, conversationId: ended, agentId: agent, skillGroupId: null, assignedAt: new Date().toISOString() });
    assert.equal((await row(ended)).status, 'ended');
    assert.equal(await events('conversation.assigned', ended), 0);
    assert.equal(await load(agent), 1);
  });

  void test('a conversation whose workflow start was lost starts when the visitor calls startConversation again', async () => {
    const { token: adminToken } = await signUp(th.gql, `lost-${randomUUID().slice(0, 8)}`);
    const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, adminToken)).createChannel;
    const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token;
    const wf = th.hub.services.temporalClient!.workflow;
    const start = wf.start.bind(wf);
    let injected = false;
    wf.start = (async () => {
      wf.start = start;
      injected = true;
      throw new Error('injected: the node died before starting the workflow');
    }) as typeof wf.start;
    assert.notEqual(code(await th.gql('mutation { startConversation { id } }', {}, visitor)), 'OK');
    assert.ok(injected);
    const conv = ok(await th.gql('mutation { startConversation { id status } }', {}, visitor)).startConversation;
    assert.equal(conv.status, 'self_service', 'the row committed before the failure is the one resumed');
    await waitFor(async () => ok(await th.gql('query($id: ID!) { conversation(id: $id) { status } }', { id: conv.id }, visitor)).conversation.status === 'bot', 'the workflow to run', 15_000);
    // Calling again while it runs changes nothing.
    assert.equal(ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation.id, conv.id);
  });

  void test('an offline message whose signal was lost reaches the workflow when the visitor retries', async () => {
    const { token: adminToken } = await signUp(th.gql, `offl-${randomUUID().slice(0, 8)}`);
    const flows = ok(await th.gql('{ flows { id versions { id definition } } }', {}, adminToken)).flows;
    const def = structuredClone(flows[0].versions[0].definition);
    def.nodes.find((n: any) => n.type === 'working_hours').config = { alwaysOpen: false, timezone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
    const v = ok(await th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, adminToken)).saveFlowVersion;
    ok(await th.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, adminToken));
    const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, adminToken)).createChannel;
    const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token;
    const conv = ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation;
    const status = async () => ok(await th.gql('query($id: ID!) { conversation(id: $id) { status } }', { id: conv.id }, visitor)).conversation.status;
    await waitFor(async () => (await status()) === 'offline', 'offline phase');
    const lifecycle = th.hub.services.lifecycle!;
    const signal = lifecycle.offlineSubmitted.bind(lifecycle);
    lifecycle.offlineSubmitted = async () => {
      lifecycle.offlineSubmitted = signal;
      throw new Error('injected: Temporal unreachable');
    };
    const leave = 'mutation($c: ID!) { leaveOfflineMessage(conversationId: $c, content: "请回电", phone: "13900000000") { id } }';
    assert.notEqual(code(await th.gql(leave, { c: conv.id }, visitor)), 'OK');
    await sleep(300);
    assert.equal(await status(), 'offline', 'stored, but the workflow was not told');
    ok(await th.gql(leave, { c: conv.id }, visitor));
    await waitFor(async () => (await status()) === 'ended', 'the workflow to finish after the retry', 15_000);
    assert.equal(await count('select count(*) as n from offline_message where conversation_id = ?', [conv.id]), 1);
  });
});
