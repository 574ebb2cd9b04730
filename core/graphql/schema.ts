import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import type { PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { createBuilder } from './builder.ts';
import { createRefs } from './refs.ts';
import { registerScalars } from './types/scalars.ts';
import { registerAuth } from './types/auth.ts';
import { registerWorkspace } from './types/workspace.ts';
import { registerUser } from './types/user.ts';
import { registerDepartment } from './types/department.ts';
import { registerSkillGroup } from './types/skill-group.ts';
import { registerAgent } from './types/agent.ts';
import { registerChannel } from './types/channel.ts';
import { registerApiKey } from './types/api-key.ts';
import { registerPlugin } from './types/plugin.ts';
import { registerVisitor } from './types/visitor.ts';
import { registerSystem } from './types/system.ts';
import { registerConversation } from './types/conversation.ts';
import { registerTransfer } from './types/transfer.ts';
import { registerSupport } from './types/support.ts';
import { registerFlow } from './types/flow.ts';
import { registerBotFeedback } from './types/bot-feedback.ts';
import { registerKnowledge } from './types/knowledge.ts';
import { registerStatistics } from './types/statistics.ts';
import { registerRouting } from './types/routing.ts';
import { registerRoutingSimulation } from './types/routing-simulation.ts';
import { registerCustomer } from './types/customer.ts';
import type { PluginRegistry } from '../kernel/registry.ts';
import { PluginNotInstalledError } from '../kernel/registry.ts';
import { PluginLoadError } from '../kernel/errors.ts';
import type { HubGraphQLContext } from './context.ts';
import { HubError, unauthenticated } from './errors.ts';

type Extender = ReturnType<PluginRegistry['definitions']>[number];

/** Core domain types plus the given plugins' extensions, on a fresh builder. */
function assemble(registry: PluginRegistry, extenders: Extender[]): GraphQLSchema {
  const builder = createBuilder();
  const refs = createRefs(builder);
  registerScalars(builder);
  registerAuth(builder, refs);
  registerWorkspace(builder, refs);
  registerUser(builder, refs);
  registerDepartment(builder, refs);
  registerSkillGroup(builder, refs);
  registerAgent(builder, refs);
  registerChannel(builder, refs);
  registerApiKey(builder, refs);
  registerPlugin(builder, refs);
  registerVisitor(builder, refs);
  registerSystem(builder, refs);
  registerConversation(builder, refs);
  registerTransfer(builder, refs);
  registerSupport(builder, refs);
  registerFlow(builder, refs);
  registerBotFeedback(builder, refs);
  registerKnowledge(builder, refs);
  registerStatistics(builder, refs);
  registerRouting(builder, refs);
  registerRoutingSimulation(builder, refs);
  registerCustomer(builder, refs);

  for (const { def, source } of extenders) {
    try {
      def.graphql!({
        builder,
        runtime: async (gqlCtx): Promise<PluginRuntimeContext<any>> => {
          const ctx = gqlCtx as HubGraphQLContext;
          if (ctx.principal.kind === 'anonymous') throw unauthenticated();
          try {
            return await registry.runtime(def.name, ctx.principal.workspaceId);
          } catch (err) {
            if (err instanceof PluginNotInstalledError) throw new HubError('PLUGIN_NOT_INSTALLED', err.message, { plugin: def.name });
            throw err;
          }
        },
      });
    } catch (err) {
      throw new PluginLoadError(def.name, source, `GraphQL extension failed: ${(err as Error).message}`);
    }
  }
  return builder.toSchema({ sortSchema: true });
}

/** Builds the whole schema: core domain types, then each plugin's extension (errors name the plugin). */
export function buildSchema(registry: PluginRegistry): GraphQLSchema {
  const extenders = registry.definitions().filter((d) => d.def.graphql);
  try {
    return assemble(registry, extenders);
  } catch (err) {
    if (err instanceof PluginLoadError) throw err;
    // Some conflicts (e.g. a field name already on Query) only surface when the schema is built.
    // Rebuild with one more plugin at a time to name the first plugin whose extension breaks it.
    for (let i = 0; i < extenders.length; i++) {
      try {
        assemble(registry, extenders.slice(0, i + 1));
      } catch {
        const { def, source } = extenders[i]!;
        throw new PluginLoadError(def.name, source, `GraphQL extension conflicts with the schema: ${(err as Error).message}`);
      }
    }
    throw new Error(`GraphQL schema could not be built: ${(err as Error).message}`);
  }
}

export function printHubSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
