import { memo } from 'react';
import { Avatar, Button, Card, Image, Space, Tooltip, Typography } from 'antd';
import { FileOutlined, RobotOutlined, UserOutlined, CustomerServiceOutlined, DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useT } from '../../i18n';
import { bodyOf, fileSize, sanitizeHtml, systemText, type MsgLike } from '../../lib/messages';

export interface ChatMessage extends MsgLike { id: string; clientMessageId?: string | null }

interface Props {
  m: ChatMessage;
  mine: boolean;
  /** Own message read by the customer (seq ≤ customerReadSeq). */
  read: boolean;
  canRecall: boolean;
  onRecall(m: ChatMessage): void;
  nameOf(id: string | null | undefined): string;
  customerName: string;
}

function Content({ m }: { m: ChatMessage }) {
  const t = useT();
  const b = bodyOf(m);
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (m.type) {
    case 'text':
      return <div className="kh-text">{s(b.text)}</div>;
    case 'rich_text':
      return <div className="kh-rich" dangerouslySetInnerHTML={{ __html: sanitizeHtml(s(b.html)) }} />;
    case 'image':
      return <Image src={s(b.url)} alt={s(b.alt) || t('msg.image')} style={{ maxWidth: 220, maxHeight: 220, borderRadius: 4 }} data-testid="msg-image" />;
    case 'file':
      return (
        <a className="kh-file" href={s(b.url)} download={s(b.name)} target="_blank" rel="noreferrer" data-testid="msg-file">
          <FileOutlined style={{ fontSize: 24, color: '#1677ff' }} />
          <span className="kh-file-meta"><span className="kh-file-name">{s(b.name)}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{fileSize(b.size)} {s(b.mime)}</Typography.Text></span>
          <DownloadOutlined />
        </a>
      );
    case 'card': {
      const questions = Array.isArray(b.questions) ? (b.questions as unknown[]).map(s) : [];
      const actions = Array.isArray(b.actions) ? (b.actions as { label?: string; value?: string }[]) : [];
      return (
        <Card size="small" className="kh-card" cover={b.image ? <img alt="" src={s(b.image)} style={{ maxHeight: 120, objectFit: 'cover' }} /> : undefined} style={{ width: 260 }}>
          <Card.Meta title={b.url ? <a href={s(b.url)} target="_blank" rel="noreferrer">{s(b.title)}</a> : s(b.title)} description={s(b.description) || undefined} />
          {questions.length > 0 && <ul className="kh-faq">{questions.map((q) => <li key={q}>{q}</li>)}</ul>}
          {actions.length > 0 && <Space wrap style={{ marginTop: 8 }}>{actions.map((a) => <Button key={a.value} size="small">{a.label}</Button>)}</Space>}
        </Card>
      );
    }
    case 'audio':
      return <audio controls src={s(b.url)} style={{ width: 240 }} />;
    case 'video':
      return <video controls src={s(b.url)} style={{ maxWidth: 280, borderRadius: 4 }} />;
    default:
      return <Typography.Text code>{JSON.stringify(b)}</Typography.Text>;
  }
}

export const MessageItem = memo(function MessageItem({ m, mine, read, canRecall, onRecall, nameOf, customerName }: Props) {
  const t = useT();
  const time = dayjs(m.createdAt);
  if (m.type === 'system' || m.senderType === 'system') {
    const b = bodyOf(m);
    return (
      <div className={`kh-sys ${b.internal ? 'kh-sys-internal' : ''}`} data-testid={`msg-${m.seq}`} data-sender="system" data-event={String(b.event ?? '')}>
        <span>{systemText(b, t, nameOf)}</span>
        <span className="kh-sys-time">{time.format('HH:mm')}</span>
      </div>
    );
  }
  const side = m.senderType === 'agent' ? 'right' : 'left';
  const who = m.senderType === 'customer' ? customerName : m.senderType === 'bot' ? t('msg.bot') : nameOf(m.senderId);
  const avatar = m.senderType === 'customer' ? <Avatar size={32} style={{ background: '#87d068' }} icon={<UserOutlined />} />
    : m.senderType === 'bot' ? <Avatar size={32} style={{ background: '#722ed1' }} icon={<RobotOutlined />} />
    : <Avatar size={32} style={{ background: '#1677ff' }} icon={<CustomerServiceOutlined />} />;
  if (m.recalledAt) {
    return <div className="kh-sys" data-testid={`msg-${m.seq}`} data-sender={m.senderType} data-recalled="1">{mine ? t('msg.youRecalled') : t('msg.otherRecalled', { name: who })}</div>;
  }
  return (
    <div className={`kh-msg kh-msg-${side}`} data-testid={`msg-${m.seq}`} data-sender={m.senderType}>
      {avatar}
      <div className="kh-msg-main">
        <div className="kh-msg-head">
          <span>{who}</span>
          <Tooltip title={time.format('YYYY-MM-DD HH:mm:ss')}><span>{time.format('HH:mm')}</span></Tooltip>
        </div>
        <div className={`kh-bubble kh-bubble-${m.senderType} kh-bubble-${m.type}`}><Content m={m} /></div>
        {mine && (
          <div className="kh-msg-foot">
            <span className={read ? 'kh-read' : 'kh-unread'} data-testid={read ? 'read-mark' : 'unread-mark'}>{read ? t('msg.read') : t('msg.unread')}</span>
            {canRecall && <a className="kh-recall" onClick={() => onRecall(m)} data-testid={`recall-${m.seq}`}>{t('msg.recall')}</a>}
          </div>
        )}
      </div>
    </div>
  );
});
