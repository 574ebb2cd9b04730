import semver from 'semver';
import { z } from 'zod';
import { CORE_VERSION, PLUGIN_KINDS, isValidPluginName, type PluginDefinition } from '@kefu-hub/plugin-sdk';
import { PluginLoadError } from './errors.ts';

/** Shape check of a plugin definition; functions are checked for type only. */
const ManifestSchema = z.object({
  name: z.string(),
  version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver'),
  coreVersion: z.string().refine((r) => semver.validRange(r) !== null, 'coreVersion must be a semver range'),
  kinds: z.array(z.enum(PLUGIN_KINDS)).min(1),
  displayName: z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }),
  description: z.object({ en: z.string(), 'zh-CN': z.string() }).optional(),
  config: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'config must be a zod schema (z from @kefu-hub/plugin-sdk)'),
  services: z.function().optional(),
  activities: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.function()).optional(),
  events: z.record(z.string().regex(/^[a-z_]+\.[a-z_.]+$/), z.function()).optional(),
  entities: z.array(z.any()).optional(),
  migrations: z.array(z.object({ name: z.string().regex(/^[0-9]{4}_[a-z0-9_]+$/), up: z.array(z.string().min(1)).min(1), down: z.array(z.string()).optional() })).optional(),
  graphql: z.function().optional(),
  bot: z.object({ answer: z.function() }).optional(),
  rules: z.record(z.string().regex(/^[a-z][a-z0-9_-]{1,48}$/), z.object({ label: z.object({ en: z.string(), 'zh-CN': z.string() }), config: z.custom<z.ZodType>((v) => v instanceof z.ZodType), evaluate: z.function() })).optional(),
  priorityRules: z.record(z.string().regex(/^[a-z][a-z0-9_-]{1,48}$/), z.object({ label: z.object({ en: z.string(), 'zh-CN': z.string() }), config: z.custom<z.ZodType>((v) => v instanceof z.ZodType), evaluate: z.function() })).optional(),
  strategies: z.record(z.string().regex(/^[a-z][a-z0-9_-]{1,48}$/), z.object({ label: z.object({ en: z.string(), 'zh-CN': z.string() }), config: z.custom<z.ZodType>((v) => v instanceof z.ZodType), rank: z.function() })).optional(),
  http: z.array(z.object({ method: z.enum(['GET', 'POST']), path: z.string().regex(/^\/[A-Za-z0-9._/-]*$/), handler: z.function() })).optional(),
});

export function validatePlugin(raw: unknown, source: string): PluginDefinition {
  const label = (raw as { name?: unknown })?.name;
  const name = typeof label === 'string' ? label : source;
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new PluginLoadError(name, source, `invalid manifest: ${issues}`);
  }
  const def = raw as PluginDefinition;
  if (!isValidPluginName(def.name)) throw new PluginLoadError(name, source, 'name must match [a-z][a-z0-9-]{1,48}');
  if (!semver.satisfies(CORE_VERSION, def.coreVersion, { includePrerelease: true })) {
    throw new PluginLoadError(name, source, `supports core ${def.coreVersion}, this core is ${CORE_VERSION}`);
  }
  // The config schema must accept an empty object (defaults) so a fresh install is valid, and must
  // be expressible as JSON Schema so the admin UI can render its form.
  const empty = def.config.safeParse({});
  if (!empty.success) throw new PluginLoadError(name, source, `config schema rejects {} — give every field a default: ${empty.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
  try {
    z.toJSONSchema(def.config, { io: 'input' });
  } catch (err) {
    throw new PluginLoadError(name, source, `config schema cannot be rendered as JSON Schema: ${(err as Error).message}`);
  }
  if (def.bot && !def.kinds.includes('bot')) throw new PluginLoadError(name, source, 'contributes a bot but does not declare kind "bot"');
  if (def.rules && !def.kinds.includes('rule')) throw new PluginLoadError(name, source, 'contributes rules but does not declare kind "rule"');
  if ((def.priorityRules || def.strategies) && !def.kinds.includes('rule')) throw new PluginLoadError(name, source, 'contributes routing rules or strategies but does not declare kind "rule"');
  for (const [what, contributions] of [['rule', def.rules], ['priority rule', def.priorityRules], ['strategy', def.strategies]] as const) {
    for (const [key, r] of Object.entries(contributions ?? {})) {
      if (!r.config.safeParse({}).success) throw new PluginLoadError(name, source, `${what} "${key}" config schema rejects {}`);
    }
  }
  for (const entity of def.entities ?? []) {
    const meta = (entity as { meta?: { className?: string; properties?: Record<string, unknown>; tableName?: string } }).meta;
    if (!meta?.className) throw new PluginLoadError(name, source, 'entities must be defineEntity() schemas');
    if (!meta.properties || !('workspaceId' in meta.properties)) {
      throw new PluginLoadError(name, source, `entity ${meta.className} has no workspaceId property (tenant isolation is mandatory)`);
    }
    const table = meta.tableName ?? '';
    const prefix = `plugin_${def.name.replace(/-/g, '_')}_`;
    if (!table.startsWith(prefix)) throw new PluginLoadError(name, source, `entity ${meta.className} must use a table named ${prefix}*`);
  }
  return def;
}
