import { useEffect, useState } from 'react';
import { Space, Tag } from 'antd';
import { request } from '../../../gql/client';
import { RoutingDirectoryDoc } from '../../../gql/routing-operations';
import type { RoutingDirectoryQuery } from '../../../gql/generated';
import { useLang } from '../../../i18n';
import { formatDuration, useRT } from './i18n';
import { toPolicy } from './policy';

// One request for every row of the table (the catalog's labels rarely change during a visit).
let catalog: Promise<RoutingDirectoryQuery['routingCatalog']> | null = null;
const loadCatalog = () => (catalog ??= request<RoutingDirectoryQuery>(RoutingDirectoryDoc).then((d) => d.routingCatalog).catch((e: unknown) => { catalog = null; throw e; }));

/** A skill group's routing policy in one line of tags (skill groups table), loaded lazily with the routing strings. */
export default function RoutingSummary({ policy, groupName }: { policy: unknown; groupName(id: string): string }) {
  const rt = useRT();
  const { lang } = useLang();
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    loadCatalog().then((c) => {
      if (live) setLabels(new Map(c.map((x) => { const l = x.label as Record<string, string | undefined>; return [x.name, l[lang] ?? l.en ?? x.name]; })));
    }).catch(() => undefined);
    return () => { live = false; };
  }, [lang]);
  const p = toPolicy(policy);
  const label = (n: string) => labels.get(n) ?? n;
  return (
    <Space size={[4, 4]} wrap>
      <Tag color="blue">{label(p.strategy.name)}</Tag>
      {p.priorityRules.map((x, i) => <Tag key={i}>{label(x.rule)} ×{x.weight}</Tag>)}
      {p.overflow && <Tag color="orange">{rt('overflow.title')} {formatDuration(rt, p.overflow.afterSec)} → {p.overflow.toSkillGroupId ? groupName(p.overflow.toSkillGroupId) : rt('overflow.offline')}</Tag>}
      {p.workingHours && <Tag color="purple">{rt('tab.hours')}</Tag>}
    </Space>
  );
}
