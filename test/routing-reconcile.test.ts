/**
 * Reconcile and a closing conversation: closedAt is written, then the close's keyed release frees the
 * slot, and the row stays `assigned` until the workflow enters its next node. Reconcile must count such
 * a chat only while its release has not happened (one too many leaks a slot; one too few would let the
 * agent go over capacity once the release comes).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestHub, signUp, ok } from './helpers/hub.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { Conversation, Customer } from '../core/db/entities/index.ts';

const th = await startTestHub({ temporal: false });
const redis = new Redis(th.config.KEFU_REDIS_URL);
after(async () => { redis.disconnect(); await th.close(); });

void test('reconcile between a close and the workflow moving on: the slot is counted until the release, never after', async () => {
  const { token: admin, workspaceId: ws } = await signUp(th.gql, 'rec-repro');
  const agent = ok(await th.gql('mutation { createUser(email: "a@rec.test", name: "A", password: "agent password 1", roles: [agent], maxConcurrentChats: 1) { id } }', {}, admin)).createUser.id;
  const { routing, orm } = th.hub.services;
  await routing.setAgentState({ workspaceId: ws, agentId: agent, status: 'online', capacity: 1, skillGroupIds: [] });
  const em = workspaceEm(orm, ws);
  const cust = em.create(Customer, { workspaceId: ws, displayName: 'c', tags: [], attributes: {} });
  const conv = em.create(Conversation, { workspaceId: ws, channelId: 'ch', customerId: cust.id, status: 'assigned', assigneeId: agent, assignedAt: new Date(), trail: [], lastSeq: 0 });
  await em.flush();
  assert.equal(await routing.assignDirect({ workspaceId: ws, conversationId: conv.id, agentId: agent }), true); // the slot it holds
  const load = async () => Number(await redis.hget(routing.keys.agent(ws, agent), 'load'));
  // closeConversation activity: closedAt written, then the slot released (status stays 'assigned' until enterNode(end)).
  await workspaceEm(orm, ws).nativeUpdate(Conversation, { id: conv.id }, { closedAt: new Date(), closeReason: 'resolved' });
  await routing.reconcile(ws); // before the release: still held
  assert.equal(await load(), 1);
  await routing.release({ workspaceId: ws, agentId: agent, key: `close:${conv.id}` });
  assert.equal(await load(), 0);
  await routing.reconcile(ws); // e.g. a node starting now
  await workspaceEm(orm, ws).nativeUpdate(Conversation, { id: conv.id }, { status: 'ended' }); // the workflow moves on
  assert.equal(await load(), 0, 'the agent holds no chat: the slot must be free');
});
