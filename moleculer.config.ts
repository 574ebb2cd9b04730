/**
 * Moleculer broker options for a hub node. One process = one node; without a transporter the broker
 * is local, with `KEFU_TRANSPORTER=nats://…` nodes of the same namespace form one service mesh.
 */
import { hostname } from 'node:os';
import type { BrokerOptions } from 'moleculer';
import type { HubConfig } from './core/config.ts';
import { permissionsMiddleware } from './core/broker/permissions.ts';

export default function brokerOptions(config: HubConfig): BrokerOptions {
  return {
    namespace: config.KEFU_NAMESPACE,
    nodeID: config.KEFU_NODE_ID ?? `${hostname()}-${process.pid}`,
    transporter: (config.KEFU_TRANSPORTER ?? null) as BrokerOptions['transporter'],
    logger: { type: 'Console', options: { level: config.KEFU_LOG_LEVEL, formatter: 'short', colors: false } },
    logLevel: config.KEFU_LOG_LEVEL,
    requestTimeout: 10_000,
    heartbeatInterval: 2,
    heartbeatTimeout: 6,
    retryPolicy: { enabled: false },
    serializer: 'JSON',
    middlewares: [permissionsMiddleware],
    // The hub process owns SIGINT/SIGTERM handling and shuts the broker down in order.
    skipProcessEventRegistration: true,
    metrics: false,
    tracing: false,
  };
}
