/**
 * Conversation hot-path and lifecycle benchmark, each figure beside a floor measured in the same run.
 *
 *   node bench/lifecycle.ts [--conversations 100,1000] [--rate 200] [--seconds 15]
 *
 * - customer→agent latency: a visitor POSTs sendMessage; the assigned agent receives it on its
 *   graphql-ws `conversationEvents` subscription. Paced at --rate msg/s across all conversations.
 *   Floor: a bare Redis PUBLISH → SUBSCRIBE round trip at the same rate.
 * - throughput: unpaced sends (64 in flight) for a few seconds, delivered msg/s.
 * - conversation starts/s through Temporal (`startConversation`: row + outbox + workflow start).
 *   Floor: bare `client.workflow.start` of an empty workflow on the same server, same concurrency.
 *
 * The hub runs as a separate process (core/cli/serve.ts) against a fresh database and its own
 * in-memory Temporal dev server; the load generator and the floors run in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createConnection } from 'mysql2/promise';
import { ROOT } from '../core/hub.ts';
import { ensureTemporalCli } from '../core/infra/tools.ts';
import { startTemporalDevServer } from '../core/infra/temporal-dev-server.ts';
import { checkServices } from '../core/infra/preflight.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : dflt; };
const LEVELS = opt('conversations', '100,1000').split(',').map(Number);
const RATE = Number(opt('rate', '200'));
const SECONDS = Number(opt('seconds', '15'));
const log = (m: string) => console.log(`[bench] ${m}`);

const freePort = () => new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');

type Gql = <T = any>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<T>;
function gqlAt(url: string): Gql {
  return async (query, variables = {}, token) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
    const json = (await res.json()) as { data?: any; errors?: unknown[] };
    if (json.errors?.length) throw new Error(JSON.stringify(json.errors));
    return json.data;
  };
}

/** Runs `fn` over items with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i]!, i); }
  }));
}

async function spawnHub(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'node'), ['core/cli/serve.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  for (let i = 0; i < 600; i++) {
    const m = /^READY (\S+) /m.exec(out);
    if (m) return { child, url: m[1]!.replace('localhost', '127.0.0.1') };
    if (child.exitCode !== null) throw new Error(`hub exited:\n${out.slice(-3000)}`);
    await sleep(100);
  }
  throw new Error(`hub not ready:\n${out.slice(-3000)}`);
}

interface Conv { id: string; visitor: string; agentIdx: number }

async function main() {
  const dbBase = process.env.KEFU_DB_URL ?? 'mysql://root@127.0.0.1:3306/kefu_hub';
  await checkServices({ dbUrl: dbBase, redisUrl: 'redis://127.0.0.1:6379/0' });
  await ensureTemporalCli(log);
  const temporal = await startTemporalDevServer({ port: await freePort(), headless: true, namespace: 'default', log });
  const suffix = randomBytes(4).toString('hex');
  const dbUrl = new URL(dbBase);
  dbUrl.pathname = `/kefu_bench_${suffix}`;
  const hub = await spawnHub({
    KEFU_DB_URL: dbUrl.toString(), KEFU_MIGRATE: 'true', KEFU_HTTP_PORT: '0', KEFU_HTTP_HOST: '127.0.0.1', KEFU_LOG_LEVEL: 'warn',
    KEFU_TEMPORAL_ADDRESS: temporal.address, KEFU_TEMPORAL_TASK_QUEUE: `bench-${suffix}`, KEFU_NAMESPACE: `bench-${suffix}`,
    KEFU_GRAPHQL_MAX_COST: '1000000',
    KEFU_RATE_LIMITS: 'off', // every simulated visitor comes from 127.0.0.1
  });
  const gql = gqlAt(hub.url);
  const rows: string[][] = [];
  const results: Record<string, unknown> = { date: new Date().toISOString(), rate: RATE, seconds: SECONDS };
  const redis = new Redis('redis://127.0.0.1:6379/0');
  const redisSub = new Redis('redis://127.0.0.1:6379/0');
  const tConn = await Connection.connect({ address: temporal.address });
  const tClient = new Client({ connection: tConn });
  const wsClients: WsClient[] = [];
  try {
    const maxConvs = Math.max(...LEVELS);
    const slots = 20;
    const agentsNeeded = Math.ceil(maxConvs / slots);
    const admin = (await gql(`mutation { signUpWorkspace(name: "Bench", slug: "bench-${suffix}", adminEmail: "a@b.test", adminName: "A", adminPassword: "bench password 1") { token } }`)).signUpWorkspace.token;
    for (const n of ['faq-bot', 'transfer-rules']) await gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n }, admin);
    const channel = (await gql('mutation { createChannel(kind: "web-widget", name: "bench") { publicKey } }', {}, admin)).createChannel.publicKey;
    const agents: { id: string; token: string }[] = [];
    await pool(Array.from({ length: agentsNeeded }, (_, i) => i), 8, async (i) => {
      const u = (await gql(`mutation { createUser(email: "agent${i}@b.test", name: "Agent ${i}", password: "agent password 1", roles: [agent], maxConcurrentChats: ${slots}) { id } }`, {}, admin)).createUser;
      const token = (await gql(`mutation { login(workspace: "bench-${suffix}", email: "agent${i}@b.test", password: "agent password 1") { token } }`)).login.token;
      agents[i] = { id: u.id, token };
    });
    const agentIndex = new Map(agents.map((a, i) => [a.id, i]));
    for (const a of agents) await gql('mutation { setMyStatus(status: online) { status } }', {}, a.token);
    log(`${agents.length} agents × ${slots} slots online`);

    // --- conversation starts through Temporal, and its floor --------------------------------
    const visitors: string[] = [];
    await pool(Array.from({ length: maxConvs }, (_, i) => i), 16, async (i) => {
      visitors[i] = (await gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel })).startVisitorSession.token;
    });
    const convs: Conv[] = [];
    let t0 = performance.now();
    await pool(visitors, 16, async (v, i) => {
      const c = (await gql('mutation { startConversation { id } }', {}, v)).startConversation;
      convs[i] = { id: c.id, visitor: v, agentIdx: -1 };
    });
    const startsPerSec = maxConvs / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await pool(Array.from({ length: maxConvs }, (_, i) => i), 16, async (i) => {
      await tClient.workflow.start('benchEmptyWorkflow', { taskQueue: `floor-${suffix}`, workflowId: `floor-${suffix}-${i}`, args: [] });
    });
    const floorStartsPerSec = maxConvs / ((performance.now() - t0) / 1000);
    rows.push(['conversation starts/s (startConversation, 16 in flight)', fmt(startsPerSec), fmt(floorStartsPerSec), fmt(floorStartsPerSec / startsPerSec, 2) + '×', 'bare workflow.start of an empty workflow']);
    results.conversationStartsPerSec = { hub: startsPerSec, floor: floorStartsPerSec };
    log(`starts: ${fmt(startsPerSec)}/s (floor ${fmt(floorStartsPerSec)}/s)`);

    // Everyone asks for a human; wait until all are assigned.
    await pool(convs, 16, async (c) => {
      await gql('mutation($c: ID!, $id: String!) { sendMessage(conversationId: $c, type: "text", body: { text: "转人工" }, clientMessageId: $id) { seq } }', { c: c.id, id: `h-${randomUUID()}` }, c.visitor);
    });
    // Poll the database directly (the API pages at 500): who got which agent.
    const db = await createConnection({ host: dbUrl.hostname, port: Number(dbUrl.port || 3306), user: decodeURIComponent(dbUrl.username || 'root'), password: decodeURIComponent(dbUrl.password), database: dbUrl.pathname.slice(1) });
    const deadline = Date.now() + 180_000;
    const assignStart = performance.now();
    for (;;) {
      const [rows] = await db.query("select id, assignee_id from conversation where status = 'assigned'");
      const byId = new Map((rows as { id: string; assignee_id: string }[]).map((x) => [x.id, x.assignee_id]));
      for (const c of convs) if (c.agentIdx < 0 && byId.has(c.id)) c.agentIdx = agentIndex.get(byId.get(c.id)!)!;
      const assigned = convs.filter((c) => c.agentIdx >= 0).length;
      if (assigned >= convs.length) break;
      if (Date.now() > deadline) throw new Error(`only ${assigned}/${convs.length} assigned`);
      await sleep(250);
    }
    await db.end();
    results.assignSeconds = (performance.now() - assignStart) / 1000;
    log(`${convs.length} conversations assigned`);

    // Agents subscribe to their conversations; delivery times keyed by message text.
    const received = new Map<string, number>();
    for (const a of agents) {
      wsClients.push(createClient({ url: hub.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${a.token}` }, lazy: false }));
    }
    let subscribed = 0;
    for (const c of convs) {
      const ws = wsClients[c.agentIdx]!;
      ws.subscribe<{ conversationEvents: { kind: string; message?: { body: { text?: string } } } }>(
        { query: 'subscription($c: ID!) { conversationEvents(conversationId: $c) { kind message { body } } }', variables: { c: c.id } },
        {
          next: (r) => { const t = r.data?.conversationEvents?.message?.body?.text; if (t?.startsWith('bench:')) received.set(t, performance.now()); },
          error: (e) => console.error('subscription error', e),
          complete: () => undefined,
        },
      );
      subscribed++;
    }
    await sleep(2000);
    log(`${subscribed} subscriptions open`);

    const send = (c: Conv, text: string) =>
      gql('mutation($c: ID!, $b: JSON!, $id: String!) { sendMessage(conversationId: $c, type: "text", body: $b, clientMessageId: $id) { seq } }', { c: c.id, b: { text }, id: `m-${randomUUID()}` }, c.visitor);

    // --- paced latency at each concurrency level ----------------------------------------------
    for (const level of LEVELS) {
      const active = convs.slice(0, level);
      const sent = new Map<string, number>();
      const total = RATE * SECONDS;
      const start = performance.now();
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const c = active[i % active.length]!;
        const text = `bench:${level}:${i}`;
        sent.set(text, performance.now());
        inflight.push(send(c, text).catch((e: unknown) => console.error('send failed', String(e).slice(0, 200))));
      }
      await Promise.all(inflight);
      await sleep(1500);
      const lat: number[] = [];
      let lost = 0;
      for (const [text, t] of sent) { const r = received.get(text); if (r === undefined) lost++; else lat.push(r - t); }
      const achieved = total / ((performance.now() - 1500 - start) / 1000);

      // Redis pub/sub floor at the same rate.
      const channelName = `bench-floor-${suffix}-${level}`;
      const floorRecv = new Map<number, number>();
      await redisSub.subscribe(channelName);
      const onMsg = (ch: string, m: string) => { if (ch === channelName) floorRecv.set(Number(m), performance.now()); };
      redisSub.on('message', onMsg);
      const floorSent = new Map<number, number>();
      const fStart = performance.now();
      for (let i = 0; i < total; i++) {
        const due = fStart + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        floorSent.set(i, performance.now());
        void redis.publish(channelName, String(i));
      }
      await sleep(500);
      redisSub.off('message', onMsg);
      await redisSub.unsubscribe(channelName);
      const floorLat: number[] = [];
      for (const [i, t] of floorSent) { const r = floorRecv.get(i); if (r !== undefined) floorLat.push(r - t); }

      const p50 = pct(lat, 50), p99 = pct(lat, 99), f50 = pct(floorLat, 50), f99 = pct(floorLat, 99);
      rows.push([`customer→agent latency p50, ${level} conversations, ${RATE} msg/s (ms)`, fmt(p50), fmt(f50, 2), fmt(p50 / f50, 0) + '×', 'Redis PUBLISH→SUBSCRIBE']);
      rows.push([`customer→agent latency p99, ${level} conversations, ${RATE} msg/s (ms)`, fmt(p99), fmt(f99, 2), fmt(p99 / f99, 0) + '×', `achieved ${fmt(achieved)} msg/s, lost ${lost}`]);
      results[`latency_${level}`] = { p50, p99, floorP50: f50, floorP99: f99, lost, achieved };
      log(`${level} conversations: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, lost ${lost} (floor p50 ${fmt(f50, 2)}, p99 ${fmt(f99, 2)})`);

      // Unpaced throughput.
      const tpSeconds = 8;
      let delivered = 0;
      const tpSent = new Set<string>();
      const tpStart = performance.now();
      let n = 0;
      await Promise.all(Array.from({ length: 64 }, async () => {
        while (performance.now() - tpStart < tpSeconds * 1000) {
          const i = n++;
          const text = `bench:tp${level}:${i}`;
          tpSent.add(text);
          await send(active[i % active.length]!, text).catch(() => undefined);
        }
      }));
      await sleep(1500);
      for (const t of tpSent) if (received.has(t)) delivered++;
      const tp = delivered / tpSeconds;
      rows.push([`throughput, ${level} conversations, 64 in flight (msg/s delivered)`, fmt(tp), '', '', `${tpSent.size - delivered} not delivered within 1.5 s`]);
      results[`throughput_${level}`] = { delivered: tp, undelivered: tpSent.size - delivered };
      log(`${level} conversations: throughput ${fmt(tp)} msg/s`);
    }

    const table = [
      '| measure | Kefu Hub | floor | ratio | note |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(`\n${table}\n`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'lifecycle.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(ROOT, 'bench', 'results', 'lifecycle.md'), `# Lifecycle benchmark (${results.date as string})\n\nMachine: 2 cores. Command: \`node bench/lifecycle.ts --conversations ${LEVELS.join(',')} --rate ${RATE} --seconds ${SECONDS}\`\n\n${table}\n`);
  } finally {
    for (const c of wsClients) await c.dispose();
    redis.disconnect();
    redisSub.disconnect();
    await tConn.close();
    hub.child.kill('SIGTERM');
    await new Promise((r) => hub.child.once('exit', r));
    await temporal.stop();
    const u = new URL(dbBase);
    const conn = await createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password) });
    await conn.query(`drop database if exists \`kefu_bench_${suffix}\``);
    await conn.end();
  }
}

await main();
