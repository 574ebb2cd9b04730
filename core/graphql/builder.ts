// The Pothos builder. Defines no types itself: scalars and domain types live in ./types/.
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { ApiScope } from '@kefu-hub/plugin-sdk';
import type { HubGraphQLContext, HubSchemaTypes } from './context.ts';
import { forbidden, unauthenticated } from './errors.ts';

export function createBuilder() {
  const builder = new SchemaBuilder<HubSchemaTypes>({
    plugins: [ScopeAuthPlugin],
    defaultFieldNullability: false,
    // Arguments are required unless marked `required: false`.
    defaultInputFieldRequiredness: true,
    scopeAuth: {
      authorizeOnSubscribe: true,
      // Deny on any scope-check error: auth must fail closed.
      treatErrorsAsUnauthorized: true,
      unauthorizedError: (_parent, context: HubGraphQLContext) =>
        context.principal.kind === 'anonymous' ? unauthenticated() : forbidden('your role or API-key scopes do not allow this'),
      authScopes: (ctx: HubGraphQLContext) => {
        const p = ctx.principal;
        return {
          user: p.kind === 'user',
          role: (role) => p.kind === 'user' && (p.roles.includes('admin') || p.roles.includes(role)),
          // A `:write` scope implies its `:read`: a key that may write an object may read the result back.
          apiScope: (scope) => p.kind === 'apiKey' && (p.scopes.includes(scope) || (scope.endsWith(':read') && p.scopes.includes(scope.replace(/:read$/, ':write') as ApiScope))),
          visitor: p.kind === 'visitor',
        };
      },
    },
  });
  builder.queryType({});
  builder.mutationType({});
  builder.subscriptionType({});
  return builder;
}

export type HubBuilder = ReturnType<typeof createBuilder>;

/** Common scope maps, so every field states who may use it in one word. */
export const can = {
  adminRead: { $any: { role: 'admin', apiScope: 'admin:read' } },
  adminWrite: { $any: { role: 'admin', apiScope: 'admin:write' } },
  /** Directory data (people, groups, channels) that supervisors and agents also need to read. */
  directoryRead: { $any: { role: 'supervisor', apiScope: 'admin:read', user: true } },
  pluginsRead: { $any: { role: 'admin', apiScope: 'plugins:read' } },
  pluginsWrite: { $any: { role: 'admin', apiScope: 'plugins:write' } },
  /** The knowledge base: agents, supervisors and operators read it (nested $any: one key per role). */
  knowledgeRead: { $any: { role: 'agent', apiScope: 'admin:read', $any: { role: 'operator', $any: { role: 'supervisor' } } } },
  /** Maintaining the knowledge base (operators; admins hold every role). */
  knowledgeWrite: { $any: { role: 'operator', apiScope: 'admin:write' } },
  /** Conversations and what hangs off them: agents, and supervisors (limited to their departments, core/auth/department-scope.ts). */
  conversationsRead: { $any: { role: 'agent', apiScope: 'conversations:read', $any: { role: 'supervisor' } } },
  /** Statistics: supervisors, and operators for the bot's figures. */
  statsRead: { $any: { role: 'supervisor', apiScope: 'admin:read', $any: { role: 'operator' } } },
  signedIn: { $any: { user: true } },
  visitor: { visitor: true },
} as const;
