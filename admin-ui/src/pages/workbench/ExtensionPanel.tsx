import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Badge, Button, Descriptions, Empty, Input, List, Modal, Spin, Tabs, Tag, Timeline, Typography } from 'antd';
import { GlobalOutlined, ProfileOutlined, SolutionOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { AssistSuggestionsDoc, HistoryMessagesDoc } from '../../gql/operations';
import type {
  AssistSuggestionsQuery, AssistSuggestionsQueryVariables, ConversationDetailQuery, HistoryMessagesQuery, HistoryMessagesQueryVariables,
} from '../../gql/generated';
import { useT, type DictKey } from '../../i18n';
import { previewOf, STATUS_TAG } from '../../lib/messages';

type Detail = ConversationDetailQuery['conversation'];

/**
 * A slot of the extension panel (扩展区) that a connector plugin fills: CRM data, related tickets.
 * Slots are registered by key; an empty slot shows what it is for.
 */
export interface PanelSlot { key: string; title: DictKey; icon: ReactNode; render?: (d: Detail) => ReactNode; emptyHint: DictKey }
export const panelSlots: PanelSlot[] = [
  { key: 'crm', title: 'ext.crm', icon: <SolutionOutlined />, emptyHint: 'ext.crmEmpty' },
  { key: 'tickets', title: 'ext.tickets', icon: <ProfileOutlined />, emptyHint: 'ext.ticketsEmpty' },
];
export function registerPanelSlot(slot: PanelSlot): void {
  const i = panelSlots.findIndex((s) => s.key === slot.key);
  if (i >= 0) panelSlots[i] = slot; else panelSlots.push(slot);
}

interface TrailEntry { url?: string; title?: string | null; at?: string }

function Profile({ d }: { d: Detail }) {
  const t = useT();
  const c = d.customer;
  const trail = (Array.isArray(d.trail) ? d.trail : []) as TrailEntry[];
  const attrs = c && c.attributes && typeof c.attributes === 'object' ? Object.entries(c.attributes as Record<string, unknown>) : [];
  return (
    <div className="kh-ext-body">
      <Descriptions size="small" column={1} colon={false} labelStyle={{ width: 72, color: '#8c8c8c' }}>
        <Descriptions.Item label={t('ext.name')}>{c?.displayName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('ext.email')}>{c?.email ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('ext.phone')}>{c?.phone ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('ext.channel')}>{d.channel?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('ext.firstSeen')}>{c ? dayjs(c.createdAt).format('YYYY-MM-DD HH:mm') : '—'}</Descriptions.Item>
        {attrs.map(([k, v]) => <Descriptions.Item key={k} label={k}>{typeof v === 'string' ? v : JSON.stringify(v)}</Descriptions.Item>)}
      </Descriptions>
      <div className="kh-ext-section">{t('ext.tags')}</div>
      <div data-testid="customer-tags">{c?.tags.length ? c.tags.map((tag) => <Tag key={tag} color={tag.toLowerCase() === 'vip' ? 'gold' : 'blue'}>{tag}</Tag>) : <Typography.Text type="secondary">{t('ext.noTags')}</Typography.Text>}</div>
      <div className="kh-ext-section"><GlobalOutlined /> {t('ext.trail')} <Typography.Text type="secondary">({trail.length})</Typography.Text></div>
      {trail.length ? (
        <Timeline
          className="kh-trail"
          data-testid="visitor-trail"
          items={[...trail].reverse().map((e, i) => ({
            key: i,
            color: i === 0 ? 'blue' : 'gray',
            children: (
              <div data-testid="trail-entry">
                <div className="kh-trail-title">{e.title || e.url}</div>
                <a href={e.url} target="_blank" rel="noreferrer" className="kh-trail-url">{e.url}</a>
                <div className="kh-trail-at">{e.at ? dayjs(e.at).format('MM-DD HH:mm:ss') : ''}</div>
              </div>
            ),
          }))}
        />
      ) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ext.noTrail')} />}
    </div>
  );
}

function History({ d }: { d: Detail }) {
  const t = useT();
  const [open, setOpen] = useState<string | null>(null);
  const [data, setData] = useState<HistoryMessagesQuery['conversation'] | null>(null);
  const items = (d.customer?.conversations ?? []).filter((c) => c.id !== d.id);
  const show = async (id: string) => {
    setOpen(id);
    setData(null);
    const r = await request<HistoryMessagesQuery, HistoryMessagesQueryVariables>(HistoryMessagesDoc, { id });
    setData(r.conversation);
  };
  return (
    <div className="kh-ext-body">
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ext.noHistory')} /> }}
        renderItem={(c) => (
          <List.Item onClick={() => void show(c.id)} style={{ cursor: 'pointer' }} data-testid="history-item">
            <List.Item.Meta
              title={<span>{dayjs(c.createdAt).format('YYYY-MM-DD HH:mm')} <Tag color={STATUS_TAG[c.status]} style={{ marginLeft: 4 }}>{t(`conv.status.${c.status}` as DictKey)}</Tag></span>}
              description={`${c.channel?.name ?? ''} · ${c.assigneeName ?? t('ext.noAgent')} · ${t('ext.msgCount', { n: c.lastSeq })}`}
            />
          </List.Item>
        )}
      />
      <Modal open={!!open} onCancel={() => setOpen(null)} footer={null} title={t('ext.historyTitle')} width={560}>
        {!data ? <Spin /> : (
          <div className="kh-history-msgs">
            {data.messages.map((m) => (
              <div key={m.id} className={`kh-hm kh-hm-${m.senderType}`}>
                <span className="kh-hm-who">{t(`sender.${m.senderType}` as DictKey)}</span>
                <span className="kh-hm-time">{dayjs(m.createdAt).format('MM-DD HH:mm')}</span>
                <div>{previewOf(m, t)}</div>
              </div>
            ))}
          </div>
        )}
      </Modal>
    </div>
  );
}

type Suggestion = AssistSuggestionsQuery['assistSuggestions'][number];

/** 智能助手: knowledge entries matching the customer's latest message (or a search), one click to insert. */
function Assist({ conversationId, trigger, onInsert, onCount }: { conversationId: string; trigger: number; onInsert?: (text: string) => void; onCount(n: number): void }) {
  const t = useT();
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const run = useCallback(async (text?: string) => {
    try {
      const d = await request<AssistSuggestionsQuery, AssistSuggestionsQueryVariables>(AssistSuggestionsDoc, { conversationId, text: text?.trim() || null, limit: 5 });
      setItems(d.assistSuggestions);
      onCount(d.assistSuggestions.length);
    } catch {
      setUnavailable(true);
      setItems([]);
    }
  }, [conversationId, onCount]);
  useEffect(() => { void run(); }, [run, trigger]);
  if (unavailable) return <div className="kh-ext-body"><Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ext.assistUnavailable')} /></div>;
  return (
    <div className="kh-ext-body" data-testid="assist-panel">
      <Input.Search size="small" placeholder={t('ext.assistSearch')} allowClear onSearch={(v) => void run(v)} style={{ marginBottom: 8 }} />
      {!items ? <Spin /> : items.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ext.assistEmpty')} /> : items.map((s) => (
        <div key={s.entryId} className="kh-assist" data-testid="assist-item">
          <div className="kh-assist-head">
            <Typography.Text strong ellipsis style={{ flex: 1 }}>{s.question}</Typography.Text>
            <Tag color={s.score >= 0.6 ? 'green' : s.score >= 0.4 ? 'blue' : 'default'} style={{ marginInlineEnd: 0 }}>{Math.round(s.score * 100)}%</Tag>
          </div>
          {s.categoryPath && <div className="kh-assist-cat">{s.categoryPath}{s.visibility === 'internal' ? ` · ${t('ext.internal')}` : ''}</div>}
          <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ margin: '4px 0', fontSize: 12 }}>{s.answer}</Typography.Paragraph>
          {onInsert && <Button size="small" onClick={() => onInsert(s.answer)} data-testid="assist-insert">{t('ext.insert')}</Button>}
        </div>
      ))}
    </div>
  );
}

export function ExtensionPanel({ detail, assistTrigger = 0, onInsert }: { detail: Detail; assistTrigger?: number; onInsert?: (text: string) => void }) {
  const t = useT();
  const [assistCount, setAssistCount] = useState(0);
  return (
    <aside className="kh-ext" data-testid="extension-panel">
      <div className="kh-ext-title">{t('ext.title')}</div>
      <Tabs
        size="small"
        className="kh-ext-tabs"
        items={[
          { key: 'profile', label: <span>{t('ext.profile')}</span>, children: <Profile d={detail} /> },
          {
            key: 'assist',
            forceRender: true,
            label: <span data-testid="ext-tab-assist">{t('ext.assistTab')}{assistCount > 0 && <Badge count={assistCount} size="small" color="#722ed1" style={{ marginLeft: 3 }} />}</span>,
            children: <Assist conversationId={detail.id} trigger={assistTrigger} onInsert={onInsert} onCount={setAssistCount} />,
          },
          { key: 'history', label: <span data-testid="ext-tab-history">{t('ext.history')}</span>, children: <History d={detail} /> },
          ...panelSlots.map((s) => ({
            key: s.key,
            label: <span data-testid={`ext-tab-${s.key}`}>{t(s.title)}</span>,
            children: <div className="kh-ext-body" data-testid={`slot-${s.key}`}>{s.render ? s.render(detail) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(s.emptyHint)} />}</div>,
          })),
        ]}
      />
    </aside>
  );
}
