import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import type { HubServices } from '../hub-services.ts';
import { credentialFrom, resolvePrincipal, InvalidCredentialError, ANONYMOUS } from '../auth/principal.ts';
import { systemEm, workspaceEm } from '../db/orm.ts';
import { createLoaders } from './loaders.ts';
import type { HubGraphQLContext } from './context.ts';
import { HubError } from './errors.ts';
import type { Principal } from '@kefu-hub/plugin-sdk';

/** Builds a request context: principal from the credential, a forked EM bound to its workspace, fresh loaders. */
export async function buildContext(hub: HubServices, headers: { authorization?: string | null; cookie?: string | null }): Promise<HubGraphQLContext> {
  let principal: Principal;
  try {
    principal = await resolvePrincipal(hub.orm, hub.jwt, credentialFrom(headers));
  } catch (err) {
    if (err instanceof InvalidCredentialError) throw new HubError('UNAUTHENTICATED', err.message);
    throw err;
  }
  const em = principal.kind === 'anonymous' ? systemEm(hub.orm) : workspaceEm(hub.orm, principal.workspaceId);
  return { principal: principal ?? ANONYMOUS, em, loaders: createLoaders(em), hub };
}

/**
 * Depth, alias and cost limits run as validation rules, so an over-limit operation is refused before
 * any resolver runs. Their errors are re-coded QUERY_TOO_COMPLEX.
 */
export function limitPlugins(hub: HubServices) {
  const onReject = [] as never[];
  return [
    maxDepthPlugin({ n: hub.config.KEFU_GRAPHQL_MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true, onReject, propagateOnRejection: true }),
    maxAliasesPlugin({ n: hub.config.KEFU_GRAPHQL_MAX_ALIASES, onReject, propagateOnRejection: true }),
    costLimitPlugin({ maxCost: hub.config.KEFU_GRAPHQL_MAX_COST, ignoreIntrospection: true, onReject, propagateOnRejection: true }),
    {
      onValidate() {
        return ({ result, setResult }: { result: readonly { message: string; extensions?: Record<string, unknown> }[]; setResult: (errors: HubError[]) => void }) => {
          if (result.some((e) => /^Syntax Error|Query depth limit|Aliases limit|Query Cost limit/i.test(e.message))) {
            setResult(result.map((e) => (/depth limit|Aliases limit|Cost limit/i.test(e.message) ? new HubError('QUERY_TOO_COMPLEX', e.message) : (e as HubError))));
          }
        };
      },
    },
  ];
}

export function createHubYoga(hub: HubServices, schema: GraphQLSchema): YogaServerInstance<Record<string, unknown>, HubGraphQLContext> {
  return createYoga<Record<string, unknown>, HubGraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Kefu Hub GraphQL', subscriptionsProtocol: 'WS' },
    landingPage: false,
    maskedErrors: true,
    logging: false,
    plugins: limitPlugins(hub) as never[],
    context: async ({ request }) =>
      buildContext(hub, { authorization: request.headers.get('authorization'), cookie: request.headers.get('cookie') }),
  });
}
