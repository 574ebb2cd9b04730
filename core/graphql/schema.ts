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
import type { PluginRegistry } from '../kernel/registry.ts';
import { PluginNotInstalledError } from '../kernel/registry.ts';
import { PluginLoadError } from '../kernel/errors.ts';
import type { HubGraphQLContext } from './context.ts';
import { HubError, unauthenticated } from './errors.ts';

/** Builds the whole schema: core domain types, then each plugin's extension (errors name the plugin). */
export function buildSchema(registry: PluginRegistry): GraphQLSchema {
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

  for (const { def, source } of registry.definitions()) {
    if (!def.graphql) continue;
    try {
      def.graphql({
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
  try {
    return builder.toSchema({ sortSchema: true });
  } catch (err) {
    // A conflicting type/field name from a plugin surfaces here; name the plugins that extend the schema.
    const extenders = registry.definitions().filter((d) => d.def.graphql).map((d) => d.def.name);
    throw new Error(`GraphQL schema could not be built (plugins extending it: ${extenders.join(', ') || 'none'}): ${(err as Error).message}`);
  }
}

export function printHubSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
