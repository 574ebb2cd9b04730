import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Dropdown, Empty, Input, Popconfirm, Space, Spin, Tag, Tooltip, Typography, Upload } from 'antd';
import { FileAddOutlined, PictureOutlined, SendOutlined, SwapOutlined, PoweroffOutlined, ThunderboltOutlined, UserSwitchOutlined } from '@ant-design/icons';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import dayjs from 'dayjs';
import { request, useSubscription } from '../../gql/client';
import {
  CloseConversationDoc, ConversationDetailDoc, ConversationEventsDoc, MarkReadDoc, RecallMessageDoc, SendMessageDoc, SendTypingDoc,
} from '../../gql/operations';
import type {
  CloseConversationMutation, CloseConversationMutationVariables, ConversationDetailQuery, ConversationDetailQueryVariables,
  ConversationEventsSubscription, ConversationEventsSubscriptionVariables, MarkReadMutation, MarkReadMutationVariables,
  RecallMessageMutation, RecallMessageMutationVariables, SendMessageMutation, SendMessageMutationVariables, SendTypingMutation, SendTypingMutationVariables,
} from '../../gql/generated';
import { useT, type DictKey } from '../../i18n';
import { useAuth } from '../../auth';
import { CancelTransferDoc, ConversationTransfersDoc } from './transferOps';
import type { CancelTransferMutation, CancelTransferMutationVariables, ConversationTransfersQuery, ConversationTransfersQueryVariables } from '../../gql/generated';
import { OfferButtons } from './OfferButtons';
import { ReassignDialog } from './ReassignDialog';
import { newClientId, readAsDataUrl, STATUS_TAG } from '../../lib/messages';
import { MessageItem, type ChatMessage } from './MessageItem';
import { ExtensionPanel } from './ExtensionPanel';
import { TransferDialog } from './TransferDialog';
import { CannedPicker } from './CannedPicker';

type Detail = ConversationDetailQuery['conversation'];
type Transfer = ConversationTransfersQuery['conversation']['transfers'][number];
const RECALL_MS = 2 * 60_000;
const MAX_ATTACHMENT = 1_000_000;


interface Props {
  conversationId: string;
  myId: string;
  nameOf(id: string | null | undefined): string;
  /** Something changed that the inbox should reflect (status, assignment). */
  onChanged(): void;
}

export function ConversationView({ conversationId, myId, nameOf, onChanged }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [loading, setLoading] = useState(true);
  const [typing, setTyping] = useState<{ preview: string | null; at: number } | null>(null);
  const [customerReadSeq, setCustomerReadSeq] = useState(0);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [reassignOpen, setReassignOpen] = useState(false);
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const { perms } = useAuth();
  const [cannedOpen, setCannedOpen] = useState(false);
  const [, setTick] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<TextAreaRef>(null);
  const lastTypingSent = useRef(0);
  const readSent = useRef(0);

  const load = useCallback(async () => {
    const [d, tr] = await Promise.all([
      request<ConversationDetailQuery, ConversationDetailQueryVariables>(ConversationDetailDoc, { id: conversationId }),
      request<ConversationTransfersQuery, ConversationTransfersQueryVariables>(ConversationTransfersDoc, { id: conversationId }).catch(() => null),
    ]);
    if (tr) setTransfers(tr.conversation.transfers);
    setDetail(d.conversation);
    setMessages((prev) => mergeMessages(prev, d.conversation.messages));
    setCustomerReadSeq((s) => Math.max(s, d.conversation.customerReadSeq));
    return d.conversation;
  }, [conversationId]);

  useEffect(() => {
    setDetail(null); setMessages([]); setLoading(true); setTyping(null); setCustomerReadSeq(0); readSent.current = 0; setDraft(''); setTransfers([]);
    load().catch((e: unknown) => message.error((e as Error).message)).finally(() => setLoading(false));
  }, [load, message]);

  // Re-render every 15 s: recall windows close and relative times move on.
  useEffect(() => { const h = setInterval(() => setTick((x) => x + 1), 15_000); return () => clearInterval(h); }, []);

  const afterSeq = useMemo(() => (detail ? detail.messages.reduce((a, m) => Math.max(a, m.seq), 0) : 0), [detail]);
  useSubscription<ConversationEventsSubscription, ConversationEventsSubscriptionVariables>(
    ConversationEventsDoc, { conversationId, afterSeq },
    (d) => {
      const e = d.conversationEvents;
      switch (e.kind) {
        case 'message':
          if (e.message) {
            const msg = e.message;
            setMessages((prev) => mergeMessages(prev, [msg]));
            if (msg.senderType === 'customer') setTyping(null);
            if (msg.type === 'system') void load().catch(() => undefined);
          }
          break;
        case 'recalled':
          setMessages((prev) => prev.map((m) => (m.id === e.messageId || m.seq === e.seq ? { ...m, recalledAt: new Date().toISOString(), body: {} } : m)));
          break;
        case 'typing':
          if (e.side === 'customer') setTyping({ preview: e.preview, at: Date.now() });
          break;
        case 'read':
          if (e.side === 'customer' && e.seq != null) setCustomerReadSeq((s) => Math.max(s, e.seq!));
          break;
        case 'status':
          setDetail((prev) => (prev ? { ...prev, status: e.status ?? prev.status, assigneeId: e.assigneeId ?? null } : prev));
          void load().catch(() => undefined);
          onChanged();
          break;
        default:
          break;
      }
    },
    { enabled: !!detail, key: `${conversationId}:${detail ? 'ready' : 'loading'}` },
  );

  // The typing indicator fades 6 s after the last keystroke event.
  useEffect(() => {
    if (!typing) return undefined;
    const h = setTimeout(() => setTyping((cur) => (cur && Date.now() - cur.at >= 5900 ? null : cur)), 6000);
    return () => clearTimeout(h);
  }, [typing]);

  const mineToAnswer = !!detail && detail.status === 'assigned' && detail.assigneeId === myId;
  // A pending offer: the chat stays with the sender until the colleague answers it or it expires.
  const offer = detail?.status === 'assigned' ? transfers.find((x) => x.kind === 'agent' && x.status === 'pending') ?? null : null;
  const offerSecLeft = offer?.expiresAt ? Math.max(0, Math.round((new Date(offer.expiresAt).getTime() - Date.now()) / 1000)) : 0;
  // The countdown of a pending offer moves every second.
  useEffect(() => {
    if (!offer) return undefined;
    const h = setInterval(() => setTick((x) => x + 1), 1000);
    return () => clearInterval(h);
  }, [offer]);
  const lastSeq = messages.length ? messages[messages.length - 1].seq : 0;
  // Agent assist refreshes when the customer writes something new.
  const lastCustomerSeq = messages.reduce((a, m) => (m.senderType === 'customer' && m.type === 'text' ? Math.max(a, m.seq) : a), 0);

  // Read receipts: everything shown while the page is visible is read.
  useEffect(() => {
    if (!mineToAnswer || lastSeq <= readSent.current || document.visibilityState !== 'visible') return;
    readSent.current = lastSeq;
    void request<MarkReadMutation, MarkReadMutationVariables>(MarkReadDoc, { conversationId, seq: lastSeq }).then(() => onChanged()).catch(() => undefined);
  }, [mineToAnswer, lastSeq, conversationId, onChanged]);

  // Keep the newest message in view.
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, typing]);

  const send = async (type: string, body: Record<string, unknown>) => {
    setSending(true);
    try {
      const d = await request<SendMessageMutation, SendMessageMutationVariables>(SendMessageDoc, { conversationId, type, body, clientMessageId: newClientId() });
      setMessages((prev) => mergeMessages(prev, [d.sendMessage]));
      return true;
    } catch (e) {
      message.error((e as Error).message);
      return false;
    } finally {
      setSending(false);
    }
  };

  const sendText = async () => {
    const text = draft.trim();
    if (!text || sending) return;
    if (await send('text', { text })) setDraft('');
    inputRef.current?.focus();
  };

  const onDraftChange = (v: string) => {
    setDraft(v);
    if (mineToAnswer && Date.now() - lastTypingSent.current > 3000) {
      lastTypingSent.current = Date.now();
      void request<SendTypingMutation, SendTypingMutationVariables>(SendTypingDoc, { conversationId }).catch(() => undefined);
    }
  };

  const attach = async (file: File, kind: 'image' | 'file') => {
    if (file.size > MAX_ATTACHMENT) { message.warning(t('chat.tooLarge')); return; }
    const url = await readAsDataUrl(file);
    if (kind === 'image') await send('image', { url, alt: file.name });
    else await send('file', { url, name: file.name, size: file.size, mime: file.type || 'application/octet-stream' });
  };

  const recall = async (m: ChatMessage) => {
    try {
      await request<RecallMessageMutation, RecallMessageMutationVariables>(RecallMessageDoc, { messageId: m.id });
      setMessages((prev) => prev.map((x) => (x.id === m.id ? { ...x, recalledAt: new Date().toISOString(), body: {} } : x)));
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const cancelOffer = async (transferId: string) => {
    try {
      await request<CancelTransferMutation, CancelTransferMutationVariables>(CancelTransferDoc, { transferId });
      message.success(t('transfer.cancelled'));
    } catch (e) {
      message.error((e as Error).message);
    }
    await load().catch(() => undefined);
  };

  const close = async () => {
    try {
      await request<CloseConversationMutation, CloseConversationMutationVariables>(CloseConversationDoc, { conversationId, reason: 'resolved' });
      message.success(t('chat.closed'));
      await load();
      onChanged();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const insertText = (text: string) => {
    const el = inputRef.current?.resizableTextArea?.textArea;
    if (el) {
      const start = el.selectionStart ?? draft.length;
      const end = el.selectionEnd ?? draft.length;
      setDraft(draft.slice(0, start) + text + draft.slice(end));
    } else setDraft((d) => d + text);
    setTimeout(() => inputRef.current?.focus(), 0);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); void sendText(); }
  };

  // Ctrl+K / ⌘K anywhere in the conversation opens the canned replies.
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') { e.preventDefault(); if (mineToAnswer) setCannedOpen(true); }
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [mineToAnswer]);

  if (loading && !detail) return <div className="kh-chat-empty"><Spin /></div>;
  if (!detail) return <div className="kh-chat-empty"><Empty /></div>;

  const customerName = detail.customer?.displayName ?? t('chat.visitor');
  return (
    <div className="kh-conv">
      <section className="kh-chat" data-testid="chat-pane" data-conversation={conversationId} data-status={detail.status}>
        <header className="kh-chat-head">
          <div style={{ minWidth: 0 }}>
            <Space size={6} wrap>
              <Typography.Text strong style={{ fontSize: 15 }} data-testid="chat-customer">{customerName}</Typography.Text>
              <Tag color={STATUS_TAG[detail.status] ?? 'default'} data-testid="chat-status">{t(`conv.status.${detail.status}` as DictKey)}</Tag>
              {detail.channel && <Tag>{detail.channel.name}</Tag>}
              {detail.transferRule && <Tooltip title={t('chat.transferRule')}><Tag color="volcano">{detail.transferRule}</Tag></Tooltip>}
            </Space>
            <div className="kh-chat-sub">
              {t('chat.started', { time: dayjs(detail.createdAt).format('MM-DD HH:mm') })}
              {detail.assigneeName ? ` · ${t('chat.assignee', { name: detail.assigneeName })}` : ''}
            </div>
          </div>
          <Space>
            {perms.monitor && (detail.status === 'assigned' || detail.status === 'queued') && (
              <Button icon={<UserSwitchOutlined />} onClick={() => setReassignOpen(true)} data-testid="reassign-button">{t('reassign.button')}</Button>
            )}
            {mineToAnswer && (
              <Tooltip title={offer ? t('transfer.busyOffer') : undefined}>
                <Button icon={<SwapOutlined />} disabled={!!offer} onClick={() => setTransferOpen(true)} data-testid="transfer-button">{t('chat.transfer')}</Button>
              </Tooltip>
            )}
            {mineToAnswer && (
              <Popconfirm title={t('chat.closeConfirm')} okText={t('chat.close')} cancelText={t('common.cancel')} onConfirm={() => void close()} okButtonProps={{ 'data-testid': 'close-confirm' } as Record<string, string>}>
                <Button danger icon={<PoweroffOutlined />} data-testid="close-button">{t('chat.close')}</Button>
              </Popconfirm>
            )}
          </Space>
        </header>
        {offer && offer.fromAgentId === myId && (
          <Alert
            type="info"
            showIcon
            banner
            data-testid="offer-pending"
            message={t('transfer.pending', { name: nameOf(offer.toAgentId), sec: offerSecLeft })}
            action={<Button size="small" onClick={() => void cancelOffer(offer.id)} data-testid="offer-cancel">{t('transfer.cancel')}</Button>}
          />
        )}
        {offer && offer.toAgentId === myId && (
          <Alert
            type="warning"
            showIcon
            banner
            data-testid="offer-banner"
            message={t('xfer.offerTitle', { name: nameOf(offer.fromAgentId) }) + (offer.note ? ` — ${offer.note}` : '') + ` (${offerSecLeft}s)`}
            action={<OfferButtons transferId={offer.id} conversationId={conversationId} onAnswered={() => { void load().catch(() => undefined); onChanged(); }} />}
          />
        )}
        <div className="kh-chat-list" ref={listRef} data-testid="message-list">
          {messages.filter((m) => !(m.type === 'text' && !m.recalledAt && !String((m.body as { text?: unknown } | null)?.text ?? '').trim())).map((m) => {
            const mine = m.senderType === 'agent' && m.senderId === myId;
            return (
              <MessageItem
                key={m.id}
                m={m}
                mine={mine}
                read={mine && m.seq <= customerReadSeq}
                canRecall={mine && mineToAnswer && !m.recalledAt && Date.now() - new Date(m.createdAt).getTime() < RECALL_MS}
                onRecall={(x) => void recall(x)}
                nameOf={nameOf}
                customerName={customerName}
              />
            );
          })}
          {typing && (
            <div className="kh-typing" data-testid="typing-indicator">
              <span className="kh-dots"><i /><i /><i /></span>
              {typing.preview ? <span>{t('chat.typingPreview')}<em data-testid="typing-preview">{typing.preview}</em></span> : <span>{t('chat.typing', { name: customerName })}</span>}
            </div>
          )}
        </div>
        <footer className="kh-composer">
          {mineToAnswer ? (
            <>
              <div className="kh-composer-tools">
                <Tooltip title={t('chat.cannedHint')}>
                  <Button size="small" type="text" icon={<ThunderboltOutlined />} onClick={() => setCannedOpen(true)} data-testid="canned-button">{t('chat.canned')}</Button>
                </Tooltip>
                <Upload accept="image/png,image/jpeg,image/gif,image/webp" showUploadList={false} beforeUpload={(f) => { void attach(f, 'image'); return false; }}>
                  <Button size="small" type="text" icon={<PictureOutlined />} data-testid="image-button">{t('chat.image')}</Button>
                </Upload>
                <Upload showUploadList={false} beforeUpload={(f) => { void attach(f, 'file'); return false; }}>
                  <Button size="small" type="text" icon={<FileAddOutlined />} data-testid="file-button">{t('chat.file')}</Button>
                </Upload>
                <Dropdown menu={{ items: QUICK.map((q) => ({ key: q, label: q, onClick: () => insertText(q) })) }}>
                  <Button size="small" type="text">😊</Button>
                </Dropdown>
              </div>
              <Input.TextArea
                ref={inputRef}
                value={draft}
                onChange={(e) => onDraftChange(e.target.value)}
                onKeyDown={onKeyDown}
                autoSize={{ minRows: 3, maxRows: 6 }}
                variant="borderless"
                placeholder={t('chat.placeholder')}
                data-testid="chat-input"
                autoFocus
              />
              <div className="kh-composer-foot">
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('chat.keys')}</Typography.Text>
                <Button type="primary" icon={<SendOutlined />} onClick={() => void sendText()} loading={sending} disabled={!draft.trim()} data-testid="send-button">{t('chat.send')}</Button>
              </div>
            </>
          ) : (
            <div className="kh-composer-off" data-testid="composer-disabled">
              {detail.status === 'queued' ? t('chat.queuedHint') : detail.status === 'assigned' ? t('chat.othersHint', { name: detail.assigneeName ?? '' }) : t('chat.endedHint')}
            </div>
          )}
        </footer>
      </section>
      <ExtensionPanel detail={detail} assistTrigger={lastCustomerSeq} onInsert={mineToAnswer ? insertText : undefined} />
      {transferOpen && (
        <TransferDialog
          conversationId={conversationId}
          myId={myId}
          onClose={() => setTransferOpen(false)}
          onDone={() => { setTransferOpen(false); void load(); onChanged(); }}
        />
      )}
      {reassignOpen && (
        <ReassignDialog
          conversationId={conversationId}
          currentAssigneeId={detail.assigneeId ?? null}
          waiting={detail.status === 'queued'}
          onClose={() => setReassignOpen(false)}
          onDone={() => { setReassignOpen(false); void load(); onChanged(); }}
        />
      )}
      {cannedOpen && <CannedPicker conversationId={conversationId} onClose={() => setCannedOpen(false)} onPick={(text) => { setCannedOpen(false); insertText(text); }} />}
    </div>
  );
}

const QUICK = ['您好，请问有什么可以帮您？', '好的，我帮您查一下，请稍等。', '感谢您的耐心等待！', '还有其他可以帮您的吗？', '👍', '🙏', '😊'];

function mergeMessages(prev: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (!incoming.length) return prev;
  const bySeq = new Map(prev.map((m) => [m.seq, m]));
  for (const m of incoming) {
    const old = bySeq.get(m.seq);
    bySeq.set(m.seq, old?.recalledAt && !m.recalledAt ? old : m);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
