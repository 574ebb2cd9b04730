import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { Badge, Button, Card, Col, Progress, Row, Space, Statistic, Table, Tag, TreeSelect, Typography } from 'antd';
import { ApartmentOutlined, FileSearchOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request, subscribe, useSubscription } from '../../gql/client';
import { AgentInboxDoc, AgentProfileChangedDoc, LiveViewDoc, WorkspaceEventsDoc } from '../../gql/operations';
import type { AgentInboxSubscription, AgentProfileChangedSubscription, LiveViewQuery, WorkspaceEventsSubscription } from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT, type DictKey } from '../../i18n';
import { STATUS_COLORS } from '../../layout/AppLayout';
import { departmentOptions, subtreeIds } from './departmentTree';

// The queue preview and decision log load on their own: the routing views' code is not this page's weight.
const LiveRouting = lazy(() => import('./routing').then((m) => ({ default: m.LiveRouting })));

type Agent = LiveViewQuery['agents'][number];
type Conv = LiveViewQuery['queued'][number];

/**
 * 实时监控 (simple): queues per skill group and agents with status and load; refreshed by live events, not
 * polling. A supervisor gets their departments' data from the API; anyone may narrow it to one department.
 */
export default function LiveView() {
  const t = useT();
  const { perms, me } = useAuth();
  const [data, setData] = useState<LiveViewQuery | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [deptFilter, setDeptFilter] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Bumped on every reload, so the queue preview follows the same live events.
  const [version, setVersion] = useState(0);
  const [previewGroup, setPreviewGroup] = useState<string | null | undefined>(undefined);
  const navigate = useNavigate();

  const load = useCallback(async () => {
    setData(await request<LiveViewQuery>(LiveViewDoc));
    setUpdatedAt(new Date());
    setVersion((v) => v + 1);
  }, []);
  const soon = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load().catch(() => undefined), 300);
  }, [load]);
  useEffect(() => { void load().catch(() => undefined); }, [load]);

  // Queue changes (agentInbox carries the queue topic, scoped for supervisors) and, for admins, the domain events.
  useSubscription<AgentInboxSubscription>(AgentInboxDoc, undefined, soon, { enabled: perms.conversations });
  useSubscription<WorkspaceEventsSubscription>(WorkspaceEventsDoc, undefined, (d) => {
    if (/^(agent|conversation)\./.test(d.workspaceEvents.type)) soon();
  }, { enabled: perms.flows });
  // Supervisors do not get the workspace's event stream: they follow each of their agents' status instead.
  const agentIds = (data?.agents ?? []).map((a) => a.id).slice(0, 200).join(',');
  useEffect(() => {
    if (perms.flows || !agentIds) return undefined;
    const stops = agentIds.split(',').map((id) => subscribe<AgentProfileChangedSubscription, { id: string }>(AgentProfileChangedDoc, { id }, soon));
    return () => stops.forEach((stop) => stop());
  }, [agentIds, perms.flows, soon]);

  const departments = useMemo(() => data?.departments ?? [], [data]);
  const inDept = useMemo(() => (deptFilter ? subtreeIds(deptFilter, departments) : null), [deptFilter, departments]);
  const groupDept = useMemo(() => new Map((data?.skillGroups ?? []).map((g) => [g.id, g.departmentId ?? null])), [data]);
  const userDept = useMemo(() => new Map((data?.agents ?? []).map((a) => [a.userId, a.user?.departmentId ?? null])), [data]);
  /** A conversation's department: its skill group's, or without a group its agent's (as the API scopes them). */
  const convDept = (c: { skillGroupId: string | null; assigneeId?: string | null }) => (c.skillGroupId ? groupDept.get(c.skillGroupId) ?? null : (c.assigneeId ? userDept.get(c.assigneeId) ?? null : null));
  const keep = (dept: string | null) => !inDept || (!!dept && inDept.has(dept));

  const queued = (data?.queued ?? []).filter((c) => keep(convDept(c)));
  const assigned = (data?.assigned ?? []).filter((c) => keep(convDept(c)));
  const agents = (data?.agents ?? []).filter((a) => keep(a.user?.departmentId ?? null));
  const load_ = (a: Agent) => assigned.filter((c) => c.assigneeId === a.userId).length;
  const longest = (cs: Conv[]) => cs.reduce((m, c) => Math.max(m, c.queuedAt ? Date.now() - new Date(c.queuedAt).getTime() : 0), 0);
  const deptName = (id: string | null) => departments.find((d) => d.id === id)?.name ?? null;
  const groups = (data?.skillGroups ?? []).filter((g) => keep(g.departmentId ?? null)).map((g) => ({
    ...g,
    department: deptName(g.departmentId ?? null),
    queued: queued.filter((c) => c.skillGroupId === g.id).length,
    assigned: assigned.filter((c) => c.skillGroupId === g.id).length,
    online: agents.filter((a) => a.status === 'online' && a.skills.some((s) => s.skillGroupId === g.id)).length,
    longest: longest(queued.filter((c) => c.skillGroupId === g.id)),
  }));
  const unrouted = queued.filter((c) => !c.skillGroupId);
  const customers = useMemo(() => new Map((data?.queued ?? []).map((c) => [c.id, { displayName: c.customer?.displayName ?? c.id.slice(0, 8), tags: c.customer?.tags ?? [] }])), [data]);
  const previewGroups = [
    // The default queue belongs to no department: a supervisor gets it only for chats the API shows them.
    ...((!inDept && !!me?.roles.includes('admin')) || unrouted.length ? [{ id: null, name: t('live.defaultQueue'), queued: unrouted.length }] : []),
    ...groups.map((g) => ({ id: g.id as string | null, name: g.name, queued: g.queued })),
  ];
  // Until someone picks one: the group with the most waiting customers.
  const shownGroup = previewGroup !== undefined && previewGroups.some((g) => g.id === previewGroup)
    ? previewGroup
    : [...previewGroups].sort((a, b) => b.queued - a.queued)[0]?.id ?? null;
  const byStatus = (s: Agent['status']) => agents.filter((a) => a.status === s).length;

  // A supervisor (not an admin) sees their department and the ones below it: say so.
  const scoped = !!me && me.roles.includes('supervisor') && !me.roles.includes('admin');
  const scopeNote = scoped && data && (me.departmentId
    ? t('live.scope', { name: deptName(me.departmentId) ?? '—' })
    : t('live.scopeNone'));

  return (
    <div data-testid="live-view">
      <Space style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }} wrap>
        <Space>
          <ApartmentOutlined />
          <TreeSelect
            size="small"
            style={{ minWidth: 220 }}
            allowClear
            treeDefaultExpandAll
            placeholder={t('live.allDepartments')}
            value={deptFilter ?? undefined}
            onChange={(v: string | undefined) => setDeptFilter(v ?? null)}
            treeData={departmentOptions(departments)}
            data-testid="live-department"
          />
        </Space>
        <Space>
          {scopeNote && <Tag color="purple" data-testid="live-scope">{scopeNote}</Tag>}
          <Button size="small" icon={<FileSearchOutlined />} onClick={() => navigate('/routing-log')} data-testid="live-routing-log">{t('menu.routingLog')}</Button>
        </Space>
      </Space>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6} data-testid="live-queued"><Card size="small"><Statistic title={t('live.queued')} value={queued.length} valueStyle={{ color: queued.length ? '#fa8c16' : undefined }} /></Card></Col>
        <Col span={6} data-testid="live-in-service"><Card size="small"><Statistic title={t('live.inService')} value={assigned.length} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('live.online')} value={byStatus('online')} suffix={`/ ${agents.length}`} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('live.updated')} value={updatedAt ? dayjs(updatedAt).format('HH:mm:ss') : '—'} /></Card></Col>
      </Row>
      <Row gutter={16}>
        <Col span={10}>
          <Card size="small" title={t('live.queues')} data-testid="live-queues">
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              onRow={(r) => ({ onClick: () => setPreviewGroup(r.id === '_' ? null : r.id), style: { cursor: 'pointer' } })}
              rowClassName={(r) => ((r.id === '_' ? null : r.id) === shownGroup ? 'ant-table-row-selected' : '')}
              dataSource={[
                ...(!inDept || unrouted.length ? [{ id: '_', name: t('live.defaultQueue'), department: null, queued: unrouted.length, assigned: assigned.filter((c) => !c.skillGroupId).length, online: byStatus('online'), longest: longest(unrouted) }] : []),
                ...groups,
              ]}
              columns={[
                { title: t('menu.skillGroups'), dataIndex: 'name', ellipsis: true },
                { title: t('sg.department'), dataIndex: 'department', width: 84, ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
                { title: t('live.queued'), dataIndex: 'queued', width: 64, align: 'right', render: (v: number) => <Typography.Text type={v ? 'warning' : undefined} strong={!!v}>{v}</Typography.Text> },
                { title: t('live.inService'), dataIndex: 'assigned', width: 64, align: 'right' },
                { title: t('live.onlineAgents'), dataIndex: 'online', width: 52, align: 'right' },
                { title: t('live.longestWait'), dataIndex: 'longest', width: 76, align: 'right', render: (ms: number) => (ms ? `${Math.round(ms / 1000)}s` : '—') },
              ]}
            />
          </Card>
        </Col>
        <Col span={14}>
          <Card size="small" title={t('live.agents')} data-testid="live-agents" extra={<span>{(['online', 'busy', 'away', 'offline'] as const).map((s) => <Badge key={s} color={STATUS_COLORS[s]} text={`${t(`status.${s}` as DictKey)} ${byStatus(s)}`} style={{ marginLeft: 12 }} />)}</span>}>
            <Table<Agent>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={agents}
              columns={[
                { title: t('agents.name'), render: (_: unknown, a) => a.user?.name ?? a.userId.slice(0, 8) },
                { title: t('sg.department'), width: 100, render: (_: unknown, a) => deptName(a.user?.departmentId ?? null) ?? <Typography.Text type="secondary">—</Typography.Text> },
                { title: t('agents.status'), dataIndex: 'status', width: 90, render: (s: Agent['status']) => <Badge color={STATUS_COLORS[s]} text={t(`status.${s}` as DictKey)} /> },
                { title: t('live.load'), width: 160, render: (_: unknown, a) => { const n = load_(a); return <Progress size="small" percent={a.maxConcurrentChats ? Math.round((100 * n) / a.maxConcurrentChats) : 0} format={() => `${n}/${a.maxConcurrentChats}`} status={n >= a.maxConcurrentChats ? 'exception' : 'normal'} />; } },
                { title: t('agents.skills'), render: (_: unknown, a) => a.skills.map((s) => data?.skillGroups.find((g) => g.id === s.skillGroupId)).map((g) => g && <Tag key={g.id}>{g.name}</Tag>) },
                { title: t('live.since'), dataIndex: 'updatedAt', width: 80, render: (v: string) => dayjs(v).format('HH:mm') },
                { title: '', width: 44, render: (_: unknown, a) => <Button size="small" type="text" icon={<FileSearchOutlined />} title={t('menu.routingLog')} onClick={() => navigate(`/routing-log?agent=${a.userId}`)} /> },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Row style={{ marginTop: 16 }}>
        <Col span={24}>
          <Suspense fallback={null}>
            <LiveRouting groups={previewGroups} selected={shownGroup} onSelect={setPreviewGroup} version={version} customers={customers} />
          </Suspense>
        </Col>
      </Row>
    </div>
  );
}
