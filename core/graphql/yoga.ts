import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { ASTVisitor, ValidationContext, ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import type { HubServices } from '../hub-services.ts';
import { credentialFrom, resolvePrincipal, InvalidCredentialError, ANONYMOUS } from '../auth/principal.ts';
import { systemEm, workspaceEm } from '../db/orm.ts';
import { createLoaders } from './loaders.ts';
import type { HubGraphQLContext } from './context.ts';
import { ERROR_CODES, HubError } from './errors.ts';
import type { Principal } from '@kefu-hub/plugin-sdk';

/** The client's address: the first X-Forwarded-For entry when a trusted proxy sets it, else the socket's. */
export function clientAddress(trustProxy: boolean, forwardedFor: string | null | undefined, socketAddress: string | undefined): string {
  const forwarded = trustProxy ? forwardedFor?.split(',')[0]?.trim() : undefined;
  return (forwarded || socketAddress || 'unknown').replace(/^::ffff:/, '');
}

/** Builds a request context: principal from the credential, a forked EM bound to its workspace, fresh loaders. */
export async function buildContext(hub: HubServices, headers: { authorization?: string | null; cookie?: string | null }, clientIp = 'unknown'): Promise<HubGraphQLContext> {
  let principal: Principal;
  try {
    principal = await resolvePrincipal(hub.orm, hub.jwt, credentialFrom(headers));
  } catch (err) {
    if (err instanceof InvalidCredentialError) throw new HubError('UNAUTHENTICATED', err.message);
    throw err;
  }
  const em = principal.kind === 'anonymous' ? systemEm(hub.orm) : workspaceEm(hub.orm, principal.workspaceId);
  return { principal: principal ?? ANONYMOUS, em, loaders: createLoaders(em), hub, clientIp };
}

/**
 * Depth, alias and cost limits run as validation rules, so an over-limit operation is refused before
 * any resolver runs. Their errors are re-coded QUERY_TOO_COMPLEX.
 */
function recoded(rule: (ctx: ValidationContext) => ASTVisitor): ValidationRule {
  return (context) => {
    const proxy = Object.create(context) as ValidationContext;
    proxy.reportError = (error) => context.reportError(new HubError('QUERY_TOO_COMPLEX', error.message.replace(/^Syntax Error: /, '')));
    return rule(proxy);
  };
}

// graphql-armor throws from the visitor by default (no code, and graphql-ws closes the socket with 4500):
// report instead, so the error passes the recoding proxy and comes back as a validation error.
const report = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(error)] };

export function limitRules(config: HubServices['config']): ValidationRule[] {
  return [
    recoded(maxDepthRule({ n: config.KEFU_GRAPHQL_MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true, ...report })),
    recoded(maxAliasesRule({ n: config.KEFU_GRAPHQL_MAX_ALIASES, ...report })),
    recoded(costLimitRule({ maxCost: config.KEFU_GRAPHQL_MAX_COST, ignoreIntrospection: true, ...report })),
  ];
}

/**
 * Masks unexpected errors. Plugins cannot import the core's HubError, so an error a plugin throws with
 * one of the hub's codes in `extensions.code` (e.g. BAD_USER_INPUT) is expected and shown as such.
 */
function maskHubError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const errorCode = (original as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  if (error instanceof GraphQLError && original && !(original instanceof GraphQLError) && (ERROR_CODES as readonly unknown[]).includes(errorCode)) {
    return new GraphQLError(original.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code: errorCode } });
  }
  return maskError(error, message, isDev);
}

export function createHubYoga(hub: HubServices, schema: GraphQLSchema): YogaServerInstance<Record<string, unknown>, HubGraphQLContext> {
  return createYoga<Record<string, unknown>, HubGraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Kefu Hub GraphQL', subscriptionsProtocol: 'WS' },
    landingPage: false,
    maskedErrors: { maskError: maskHubError },
    logging: false,
    plugins: [{ onValidate: ({ addValidationRule }: { addValidationRule: (r: ValidationRule) => void }) => { for (const r of limitRules(hub.config)) addValidationRule(r); } }],
    context: async ({ request, req }) =>
      buildContext(hub, { authorization: request.headers.get('authorization'), cookie: request.headers.get('cookie') },
        clientAddress(hub.config.KEFU_TRUST_PROXY, request.headers.get('x-forwarded-for'), (req as { socket?: { remoteAddress?: string } } | undefined)?.socket?.remoteAddress)),
  });
}
