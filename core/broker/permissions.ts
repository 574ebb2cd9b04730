import { Errors, type Middleware, type Context } from 'moleculer';
import type { Principal } from '@kefu-hub/plugin-sdk';

/**
 * Actions declare `permissions: [...]`: roles (`admin`, `agent`, …), API scopes (`admin:read`, …),
 * `visitor`, or `plugin` (calls a plugin makes on behalf of its workspace). The caller's principal
 * travels in `ctx.meta.principal`; an action without `permissions` is internal (no principal needed).
 */
export interface HubMeta {
  principal?: Principal | { kind: 'plugin'; plugin: string; workspaceId: string };
  workspaceId?: string;
}

export function allowed(principal: HubMeta['principal'], permissions: string[]): boolean {
  if (!principal) return false;
  switch (principal.kind) {
    case 'user':
      return principal.roles.includes('admin') || principal.roles.some((r) => permissions.includes(r));
    case 'apiKey':
      return principal.scopes.some((s) => permissions.includes(s));
    case 'visitor':
      return permissions.includes('visitor');
    case 'plugin':
      return permissions.includes('plugin');
    default:
      return false;
  }
}

export const permissionsMiddleware: Middleware = {
  name: 'KefuPermissions',
  localAction(handler, action) {
    const permissions = (action as { permissions?: string[] }).permissions;
    if (!permissions || permissions.length === 0) return handler;
    return function checkPermissions(this: unknown, ctx: Context<unknown, HubMeta>) {
      if (!allowed(ctx.meta.principal, permissions)) {
        // Reject, never throw: the broker chains `.catch` on what this returns, so a synchronous throw
        // would escape a local `broker.call(...)` as an exception instead of a rejected promise.
        return Promise.reject(new Errors.MoleculerClientError(`not allowed to call ${action.name ?? 'action'}`, 403, 'FORBIDDEN'));
      }
      return handler.call(this as never, ctx as never);
    } as typeof handler;
  },
};
