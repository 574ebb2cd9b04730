import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with OWASP's second recommended profile (19 MiB, 2 passes). */
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON);
export const verifyPassword = async (stored: string, password: string) => {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
};

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** API key: `kh_<prefix>_<secret>`; prefix (10 chars) is the lookup key, secret has 256 bits. */
export function newApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 10);
  const secret = randomToken(32);
  return { key: `kh_${prefix}_${secret}`, prefix, secretHash: sha256(secret) };
}

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const m = /^kh_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{43})$/.exec(key);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

/** Visitor token: `vt_<256 random bits>`; only its hash is stored. */
export function newVisitorToken(): { token: string; tokenHash: string } {
  const token = `vt_${randomToken(32)}`;
  return { token, tokenHash: sha256(token) };
}
