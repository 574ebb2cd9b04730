import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Badge, Button, Card, DatePicker, Select, Space, Table, Tooltip, Typography } from 'antd';
import { FileSearchOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { request, useSubscription } from '../../../gql/client';
import { AgentInboxDoc } from '../../../gql/operations';
import { RoutingDecisionLogDoc } from '../../../gql/routing-operations';
import type { AgentInboxSubscription, RoutingDecisionKind, RoutingDecisionLogQuery, RoutingDecisionLogQueryVariables } from '../../../gql/generated';
import { useAuth } from '../../../auth';
import DecisionDrawer, { DecisionDetail, KindTag, decisionHeadline, type Decision } from './DecisionView';
import { shortId, useRoutingDirectory } from './directory';
import { useRT } from './i18n';
import './routing.css';

type Preset = 'hour' | 'today' | 'day' | 'week' | 'custom';
const KINDS: RoutingDecisionKind[] = ['queued', 'assigned', 'overflowed', 'exited'];
const sinceOf = (p: Preset, custom: Dayjs | null): Date | null => {
  switch (p) {
    case 'hour': return dayjs().subtract(1, 'hour').toDate();
    case 'today': return dayjs().startOf('day').toDate();
    case 'day': return dayjs().subtract(1, 'day').toDate();
    case 'week': return dayjs().subtract(7, 'day').toDate();
    default: return custom ? custom.toDate() : null;
  }
};

/**
 * 路由决策日志: the workspace's routing decisions (a supervisor's: their departments'), filtered by
 * skill group, agent, kind and time, refreshed by the live queue events. `?conversation=<id>` opens
 * one conversation's decisions (a link other pages can use), `?agent=` and `?group=` preset the filters.
 */
export default function RoutingLog() {
  const rt = useRT();
  const { perms } = useAuth();
  const dir = useRoutingDirectory();
  // The query string by hand (useSearchParams would add router code to the chunk every route loads).
  const location = useLocation();
  const navigate = useNavigate();
  const params = new URLSearchParams(location.search);
  const [group, setGroup] = useState<string | undefined>(params.get('group') ?? undefined);
  const [agent, setAgent] = useState<string | undefined>(params.get('agent') ?? undefined);
  const [kind, setKind] = useState<RoutingDecisionKind | undefined>((KINDS as string[]).includes(params.get('kind') ?? '') ? (params.get('kind') as RoutingDecisionKind) : undefined);
  const [preset, setPreset] = useState<Preset>('day');
  const [custom, setCustom] = useState<Dayjs | null>(null);
  const [rows, setRows] = useState<Decision[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const conversation = params.get('conversation');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const since = sinceOf(preset, custom);
      const d = await request<RoutingDecisionLogQuery, RoutingDecisionLogQueryVariables>(RoutingDecisionLogDoc, {
        skillGroupId: group ?? null, agentId: agent ?? null, kind: kind ?? null, since: since ? since.toISOString() : null, limit: 200,
      });
      if (mine === seq.current) { setRows(d.routingDecisions); setError(null); }
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [group, agent, kind, preset, custom]);
  useEffect(() => { void load(); }, [load]);
  // New decisions come with queue changes (queued, assigned, overflow, exit): reload shortly after each burst.
  useSubscription<AgentInboxSubscription>(AgentInboxDoc, undefined, () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 600);
  }, { enabled: perms.conversations });
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);

  const setParam = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v); else next.delete(k);
    const qs = next.toString();
    void navigate({ pathname: location.pathname, search: qs ? `?${qs}` : '' }, { replace: true });
  };

  return (
    <Card
      title={rt('log.title')}
      data-testid="routing-log"
      extra={<Space><Badge status="processing" text={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{rt('log.live')}</Typography.Text>} /><Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{rt('refresh')}</Button></Space>}
    >
      <Typography.Paragraph type="secondary">{rt('log.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: 200 }} placeholder={rt('log.allGroups')} value={group} data-testid="log-group"
          onChange={(v: string | undefined) => { setGroup(v); setParam('group', v); }} options={dir.groups.map((g) => ({ value: g.id, label: g.name }))} />
        <Select allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: 180 }} placeholder={rt('log.allAgents')} value={agent} data-testid="log-agent"
          onChange={(v: string | undefined) => { setAgent(v); setParam('agent', v); }} options={dir.agents.map((a) => ({ value: a.userId, label: a.user?.name ?? shortId(a.userId) }))} />
        <Select allowClear style={{ width: 140 }} placeholder={rt('log.allKinds')} value={kind} data-testid="log-kind"
          onChange={(v: RoutingDecisionKind | undefined) => { setKind(v); setParam('kind', v); }} options={KINDS.map((k) => ({ value: k, label: rt(`kind.${k}`) }))} />
        <Select<Preset> style={{ width: 130 }} value={preset} onChange={setPreset} data-testid="log-since"
          options={[
            { value: 'hour', label: rt('preset.hour') }, { value: 'today', label: rt('preset.today') }, { value: 'day', label: rt('preset.day') },
            { value: 'week', label: rt('preset.week') }, { value: 'custom', label: rt('log.since') },
          ]} />
        {preset === 'custom' && <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={custom} onChange={setCustom} placeholder={rt('log.since')} />}
        {rows && <Typography.Text type="secondary">{rt('log.count', { n: rows.length })}</Typography.Text>}
      </Space>
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <Table<Decision>
        size="small"
        rowKey="id"
        loading={rows === null || (loading && !rows.length)}
        dataSource={rows ?? []}
        pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
        locale={{ emptyText: rt('log.empty') }}
        expandable={{ expandedRowRender: (d) => <DecisionDetail d={d} dir={dir} />, expandRowByClick: false }}
        onRow={(d) => ({ 'data-testid': `log-row-${d.kind}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: rt('log.time'), dataIndex: 'decidedAt', width: 130, render: (v: string) => <span style={{ fontVariantNumeric: 'tabular-nums' }}>{dayjs(v).format('MM-DD HH:mm:ss')}</span> },
          { title: rt('log.kind'), dataIndex: 'kind', width: 96, render: (k: RoutingDecisionKind) => <KindTag kind={k} /> },
          { title: rt('log.summary'), ellipsis: { showTitle: false }, render: (_: unknown, d) => <Tooltip title={dir.humanize(d.summary)} placement="topLeft"><span>{decisionHeadline(d, dir, rt)}</span></Tooltip> },
          { title: rt('log.group'), dataIndex: 'skillGroupId', width: 120, ellipsis: true, render: (id: string | null) => dir.groupName(id) },
          { title: rt('log.agent'), dataIndex: 'agentId', width: 100, ellipsis: true, render: (id: string | null) => (id ? dir.agentName(id) : '—') },
          {
            title: rt('log.conversation'), dataIndex: 'conversationId', width: 110, render: (id: string) => (
              <Button size="small" type="link" icon={<FileSearchOutlined />} onClick={() => setParam('conversation', id)} title={rt('log.view')} data-testid={`log-open-${id}`}>{shortId(id)}</Button>
            ),
          },
        ]}
      />
      <DecisionDrawer conversationId={conversation} onClose={() => setParam('conversation', undefined)} />
    </Card>
  );
}
