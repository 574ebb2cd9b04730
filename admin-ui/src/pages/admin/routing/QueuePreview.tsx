import { useEffect, useRef, useState } from 'react';
import { Button, Card, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { FileSearchOutlined } from '@ant-design/icons';
import { request } from '../../../gql/client';
import { QueuePreviewDoc } from '../../../gql/routing-operations';
import type { QueuePreviewQuery, QueuePreviewQueryVariables } from '../../../gql/generated';
import { shortId, asTerms, type RoutingDirectory } from './directory';
import { TermTags } from './DecisionView';
import { formatDuration, useRT } from './i18n';
import './routing.css';

type Row = QueuePreviewQuery['queuePreview'][number];
export interface QueueCustomer { displayName: string; tags: string[] }

/**
 * 排队顺序预览: who waits in one skill group's queue, in routing order, with the priority that placed
 * them. Reloaded whenever `version` changes (the live view bumps it on each queue event); waiting
 * times tick locally between loads.
 */
export function QueuePreview({ groups, selected, onSelect, version, customers, dir, onOpenDecisions }: {
  groups: { id: string | null; name: string; queued: number }[];
  selected: string | null;
  onSelect(id: string | null): void;
  version: number;
  customers: Map<string, QueueCustomer>;
  dir: RoutingDirectory;
  onOpenDecisions(conversationId: string): void;
}) {
  const rt = useRT();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [, setTick] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    // Only the latest request may set the rows (events can come faster than answers).
    const mine = ++seq.current;
    request<QueuePreviewQuery, QueuePreviewQueryVariables>(QueuePreviewDoc, { skillGroupId: selected })
      .then((d) => { if (mine === seq.current) { setRows(d.queuePreview); setLoadedAt(Date.now()); setError(null); } })
      .catch((e: unknown) => { if (mine === seq.current) setError((e as Error).message); });
  }, [selected, version]);

  // A display clock for the waiting times, not a refresh: the data changes only on queue events.
  useEffect(() => {
    if (!rows?.length) return undefined;
    const id = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [rows]);
  const since = Math.max(0, Math.round((Date.now() - loadedAt) / 1000));

  return (
    <Card
      size="small"
      title={rt('queue.title')}
      data-testid="queue-preview"
      extra={
        <Select<string>
          size="small"
          style={{ width: 220 }}
          value={selected ?? '_'}
          onChange={(v) => onSelect(v === '_' ? null : v)}
          data-testid="queue-preview-group"
          options={groups.map((g) => ({ value: g.id ?? '_', label: `${g.name}${g.queued ? ` (${g.queued})` : ''}` }))}
        />
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>{rt('queue.hint')}</Typography.Paragraph>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      <Table<Row>
        size="small"
        rowKey="conversationId"
        loading={rows === null && !error}
        dataSource={rows ?? []}
        pagination={false}
        scroll={{ y: 320 }}
        locale={{ emptyText: rt('queue.empty') }}
        onRow={(r) => ({ 'data-testid': `queue-row-${r.position}`, 'data-conversation': r.conversationId } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: rt('queue.position'), dataIndex: 'position', width: 56, align: 'center', render: (p: number) => <b>{p}</b> },
          {
            title: rt('queue.customer'), width: 190, ellipsis: true, render: (_: unknown, r) => {
              const c = customers.get(r.conversationId);
              return (
                <Space size={4}>
                  <span>{c?.displayName ?? shortId(r.conversationId)}</span>
                  {(c?.tags ?? []).slice(0, 3).map((x) => <Tag key={x} color={x === 'VIP' ? 'gold' : undefined} style={{ marginInlineEnd: 0 }}>{x}</Tag>)}
                </Space>
              );
            },
          },
          {
            title: rt('queue.waited'), width: 150, render: (_: unknown, r) => (
              <Tooltip title={rt('queue.inGroup', { t: formatDuration(rt, r.waitedInGroupSec + since) })}>
                <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatDuration(rt, r.waitedSec + since)}</span>
              </Tooltip>
            ),
          },
          { title: rt('queue.advance'), dataIndex: 'advanceSec', width: 110, render: (a: number) => (a ? <Tag color="geekblue">+{formatDuration(rt, a)}</Tag> : <Typography.Text type="secondary">—</Typography.Text>) },
          { title: rt('queue.rules'), render: (_: unknown, r) => <TermTags terms={asTerms(r.terms).filter((x) => x.advanceSec > 0 || x.reason)} dir={dir} /> },
          { title: rt('queue.eta'), dataIndex: 'estimatedWaitSec', width: 100, render: (s: number | null) => (s === null ? '—' : formatDuration(rt, s)) },
          {
            title: '', width: 84, render: (_: unknown, r) => (
              <Button size="small" type="link" icon={<FileSearchOutlined />} onClick={() => onOpenDecisions(r.conversationId)} data-testid={`queue-decisions-${r.position}`}>{rt('queue.log')}</Button>
            ),
          },
        ]}
      />
    </Card>
  );
}
