import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Start-up checks for the services the hub needs. Each failure becomes one line telling the
 * operator what is missing and how to start it, instead of a stack trace from deep inside a driver.
 */

const DEFAULT_TIMEOUT_MS = 3_000;

const DEFAULT_PORTS: Record<string, number> = {
  'mysql:': 3306,
  'mariadb:': 3306,
  'redis:': 6379,
  'rediss:': 6379,
  'nats:': 4222,
  'tls:': 4222,
};

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  /** One entry per unavailable service (the message joins them with newlines). */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export interface ServiceAddresses {
  /** `mysql://user:pass@host:port/db` */
  dbUrl: string;
  /** `redis://[:pass@]host:port/db` (or `rediss://`) */
  redisUrl: string;
  /** Temporal frontend `host:port`; checked only when given. */
  temporalAddress?: string;
  /** NATS transporter URL; checked only when given and it is a `nats://` URL. */
  natsUrl?: string;
}

interface HostPort {
  host: string;
  port: number;
}

function hostPort(address: string, defaultPort = 7233): HostPort {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    const url = new URL(address);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    const port = url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? defaultPort);
    return { host, port };
  }
  // Bare `host:port` (Temporal style), `[v6]:port`, or just `host`.
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!m) return { host: address, port: defaultPort };
  return { host: m[1] ?? address, port: m[2] ? Number(m[2]) : defaultPort };
}

/** `host:port` of a service URL or address, without credentials (for messages and logs). */
export function describeAddress(url: string): string {
  try {
    const { host, port } = hostPort(url);
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Why a probe failed, short: an errno code (`ECONNREFUSED`) or a few words. */
class ProbeFailure extends Error {
  /** `unreachable`: nothing usable answers; `rejected`: it answers but refuses us (auth etc.). */
  readonly kind: 'unreachable' | 'rejected';

  constructor(kind: 'unreachable' | 'rejected', reason: string) {
    super(reason);
    this.kind = kind;
  }
}

function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return msg.split('\n')[0]!.slice(0, 200);
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new ProbeFailure('unreachable', `no answer within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a TCP (or TLS) connection; rejects with a ProbeFailure carrying the errno code. */
function openSocket(host: string, port: number, timeoutMs: number, tls = false): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({ host, port, servername: host }, () => done())
      : netConnect({ host, port }, () => done());
    const timer = setTimeout(() => fail(new ProbeFailure('unreachable', `no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    function done() {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    }
    function fail(err: unknown) {
      clearTimeout(timer);
      socket.destroy();
      reject(err instanceof ProbeFailure ? err : new ProbeFailure('unreachable', reasonOf(err)));
    }
    socket.once('error', fail);
  });
}

/** True when something accepts TCP connections at host:port. */
export async function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  try {
    const socket = await openSocket(host, port, timeoutMs);
    socket.destroy();
    return true;
  } catch {
    return false;
  }
}

/** Reads CRLF-terminated lines from a socket. */
function lineReader(socket: Socket): () => Promise<string> {
  let buffer = '';
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: unknown) => void }> = [];
  let failure: unknown;
  const flush = () => {
    let i: number;
    while (waiting.length > 0 && (i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i).replace(/\r$/, '');
      buffer = buffer.slice(i + 1);
      waiting.shift()!.resolve(line);
    }
    if (failure !== undefined) for (const w of waiting.splice(0)) w.reject(failure);
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > 64 * 1024) buffer = buffer.slice(-64 * 1024);
    flush();
  });
  socket.on('error', (err) => {
    failure ??= new ProbeFailure('unreachable', reasonOf(err));
    flush();
  });
  socket.on('close', () => {
    failure ??= new ProbeFailure('unreachable', 'connection closed by the server');
    flush();
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ resolve, reject });
      flush();
    });
}

async function probeMysql(dbUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL(dbUrl);
  const { host, port } = hostPort(dbUrl);
  const mysql = await import('mysql2/promise');
  let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
  let timedOut = false;
  try {
    // No `database`: it may not exist yet (migrations create it); we only prove we can log in.
    const connecting = mysql.createConnection({
      host,
      port,
      user: decodeURIComponent(url.username) || 'root',
      password: decodeURIComponent(url.password) || undefined,
      connectTimeout: timeoutMs,
    });
    conn = await withTimeout(connecting, timeoutMs, () => {
      timedOut = true;
      void connecting.then((c) => c.destroy(), () => {});
    });
    await conn.end();
  } catch (err) {
    conn?.destroy();
    if (err instanceof ProbeFailure || timedOut) throw err;
    const e = err as { code?: string; errno?: number; sqlMessage?: string; message?: string };
    if (e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR' || e.errno === 1045) {
      throw new ProbeFailure('rejected', `access denied for ${decodeURIComponent(url.username) || 'root'}`);
    }
    if (e.code === 'ER_HOST_NOT_PRIVILEGED' || e.errno === 1130) {
      throw new ProbeFailure('rejected', 'this host is not allowed to connect');
    }
    if (typeof e.code === 'string' && e.code.startsWith('ER_')) {
      throw new ProbeFailure('rejected', (e.sqlMessage ?? e.message ?? e.code).split('\n')[0]!);
    }
    throw new ProbeFailure('unreachable', reasonOf(err));
  }
}

function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

async function probeRedis(redisUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL(redisUrl);
  const { host, port } = hostPort(redisUrl);
  const socket = await openSocket(host, port, timeoutMs, url.protocol === 'rediss:');
  try {
    const readLine = lineReader(socket);
    await withTimeout(
      (async () => {
        const password = decodeURIComponent(url.password);
        const username = decodeURIComponent(url.username);
        if (password) {
          socket.write(username ? respCommand('AUTH', username, password) : respCommand('AUTH', password));
          const reply = await readLine();
          if (!reply.startsWith('+OK')) {
            throw new ProbeFailure('rejected', `AUTH failed: ${reply.replace(/^-/, '').slice(0, 120)}`);
          }
        }
        socket.write(respCommand('PING'));
        const reply = await readLine();
        if (reply === '+PONG') return;
        if (/^-(NOAUTH|WRONGPASS)/.test(reply)) {
          throw new ProbeFailure('rejected', reply.replace(/^-/, '').slice(0, 120));
        }
        throw new ProbeFailure('unreachable', `answered ${JSON.stringify(reply.slice(0, 40))} instead of PONG; not Redis?`);
      })(),
      timeoutMs,
    );
  } finally {
    socket.destroy();
  }
}

async function probeNats(natsUrl: string, timeoutMs: number): Promise<void> {
  const { host, port } = hostPort(natsUrl);
  const socket = await openSocket(host, port, timeoutMs);
  try {
    const readLine = lineReader(socket);
    const line = await withTimeout(readLine(), timeoutMs);
    if (!line.startsWith('INFO ')) {
      throw new ProbeFailure('unreachable', `answered ${JSON.stringify(line.slice(0, 40))} instead of INFO; not NATS?`);
    }
  } finally {
    socket.destroy();
  }
}

/**
 * Connects with `@temporalio/client` and calls `WorkflowService.getSystemInfo`, all within
 * `timeoutMs`. Resolves when a Temporal frontend answers; rejects otherwise.
 */
export async function probeTemporal(address: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const deadline = Date.now() + timeoutMs;
  // `lazy` + `ensureConnected` rather than `connect`: when connecting fails, `connect` leaves its
  // gRPC channel open (reconnecting in the background), while here `close()` always runs.
  const connection = Connection.lazy({ address, connectTimeout: timeoutMs });
  try {
    await connection.ensureConnected();
    await connection.withDeadline(deadline, () => connection.workflowService.getSystemInfo({}));
  } finally {
    await connection.close().catch(() => {});
  }
}

async function probeTemporalService(address: string, timeoutMs: number): Promise<void> {
  const { host, port } = hostPort(address);
  const started = Date.now();
  // A plain TCP connect first gives a short, precise reason (ECONNREFUSED) when nothing listens.
  (await openSocket(host, port, timeoutMs)).destroy();
  try {
    await probeTemporal(address, Math.max(500, timeoutMs - (Date.now() - started)));
  } catch (err) {
    throw new ProbeFailure('unreachable', `port open but no Temporal frontend answered: ${reasonOf(err)}`);
  }
}

interface ServiceCheck {
  name: string;
  address: string;
  probe: () => Promise<void>;
  /** What to run, or which setting to change; appended after "Start it: ". */
  start: string;
  /** Advice when the service answers but refuses us. */
  fixRejected: string;
}

/**
 * Checks, concurrently and within 3 s each, that every given service answers. Throws a
 * {@link ServiceUnavailableError} with one line per missing service.
 */
export async function checkServices(services: ServiceAddresses, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const checks: ServiceCheck[] = [];
  const db = hostPort(services.dbUrl);
  checks.push({
    name: 'MariaDB/MySQL',
    address: describeAddress(services.dbUrl),
    probe: () => probeMysql(services.dbUrl, timeoutMs),
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd  (or: systemctl start mariadb), ' +
      'or set KEFU_DB_URL.',
    fixRejected: `Fix the user/password in KEFU_DB_URL or grant that user access on ${db.host}.`,
  });
  const redis = hostPort(services.redisUrl);
  checks.push({
    name: 'Redis',
    address: describeAddress(services.redisUrl),
    probe: () => probeRedis(services.redisUrl, timeoutMs),
    start: `redis-server --daemonize yes --bind 127.0.0.1 --port ${redis.port} --save "" --appendonly no, or set KEFU_REDIS_URL.`,
    fixRejected: 'Put the right password in KEFU_REDIS_URL (redis://:password@host:port/0).',
  });
  if (services.natsUrl && /^nats:\/\//i.test(services.natsUrl.trim())) {
    const natsUrl = services.natsUrl.trim().split(',')[0]!;
    const nats = hostPort(natsUrl);
    checks.push({
      name: 'NATS',
      address: describeAddress(natsUrl),
      probe: () => probeNats(natsUrl, timeoutMs),
      start:
        `start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p ${nats.port} -js, ` +
        'or unset KEFU_TRANSPORTER.',
      fixRejected: 'Check KEFU_TRANSPORTER.',
    });
  }
  if (services.temporalAddress) {
    const temporalAddress = services.temporalAddress;
    checks.push({
      name: 'Temporal',
      address: describeAddress(temporalAddress),
      probe: () => probeTemporalService(temporalAddress, timeoutMs),
      start: 'temporal server start-dev, or unset KEFU_TEMPORAL_ADDRESS so the hub starts its own dev server.',
      fixRejected: 'Check KEFU_TEMPORAL_ADDRESS.',
    });
  }

  const results = await Promise.all(
    checks.map(async (check): Promise<string | null> => {
      try {
        // The outer timeout also covers DNS and driver set-up.
        await withTimeout(check.probe(), timeoutMs + 500);
        return null;
      } catch (err) {
        const failure = err instanceof ProbeFailure ? err : new ProbeFailure('unreachable', reasonOf(err));
        return failure.kind === 'rejected'
          ? `${check.name} at ${check.address} refused the connection (${failure.message}). ${check.fixRejected}`
          : `${check.name} is not reachable at ${check.address} (${failure.message}). Start it: ${check.start}`;
      }
    }),
  );
  const problems = results.filter((line): line is string => line !== null);
  if (problems.length > 0) throw new ServiceUnavailableError(problems);
}
