import type { EntityManager } from '@mikro-orm/mysql';
import type { Principal, Role, ApiScope } from '@kefu-hub/plugin-sdk';
import type { HubServices } from '../hub-services.ts';
import type { Loaders } from './loaders.ts';
import { rateLimited, unauthenticated } from './errors.ts';
import type { RateLimitName } from '../http/rate-limit.ts';

export interface HubGraphQLContext {
  principal: Principal;
  /** Forked per request; bound to the principal's workspace (fail-closed when anonymous). */
  em: EntityManager;
  loaders: Loaders;
  hub: HubServices;
  /** The caller's address (X-Forwarded-For's first entry with KEFU_TRUST_PROXY): the key of rate limits. */
  clientIp: string;
}

export type HubSchemaTypes = {
  Context: HubGraphQLContext;
  AuthScopes: {
    /** Any signed-in user of the workspace. */
    user: boolean;
    /** A user holding the role (admins hold every role). */
    role: Role;
    /** An API key carrying the scope. */
    apiScope: ApiScope;
    /** A widget visitor token. */
    visitor: boolean;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
};

/** Counts one event against a rate limit (keyed by the caller's address unless given); past it, RATE_LIMITED. */
export async function limitRate(ctx: HubGraphQLContext, name: RateLimitName, key = ctx.clientIp): Promise<void> {
  const v = await ctx.hub.rateLimiter.hit(name, key);
  if (!v.allowed) throw rateLimited(v.retryAfterSec);
}

/** The workspace the caller acts in; every resolver derives scope from here, never from arguments. */
export function workspaceOf(ctx: HubGraphQLContext): string {
  if (ctx.principal.kind === 'anonymous') throw unauthenticated();
  return ctx.principal.workspaceId;
}

export function actorOf(ctx: HubGraphQLContext): { actorType: string; actorId: string | null } {
  const p = ctx.principal;
  switch (p.kind) {
    case 'user': return { actorType: 'user', actorId: p.userId };
    case 'apiKey': return { actorType: 'apiKey', actorId: p.apiKeyId };
    case 'visitor': return { actorType: 'visitor', actorId: p.customerId };
    default: return { actorType: 'anonymous', actorId: null };
  }
}
