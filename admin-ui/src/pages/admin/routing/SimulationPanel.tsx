import { Alert, Button, Card, Empty, Segmented, Space, Spin, Table, Typography } from 'antd';
import { ExperimentOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { RoutingDirectory } from './directory';
import { formatDuration, useRT, type RoutingKey } from './i18n';

export type SimWindow = 'hour' | 'day' | 'week';
export const WINDOW_MS: Record<SimWindow, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/** simulateRouting's report (see the field descriptions in schema/schema.graphql, RoutingSimulation). */
interface Abandoned { total: number; timeout: number; full: number; closed: number; overflowExhausted: number; left: number }
interface Wait { count: number; p50: number; p90: number; p99: number; max: number; mean: number }
interface GroupReport { skillGroupId: string | null; arrivals: number; assigned: number; assignedHere: number; abandoned: Abandoned; overflowed: number; wait: Wait | null }
interface AgentReport { agentId: string; chats: number; busySlotSec: number; onlineSec: number; utilisation: number | null; maxConcurrent: number }
export interface SimReport { arrivals: number; assigned: number; abandoned: Abandoned; overflowed: number; overflowMoves: number; held: number; wait: Wait | null; groups: GroupReport[]; agents: AgentReport[] }
export interface SimResult { arrivals: number; agents: number; baseline: SimReport; proposed: SimReport; from: Date; to: Date }

export interface SimState { window: SimWindow; running: boolean; result: SimResult | null; error: string | null }

const REASONS = ['timeout', 'full', 'closed', 'overflowExhausted', 'left'] as const;
const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—');
const sec = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

function Delta({ base, next, lowerIsBetter = true }: { base: number | null | undefined; next: number | null | undefined; lowerIsBetter?: boolean }) {
  if (base === null || base === undefined || next === null || next === undefined) return null;
  const d = next - base;
  if (Math.abs(d) < 0.05) return null;
  const good = lowerIsBetter ? d < 0 : d > 0;
  return <span className={good ? 'kh-rt-delta-good' : 'kh-rt-delta-bad'}>{d > 0 ? '▲' : '▼'} {sec(Math.abs(d))}</span>;
}

function Metric({ label, value, delta, sub, testId }: { label: string; value: React.ReactNode; delta?: React.ReactNode; sub?: React.ReactNode; testId?: string }) {
  return (
    <div className="kh-rt-metric" data-testid={testId}>
      <span className="kh-rt-metric-label">{label}</span>
      <span className="kh-rt-metric-value">{value}{delta}{sub && <div className="kh-rt-reasons">{sub}</div>}</span>
    </div>
  );
}

function ReportCard({ which, report, base }: { which: 'baseline' | 'proposed'; report: SimReport; base?: SimReport }) {
  const rt = useRT();
  const reasons = REASONS.filter((r) => report.abandoned[r] > 0).map((r) => `${rt(`sim.reason.${r}` as RoutingKey)} ${report.abandoned[r]}`).join(' · ');
  return (
    <Card size="small" title={rt(which === 'baseline' ? 'sim.baseline' : 'sim.proposed')} data-testid={`routing-sim-${which}`} className={`kh-rt-sim-${which}`}>
      <Metric label={rt('sim.assigned')} value={`${report.assigned} / ${report.arrivals} (${pct(report.assigned, report.arrivals)})`} delta={base && <Delta base={base.assigned} next={report.assigned} lowerIsBetter={false} />} testId={`sim-${which}-assigned`} />
      <Metric label={`${rt('sim.wait')} p50`} value={sec(report.wait?.p50)} delta={base && <Delta base={base.wait?.p50} next={report.wait?.p50} />} testId={`sim-${which}-p50`} />
      <Metric label={`${rt('sim.wait')} p90`} value={sec(report.wait?.p90)} delta={base && <Delta base={base.wait?.p90} next={report.wait?.p90} />} testId={`sim-${which}-p90`} />
      <Metric label={`${rt('sim.wait')} p99`} value={sec(report.wait?.p99)} delta={base && <Delta base={base.wait?.p99} next={report.wait?.p99} />} testId={`sim-${which}-p99`} />
      <Metric label={rt('sim.abandoned')} value={report.abandoned.total} delta={base && <Delta base={base.abandoned.total} next={report.abandoned.total} />} sub={reasons || undefined} testId={`sim-${which}-abandoned`} />
      <Metric label={rt('sim.overflowed')} value={report.overflowed} sub={report.overflowMoves ? rt('sim.overflowMoves', { n: report.overflowMoves }) : undefined} testId={`sim-${which}-overflowed`} />
      <Metric label={rt('sim.held')} value={report.held} />
    </Card>
  );
}

/** Agents of both runs side by side: chats, utilisation, peak concurrency. */
function AgentTable({ result, dir }: { result: SimResult; dir: RoutingDirectory }) {
  const rt = useRT();
  const ids = [...new Set([...result.baseline.agents, ...result.proposed.agents].map((a) => a.agentId))];
  const of = (r: SimReport, id: string) => r.agents.find((a) => a.agentId === id);
  const util = (a: AgentReport | undefined) => (a?.utilisation === null || a?.utilisation === undefined ? '—' : `${Math.round(a.utilisation * 100)}%`);
  const rows = ids.map((id) => ({ id, b: of(result.baseline, id), p: of(result.proposed, id) }))
    .sort((x, y) => (y.p?.chats ?? 0) + (y.b?.chats ?? 0) - (x.p?.chats ?? 0) - (x.b?.chats ?? 0));
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={rows.length > 8 ? { pageSize: 8, size: 'small' } : false}
      dataSource={rows}
      locale={{ emptyText: rt('sim.noAgents') }}
      data-testid="routing-sim-agents"
      columns={[
        { title: rt('c.agent'), dataIndex: 'id', ellipsis: true, render: (id: string) => dir.agentName(id) },
        { title: rt('sim.onlineHours'), width: 96, align: 'right', render: (_: unknown, r) => formatDuration(rt, r.b?.onlineSec ?? r.p?.onlineSec ?? 0) },
        { title: rt('sim.chats'), width: 110, align: 'right', render: (_: unknown, r) => <span>{r.b?.chats ?? 0} → <b>{r.p?.chats ?? 0}</b></span> },
        { title: rt('sim.utilisation'), width: 130, align: 'right', render: (_: unknown, r) => <span>{util(r.b)} → <b>{util(r.p)}</b></span> },
        { title: rt('sim.maxConcurrent'), width: 100, align: 'right', render: (_: unknown, r) => <span>{r.b?.maxConcurrent ?? 0} → <b>{r.p?.maxConcurrent ?? 0}</b></span> },
      ]}
    />
  );
}

function GroupTable({ result, dir }: { result: SimResult; dir: RoutingDirectory }) {
  const rt = useRT();
  const key = (g: GroupReport) => g.skillGroupId ?? '_';
  const ids = [...new Set([...result.baseline.groups, ...result.proposed.groups].filter((g) => g.arrivals || g.assignedHere).map(key))];
  const of = (r: SimReport, id: string) => r.groups.find((g) => key(g) === id);
  const rows = ids.map((id) => ({ id, b: of(result.baseline, id), p: of(result.proposed, id) }));
  if (rows.length < 2) return null;
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={rows}
      style={{ marginTop: 12 }}
      columns={[
        { title: rt('sim.groups'), dataIndex: 'id', ellipsis: true, render: (id: string) => dir.groupName(id === '_' ? null : id) },
        { title: rt('sim.assigned'), width: 120, align: 'right', render: (_: unknown, r) => <span>{r.b?.assignedHere ?? 0} → <b>{r.p?.assignedHere ?? 0}</b></span> },
        { title: rt('sim.abandoned'), width: 140, align: 'right', render: (_: unknown, r) => <span>{r.b?.abandoned.total ?? 0} → <b>{r.p?.abandoned.total ?? 0}</b></span> },
        { title: `${rt('sim.wait')} p90`, width: 120, align: 'right', render: (_: unknown, r) => <span>{sec(r.b?.wait?.p90)} → <b>{sec(r.p?.wait?.p90)}</b></span> },
      ]}
    />
  );
}

/** 策略模拟: replays a recent window with the current and the edited policy, side by side. */
export function SimulationPanel({ state, onWindow, onRun, dir }: { state: SimState; onWindow(w: SimWindow): void; onRun(): void; dir: RoutingDirectory }) {
  const rt = useRT();
  const r = state.result;
  return (
    <div data-testid="routing-sim">
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{rt('sim.intro')}</Typography.Paragraph>
      <Space wrap>
        <span>{rt('sim.window')}</span>
        <Segmented<SimWindow>
          value={state.window}
          onChange={onWindow}
          data-testid="routing-sim-window"
          options={[{ value: 'hour', label: rt('sim.hour') }, { value: 'day', label: rt('sim.day') }, { value: 'week', label: rt('sim.week') }]}
        />
        <Button type="primary" icon={<ExperimentOutlined />} loading={state.running} onClick={onRun} data-testid="routing-sim-run">{rt('sim.run')}</Button>
      </Space>
      {state.error && <Alert type="error" showIcon title={state.error} style={{ marginTop: 12 }} data-testid="routing-sim-error" />}
      {state.running && !r && <div style={{ padding: 32, textAlign: 'center' }}><Spin description={rt('sim.running')}><div style={{ height: 40 }} /></Spin></div>}
      {r && (
        <Spin spinning={state.running}>
          <div style={{ marginTop: 12 }} data-testid="routing-sim-result">
            <Typography.Text type="secondary">
              {rt('sim.replayed', { arrivals: r.arrivals, agents: r.agents, from: dayjs(r.from).format('MM-DD HH:mm'), to: dayjs(r.to).format('MM-DD HH:mm') })}
            </Typography.Text>
            {r.arrivals === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={rt('sim.empty')} />}
            <div className="kh-rt-sim-cards">
              <ReportCard which="baseline" report={r.baseline} />
              <ReportCard which="proposed" report={r.proposed} base={r.baseline} />
            </div>
            <div className="kh-rt-sub">{rt('sim.agents')} <Typography.Text type="secondary" style={{ fontWeight: 400, fontSize: 12 }}>{rt('sim.legend')}</Typography.Text></div>
            <AgentTable result={r} dir={dir} />
            <GroupTable result={r} dir={dir} />
          </div>
        </Spin>
      )}
    </div>
  );
}
