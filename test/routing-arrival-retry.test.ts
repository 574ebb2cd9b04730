/**
 * A node that dies after RoutingEngine.enqueue put the customer in Redis (and routing assigned them at
 * once) but before the 'queued' decision row was written: the retried enqueue activity finds the
 * conversation assigned, must not queue it again, and still leaves a 'queued' row in the decision log.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, signUp, ok } from './helpers/hub.ts';
import { createLifecycleActivities } from '../core/temporal/lifecycle-activities.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation, Customer, RoutingDecision } from '../core/db/entities/index.ts';

const th = await startTestHub({ temporal: false });
after(() => th.close());

void test('a crash between the Redis enqueue and the queued decision: the retried arrival is not queued twice and the log still has its queued row', async () => {
  const { token: admin, workspaceId: ws } = await signUp(th.gql, 'gap-repro');
  const agent = ok(await th.gql('mutation { createUser(email: "a@gap.test", name: "A", password: "agent password 1", roles: [agent], maxConcurrentChats: 1) { id } }', {}, admin)).createUser.id;
  const { routing, router, orm, conversations } = th.hub.services;
  await routing.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  const em = workspaceEm(orm, ws);
  const cust = em.create(Customer, { workspaceId: ws, displayName: 'c', tags: [], attributes: {} });
  const conv = em.create(Conversation, { workspaceId: ws, channelId: 'ch', customerId: cust.id, status: 'queued', trail: [], lastSeq: 0, queuedAt: new Date() });
  await em.flush();
  const acts = createLifecycleActivities({
    orm, conversations, nudgeOutbox: () => undefined,
    routing: { enqueue: (i) => router.enqueue(i), arrivalRecovered: (i) => router.arrivalRecovered(i), dequeue: (i) => routing.dequeue(i), isPending: (i) => routing.isPending(i), release: (i) => routing.release(i), assignDirect: (i) => routing.assignDirect(i) },
  });
  // The node "dies" when the engine writes the queued decision (after the Redis enqueue assigned it).
  const record = router.record.bind(router);
  router.record = async (w, d) => { if (d.kind === 'queued') throw new Error('injected: node died'); return record(w, d); };
  await assert.rejects(acts.enqueue({ workspaceId: ws, conversationId: conv.id, skillGroupId: null, maxQueueLength: 10 }), /injected/);
  router.record = record;
  await routing.settled(); // the assignment is delivered (the hub's handler: row → assigned)
  // Temporal retries the activity on another node.
  assert.deepEqual(await acts.enqueue({ workspaceId: ws, conversationId: conv.id, skillGroupId: null, maxQueueLength: 10 }), { ok: true, position: 0 });
  const rows = await workspaceEm(orm, ws).find(RoutingDecision, { conversationId: conv.id });
  assert.deepEqual(rows.map((d) => d.kind).sort(), ['assigned', 'queued'], 'the decision log should show both the queueing and the assignment');
  assert.match(rows.find((d) => d.kind === 'queued')!.summary, /details lost/);
  assert.equal((await workspaceEm(orm, ws).findOneOrFail(Conversation, { id: conv.id })).assigneeId, agent);
});
