import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Avatar, Badge, Empty, Input, Tabs, Tag, Tooltip, Typography } from 'antd';
import { CustomerServiceOutlined, SearchOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request, useSubscription } from '../../gql/client';
import { AgentInboxDoc, ConversationEventsDoc, InboxDoc, TransferTargetsDoc } from '../../gql/operations';
import type {
  AgentInboxSubscription, ConversationEventsSubscription, ConversationEventsSubscriptionVariables, InboxQuery, InboxQueryVariables, TransferOffersQuery, TransferTargetsQuery,
} from '../../gql/generated';
import { TransferOffersDoc } from './transferOps';
import { OfferButtons } from './OfferButtons';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';
import { bodyOf, previewOf, type MsgLike } from '../../lib/messages';
import { ConversationView } from './ConversationView';

type Tab = 'queued' | 'mine' | 'transferred' | 'closed';
type ListConv = InboxQuery['queued'][number];
type Offer = TransferOffersQuery['transferOffers'][number];
interface LiveInfo { preview: string; at: string; unread: number; transfer?: { fromAgentId: string | null; note: string | null } }

/** Watches one of my conversations for new messages (unread counts, last line) while it is not open. */
function ConversationWatcher({ id, onMessage }: { id: string; onMessage(id: string, m: MsgLike): void }) {
  useSubscription<ConversationEventsSubscription, ConversationEventsSubscriptionVariables>(ConversationEventsDoc, { conversationId: id }, (d) => {
    if (d.conversationEvents.kind === 'message' && d.conversationEvents.message) onMessage(id, d.conversationEvents.message);
  });
  return null;
}

/** 客服工作台: inbox tabs, the open conversation, its extension panel. Everything updates through subscriptions. */
export default function Workbench() {
  const t = useT();
  const { me } = useAuth();
  const { notification, message } = App.useApp();
  const myId = me!.id;
  const [tab, setTab] = useState<Tab>('mine');
  const [inbox, setInbox] = useState<InboxQuery | null>(null);
  /** Pending transfer offers to me (转给我的): the chat is still the sender's until I accept. */
  const [offers, setOffers] = useState<Offer[]>([]);
  const [live, setLive] = useState<Record<string, LiveInfo>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [groups, setGroups] = useState<Record<string, string>>({});
  const [search, setSearch] = useState('');
  const [, setTick] = useState(0);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;

  const nameOf = useCallback((id: string | null | undefined) => (id ? names[id] ?? (id === myId ? me!.name : t('common.agent')) : t('common.system')), [names, myId, me, t]);

  const loadInbox = useCallback(async () => {
    const [d, o] = await Promise.all([
      request<InboxQuery, InboxQueryVariables>(InboxDoc, { limit: 100 }),
      request<TransferOffersQuery>(TransferOffersDoc).catch(() => null),
    ]);
    setInbox(d);
    if (o) setOffers(o.transferOffers);
    setLive((prev) => {
      const next: Record<string, LiveInfo> = {};
      for (const c of d.mine) {
        const msgs = c.messages;
        const last = [...msgs].reverse().find((m) => m.type !== 'system') ?? [...msgs].reverse().find((m) => !bodyOf(m).internal);
        const unread = msgs.filter((m) => m.senderType === 'customer' && m.seq > c.agentReadSeq).length;
        const tr = [...msgs].reverse().find((m) => m.type === 'system' && bodyOf(m).event === 'transferred');
        const trb = tr ? bodyOf(tr) : null;
        // The note travels in the agents-only offer (or note) message of the same transfer.
        const noted = trb?.transferId ? msgs.find((m) => m.type === 'system' && (bodyOf(m).event === 'transfer_offered' || bodyOf(m).event === 'transfer_note') && bodyOf(m).transferId === trb.transferId) : undefined;
        if (trb && noted && trb.note == null) trb.note = bodyOf(noted).note;
        next[c.id] = {
          preview: last ? previewOf(last, t, nameOf) : '',
          at: last?.createdAt ?? c.assignedAt ?? c.createdAt,
          unread: c.id === selectedRef.current ? 0 : Math.max(unread, prev[c.id]?.unread ?? 0),
          transfer: trb && trb.toAgentId === myId ? { fromAgentId: (trb.fromAgentId as string) ?? null, note: (trb.note as string) ?? null } : undefined,
        };
        if (c.id === selectedRef.current) next[c.id].unread = 0;
      }
      return next;
    });
  }, [myId, t, nameOf]);

  const refetchSoon = useCallback(() => {
    if (refetchTimer.current) clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => { void loadInbox().catch(() => undefined); }, 150);
  }, [loadInbox]);

  useEffect(() => {
    void loadInbox().catch((e: unknown) => message.error((e as Error).message));
    request<TransferTargetsQuery>(TransferTargetsDoc).then((d) => {
      setNames(Object.fromEntries(d.agents.filter((a) => a.user).map((a) => [a.userId, a.user!.name])));
      setGroups(Object.fromEntries(d.skillGroups.map((g) => [g.id, g.name])));
    }).catch(() => undefined);
    const h = setInterval(() => setTick((x) => x + 1), 30_000); // wait times on screen move on
    return () => clearInterval(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Assignments, transfers to me and queue changes: refresh the lists.
  useSubscription<AgentInboxSubscription>(AgentInboxDoc, undefined, (d) => {
    const e = d.agentInbox;
    refetchSoon();
    const toast = (text: string, description?: string) => notification.info({ key: `${e.kind}:${e.transferId ?? e.conversationId}`, message: text, description, placement: 'bottomRight', duration: 4 });
    switch (e.kind) {
      case 'transfer_offered':
        toast(t('xfer.notifyOffered', { name: nameOf(e.fromAgentId) }), e.note ? t('wb.noteLine', { note: e.note }) : undefined);
        setTab('transferred');
        if (!selectedRef.current) setSelected(e.conversationId);
        return;
      case 'transfer_accepted':
      case 'transfer_declined':
      case 'transfer_expired':
      case 'transfer_cancelled': {
        // To the sender: how their offer ended; to the receiver: only that it was withdrawn.
        if (e.fromAgentId === myId) {
          const key = { transfer_accepted: 'xfer.notifyAccepted', transfer_declined: 'xfer.notifyDeclined', transfer_expired: 'xfer.notifyExpired', transfer_cancelled: 'xfer.notifyCancelled' } as const;
          toast(t(key[e.kind]), e.note ? t('wb.noteLine', { note: e.note }) : undefined);
        } else if (e.kind === 'transfer_cancelled' || e.kind === 'transfer_expired') {
          toast(t('xfer.notifyCancelled'));
        }
        setOffers((p) => p.filter((o) => o.id !== e.transferId));
        return;
      }
      case 'reassigned_away':
        toast(t('xfer.notifyReassigned'), e.note ? t('wb.noteLine', { note: e.note }) : undefined);
        return;
      default:
        break;
    }
    if (e.kind === 'assigned' || e.kind === 'transferred_to_you') {
      const transferred = e.kind === 'transferred_to_you';
      notification.info({
        key: e.conversationId,
        message: transferred ? t('wb.notifyTransferred', { name: nameOf(e.fromAgentId) }) : t('wb.notifyAssigned'),
        description: transferred && e.note ? t('wb.noteLine', { note: e.note }) : undefined,
        placement: 'bottomRight',
        duration: 4,
      });
      if (transferred) setLive((p) => ({ ...p, [e.conversationId]: { ...(p[e.conversationId] ?? { preview: '', at: new Date().toISOString(), unread: 0 }), transfer: { fromAgentId: e.fromAgentId, note: e.note } } }));
      setTab(transferred ? 'transferred' : 'mine');
      if (!selectedRef.current) setSelected(e.conversationId);
    }
  });

  const onWatchedMessage = useCallback((id: string, m: MsgLike) => {
    if (m.type === 'system') refetchSoon();
    setLive((p) => {
      const cur = p[id] ?? { preview: '', at: m.createdAt, unread: 0 };
      const unread = m.senderType === 'customer' && id !== selectedRef.current ? cur.unread + 1 : id === selectedRef.current ? 0 : cur.unread;
      return { ...p, [id]: { ...cur, preview: previewOf(m, t, nameOf), at: m.createdAt, unread } };
    });
  }, [refetchSoon, t, nameOf]);

  const select = (id: string) => {
    setSelected(id);
    setLive((p) => (p[id] ? { ...p, [id]: { ...p[id], unread: 0 } } : p));
  };

  const offerList = useMemo(() => {
    const s = search.trim().toLowerCase();
    return offers.filter((o) => !s || (o.conversation?.customer?.displayName ?? '').toLowerCase().includes(s));
  }, [offers, search]);

  const lists = useMemo(() => {
    const mine = inbox?.mine ?? [];
    const s = search.trim().toLowerCase();
    const match = (c: ListConv) => !s || (c.customer?.displayName ?? '').toLowerCase().includes(s) || (c.customer?.tags ?? []).some((x) => x.toLowerCase().includes(s));
    return {
      queued: (inbox?.queued ?? []).filter(match).sort((a, b) => (a.queuedAt ?? a.createdAt).localeCompare(b.queuedAt ?? b.createdAt)),
      mine: mine.filter(match),
      transferred: mine.filter((c) => live[c.id]?.transfer).filter(match),
      closed: (inbox?.closed ?? []).filter(match),
    } satisfies Record<Tab, ListConv[]>;
  }, [inbox, live, search]);

  // Keyboard: Alt+↑ / Alt+↓ moves through the current tab's conversations.
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const list = lists[tab];
      if (!list.length) return;
      e.preventDefault();
      const i = list.findIndex((c) => c.id === selectedRef.current);
      const next = e.key === 'ArrowDown' ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      select(list[next < 0 ? 0 : next].id);
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [lists, tab]);

  const item = (c: ListConv, kind: Tab) => {
    const info = live[c.id];
    const name = c.customer?.displayName ?? t('chat.visitor');
    const at = kind === 'queued' ? c.queuedAt ?? c.createdAt : kind === 'closed' ? c.closedAt ?? c.createdAt : info?.at ?? c.assignedAt ?? c.createdAt;
    const line = kind === 'queued'
      ? t('wb.waiting', { time: dayjs(at).fromNow(true) }) + (c.skillGroupId && groups[c.skillGroupId] ? ` · ${groups[c.skillGroupId]}` : '')
      : kind === 'closed' ? `${t(`conv.status.${c.status}` as 'conv.status.ended')} · ${c.closeReason ?? ''}`
      : info?.transfer && kind === 'transferred' ? t('wb.fromLine', { name: nameOf(info.transfer.fromAgentId), note: info.transfer.note ?? '' }) : info?.preview ?? '';
    return (
      <div
        key={c.id}
        className={`kh-inbox-item ${selected === c.id ? 'active' : ''}`}
        onClick={() => select(c.id)}
        data-testid={`conv-item-${c.id}`}
        data-customer={name}
        role="button"
        tabIndex={0}
        onKeyDown={(e) => { if (e.key === 'Enter') select(c.id); }}
      >
        <Badge count={kind === 'mine' || kind === 'transferred' ? info?.unread ?? 0 : 0} size="small" offset={[-4, 4]}>
          <Avatar style={{ background: kind === 'queued' ? '#fa8c16' : kind === 'closed' ? '#bfbfbf' : '#1677ff' }}>{name.slice(0, 1).toUpperCase()}</Avatar>
        </Badge>
        <div className="kh-inbox-main">
          <div className="kh-inbox-row">
            <span className="kh-inbox-name">{name}</span>
            <span className="kh-inbox-time">{dayjs(at).format(dayjs(at).isSame(dayjs(), 'day') ? 'HH:mm' : 'MM-DD')}</span>
          </div>
          <div className="kh-inbox-row">
            <span className="kh-inbox-line">{line}</span>
            <span>
              {(c.customer?.tags ?? []).slice(0, 1).map((tag) => <Tag key={tag} color="gold" style={{ marginInlineEnd: 0, fontSize: 11, lineHeight: '16px' }}>{tag}</Tag>)}
              {c.channel && <Tooltip title={c.channel.name}><Tag style={{ marginInlineEnd: 0, marginLeft: 4, fontSize: 11, lineHeight: '16px' }}>{c.channel.kind === 'web-widget' ? t('wb.web') : c.channel.kind}</Tag></Tooltip>}
            </span>
          </div>
        </div>
      </div>
    );
  };

  const offerItem = (o: Offer) => {
    const name = o.conversation?.customer?.displayName ?? t('chat.visitor');
    const left = o.expiresAt ? Math.max(0, Math.round((new Date(o.expiresAt).getTime() - Date.now()) / 1000)) : 0;
    return (
      <div
        key={o.id}
        className={`kh-inbox-item kh-offer-item ${selected === o.conversationId ? 'active' : ''}`}
        onClick={() => select(o.conversationId)}
        data-testid={`offer-item-${o.conversationId}`}
        role="button"
        tabIndex={0}
        onKeyDown={(e) => { if (e.key === 'Enter') select(o.conversationId); }}
      >
        <Avatar style={{ background: '#722ed1' }}>{name.slice(0, 1).toUpperCase()}</Avatar>
        <div className="kh-inbox-main">
          <div className="kh-inbox-row">
            <span className="kh-inbox-name">{name}</span>
            <span className="kh-inbox-time">{t('xfer.offerLine', { name: nameOf(o.fromAgentId), sec: left })}</span>
          </div>
          {o.note && <div className="kh-inbox-row"><span className="kh-inbox-line" data-testid="offer-note">{o.note}</span></div>}
          <div style={{ marginTop: 4 }}>
            <OfferButtons transferId={o.id} conversationId={o.conversationId} onAnswered={(accepted) => {
              setOffers((p) => p.filter((x) => x.id !== o.id));
              refetchSoon();
              if (accepted) { setTab('mine'); select(o.conversationId); }
            }} />
          </div>
        </div>
      </div>
    );
  };

  // A pending offer's countdown moves every second.
  useEffect(() => {
    if (!offers.length) return undefined;
    const h = setInterval(() => setTick((x) => x + 1), 1000);
    return () => clearInterval(h);
  }, [offers.length]);

  const tabLabel = (key: Tab, label: string) => (
    <span data-testid={`inbox-tab-${key}`}>{label} <Badge count={lists[key].length + (key === 'transferred' ? offerList.length : 0)} showZero={false} size="small" color={key === 'queued' ? '#fa8c16' : key === 'transferred' && offerList.length ? '#722ed1' : '#1677ff'} overflowCount={99} /></span>
  );

  return (
    <div className="kh-workbench" data-testid="workbench">
      {(inbox?.mine ?? []).filter((c) => c.id !== selected).map((c) => <ConversationWatcher key={c.id} id={c.id} onMessage={onWatchedMessage} />)}
      <aside className="kh-inbox">
        <div className="kh-inbox-search">
          <Input size="small" prefix={<SearchOutlined />} placeholder={t('wb.search')} value={search} onChange={(e) => setSearch(e.target.value)} allowClear />
        </div>
        <Tabs
          size="small"
          activeKey={tab}
          onChange={(k) => setTab(k as Tab)}
          className="kh-inbox-tabs"
          items={([['queued', t('wb.queued')], ['mine', t('wb.mine')], ['transferred', t('wb.transferred')], ['closed', t('wb.closed')]] as [Tab, string][]).map(([key, label]) => ({
            key,
            label: tabLabel(key, label),
            children: (
              <div className="kh-inbox-list" data-testid={`inbox-list-${key}`}>
                {key === 'transferred' && offerList.map(offerItem)}
                {lists[key].length ? lists[key].map((c) => item(c, key)) : key === 'transferred' && offerList.length ? null : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(`wb.empty.${key}`)} />}
              </div>
            ),
          }))}
        />
      </aside>
      {selected ? (
        <ConversationView key={selected} conversationId={selected} myId={myId} nameOf={nameOf} onChanged={refetchSoon} />
      ) : (
        <div className="kh-chat-empty">
          <Empty image={<CustomerServiceOutlined style={{ fontSize: 64, color: '#bfbfbf' }} />} description={
            <div>
              <Typography.Paragraph>{me?.agentProfile?.status === 'online' ? t('wb.pickOne') : t('wb.goOnline')}</Typography.Paragraph>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('wb.keys')}</Typography.Text>
            </div>
          } />
        </div>
      )}
    </div>
  );
}
