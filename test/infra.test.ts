import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { checkServices, describeAddress, ServiceUnavailableError } from '../core/infra/preflight.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../core/infra/temporal-dev-server.ts';
import { ensureTemporalCli } from '../core/infra/tools.ts';

/** A port nobody listens on: bind port 0, note the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

const DB_URL = process.env.KEFU_DB_URL ?? 'mysql://root@127.0.0.1:3306/kefu_hub';
const REDIS_URL = process.env.KEFU_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const NATS_URL = 'nats://127.0.0.1:4222';

void describe('describeAddress', () => {
  void test('strips credentials and fills default ports', () => {
    assert.equal(describeAddress('mysql://root:secret@127.0.0.1:3307/kefu_hub'), '127.0.0.1:3307');
    assert.equal(describeAddress('mysql://root@db.local/kefu_hub'), 'db.local:3306');
    assert.equal(describeAddress('redis://:pw@127.0.0.1/0'), '127.0.0.1:6379');
    assert.equal(describeAddress('nats://127.0.0.1'), '127.0.0.1:4222');
    assert.equal(describeAddress('temporal.local:7233'), 'temporal.local:7233');
    assert.equal(describeAddress('localhost'), 'localhost:7233');
  });
});

void describe('preflight', () => {
  void test('passes against the local MariaDB, Redis and NATS', async () => {
    await checkServices({ dbUrl: DB_URL, redisUrl: REDIS_URL, natsUrl: NATS_URL });
  });

  void test('names each missing service, its address and how to start it', async () => {
    const [db, redis, nats, temporal] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const err = await checkServices({
      dbUrl: `mysql://root@127.0.0.1:${db}/kefu_hub`,
      redisUrl: `redis://127.0.0.1:${redis}/0`,
      natsUrl: `nats://127.0.0.1:${nats}`,
      temporalAddress: `127.0.0.1:${temporal}`,
    }).then(
      () => assert.fail('expected checkServices to throw'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServiceUnavailableError, String(err));
    const lines = err.message.split('\n');
    assert.equal(lines.length, 4, err.message);
    const expect: Array<[string, number, string]> = [
      ['MariaDB/MySQL', db, 'KEFU_DB_URL'],
      ['Redis', redis, 'KEFU_REDIS_URL'],
      ['NATS', nats, 'KEFU_TRANSPORTER'],
      ['Temporal', temporal, 'KEFU_TEMPORAL_ADDRESS'],
    ];
    for (const [name, port, envVar] of expect) {
      const line = lines.find((l) => l.startsWith(`${name} `));
      assert.ok(line, `no line for ${name} in:\n${err.message}`);
      assert.match(line, new RegExp(`not reachable at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
      assert.match(line, /Start it: /);
      assert.ok(line.includes(envVar), line);
    }
  });

  void test('reports a failed MariaDB login as such', async () => {
    const err = await checkServices({
      dbUrl: 'mysql://kefu_no_such_user:wrong@127.0.0.1:3306/kefu_hub',
      redisUrl: REDIS_URL,
    }).then(
      () => assert.fail('expected checkServices to throw'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServiceUnavailableError, String(err));
    assert.match(err.message, /^MariaDB\/MySQL at 127\.0\.0\.1:3306 refused the connection \(access denied for kefu_no_such_user\)/);
  });

  void test('a non-nats transporter is not checked', async () => {
    await checkServices({ dbUrl: DB_URL, redisUrl: REDIS_URL, natsUrl: 'redis://127.0.0.1:1' });
  });
});

void describe('temporal dev server', () => {
  let server: TemporalDevServer | undefined;
  after(async () => {
    await server?.stop();
  });

  void test('starts headless on a free port, answers getSystemInfo, and stops', { timeout: 25 * 60_000 }, async () => {
    const log = (line: string) => console.error(`# ${line}`);
    await ensureTemporalCli(log); // builds once (or waits for a concurrent build) outside the start-up timeout
    const port = await freePort();
    server = await startTemporalDevServer({ port, headless: true, namespace: 'kefu-test', log });
    assert.equal(server.address, `127.0.0.1:${port}`);

    const connection = await Connection.connect({ address: server.address, connectTimeout: 5_000 });
    try {
      const info = await connection.withDeadline(Date.now() + 5_000, () =>
        connection.workflowService.getSystemInfo({}),
      );
      assert.ok(info.serverVersion, 'getSystemInfo returned a server version');
      const ns = await connection.withDeadline(Date.now() + 5_000, () =>
        connection.workflowService.describeNamespace({ namespace: 'kefu-test' }),
      );
      assert.equal(ns.namespaceInfo?.name, 'kefu-test');
    } finally {
      await connection.close();
    }

    // A second start on the same port reuses the running server; its stop() leaves it running.
    const reused = await startTemporalDevServer({ port, headless: true, namespace: 'kefu-test', log });
    await reused.stop();
    await checkServices({ dbUrl: DB_URL, redisUrl: REDIS_URL, temporalAddress: server.address });

    await server.stop();
    server = undefined;
    await assert.rejects(
      checkServices({ dbUrl: DB_URL, redisUrl: REDIS_URL, temporalAddress: `127.0.0.1:${port}` }),
      /Temporal is not reachable/,
    );
  });

  void test('refuses a port held by something that is not Temporal', async () => {
    const sockets = new Set<Socket>();
    const http = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {}); // probes hang up abruptly
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    assert.ok(address !== null && typeof address !== 'string');
    try {
      await assert.rejects(
        startTemporalDevServer({ port: address.port, headless: true, namespace: 'default', log: () => {} }),
        /is in use by something that is not a Temporal server/,
      );
    } finally {
      // gRPC's failed HTTP/2 attempts leave half-closed sockets behind; don't wait for them.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
