import { useCallback, useEffect, useMemo, useState } from 'react';
import { request } from '../../../gql/client';
import { RoutingDirectoryDoc } from '../../../gql/routing-operations';
import type { RoutingDirectoryQuery } from '../../../gql/generated';
import { useLang } from '../../../i18n';
import type { JsonSchema } from '../../../components/SchemaForm';
import { isRoutingKey, useRT, type RtFn } from './i18n';

export interface CatalogEntry { kind: 'strategy' | 'priority_rule'; name: string; plugin: string; label: { en?: string; 'zh-CN'?: string }; configJsonSchema: JsonSchema; enabled: boolean }

/** A priority term as the engine records it (queuePreview.terms, decision detail). */
export interface PriorityTerm { rule: string; points: number; weight: number; advanceSec: number; reason?: string }

export interface RoutingDirectory {
  loaded: boolean;
  catalog: CatalogEntry[];
  strategies: CatalogEntry[];
  rules: CatalogEntry[];
  groupName(id: string | null | undefined): string;
  agentName(userId: string | null | undefined): string;
  contributionLabel(name: string | null | undefined): string;
  /** Replaces the skill-group and agent ids a recorded summary names with their names. */
  humanize(text: string): string;
  groups: RoutingDirectoryQuery['skillGroups'];
  agents: RoutingDirectoryQuery['agents'];
  reload(): Promise<void>;
}

/** Ids are UUIDv7 (time first): their tail tells two apart, their head does not. */
export const shortId = (id: string): string => `…${id.slice(-6)}`;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Skill groups, agents and the routing catalog, for showing names instead of ids (loaded once per view). */
export function useRoutingDirectory(): RoutingDirectory {
  const rt = useRT();
  const { lang } = useLang();
  const [data, setData] = useState<RoutingDirectoryQuery | null>(null);
  const reload = useCallback(async () => { setData(await request<RoutingDirectoryQuery>(RoutingDirectoryDoc)); }, []);
  useEffect(() => { void reload().catch(() => undefined); }, [reload]);
  return useMemo(() => {
    const catalog = (data?.routingCatalog ?? []) as unknown as CatalogEntry[];
    const groups = new Map((data?.skillGroups ?? []).map((g) => [g.id, g.name]));
    const agents = new Map((data?.agents ?? []).map((a) => [a.userId, a.user?.name ?? shortId(a.userId)]));
    const labels = new Map(catalog.map((c) => [c.name, c.label[lang] ?? c.label.en ?? c.name]));
    const groupName = (id: string | null | undefined) => (id ? groups.get(id) ?? shortId(id) : rt('defaultQueue'));
    return {
      loaded: !!data,
      catalog,
      // Offer only what this workspace has enabled (labels still come from the whole catalog).
      strategies: catalog.filter((c) => c.kind === 'strategy' && c.enabled),
      rules: catalog.filter((c) => c.kind === 'priority_rule' && c.enabled),
      groupName,
      agentName: (id) => (id ? agents.get(id) ?? shortId(id) : '—'),
      contributionLabel: (name) => (name ? labels.get(name) ?? name : '—'),
      humanize: (text) => text.replace(UUID, (id) => groups.get(id) ?? agents.get(id) ?? shortId(id)),
      groups: data?.skillGroups ?? [],
      agents: data?.agents ?? [],
      reload,
    };
  }, [data, lang, rt, reload]);
}

/** The label of a config field of a known strategy or rule, by property name. */
export function configLabel(rt: RtFn): (name: string) => string | undefined {
  return (name) => { const k = `cfgkey.${name}`; return isRoutingKey(k) ? rt(k) : undefined; };
}

export function asTerms(v: unknown): PriorityTerm[] {
  return Array.isArray(v) ? (v as PriorityTerm[]).filter((x) => x && typeof x.rule === 'string') : [];
}
