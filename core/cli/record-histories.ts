/**
 * Records the event histories of the conversation workflow for the replay test
 * (test/workflow-replay.test.ts): runs each lifecycle path against a hub it starts (a fresh database;
 * a Temporal dev server of its own unless KEFU_TEMPORAL_ADDRESS is set), checks the path the workflow
 * took, and writes `workflows/histories/<scenario>.json`.
 *   node core/cli/record-histories.ts [scenario…]
 * Re-record only for an intentional workflow change that is versioned with `patched()` (see README).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ROOT } from '../hub.ts';
import { ensureTemporalCli } from '../infra/tools.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../infra/temporal-dev-server.ts';
import { historyToJSON } from '../temporal/history-json.ts';
import { conversationWorkflowId, type ConversationState } from '../../workflows/conversation/contract.ts';
import { startTestHub, signUp, ok, waitFor, type TestHub } from '../../test/helpers/hub.ts';

export const HISTORIES_DIR = join(ROOT, 'workflows', 'histories');

const log = (m: string) => console.log(`[record] ${m}`);

interface Workspace { slug: string; admin: string; channelKey: string }

/** The lifecycle paths recorded, each with the node path its workflow must take. */
export const SCENARIOS: Record<string, { path: string[]; run: (r: Recorder) => Promise<string> }> = {
  'happy-path': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('happy');
      const agent = await r.agent(ws, 'a');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '你好，请问怎么退货', 'c-00000001');
      await r.say(visitor, conv, '转人工', 'c-00000002');
      await r.waitStatus(visitor, conv, 'queued');
      await r.online(agent.token);
      await r.waitStatus(visitor, conv, 'assigned');
      await r.say(agent.token, conv, '您好，我是客服小李', 'a-00000001');
      await r.say(visitor, conv, '订单号 12345', 'c-00000003');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, agent.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5, comment: "很好") { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  // `transfer-to-agent.json` (a direct hand-over, before offers existed) is kept for replay; its
  // scenario became transfer-offer-accepted.
  'transfer-offer-accepted': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('offer-accept');
      const a = await r.agent(ws, 'a');
      const b = await r.agent(ws, 'b');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.online(a.token);
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.say(a.token, conv, '您好', 'a-00000001');
      await r.online(b.token);
      const offer = await r.offer(conv, b.id, a.token, 'VIP 客户');
      await r.gql('mutation($t: ID!) { answerTransfer(transferId: $t, accept: true) { id } }', { t: offer }, b.token);
      await r.say(b.token, conv, '我来为您处理', 'b-00000001');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, b.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 4) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'transfer-offer-declined': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('offer-decline');
      const a = await r.agent(ws, 'a');
      const b = await r.agent(ws, 'b');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.online(a.token);
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.online(b.token);
      const offer = await r.offer(conv, b.id, a.token, '帮忙看下');
      await r.gql('mutation($t: ID!) { answerTransfer(transferId: $t, accept: false, reason: "忙") { id } }', { t: offer }, b.token);
      await r.say(a.token, conv, '还是我来处理', 'a-00000001');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, a.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'transfer-offer-expired': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('offer-expire', (def) => { node(def, 'agent').config = { transferOfferTimeoutSec: 5 }; });
      const a = await r.agent(ws, 'a');
      const b = await r.agent(ws, 'b');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.online(a.token);
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.online(b.token);
      const offer = await r.offer(conv, b.id, a.token, null);
      await r.waitFor(async () => ok(await r.th.gql('query($id: ID!) { conversation(id: $id) { transfers { id status } } }', { id: conv }, ws.admin)).conversation.transfers
        .some((t: { id: string; status: string }) => t.id === offer && t.status === 'expired'), 'the offer to expire');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, a.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 3) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'supervisor-reassign': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('reassign');
      const a = await r.agent(ws, 'a');
      const b = await r.agent(ws, 'b');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.online(a.token);
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.online(b.token);
      // The workspace admin holds the supervisor role.
      await r.gql('mutation($c: ID!, $to: ID!) { reassignConversation(conversationId: $c, toAgentId: $to, note: "主管改派") { id } }', { c: conv, to: b.id }, ws.admin);
      await r.say(b.token, conv, '我来为您处理', 'b-00000001');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, b.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 5) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'transfer-to-group': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('xfer-group');
      const group = ok(await r.gql('mutation { createSkillGroup(name: "售后") { id } }', {}, ws.admin)).createSkillGroup.id as string;
      const a = await r.agent(ws, 'a');
      const b = await r.agent(ws, 'b');
      ok(await r.gql('mutation($u: ID!, $g: ID!) { updateAgentProfile(userId: $u, skills: [{ skillGroupId: $g, level: 1 }]) { id } }', { u: b.id, g: group }, ws.admin));
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.online(a.token);
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.online(b.token);
      await r.gql('mutation($c: ID!, $g: ID!) { transferConversation(conversationId: $c, toSkillGroupId: $g, note: "售后问题") { id } }', { c: conv, g: group }, a.token);
      await r.waitFor(async () => ok(await r.gql('query($id: ID!) { conversation(id: $id) { status assigneeId } }', { id: conv }, ws.admin)).conversation.assigneeId === b.id, 'the skill group agent');
      await r.say(b.token, conv, '售后为您服务', 'b-00000001');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, visitor); // the customer closes
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 3) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'queue-timeout-offline': {
    path: ['start', 'hours', 'bot', 'queue', 'offline', 'end'],
    async run(r) {
      const ws = await r.workspace('q-timeout', (def) => { node(def, 'queue').config = { timeoutSec: 5 }; });
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'offline', 30_000); // nobody online: the queue times out
      await r.gql('mutation($c: ID!) { leaveOfflineMessage(conversationId: $c, content: "没人在，请回电", phone: "13800000000") { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'out-of-hours-offline': {
    path: ['start', 'hours', 'offline', 'end'],
    async run(r) {
      const ws = await r.workspace('offhours', (def) => {
        node(def, 'hours').config = { alwaysOpen: false, timezone: 'Asia/Shanghai', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };
      });
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'offline');
      await r.gql('mutation($c: ID!) { leaveOfflineMessage(conversationId: $c, content: "请明天联系我", name: "王先生") { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'bot-idle': {
    path: ['start', 'hours', 'bot', 'end'],
    async run(r) {
      const ws = await r.workspace('bot-idle', (def) => { node(def, 'bot').config = { idleTimeoutSec: 10 }; });
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '随便看看', 'c-00000001'); // activity moves the idle deadline once
      return conv;
    },
  },
  'closed-while-queued': {
    path: ['start', 'hours', 'bot', 'queue', 'end'],
    async run(r) {
      const ws = await r.workspace('q-close');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'queued');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'queue-lost-restored': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('q-lost');
      const agent = await r.agent(ws, 'a');
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'queued');
      // Redis loses the queue (a restart without persistence); the queue audit's signal brings it back.
      const workspaceId = ok(await r.gql('{ workspace { id } }', {}, ws.admin)).workspace.id as string;
      const routing = r.th.hub.services.routing;
      await routing.dequeue({ workspaceId, conversationId: conv });
      await r.th.hub.services.lifecycle!.queueLost(conv);
      await r.waitFor(async () => (await routing.position({ workspaceId, conversationId: conv })) === 1, 'queued again');
      await r.online(agent.token);
      await r.waitStatus(visitor, conv, 'assigned');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, agent.token);
      await r.waitStatus(visitor, conv, 'survey');
      await r.gql('mutation($c: ID!) { rateConversation(conversationId: $c, stars: 4) { id } }', { c: conv }, visitor);
      return conv;
    },
  },
  'survey-expired': {
    path: ['start', 'hours', 'bot', 'queue', 'agent', 'survey', 'end'],
    async run(r) {
      const ws = await r.workspace('s-expired', (def) => { node(def, 'survey').config = { expirySec: 10 }; });
      const agent = await r.agent(ws, 'a');
      await r.online(agent.token);
      const visitor = await r.visitor(ws);
      const conv = await r.startConversation(visitor, 'bot');
      await r.say(visitor, conv, '转人工', 'c-00000001');
      await r.waitStatus(visitor, conv, 'assigned');
      await r.say(agent.token, conv, '已为您处理', 'a-00000001');
      await r.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: conv }, agent.token);
      return conv; // nobody rates: the survey expires
    },
  },
};

function node(def: any, type: string): any {
  return def.nodes.find((n: any) => n.id === type || n.type === type);
}

/** The API calls the scenarios are made of, against one hub. */
export class Recorder {
  private seq = 0;
  readonly th: TestHub;
  constructor(th: TestHub) { this.th = th; }

  gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
    return this.th.gql(query, variables, token).then((r) => { ok(r); return r; });
  }
  waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000) { return waitFor(fn, what, timeoutMs, 200); }

  async workspace(name: string, flow?: (def: any) => void): Promise<Workspace> {
    const slug = `rec-${name}-${Date.now().toString(36)}${(this.seq++).toString(36)}`;
    const { token: admin } = await signUp(this.th.gql, slug);
    for (const plugin of ['faq-bot', 'transfer-rules']) await this.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: plugin }, admin);
    if (flow) {
      const flows = ok(await this.th.gql('{ flows { id versions { id definition } } }', {}, admin)).flows;
      const def = structuredClone(flows[0].versions[0].definition);
      flow(def);
      const v = ok(await this.th.gql('mutation($f: ID!, $d: JSON!) { saveFlowVersion(flowId: $f, definition: $d) { id } }', { f: flows[0].id, d: def }, admin)).saveFlowVersion;
      await this.gql('mutation($v: ID!) { publishFlowVersion(versionId: $v) { id } }', { v: v.id }, admin);
    }
    const channelKey = ok(await this.th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, admin)).createChannel.publicKey as string;
    return { slug, admin, channelKey };
  }

  async agent(ws: Workspace, name: string): Promise<{ id: string; token: string }> {
    const email = `${name}@${ws.slug}.test`;
    const id = ok(await this.th.gql(`mutation { createUser(email: "${email}", name: "Agent ${name}", password: "agent password 1", roles: [agent], maxConcurrentChats: 2) { id } }`, {}, ws.admin)).createUser.id as string;
    const token = ok(await this.th.gql(`mutation { login(workspace: "${ws.slug}", email: "${email}", password: "agent password 1") { token } }`)).login.token as string;
    return { id, token };
  }

  /** Offers the conversation to a colleague; returns the pending transfer's id. */
  async offer(conversationId: string, toAgentId: string, token: string, note: string | null): Promise<string> {
    const r = await this.gql('mutation($c: ID!, $to: ID!, $n: String) { transferConversation(conversationId: $c, toAgentId: $to, note: $n) { id status } }', { c: conversationId, to: toAgentId, n: note }, token);
    return (r.data as { transferConversation: { id: string } }).transferConversation.id;
  }

  async online(token: string): Promise<void> {
    await this.gql('mutation { setMyStatus(status: online) { status } }', {}, token);
  }

  async visitor(ws: Workspace): Promise<string> {
    return ok(await this.th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: ws.channelKey })).startVisitorSession.token as string;
  }

  async startConversation(visitor: string, status: string): Promise<string> {
    const id = ok(await this.th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation.id as string;
    await this.waitStatus(visitor, id, status);
    return id;
  }

  async say(token: string, conversationId: string, text: string, clientMessageId: string): Promise<void> {
    await this.gql('mutation($c: ID!, $b: JSON!, $id: String!) { sendMessage(conversationId: $c, type: "text", body: $b, clientMessageId: $id) { seq } }', { c: conversationId, b: { text }, id: clientMessageId }, token);
  }

  async waitStatus(visitor: string, id: string, status: string, timeoutMs = 30_000): Promise<void> {
    await this.waitFor(async () => ok(await this.th.gql('query($id: ID!) { conversation(id: $id) { status } }', { id }, visitor)).conversation.status === status, `conversation ${id} to be ${status}`, timeoutMs);
  }

  /** Waits for the workflow to finish, checks its path, and writes its history. */
  async record(name: string, conversationId: string, path: string[]): Promise<string> {
    const handle = this.th.hub.services.temporalClient!.workflow.getHandle(conversationWorkflowId(conversationId));
    const result = (await handle.result()) as ConversationState;
    if (JSON.stringify(result.path) !== JSON.stringify(path)) throw new Error(`${name}: the workflow took ${result.path.join(' → ')}, expected ${path.join(' → ')}`);
    const file = join(HISTORIES_DIR, `${name}.json`);
    writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
    return file;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((n) => !SCENARIOS[n]);
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  let dev: TemporalDevServer | null = null;
  if (!process.env.KEFU_TEST_TEMPORAL_ADDRESS && !process.env.KEFU_TEMPORAL_ADDRESS) {
    await ensureTemporalCli(log);
    dev = await startTemporalDevServer({ port: await freePort(), headless: true, namespace: 'default', log });
    process.env.KEFU_TEST_TEMPORAL_ADDRESS = dev.address;
  }
  const th = await startTestHub();
  try {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    const recorder = new Recorder(th);
    const selected = names.length ? names : Object.keys(SCENARIOS);
    const files = await Promise.all(selected.map(async (name) => {
      const s = SCENARIOS[name]!;
      const conv = await s.run(recorder);
      const file = await recorder.record(name, conv, s.path);
      log(`${name}: ${s.path.join(' → ')} → ${file.slice(ROOT.length + 1)}`);
      return file;
    }));
    log(`${files.length} histories written`);
  } finally {
    await th.close();
    await dev?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(() => process.exit(0), (err: unknown) => {
    console.error(`[record] ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
