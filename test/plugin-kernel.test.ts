import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Errors } from 'moleculer';
import { startHub, ROOT } from '../core/hub.ts';
import { ensureDatabase, initOrm, migrateUp } from '../core/db/orm.ts';
import { coreEntities } from '../core/db/entities/index.ts';
import { PluginRegistry } from '../core/kernel/registry.ts';
import { PluginLoadError } from '../core/kernel/errors.ts';
import { testConfig, dropDatabase, temporalAddress, startTestHub, signUp, ok, code, waitFor, type TestHub, type GqlResult } from './helpers/hub.ts';
import { calls as throwerCalls, ACTION_ERROR, EVENT_ERROR, OWN_EVENT_ERROR } from './fixtures/plugins-throwing/thrower/index.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures');

// Anything that escapes the hub's containment shows up here; every test checks it stayed empty.
const escaped: unknown[] = [];
const onEscape = (err: unknown) => { escaped.push(err); };
process.on('unhandledRejection', onEscape);
process.on('uncaughtException', onEscape);
after(() => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});

function assertNothingEscaped(): void {
  assert.deepEqual(escaped.map((e) => String((e as Error)?.stack ?? e)), [], 'no unhandled rejection or uncaught exception');
}

/** Open TCP sockets/servers of this process: a failed start must not leave any behind. */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'TCPWRAP').length;
}

void describe('broken plugins stop start-up with an error naming the plugin', () => {
  const cases: { dir: string; plugin: string; reason: RegExp }[] = [
    { dir: 'plugins-broken-manifest', plugin: 'nokinds', reason: /invalid manifest: .*kinds/ },
    { dir: 'plugins-broken-coreversion', plugin: 'future', reason: /supports core \^9\.0\.0/ },
    { dir: 'plugins-broken-config', plugin: 'needsconfig', reason: /config schema rejects \{\}.*apiKey/ },
    { dir: 'plugins-broken-entity', plugin: 'notenant', reason: /NotenantThing has no workspaceId/ },
    { dir: 'plugins-broken-service', plugin: 'badservice', reason: /service "users" must be named plugin\.badservice/ },
    { dir: 'plugins-broken-import', plugin: 'loadboom', reason: /cannot be imported: loadboom dependency exploded at import/ },
    { dir: 'plugins-broken-graphql', plugin: 'clash', reason: /GraphQL extension .*Workspace/ },
    { dir: 'plugins-broken-graphql-field', plugin: 'fieldclash', reason: /GraphQL extension .*Duplicate field me on Query/ },
  ];

  for (const c of cases) {
    void test(`${c.dir}: start-up fails naming plugin "${c.plugin}"`, async (t) => {
      const config = testConfig({ KEFU_PLUGINS_DIR: join(FIXTURES, c.dir) });
      t.after(() => dropDatabase(config.dbName));
      const socketsBefore = openSockets();
      let started: Awaited<ReturnType<typeof startHub>> | null = null;
      await assert.rejects(
        startHub({ config, migrate: true, temporalAddress: temporalAddress() }).then((hub) => { started = hub; }),
        (err: Error) => {
          assert.ok(err instanceof PluginLoadError, `expected a PluginLoadError, got ${err.name}: ${err.message}`);
          assert.ok(err.message.includes(`plugin "${c.plugin}"`), `message names the plugin: ${err.message}`);
          assert.match(err.message, c.reason);
          assert.equal(err.plugin, c.plugin);
          return true;
        },
      );
      if (started) await (started as { stop(): Promise<void> }).stop();
      // The process is fine afterwards: nothing escaped and the partial start released its connections.
      await waitFor(async () => openSockets() <= socketsBefore, `sockets opened by the failed start to close (now ${openSockets()}, before ${socketsBefore})`, 5000);
      assertNothingEscaped();
    });
  }
});

void describe('a throwing plugin does not crash the hub', () => {
  let th: TestHub;
  let admin: { token: string; workspaceId: string };

  before(async () => {
    th = await startTestHub({ env: { KEFU_PLUGINS_DIR: join(FIXTURES, 'plugins-throwing') } });
    admin = await signUp(th.gql, 'thrower-ws');
  });
  after(() => th?.close());

  void test('a throwing event handler is recorded as lastError and the hub keeps serving', async () => {
    ok(await th.gql('mutation { installPlugin(name: "thrower") { id enabled } }', {}, admin.token));
    const before = throwerCalls.userCreated;
    ok(await th.gql(
      'mutation { createUser(email: "agent1@thrower.test", name: "Agent One", password: "long enough pw", roles: [agent]) { id } }',
      {}, admin.token,
    ));
    const inst = await waitFor(async () => {
      const r = ok(await th.gql<{ pluginInstallations: { pluginName: string; lastError: string | null; lastErrorAt: string | null }[] }>(
        '{ pluginInstallations { pluginName lastError lastErrorAt } }', {}, admin.token,
      ));
      const row = r.pluginInstallations.find((p) => p.pluginName === 'thrower');
      return row?.lastError ? row : null;
    }, 'pluginInstallations.lastError for thrower', 10_000);
    assert.ok(inst.lastError!.includes(EVENT_ERROR), inst.lastError!);
    assert.ok(inst.lastErrorAt);
    assert.ok(throwerCalls.userCreated > before, 'the handler ran');

    // Still serving: GraphQL, /healthz, and the outbox keeps draining (a second event is relayed too).
    ok(await th.gql('mutation { createUser(email: "agent2@thrower.test", name: "Agent Two", password: "long enough pw", roles: [agent]) { id } }', {}, admin.token));
    await waitFor(async () => throwerCalls.userCreated >= before + 2, 'the second user.created to reach the plugin', 10_000);
    const conn = th.hub.services.orm.em.getConnection();
    await waitFor(async () => {
      const [row] = await conn.execute<{ n: number }[]>('select count(*) as n from outbox_event where published_at is null');
      return Number(row!.n) === 0;
    }, 'the outbox to drain', 10_000);
    const me = ok(await th.gql<{ me: { email: string } }>('{ me { email } }', {}, admin.token));
    assert.equal(me.me.email, 'admin@thrower-ws.test');
    const res = await fetch(`${th.url}/healthz`);
    const health = (await res.json()) as { ok: boolean };
    assert.equal(res.status, 200, JSON.stringify(health));
    assert.equal(health.ok, true, JSON.stringify(health));
    assertNothingEscaped();
  });

  void test('a throwing Moleculer action rejects its caller and the broker keeps running', async () => {
    const broker = th.hub.services.broker;
    const before = throwerCalls.explode;
    await assert.rejects(broker.call('plugin.thrower.explode', {}), (err: Error) => {
      assert.equal(err.message, ACTION_ERROR);
      return true;
    });
    assert.equal(throwerCalls.explode, before + 1);
    // The broker still routes calls, including to the same plugin.
    await assert.rejects(broker.call('plugin.thrower.explode', {}), { message: ACTION_ERROR });
    assert.equal(throwerCalls.explode, before + 2);
    const health: { cpu?: unknown } = await broker.call('$node.health');
    assert.ok(health.cpu);
    ok(await th.gql('{ me { email } }', {}, admin.token));
    assertNothingEscaped();
  });

  void test("a throwing handler of the plugin's own service event is contained", async () => {
    const broker = th.hub.services.broker;
    const before = throwerCalls.poke;
    await broker.emit('thrower.poke', { n: 1 });
    await waitFor(async () => throwerCalls.poke === before + 1, 'the poke handler to run', 5000);
    await broker.emit('thrower.poke', { n: 2 });
    await waitFor(async () => throwerCalls.poke === before + 2, 'the poke handler to run again', 5000);
    // Give a rejection that escaped the containment a moment to surface.
    await new Promise((r) => setTimeout(r, 200));
    assertNothingEscaped();
    assert.ok(!escaped.some((e) => String(e).includes(OWN_EVENT_ERROR)));
    const nodes: unknown[] = await broker.call('$node.list');
    assert.ok(Array.isArray(nodes) && nodes.length >= 1);
    const res = await fetch(`${th.url}/healthz`);
    assert.equal(res.status, 200);
  });
});

void describe("the example plugin's contributions are all live", () => {
  let th: TestHub;
  let admin: { token: string; workspaceId: string; adminId: string };
  let installationId: string;

  type Note = { id: string; text: string; source: string };
  const notes = async (): Promise<Note[]> => ok(await th.gql<{ exampleNotes: Note[] }>('{ exampleNotes { id text source } }', {}, admin.token)).exampleNotes;
  const greet = (idempotencyKey: string, input: Record<string, unknown>) =>
    th.hub.services.temporalClient!.workflow.execute('pluginTaskWorkflow', {
      taskQueue: th.config.KEFU_TEMPORAL_TASK_QUEUE,
      workflowId: `test-greet-${randomUUID()}`,
      workflowExecutionTimeout: '60 seconds',
      args: [{ plugin: 'example', activity: 'greet', workspaceId: admin.workspaceId, input, idempotencyKey }],
    }) as Promise<{ noteId: string; text: string }>;

  before(async () => {
    th = await startTestHub();
    admin = await signUp(th.gql, 'example-ws');
  });
  after(() => th?.close());

  void test('its migration ran and its table exists', async () => {
    const conn = th.hub.services.orm.em.getConnection();
    const applied = (await conn.execute<{ name: string }[]>('select name from mikro_orm_migrations')).map((r) => r.name);
    assert.ok(applied.includes('plugin/example/0001_create_note'), applied.join(', '));
    const tables = await conn.execute<Record<string, string>[]>("show tables like 'plugin_example_note'");
    assert.equal(tables.length, 1);
    const cols = (await conn.execute<{ Field: string }[]>('show columns from `plugin_example_note`')).map((c) => c.Field).sort();
    assert.deepEqual(cols, ['created_at', 'id', 'source', 'text', 'workspace_id']);
  });

  void test('Moleculer action plugin.example.echo answers allowed principals and refuses others', async () => {
    const broker = th.hub.services.broker;
    const agent = { kind: 'user', workspaceId: admin.workspaceId, userId: randomUUID(), roles: ['agent'] };
    assert.deepEqual(await broker.call('plugin.example.echo', { hello: '世界' }, { meta: { principal: agent } }), { echo: { hello: '世界' } });
    const apiKey = { kind: 'apiKey', workspaceId: admin.workspaceId, apiKeyId: randomUUID(), scopes: ['admin:read'] };
    assert.deepEqual(await broker.call('plugin.example.echo', { n: 1 }, { meta: { principal: apiKey } }), { echo: { n: 1 } });

    const forbidden = (err: Errors.MoleculerError) => {
      assert.equal(err.code, 403);
      assert.equal(err.type, 'FORBIDDEN');
      return true;
    };
    const visitor = { kind: 'visitor', workspaceId: admin.workspaceId, channelId: randomUUID(), customerId: randomUUID(), sessionId: randomUUID() };
    await assert.rejects(broker.call('plugin.example.echo', { n: 1 }, { meta: { principal: visitor } }), forbidden);
    const operator = { kind: 'user', workspaceId: admin.workspaceId, userId: randomUUID(), roles: ['operator'] };
    await assert.rejects(broker.call('plugin.example.echo', { n: 1 }, { meta: { principal: operator } }), forbidden);
    await assert.rejects(broker.call('plugin.example.echo', { n: 1 }), forbidden);
  });

  void test('GraphQL fields give PLUGIN_NOT_INSTALLED before installing and work after', async () => {
    assert.equal(code(await th.gql('{ exampleNotes { id } }', {}, admin.token)), 'PLUGIN_NOT_INSTALLED');
    assert.equal(code(await th.gql('mutation { exampleAddNote(text: "too early") { id } }', {}, admin.token)), 'PLUGIN_NOT_INSTALLED');

    const inst = ok(await th.gql<{ installPlugin: { id: string; pluginName: string; enabled: boolean; config: unknown } }>(
      'mutation { installPlugin(name: "example") { id pluginName enabled config } }', {}, admin.token,
    )).installPlugin;
    assert.equal(inst.pluginName, 'example');
    assert.equal(inst.enabled, true);
    installationId = inst.id;

    const added = ok(await th.gql<{ exampleAddNote: Note }>('mutation($t: String!) { exampleAddNote(text: $t) { id text source } }', { t: '第一条笔记' }, admin.token)).exampleAddNote;
    assert.equal(added.text, '第一条笔记');
    assert.equal(added.source, 'graphql');
    const list = await notes();
    assert.deepEqual(list.filter((n) => n.source === 'graphql'), [added]);
    assert.equal(code(await th.gql('mutation { exampleAddNote(text: "   ") { id } }', {}, admin.token)), 'BAD_USER_INPUT');
  });

  void test('the user.created handler writes a welcome note (through the outbox)', async () => {
    const user = ok(await th.gql<{ createUser: { id: string } }>(
      'mutation { createUser(email: "lilei@example-ws.test", name: "李雷", password: "long enough pw", roles: [agent]) { id } }', {}, admin.token,
    )).createUser;
    assert.ok(user.id);
    const note = await waitFor(async () => (await notes()).find((n) => n.source === 'event' && n.text.startsWith('welcome 李雷 [')), 'the welcome note', 10_000);
    assert.match(note.text, /^welcome 李雷 \[[0-9a-f-]{36}\]$/);
    // Exactly one welcome note for that user, even though the relay may deliver at least once.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await notes()).filter((n) => n.text.startsWith('welcome 李雷 ')).length, 1);
  });

  void test('the greet activity runs through the generic Temporal activity, once per idempotency key', async () => {
    const first = await greet('k1', { name: '小明', workspace: 'ACME' });
    assert.equal(first.text, '你好 小明, welcome to ACME!');
    assert.ok(first.noteId);
    const again = await greet('k1', { name: '小明', workspace: 'ACME' });
    assert.deepEqual(again, first);
    let activityNotes = (await notes()).filter((n) => n.source === 'activity');
    assert.deepEqual(activityNotes, [{ id: first.noteId, text: first.text, source: 'activity' }]);

    // A different key is a different task: a second note.
    const other = await greet('k2', { name: '小红', workspace: 'ACME' });
    assert.notEqual(other.noteId, first.noteId);
    assert.equal(other.text, '你好 小红, welcome to ACME!');
    activityNotes = (await notes()).filter((n) => n.source === 'activity');
    assert.deepEqual(activityNotes.map((n) => n.id).sort(), [first.noteId, other.noteId].sort());
  });

  void test('configurePlugin validates against the plugin schema; a valid config reaches the activity', async () => {
    const greeting = 'Hi {{name}} of {{workspace}}';
    const configured = ok(await th.gql<{ configurePlugin: { config: unknown } }>(
      'mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { config } }', { id: installationId, c: { greeting } }, admin.token,
    )).configurePlugin;
    assert.deepEqual(configured.config, { greeting });
    const r = await greet('k3', { name: 'Ann', workspace: 'ACME' });
    assert.equal(r.text, 'Hi Ann of ACME');

    const bad: GqlResult = await th.gql('mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { config } }', { id: installationId, c: { maxNotes: -1 } }, admin.token);
    assert.equal(code(bad), 'BAD_USER_INPUT');
    const issues = (bad.errors![0]!.extensions!.details as { issues: { path: string; message: string }[] }).issues;
    assert.ok(issues.some((i) => i.path === 'maxNotes'), JSON.stringify(issues));
    const after = ok(await th.gql<{ pluginInstallations: { id: string; config: unknown }[] }>('{ pluginInstallations { id config } }', {}, admin.token));
    assert.deepEqual(after.pluginInstallations.find((p) => p.id === installationId)?.config, { greeting });
  });

  void test('availablePlugins shows the config as JSON Schema', async () => {
    const r = ok(await th.gql<{ availablePlugins: { name: string; kinds: string[]; configJsonSchema: { type?: string; properties?: Record<string, { type?: string; default?: unknown }> } }[] }>(
      '{ availablePlugins { name kinds configJsonSchema } }', {}, admin.token,
    ));
    const example = r.availablePlugins.find((p) => p.name === 'example');
    assert.ok(example, JSON.stringify(r.availablePlugins.map((p) => p.name)));
    assert.deepEqual(example.kinds, ['example']);
    assert.equal(example.configJsonSchema.type, 'object');
    assert.equal(example.configJsonSchema.properties?.greeting?.type, 'string');
    assert.equal(example.configJsonSchema.properties?.greeting?.default, '你好 {{name}}, welcome to {{workspace}}!');
    assert.equal(example.configJsonSchema.properties?.maxNotes?.type, 'integer');
  });
});

void test('migrations apply to an empty database, and a second run applies nothing', async (t) => {
  const config = testConfig();
  t.after(() => dropDatabase(config.dbName));
  await ensureDatabase(config.KEFU_DB_URL);
  const registry = await PluginRegistry.load(join(ROOT, 'plugins'), []);
  const orm = await initOrm({ dbUrl: config.KEFU_DB_URL, pluginEntities: registry.entities(), pluginMigrations: registry.migrations(), silent: true });
  t.after(() => orm.close(true));
  const conn = orm.em.getConnection();
  const showTables = async () => (await conn.execute<Record<string, string>[]>('show tables')).map((r) => Object.values(r)[0]!).sort();

  assert.deepEqual(await showTables(), []);
  const applied = await migrateUp(orm);
  assert.ok(applied.length > 0);
  assert.ok(applied.includes('plugin/example/0001_create_note'), applied.join(', '));

  const entityTables = [...coreEntities, ...registry.entities()].map((e) => {
    const table = e.meta.tableName;
    assert.ok(table, `entity ${e.meta.className} names its table`);
    return table;
  });
  assert.deepEqual(await showTables(), [...entityTables, 'mikro_orm_migrations'].sort());

  assert.deepEqual(await migrateUp(orm), []);
  const recorded = (await conn.execute<{ name: string }[]>('select name from mikro_orm_migrations')).map((r) => r.name).sort();
  assert.deepEqual(recorded, [...applied].sort());
});
