/**
 * Two hub processes joined over NATS form one Moleculer mesh: each sees the other's services, health
 * lists both, GraphQL subscription events cross nodes, and a killed node drops out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { ServiceBroker, type Errors } from 'moleculer';
import brokerOptions from '../moleculer.config.ts';
import { loadConfig } from '../core/config.ts';
import { spawnHubProcess, stopHubProcess, killAllHubProcesses, type HubProcess } from './helpers/hub-process.ts';
import { testConfig, dropDatabase, temporalAddress, gqlClient, signUp, ok, waitFor, type GqlClient } from './helpers/hub.ts';

const NATS_URL = 'nats://127.0.0.1:4222';

interface HubNode { id: string; local: boolean; available: boolean; services: string[] }
interface HealthReport { ok: boolean; node: string; nodes: string[]; services: Record<string, { ok: boolean }> }

interface NodeProcess extends HubProcess {
  gql: GqlClient;
}

const killAll = killAllHubProcesses;

async function spawnNode(env: Record<string, string>): Promise<NodeProcess> {
  const h = await spawnHubProcess(env);
  return { ...h, gql: gqlClient(h.url) };
}

const stopNode = stopHubProcess;

async function hubNodes(n: NodeProcess, token: string): Promise<HubNode[]> {
  return ok(await n.gql<{ hubNodes: HubNode[] }>('{ hubNodes { id local available services } }', {}, token)).hubNodes;
}

async function healthz(n: NodeProcess): Promise<HealthReport> {
  return (await (await fetch(`${n.url}/healthz`)).json()) as HealthReport;
}

void describe('two hub nodes over NATS', { timeout: 180_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const config = testConfig();
  const env = (nodeID: string): Record<string, string> => ({
    KEFU_DB_URL: config.KEFU_DB_URL,
    KEFU_TRANSPORTER: NATS_URL,
    KEFU_NAMESPACE: `cluster-${suffix}`,
    KEFU_NODE_ID: nodeID,
    KEFU_HTTP_PORT: '0',
    KEFU_HTTP_HOST: '127.0.0.1',
    KEFU_TEMPORAL_ADDRESS: temporalAddress(),
    KEFU_TEMPORAL_TASK_QUEUE: `kefu-cluster-${suffix}`,
    KEFU_LOG_LEVEL: 'warn',
  });
  const id1 = `kefu-a-${suffix}`;
  const id2 = `kefu-b-${suffix}`;
  let node1: NodeProcess;
  let node2: NodeProcess;
  let admin: { token: string; workspaceId: string; adminId: string };
  let ws: Client | null = null;

  before(async () => {
    // The first node migrates the fresh database; the second joins once it is up.
    node1 = await spawnNode({ ...env(id1), KEFU_MIGRATE: 'true' });
    node2 = await spawnNode(env(id2));
    admin = await signUp(node1.gql, `cluster-${suffix}`);
  });

  after(async () => {
    await ws?.dispose();
    await Promise.all([stopNode(node1), stopNode(node2)]);
    killAll();
    await dropDatabase(config.dbName);
  });

  void test('each node prints its configured node ID', () => {
    assert.equal(node1.nodeID, id1);
    assert.equal(node2.nodeID, id2);
  });

  void test("each node lists the other as available, with the other's plugin.example service", async () => {
    for (const [self, other] of [[node1, node2], [node2, node1]] as const) {
      const nodes = await waitFor(async () => {
        const list = await hubNodes(self, admin.token);
        const peer = list.find((n) => n.id === other.nodeID);
        return peer?.available && peer.services.includes('plugin.example') ? list : null;
      }, `${self.nodeID} to see ${other.nodeID} with plugin.example`, 20_000, 250).catch((err: Error) => {
        throw new Error(`${err.message}\n--- ${self.nodeID} output:\n${self.output()}\n--- ${other.nodeID} output:\n${other.output()}`);
      });
      const me = nodes.find((n) => n.id === self.nodeID);
      assert.ok(me?.local && me.available, JSON.stringify(nodes));
      assert.ok(me.services.includes('plugin.example'), JSON.stringify(me));
      const peer = nodes.find((n) => n.id === other.nodeID)!;
      assert.equal(peer.local, false);
    }
  });

  void test('/healthz on each node is ok and lists both nodes', async () => {
    for (const n of [node1, node2]) {
      const report = await waitFor(async () => {
        const r = await healthz(n);
        return r.nodes.includes(id1) && r.nodes.includes(id2) ? r : null;
      }, `/healthz of ${n.nodeID} to list both nodes`, 20_000, 250);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.node, n.nodeID);
      assert.equal(report.services.broker?.ok, true, JSON.stringify(report.services));
    }
  });

  void test('a subscription event published on node 2 reaches a subscriber on node 1', async () => {
    const profile = ok(await node1.gql<{ updateAgentProfile: { id: string } }>(
      'mutation($u: ID!) { updateAgentProfile(userId: $u, maxConcurrentChats: 3) { id } }', { u: admin.adminId }, admin.token,
    )).updateAgentProfile;

    ws = createClient({
      url: `${node1.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    const events: { id: string; status: string }[] = [];
    const failures: unknown[] = [];
    const unsubscribe = ws.subscribe<{ agentProfileChanged: { id: string; status: string } }>(
      { query: 'subscription($id: ID!) { agentProfileChanged(id: $id) { id status } }', variables: { id: profile.id } },
      {
        next: (v) => { if (v.data) events.push(v.data.agentProfileChanged); else failures.push(v.errors); },
        error: (e) => { failures.push(e); },
        complete: () => undefined,
      },
    );
    try {
      const setStatus = async (status: string) => {
        const r = ok(await node2.gql<{ setMyStatus: { id: string; status: string } }>('mutation($s: AgentStatus!) { setMyStatus(status: $s) { id status } }', { s: status }, admin.token));
        assert.equal(r.setMyStatus.id, profile.id);
      };
      // The subscription is set up asynchronously on node 1: keep changing the status on node 2 until
      // the first event arrives, then check one specific change travels across.
      let toggle = false;
      await waitFor(async () => {
        assert.deepEqual(failures, []);
        if (events.length > 0) return true;
        toggle = !toggle;
        await setStatus(toggle ? 'online' : 'away');
        return false;
      }, 'a first agentProfileChanged event on node 1', 20_000, 300);
      await setStatus('busy');
      await waitFor(async () => events.some((e) => e.status === 'busy'), 'the busy status set on node 2 to reach node 1', 10_000);
      assert.deepEqual(failures, []);
      assert.ok(events.every((e) => e.id === profile.id), JSON.stringify(events));
    } finally {
      unsubscribe();
    }
  });

  void test('a third broker on the mesh calls plugin.example.echo on each node, permissions enforced remotely', async () => {
    const broker = new ServiceBroker(brokerOptions(loadConfig({ ...env(`kefu-test-${suffix}`), KEFU_LOG_LEVEL: 'error' })));
    await broker.start();
    try {
      await broker.waitForServices(['plugin.example'], 20_000);
      const agent = { kind: 'user', workspaceId: admin.workspaceId, userId: admin.adminId, roles: ['agent'] };
      const visitor = { kind: 'visitor', workspaceId: admin.workspaceId, channelId: 'c', customerId: 'c', sessionId: 's' };
      for (const nodeID of [id1, id2]) {
        await waitFor(async () => broker.registry.getActionEndpoints('plugin.example.echo')?.getEndpointByNodeID(nodeID), `plugin.example.echo on ${nodeID}`, 20_000, 250);
        assert.deepEqual(await broker.call('plugin.example.echo', { from: 'test', to: nodeID }, { nodeID, meta: { principal: agent } }), { echo: { from: 'test', to: nodeID } });
        await assert.rejects(broker.call('plugin.example.echo', { n: 1 }, { nodeID, meta: { principal: visitor } }), (err: Errors.MoleculerError) => {
          assert.equal(err.code, 403);
          assert.equal(err.type, 'FORBIDDEN');
          return true;
        });
      }
    } finally {
      await broker.stop();
    }
  });

  void test('a SIGKILLed node drops out of the other node\'s view', async () => {
    node2.child.kill('SIGKILL');
    await node2.exited;
    const nodes = await waitFor(async () => {
      const list = await hubNodes(node1, admin.token);
      const peer = list.find((n) => n.id === id2);
      return !peer || !peer.available ? list : null;
    }, `${id1} to see ${id2} unavailable or gone`, 30_000, 500);
    assert.ok(!nodes.find((n) => n.id === id2)?.services.length, JSON.stringify(nodes));
    const report = await waitFor(async () => {
      const r = await healthz(node1);
      return r.nodes.includes(id2) ? null : r;
    }, `/healthz of ${id1} to stop listing ${id2}`, 10_000, 250);
    assert.deepEqual(report.nodes, [id1]);
    assert.equal(report.ok, true, JSON.stringify(report));
    // Node 1 keeps serving on its own.
    ok(await node1.gql('{ me { email } }', {}, admin.token));
  });
});
