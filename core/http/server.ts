import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import express from 'express';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { GraphQLSchema } from 'graphql';
import type { HubServices } from '../hub-services.ts';
import { buildContext, clientAddress, createHubYoga } from '../graphql/yoga.ts';
import { credentialFrom, resolvePrincipal } from '../auth/principal.ts';
import { health } from './health.ts';

export interface HttpServer { server: Server; port: number; close(): Promise<void> }

/** One HTTP server: GraphQL (HTTP, SSE, graphql-ws), bull-board for admins, /healthz, the admin UI. */
export async function startHttpServer(hub: HubServices, schema: GraphQLSchema, host: string, port: number, adminUiDist: string): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  const yoga = createHubYoga(hub, schema);

  app.get('/healthz', async (_req, res) => {
    const report = await health(hub);
    res.status(report.ok ? 200 : 503).json(report);
  });

  // bull-board: admins only (bearer token or the kefu_session cookie set by POST /auth/session).
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: hub.queues.all.map((q) => new BullMQAdapter(q)), serverAdapter: board });
  app.use('/admin/queues', async (req, res, next) => {
    try {
      const p = await resolvePrincipal(hub.orm, hub.jwt, credentialFrom({ authorization: req.headers.authorization, cookie: req.headers.cookie }));
      if (p.kind === 'anonymous') return void res.status(401).type('text').send('sign in as an admin: POST /auth/session with a token, or send Authorization: Bearer <token>\n');
      if (p.kind !== 'user' || !p.roles.includes('admin')) return void res.status(403).type('text').send('admins only\n');
      next();
    } catch {
      res.status(401).type('text').send('invalid or expired token\n');
    }
  }, board.getRouter());

  // Exchanges a bearer token for an httpOnly session cookie (for browser pages such as bull-board).
  app.post('/auth/session', express.urlencoded({ extended: false }), express.json(), async (req, res) => {
    const token = String((req.body as { token?: string })?.token ?? '');
    try {
      const p = await resolvePrincipal(hub.orm, hub.jwt, token || null);
      if (p.kind !== 'user') return void res.status(401).json({ error: 'a user token is required' });
      res.cookie('kefu_session', token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' }).json({ ok: true });
    } catch {
      res.status(401).json({ error: 'invalid or expired token' });
    }
  });

  // Signs the browser out of cookie-authenticated pages (the admin UI calls it on logout).
  app.delete('/auth/session', (_req, res) => { res.clearCookie('kefu_session', { path: '/' }).json({ ok: true }); });

  // Plugin HTTP routes under /plugins/<name>/… (channel webhooks, widget assets). A throwing handler is a 500
  // for that request and a recorded error, never a crash.
  for (const { def } of hub.registry.definitions()) {
    for (const route of def.http ?? []) {
      const path = `/plugins/${def.name}${route.path}`;
      const handle = async (req: express.Request, res: express.Response) => {
        try {
          const out = await route.handler(
            {
              method: req.method, path: req.path,
              query: Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string')),
              headers: req.headers as Record<string, string | undefined>,
              body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            },
            {
              publicUrl: hub.config.KEFU_PUBLIC_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
              call: (action, params) => hub.broker.call(action, params ?? {}, { meta: { principal: { kind: 'plugin', plugin: def.name, workspaceId: '' } } }),
            },
          );
          res.status(out.status ?? 200);
          for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
          if (out.body === undefined) res.end();
          else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) res.send(out.body);
          else res.json(out.body);
        } catch (err) {
          hub.registry.logger(def.name).error('http route failed', { path, error: String(err) });
          res.status(500).json({ error: 'plugin route failed' });
        }
      };
      if (route.method === 'GET') app.get(path, handle);
      else app.post(path, express.raw({ type: () => true, limit: '2mb' }), handle);
    }
  }

  if (existsSync(adminUiDist)) {
    // The build writes a .gz beside each asset: send it to browsers that accept gzip.
    app.get(/^\/admin\/assets\/[\w.-]+\.(js|css)$/, (req, res, next) => {
      const file = join(adminUiDist, req.path.slice('/admin/'.length));
      if (!/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) || !existsSync(`${file}.gz`)) return next();
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('vary', 'Accept-Encoding');
      res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      res.type(file.endsWith('.js') ? 'text/javascript' : 'text/css').sendFile(`${file}.gz`);
    });
    // Hashed assets are immutable; index.html is always revalidated so a new build is picked up.
    app.use('/admin', express.static(adminUiDist, {
      index: 'index.html', fallthrough: true,
      setHeaders: (res, path) => res.setHeader('cache-control', path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    }));
    // Client-side routes (/admin/workbench, /admin/flows, …) get the app's index.html.
    app.get(/^\/admin(\/(?!queues(\/|$)|assets\/)[^.]*)?$/, (_req, res) => res.setHeader('cache-control', 'no-cache').sendFile(join(adminUiDist, 'index.html')));
  }
  app.get('/', (_req, res) => res.type('html').send(
    '<!doctype html><meta charset="utf-8"><title>Kefu Hub</title><h1>Kefu Hub</h1><ul>' +
    (existsSync(adminUiDist) ? '<li><a href="/admin/">Admin UI and agent workbench</a></li>' : '') + '<li><a href="/graphql">GraphQL (GraphiQL)</a></li><li><a href="/admin/queues">Queues (bull-board, admins)</a></li><li><a href="/healthz">Health</a></li></ul>',
  ));

  app.use('/graphql', yoga as unknown as express.RequestHandler);

  const server = createServer(app);
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const { execute, subscribe, schema: envelopedSchema } = yoga.getEnveloped({});
  const wsServer = useServer(
    {
      schema: envelopedSchema,
      execute: (args: any) => execute(args),
      subscribe: (args: any) => subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, connectionParams: ctx.connectionParams });
        const args = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document: enveloped.parse(payload.query),
          variableValues: payload.variables,
          contextValue: {} as unknown,
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        const params = ctx.connectionParams as { authorization?: string; token?: string } | undefined;
        const authorization = params?.authorization ?? (params?.token ? `Bearer ${params.token}` : ctx.extra.request.headers.authorization);
        try {
          const fwd = ctx.extra.request.headers['x-forwarded-for'];
          args.contextValue = await buildContext(hub, { authorization, cookie: ctx.extra.request.headers.cookie },
            clientAddress(hub.config.KEFU_TRUST_PROXY, Array.isArray(fwd) ? fwd[0] : fwd, ctx.extra.request.socket.remoteAddress));
        } catch (err) {
          return [err as never];
        }
        return args;
      },
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    server,
    port: actualPort,
    async close() {
      await wsServer.dispose();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
