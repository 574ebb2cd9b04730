import { z } from 'zod';
import { RateLimitsSchema } from './http/rate-limit.ts';

/**
 * Hub configuration, read once from the environment and validated at start-up.
 * Defaults fit one machine; production overrides addresses and secrets.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ConfigSchema = z.object({
  KEFU_HTTP_HOST: z.string().default('0.0.0.0'),
  KEFU_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  KEFU_PUBLIC_URL: z.url().optional(),
  KEFU_DB_URL: z.url().default('mysql://root@127.0.0.1:3306/kefu_hub'),
  KEFU_REDIS_URL: z.url().default('redis://127.0.0.1:6379/0'),
  /** Temporal frontend address; when unset, `npm start` runs a local dev server. */
  KEFU_TEMPORAL_ADDRESS: z.string().optional(),
  KEFU_TEMPORAL_NAMESPACE: z.string().default('default'),
  KEFU_TEMPORAL_TASK_QUEUE: z.string().default('kefu-hub'),
  /** Moleculer transporter, e.g. `nats://127.0.0.1:4222`. Unset = single-process broker. */
  KEFU_TRANSPORTER: z.string().optional(),
  /** Moleculer namespace: nodes only see nodes of the same namespace. */
  KEFU_NAMESPACE: z.string().default('kefu'),
  KEFU_NODE_ID: z.string().optional(),
  /** HS256 secret for user tokens, ≥ 32 chars. Unset = generated once and kept in the database. */
  KEFU_JWT_SECRET: z.string().min(32).optional(),
  KEFU_JWT_TTL_SECONDS: z.coerce.number().int().positive().default(12 * 3600),
  /** Extra plugins from npm, comma separated package names (the `plugins/` folder is always scanned). */
  KEFU_PLUGINS: z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  KEFU_PLUGINS_DIR: z.string().optional(),
  /** Lets anyone create a workspace with `signUpWorkspace` (off for closed deployments). */
  KEFU_ALLOW_SIGNUP: bool.default(true),
  KEFU_GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  KEFU_GRAPHQL_MAX_ALIASES: z.coerce.number().int().positive().default(15),
  KEFU_GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(5000),
  KEFU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  KEFU_RUN_WORKER: bool.default(true),
  KEFU_SEED_ADMIN_EMAIL: z.email().default('admin@demo.kefu.local'),
  KEFU_SEED_ADMIN_PASSWORD: z.string().min(8).default('kefu-demo-2026'),
  /** Rate limits of the public entry points (core/http/rate-limit.ts): "name=count/seconds,…" over the defaults, or "off". */
  KEFU_RATE_LIMITS: RateLimitsSchema,
  /** Behind a reverse proxy: the client address is the first X-Forwarded-For entry (else the socket's). */
  KEFU_TRUST_PROXY: bool.default(false),
});

export type HubConfig = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function publicUrl(config: HubConfig, port: number): string {
  return config.KEFU_PUBLIC_URL ?? `http://localhost:${port}`;
}
