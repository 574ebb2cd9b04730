import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Card, Col, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { request, useSubscription } from '../../gql/client';
import { AgentInboxDoc, LiveAgentsDoc, LiveViewDoc, WorkspaceEventsDoc } from '../../gql/operations';
import type { AgentInboxSubscription, LiveAgentsQuery, LiveViewQuery, WorkspaceEventsSubscription } from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT, type DictKey } from '../../i18n';
import { STATUS_COLORS } from '../../layout/AppLayout';

type Agent = LiveViewQuery['agents'][number];

/** 实时监控 (simple): queues per skill group and agents with status and load; refreshed by live events, not polling. */
export default function LiveView() {
  const t = useT();
  const { perms } = useAuth();
  const [data, setData] = useState<LiveViewQuery | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    const d = perms.conversations ? await request<LiveViewQuery>(LiveViewDoc) : { ...(await request<LiveAgentsQuery>(LiveAgentsDoc)), queued: [], assigned: [] };
    setData(d);
    setUpdatedAt(new Date());
  }, [perms.conversations]);
  const soon = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load().catch(() => undefined), 300);
  }, [load]);
  useEffect(() => { void load().catch(() => undefined); }, [load]);

  // Queue changes (agentInbox carries the workspace's queue topic) and agent/conversation domain events.
  useSubscription<AgentInboxSubscription>(AgentInboxDoc, undefined, soon, { enabled: perms.conversations });
  useSubscription<WorkspaceEventsSubscription>(WorkspaceEventsDoc, undefined, (d) => {
    if (/^(agent|conversation)\./.test(d.workspaceEvents.type)) soon();
  }, { enabled: perms.flows });

  const queued = data?.queued ?? [];
  const assigned = data?.assigned ?? [];
  const agents = data?.agents ?? [];
  const load_ = (a: Agent) => assigned.filter((c) => c.assigneeId === a.userId).length;
  const groups = (data?.skillGroups ?? []).map((g) => ({
    ...g,
    queued: queued.filter((c) => c.skillGroupId === g.id).length,
    assigned: assigned.filter((c) => c.skillGroupId === g.id).length,
    online: agents.filter((a) => a.status === 'online' && a.skills.some((s) => s.skillGroupId === g.id)).length,
    longest: queued.filter((c) => c.skillGroupId === g.id).reduce((m, c) => Math.max(m, c.queuedAt ? Date.now() - new Date(c.queuedAt).getTime() : 0), 0),
  }));
  const unrouted = queued.filter((c) => !c.skillGroupId).length;
  const byStatus = (s: Agent['status']) => agents.filter((a) => a.status === s).length;

  return (
    <div data-testid="live-view">
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6}><Card size="small"><Statistic title={t('live.queued')} value={queued.length} valueStyle={{ color: queued.length ? '#fa8c16' : undefined }} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('live.inService')} value={assigned.length} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('live.online')} value={byStatus('online')} suffix={`/ ${agents.length}`} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('live.updated')} value={updatedAt ? dayjs(updatedAt).format('HH:mm:ss') : '—'} /></Card></Col>
      </Row>
      <Row gutter={16}>
        <Col span={10}>
          <Card size="small" title={t('live.queues')}>
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={[{ id: '_', name: t('live.defaultQueue'), queued: unrouted, assigned: assigned.filter((c) => !c.skillGroupId).length, online: byStatus('online'), longest: queued.filter((c) => !c.skillGroupId).reduce((m, c) => Math.max(m, c.queuedAt ? Date.now() - new Date(c.queuedAt).getTime() : 0), 0) }, ...groups]}
              columns={[
                { title: t('menu.skillGroups'), dataIndex: 'name' },
                { title: t('live.queued'), dataIndex: 'queued', width: 70, align: 'right', render: (v: number) => <Typography.Text type={v ? 'warning' : undefined} strong={!!v}>{v}</Typography.Text> },
                { title: t('live.inService'), dataIndex: 'assigned', width: 70, align: 'right' },
                { title: t('live.onlineAgents'), dataIndex: 'online', width: 70, align: 'right' },
                { title: t('live.longestWait'), dataIndex: 'longest', width: 90, align: 'right', render: (ms: number) => (ms ? `${Math.round(ms / 1000)}s` : '—') },
              ]}
            />
          </Card>
        </Col>
        <Col span={14}>
          <Card size="small" title={t('live.agents')} extra={<span>{(['online', 'busy', 'away', 'offline'] as const).map((s) => <Badge key={s} color={STATUS_COLORS[s]} text={`${t(`status.${s}` as DictKey)} ${byStatus(s)}`} style={{ marginLeft: 12 }} />)}</span>}>
            <Table<Agent>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={agents}
              columns={[
                { title: t('agents.name'), render: (_: unknown, a) => a.user?.name ?? a.userId.slice(0, 8) },
                { title: t('agents.status'), dataIndex: 'status', width: 90, render: (s: Agent['status']) => <Badge color={STATUS_COLORS[s]} text={t(`status.${s}` as DictKey)} /> },
                { title: t('live.load'), width: 180, render: (_: unknown, a) => { const n = load_(a); return <Progress size="small" percent={a.maxConcurrentChats ? Math.round((100 * n) / a.maxConcurrentChats) : 0} format={() => `${n}/${a.maxConcurrentChats}`} status={n >= a.maxConcurrentChats ? 'exception' : 'normal'} />; } },
                { title: t('agents.skills'), render: (_: unknown, a) => a.skills.map((s) => <Tag key={s.skillGroupId}>{data?.skillGroups.find((g) => g.id === s.skillGroupId)?.name ?? '?'}</Tag>) },
                { title: t('live.since'), dataIndex: 'updatedAt', width: 90, render: (v: string) => dayjs(v).format('HH:mm') },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
