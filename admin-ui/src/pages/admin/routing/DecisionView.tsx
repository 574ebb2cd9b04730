import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Badge, Drawer, Empty, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { RightOutlined, StarFilled } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request, useSubscription } from '../../../gql/client';
import { AgentInboxDoc } from '../../../gql/operations';
import { ConversationRoutingDoc } from '../../../gql/routing-operations';
import type { AgentInboxSubscription, ConversationRoutingQuery, RoutingDecisionFieldsFragment, RoutingDecisionKind } from '../../../gql/generated';
import { isDictKey, useT, type DictKey } from '../../../i18n';
import { useAuth } from '../../../auth';
import { shortId, asTerms, useRoutingDirectory, type PriorityTerm, type RoutingDirectory } from './directory';
import { formatDuration, useRT, type RtFn } from './i18n';
import './routing.css';

export type Decision = RoutingDecisionFieldsFragment;

/** As the layout's status badges (not imported from it: this chunk should not pull the layout out of the entry). */
const STATUS_COLORS: Record<string, string> = { online: '#52c41a', busy: '#fa8c16', away: '#faad14', offline: '#bfbfbf' };

export const KIND_COLORS: Record<RoutingDecisionKind, string> = { queued: 'blue', assigned: 'green', overflowed: 'orange', exited: 'red' };

export function KindTag({ kind }: { kind: RoutingDecisionKind }) {
  const rt = useRT();
  return <Tag color={KIND_COLORS[kind]} className="kh-rt-kind">{rt(`kind.${kind}`)}</Tag>;
}

interface Candidate { agentId: string; status: string; load: number; capacity: number; level: number; eligible: boolean; rank?: number; score?: number; why?: string }
interface AssignDetail {
  strategy?: string; strategyFallbackFrom?: string; chosen?: string; reason?: string; membersTotal?: number; eligibleTotal?: number;
  /** Members the log does not list, by state (big groups). */
  omitted?: Partial<Record<'eligible' | 'full' | 'busy' | 'away' | 'offline', number>>;
  conversation?: { position: number; waitedSec: number; advanceSec: number; terms: unknown };
  queue?: { conversationId: string; waitedSec: number; advanceSec: number; held?: string }[];
  candidates?: Candidate[];
}
interface QueuedDetail { diversion?: string; hops?: { from: string | null; to: string | null; why: string }[]; position?: number; priority?: { advanceSec: number; terms: unknown } }
interface MoveDetail { from?: string | null; to?: string | null; why?: string; blocked?: string; skipped?: string[]; waitedSec?: number; hops?: unknown[] }

/** Label/value rows (a plain list: the workbench's Descriptions chunk is better left unshared). */
function Facts({ items, columns = 1 }: { items: { key: string; label: ReactNode; children: ReactNode }[]; columns?: 1 | 2 }) {
  const rt = useRT();
  return (
    <dl className={`kh-rt-facts kh-rt-facts-${columns}`}>
      {items.map((i) => <div key={i.key}><dt>{i.label}{rt('colon')}</dt><dd>{i.children}</dd></div>)}
    </dl>
  );
}

const obj = <T,>(v: unknown): T => (v && typeof v === 'object' ? v : {}) as T;

/** One line, in the UI's language, of what was decided (the recorded summary is English with ids). */
export function decisionHeadline(d: Decision, dir: RoutingDirectory, rt: RtFn): string {
  switch (d.kind) {
    case 'assigned': {
      const a = obj<AssignDetail>(d.detail);
      if (!a.conversation) return dir.humanize(d.summary);
      const why = (a.reason ?? '').replace(/^[^:]*: /, '');
      const parts = [
        rt('d.assigned', { agent: dir.agentName(d.agentId), strategy: dir.contributionLabel(d.strategy), why }),
        rt('d.position', { p: a.conversation.position, w: formatDuration(rt, a.conversation.waitedSec) }),
      ];
      if (a.conversation.advanceSec) parts.push(rt('d.ahead', { a: formatDuration(rt, a.conversation.advanceSec) }));
      return parts.join(rt('sep'));
    }
    case 'queued': {
      const q = obj<QueuedDetail>(d.detail);
      if (q.position === undefined) return dir.humanize(d.summary);
      const parts = [rt('d.queued', { group: dir.groupName(d.skillGroupId), p: q.position })];
      if (q.priority?.advanceSec) parts.push(rt('d.ahead', { a: formatDuration(rt, q.priority.advanceSec) }));
      if (q.hops?.length) parts.push(rt('d.hops', { n: q.hops.length }));
      return parts.join(rt('sep'));
    }
    case 'overflowed': {
      const m = obj<MoveDetail>(d.detail);
      return `${rt('d.overflowed', { from: dir.groupName(m.from ?? null), to: dir.groupName(m.to ?? d.skillGroupId) })}${m.why ? `${rt('colon')}${dir.humanize(String(m.why))}` : ''}`;
    }
    case 'exited':
      return `${rt('d.exited', { group: dir.groupName(d.skillGroupId) })}${rt('colon')}${dir.humanize(d.summary.replace(/^[^:]*: /, ''))}`;
  }
}

export function TermTags({ terms, dir }: { terms: PriorityTerm[]; dir: RoutingDirectory }) {
  const rt = useRT();
  if (!terms.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {terms.map((x, i) => (
        <Tooltip key={i} title={`${rt('queue.points', { p: x.points, w: x.weight })} = ${formatDuration(rt, x.advanceSec)}`}>
          <Tag color={x.advanceSec ? 'geekblue' : 'default'} className="kh-rt-term" data-testid={`term-${x.rule}`}>
            {dir.contributionLabel(x.rule)}{x.reason ? ` · ${x.reason}` : ''} <b>+{formatDuration(rt, x.advanceSec)}</b>
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

function CandidatesTable({ a, dir }: { a: AssignDetail; dir: RoutingDirectory }) {
  const rt = useRT();
  const t = useT();
  const rows = a.candidates ?? [];
  return (
    <div data-testid="decision-candidates">
    <Table<Candidate>
      size="small"
      rowKey="agentId"
      pagination={false}
      dataSource={rows}
      rowClassName={(c) => (c.agentId === a.chosen ? 'kh-rt-chosen' : c.eligible ? '' : 'kh-rt-ineligible')}
      columns={[
        { title: rt('c.rank'), dataIndex: 'rank', width: 56, align: 'center', render: (r: number | undefined, c) => (c.agentId === a.chosen ? <Tooltip title={rt('c.chosen')}><StarFilled style={{ color: '#faad14' }} /> {r}</Tooltip> : r ?? '—') },
        { title: rt('c.agent'), dataIndex: 'agentId', ellipsis: true, render: (id: string) => dir.agentName(id) },
        { title: rt('c.status'), dataIndex: 'status', width: 84, render: (s: string) => <Badge color={STATUS_COLORS[s] ?? '#bfbfbf'} text={t(`status.${s}` as DictKey)} /> },
        { title: rt('c.load'), width: 84, align: 'right', render: (_: unknown, c) => `${c.load}/${c.capacity}` },
        { title: rt('c.level'), dataIndex: 'level', width: 72, align: 'right' },
        { title: rt('c.reason'), dataIndex: 'why', ellipsis: true, render: (w: string | undefined) => w ?? <Typography.Text type="secondary">{rt('c.ineligible')}</Typography.Text> },
      ]}
    />
    </div>
  );
}

/** What a decision was made from: candidates, queue head and priority (assigned); diversion and priority (queued); the move (overflow/exit). */
export function DecisionDetail({ d, dir }: { d: Decision; dir: RoutingDirectory }) {
  const rt = useRT();
  if (d.kind === 'assigned') {
    const a = obj<AssignDetail>(d.detail);
    const terms = asTerms(a.conversation?.terms);
    return (
      <div className="kh-rt-detail" data-testid="decision-detail">
        {a.strategyFallbackFrom && <Alert type="warning" showIcon title={rt('d.fallback', { from: dir.contributionLabel(a.strategyFallbackFrom) })} style={{ marginBottom: 8 }} />}
        <div className="kh-rt-sub">{rt('d.candidates', { n: a.eligibleTotal ?? (a.candidates ?? []).filter((c) => c.eligible).length, total: a.membersTotal ?? (a.candidates ?? []).length })}</div>
        <CandidatesTable a={a} dir={dir} />
        {a.omitted && Object.keys(a.omitted).length > 0 && (
          <Typography.Text type="secondary" data-testid="decision-omitted">
            {rt('d.omitted', { list: Object.entries(a.omitted).map(([state, n]) => `${rt(`omit.${state as 'eligible'}`)} ${n}`).join(rt('listSep')) })}
          </Typography.Text>
        )}
        {terms.length > 0 && <><div className="kh-rt-sub">{rt('d.terms')}</div><TermTags terms={terms} dir={dir} /></>}
        {(a.queue?.length ?? 0) > 1 && (
          <>
            <div className="kh-rt-sub">{rt('d.queueHead')}</div>
            <ol className="kh-rt-queue">
              {a.queue!.map((q) => (
                <li key={q.conversationId} className={q.conversationId === d.conversationId ? 'kh-rt-self' : ''}>
                  {q.conversationId === d.conversationId ? rt('d.self') : shortId(q.conversationId)} · {formatDuration(rt, q.waitedSec)}{q.advanceSec ? ` · +${formatDuration(rt, q.advanceSec)}` : ''}{q.held ? ` · ${rt('d.held', { why: dir.humanize(q.held) })}` : ''}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    );
  }
  if (d.kind === 'queued') {
    const q = obj<QueuedDetail>(d.detail);
    return (
      <div className="kh-rt-detail" data-testid="decision-detail">
        <Facts items={[
          ...(q.diversion ? [{ key: 'div', label: rt('d.diversionLabel'), children: dir.humanize(q.diversion) }] : []),
          ...(q.hops?.length ? [{ key: 'hops', label: rt('overflow.chain'), children: q.hops.map((h) => `${dir.groupName(h.from)} → ${dir.groupName(h.to)} (${h.why})`).join(rt('sep')) }] : []),
          { key: 'terms', label: rt('d.terms'), children: <TermTags terms={asTerms(q.priority?.terms)} dir={dir} /> },
        ]} />
      </div>
    );
  }
  const m = obj<MoveDetail>(d.detail);
  return (
    <div className="kh-rt-detail" data-testid="decision-detail">
      <Facts items={[
        ...(m.waitedSec !== undefined ? [{ key: 'w', label: rt('queue.waited'), children: formatDuration(rt, m.waitedSec) }] : []),
        ...(m.skipped?.length ? [{ key: 's', label: rt('overflow.chain'), children: dir.humanize(m.skipped.join(', ')) }] : []),
        { key: 'raw', label: rt('log.raw'), children: dir.humanize(d.summary) },
      ]} />
    </div>
  );
}

/** A conversation's decisions, oldest first: a headline each, details on demand (assignments open). */
export function DecisionTimeline({ decisions, dir }: { decisions: Decision[]; dir: RoutingDirectory }) {
  const rt = useRT();
  const [open, setOpen] = useState<string[]>([]);
  const seen = useRef(new Set<string>());
  // Assignments open by default, also those that arrive while the log is shown; the rest stay as the user left them.
  useEffect(() => {
    const fresh = decisions.filter((d) => !seen.current.has(d.id));
    fresh.forEach((d) => seen.current.add(d.id));
    const opened = fresh.filter((d) => d.kind === 'assigned').map((d) => d.id);
    if (opened.length) setOpen((cur) => [...cur, ...opened]);
  }, [decisions]);
  if (!decisions.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={rt('log.none')} />;
  const toggle = (id: string) => setOpen((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]));
  return (
    <div className="kh-rt-timeline">
      {decisions.map((d) => {
        const expanded = open.includes(d.id);
        return (
          <div key={d.id} className={`kh-rt-item ${expanded ? 'kh-rt-open' : ''}`}>
            <div className="kh-rt-head" data-testid={`decision-${d.kind}`} role="button" tabIndex={0} aria-expanded={expanded}
              onClick={() => toggle(d.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(d.id); } }}>
              <RightOutlined className="kh-rt-caret" />
              <KindTag kind={d.kind} />
              <span className="kh-rt-headline">{decisionHeadline(d, dir, rt)}</span>
              <span className="kh-rt-time">{dayjs(d.decidedAt).format('MM-DD HH:mm:ss')}</span>
            </div>
            {expanded && <div className="kh-rt-body"><DecisionDetail d={d} dir={dir} /></div>}
          </div>
        );
      })}
    </div>
  );
}

/**
 * The decision log of one conversation in a drawer (supervisors and admins), refreshed when the queue
 * stream reports a change to that conversation.
 */
export default function DecisionDrawer({ conversationId, onClose }: { conversationId: string | null; onClose(): void }) {
  const rt = useRT();
  const t = useT();
  const { perms } = useAuth();
  const dir = useRoutingDirectory();
  const [data, setData] = useState<ConversationRoutingQuery['conversation'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (id: string) => {
    try {
      setData((await request<ConversationRoutingQuery, { id: string }>(ConversationRoutingDoc, { id })).conversation);
      setError(null);
    } catch (e) { setError((e as Error).message); }
  }, []);
  useEffect(() => {
    setData(null);
    if (conversationId) void load(conversationId);
  }, [conversationId, load]);
  useSubscription<AgentInboxSubscription>(AgentInboxDoc, undefined, (e) => {
    if (conversationId && e.agentInbox.conversationId === conversationId) void load(conversationId);
  }, { enabled: !!conversationId && perms.conversations });

  const c = data?.id === conversationId ? data : null;
  return (
    <Drawer
      open={!!conversationId}
      onClose={onClose}
      size={720}
      destroyOnHidden
      title={rt('log.forConversation', { name: c?.customer?.displayName ?? (conversationId ? shortId(conversationId) : undefined) ?? '' })}
    >
      {error && <Alert type="error" showIcon title={error} />}
      {!c && !error && <Spin />}
      {c && (
        <div data-testid="decision-drawer-body">
          <Facts columns={2} items={[
            { key: 'customer', label: rt('queue.customer'), children: <Space size={4}>{c.customer?.displayName ?? '—'}{(c.customer?.tags ?? []).map((x) => <Tag key={x} color={x === 'VIP' ? 'gold' : undefined}>{x}</Tag>)}</Space> },
            { key: 'group', label: rt('log.group'), children: dir.groupName(c.skillGroupId) },
            { key: 'agent', label: rt('log.agent'), children: c.assigneeName ?? dir.agentName(c.assigneeId) },
            { key: 'channel', label: rt('log.conversation'), children: `${c.channel?.name ?? '—'} · ${isDictKey(`conv.status.${c.status}`) ? t(`conv.status.${c.status}` as DictKey) : c.status}` },
          ]} />
          <DecisionTimeline decisions={c.routingDecisions} dir={dir} />
        </div>
      )}
    </Drawer>
  );
}
