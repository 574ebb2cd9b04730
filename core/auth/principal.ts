import type { MikroORM } from '@mikro-orm/mysql';
import type { Principal } from '@kefu-hub/plugin-sdk';
import { NO_TENANT_FILTER, systemEm } from '../db/orm.ts';
import { ApiKey, Channel, User, VisitorSession } from '../db/entities/index.ts';
import { RefreshingCache } from '../routing/refreshing-cache.ts';
import { parseApiKey, safeEqualHex, sha256 } from './secrets.ts';
import type { JwtService } from './jwt.ts';

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** Reads a bearer credential from an Authorization header or the `kefu_session` cookie. */
export function credentialFrom(headers: { authorization?: string | null; cookie?: string | null }): string | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  const cookie = headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith('kefu_session='));
  return cookie ? decodeURIComponent(cookie.slice('kefu_session='.length)) : null;
}

export class InvalidCredentialError extends Error {}

/**
 * Whether a channel is enabled, read on every visitor request: cached per node (fresh 5 s, at most 15 s
 * old). `channelChanged` after an update on this node makes a disabled channel's tokens stop at once.
 */
const channelEnabled = new RefreshingCache<boolean>({ freshMs: 5_000, maxStaleMs: 15_000, onRefreshError: () => undefined });
export function channelChanged(channelId: string): void {
  channelEnabled.invalidate((key) => key === channelId);
}

/**
 * Turns a credential into a principal. Users: JWT whose tokenVersion still matches the row (so a
 * password or role change revokes it). API keys: prefix lookup + constant-time hash compare.
 * Visitors: token hash lookup, unexpired and unrevoked. Anything else is an invalid credential.
 */
export async function resolvePrincipal(orm: MikroORM, jwt: JwtService, credential: string | null): Promise<Principal> {
  if (!credential) return ANONYMOUS;
  const em = systemEm(orm);
  if (credential.startsWith('kh_')) {
    const parsed = parseApiKey(credential);
    if (!parsed) throw new InvalidCredentialError('malformed API key');
    const key = await em.findOne(ApiKey, { prefix: parsed.prefix }, NO_TENANT_FILTER);
    if (!key || key.revokedAt || !safeEqualHex(key.secretHash, sha256(parsed.secret))) throw new InvalidCredentialError('invalid API key');
    // Last-used is informational; a lost update is harmless, so no transaction.
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
      await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date() }, NO_TENANT_FILTER);
    }
    return { kind: 'apiKey', workspaceId: key.workspaceId, apiKeyId: key.id, scopes: key.scopes };
  }
  if (credential.startsWith('vt_')) {
    const session = await em.findOne(VisitorSession, { tokenHash: sha256(credential) }, NO_TENANT_FILTER);
    if (!session || session.revokedAt || session.expiresAt.getTime() < Date.now()) throw new InvalidCredentialError('invalid or expired visitor token');
    // A disabled (or deleted) channel takes its visitors' tokens with it.
    const enabled = await channelEnabled.get(session.channelId, async () =>
      (await em.findOne(Channel, { id: session.channelId }, { ...NO_TENANT_FILTER, fields: ['enabled'] }))?.enabled ?? false);
    if (!enabled) throw new InvalidCredentialError('the channel of this visitor token is disabled');
    return { kind: 'visitor', workspaceId: session.workspaceId, channelId: session.channelId, customerId: session.customerId, sessionId: session.id };
  }
  const claims = await jwt.verify(credential);
  if (!claims) throw new InvalidCredentialError('invalid or expired token');
  const user = await em.findOne(User, { id: claims.sub, workspaceId: claims.ws }, NO_TENANT_FILTER);
  if (!user || user.disabled || user.tokenVersion !== claims.tv) throw new InvalidCredentialError('token revoked');
  return { kind: 'user', workspaceId: user.workspaceId, userId: user.id, roles: user.roles };
}
