import type { EntityManager } from '@mikro-orm/mysql';
import { Flow, FlowVersion } from '../db/entities/index.ts';
import { NodeRegistry, defaultFlow, validateFlow } from './registry.ts';
import type { FlowDefinition } from './types.ts';

export const DEFAULT_FLOW_NAME = 'default';

export interface PublishedFlow { flowId: string; flowVersionId: string; version: number; definition: FlowDefinition }

/**
 * The built-in default flow as a published version stores it: validated, every node's config with its
 * defaults filled in (as a publish from the composer would), so e.g. the bot node has its greeting.
 */
function builtInFlow(): FlowDefinition {
  const parsed = validateFlow(new NodeRegistry(), defaultFlow());
  if (!parsed.ok) throw new Error(`the built-in default flow is invalid: ${parsed.issues.map((i) => `${i.nodeId ?? '-'} ${i.path}: ${i.message}`).join('; ')}`);
  return parsed.flow;
}

/**
 * The flow new conversations of a workspace run: the published version of the named flow (a
 * channel may name one in its config; otherwise `default`). A workspace without one gets the
 * built-in default flow as version 1, created race-safely (unique workspace+name).
 */
export async function resolvePublishedFlow(em: EntityManager, workspaceId: string, flowName = DEFAULT_FLOW_NAME): Promise<PublishedFlow> {
  let flow = await em.findOne(Flow, { name: flowName });
  if (!flow?.publishedVersionId) {
    if (flowName !== DEFAULT_FLOW_NAME && !flow) return resolvePublishedFlow(em, workspaceId, DEFAULT_FLOW_NAME);
    try {
      await em.fork().transactional(async (tx) => {
        const f = (await tx.findOne(Flow, { name: flowName })) ?? tx.create(Flow, { workspaceId, name: flowName, publishedVersionId: null });
        if (f.publishedVersionId) return;
        const v = tx.create(FlowVersion, { workspaceId, flowId: f.id, version: 1, definition: builtInFlow() as unknown as Record<string, unknown>, createdById: null, publishedAt: new Date() });
        f.publishedVersionId = v.id;
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err; // another request created it
    }
    em.clear();
    flow = await em.findOneOrFail(Flow, { name: flowName });
  }
  const version = await em.findOneOrFail(FlowVersion, { id: flow.publishedVersionId! });
  return { flowId: flow.id, flowVersionId: version.id, version: version.version, definition: version.definition as unknown as FlowDefinition };
}
