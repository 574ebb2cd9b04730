/**
 * Rate limits for what anyone on the internet can call: sign-in (failed attempts), workspace sign-up,
 * widget visitor sessions and anonymous self-service. Counted in Redis, so every hub node shares the
 * count; a window opens at a key's first event and lasts its length (not aligned to the clock, so a
 * burst cannot straddle a boundary to get twice the limit). Redis down means no limiting (logged), not an outage of sign-in or the widget.
 *
 * Limits come from KEFU_RATE_LIMITS ("name=count/seconds,…", validated at start-up); `off` disables
 * them all. Keys are the client address (behind a reverse proxy set KEFU_TRUST_PROXY so it is read from
 * X-Forwarded-For) and, for sign-in, the account.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';

export const RATE_LIMIT_NAMES = ['login', 'loginAccount', 'signUp', 'visitorSession', 'selfService'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];
export interface RateLimit { count: number; windowSec: number }

/** Defaults: generous for people, tight for scripts. */
export const DEFAULT_RATE_LIMITS: Record<RateLimitName, RateLimit> = {
  /** Failed sign-ins per client address. */
  login: { count: 100, windowSec: 900 },
  /** Failed sign-ins per client address and account (workspace + e-mail): guessing one password. */
  loginAccount: { count: 10, windowSec: 900 },
  signUp: { count: 20, windowSec: 3600 },
  /** New widget sessions per client address (an office behind one NAT address shares it). */
  visitorSession: { count: 300, windowSec: 60 },
  /** Anonymous self-service reads per client address. */
  selfService: { count: 600, windowSec: 60 },
};

/** Parses KEFU_RATE_LIMITS: '' = defaults, 'off' = none, else "login=20/600,visitorSession=1000/60" over the defaults. */
export const RateLimitsSchema = z.string().default('').transform((s, ctx): Record<RateLimitName, RateLimit> | null => {
  const text = s.trim();
  if (text === 'off') return null;
  const out = { ...DEFAULT_RATE_LIMITS };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)=(\d+)\/(\d+)$/.exec(part);
    const name = m?.[1] as RateLimitName | undefined;
    if (!m || !name || !RATE_LIMIT_NAMES.includes(name) || Number(m[2]) < 1 || Number(m[3]) < 1) {
      ctx.addIssue({ code: 'custom', message: `"${part}": expected name=count/seconds with name one of ${RATE_LIMIT_NAMES.join(', ')}, or "off"` });
      return z.NEVER;
    }
    out[name] = { count: Number(m[2]), windowSec: Number(m[3]) };
  }
  return out;
});

export interface RateVerdict { allowed: boolean; retryAfterSec: number }

/** INCR the window's counter (expiring with the window); ARGV: window ms. Returns {count, ms left}. */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

export class RateLimiter {
  private readonly redis: Redis | null;
  private readonly prefix: string;
  private readonly limits: Record<RateLimitName, RateLimit> | null;
  private readonly warn: (message: string) => void;
  private lastWarnAt = 0;

  constructor(opts: { redisUrl: string; prefix: string; limits: Record<RateLimitName, RateLimit> | null; warn: (message: string) => void }) {
    this.limits = opts.limits;
    this.prefix = `${opts.prefix}:rl`;
    this.warn = opts.warn;
    this.redis = opts.limits ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'kefu-rate-limit', enableOfflineQueue: false }) : null;
    this.redis?.on('error', () => undefined); // reported per call below, throttled
    this.redis?.defineCommand('kefuRateHit', { numberOfKeys: 1, lua: HIT });
  }

  /** Counts one event against `name` for `key`; past the limit the verdict says not allowed and for how long. */
  async hit(name: RateLimitName, key: string): Promise<RateVerdict> {
    const limit = this.limits?.[name];
    if (!limit || !this.redis) return { allowed: true, retryAfterSec: 0 };
    const windowMs = limit.windowSec * 1000;
    try {
      const [count, ttl] = (await (this.redis as unknown as { kefuRateHit: (...a: (string | number)[]) => Promise<[number, number]> })
        .kefuRateHit(`${this.prefix}:${name}:${key}`, windowMs));
      return count > limit.count ? { allowed: false, retryAfterSec: Math.max(1, Math.ceil(ttl / 1000)) } : { allowed: true, retryAfterSec: 0 };
    } catch (err) {
      if (Date.now() - this.lastWarnAt > 60_000) {
        this.lastWarnAt = Date.now();
        this.warn(`rate limits not enforced (Redis unavailable): ${(err as Error).message}`);
      }
      return { allowed: true, retryAfterSec: 0 };
    }
  }

  /** Whether `name` for `key` is already past its limit, without counting (e.g. before checking a password). */
  async exceeded(name: RateLimitName, key: string): Promise<RateVerdict> {
    const limit = this.limits?.[name];
    if (!limit || !this.redis) return { allowed: true, retryAfterSec: 0 };
    const k = `${this.prefix}:${name}:${key}`;
    try {
      const [count, ttl] = await Promise.all([this.redis.get(k), this.redis.pttl(k)]);
      return Number(count ?? 0) >= limit.count ? { allowed: false, retryAfterSec: Math.max(1, Math.ceil(ttl / 1000)) } : { allowed: true, retryAfterSec: 0 };
    } catch {
      return { allowed: true, retryAfterSec: 0 };
    }
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => undefined);
  }
}
