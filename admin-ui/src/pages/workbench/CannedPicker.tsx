import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Empty, Input, Modal, Spin, Tag, Typography } from 'antd';
import type { InputRef } from 'antd';
import { request } from '../../gql/client';
import { CannedRepliesDoc, RenderCannedReplyDoc } from '../../gql/operations';
import type { CannedRepliesQuery, RenderCannedReplyQuery, RenderCannedReplyQueryVariables } from '../../gql/generated';
import { useT } from '../../i18n';

let cache: CannedRepliesQuery['cannedReplies'] | null = null;

/** 常用语 picker (Ctrl+K): type to filter, ↑/↓ to move, Enter to insert the reply rendered for this conversation. */
export function CannedPicker({ conversationId, onClose, onPick }: { conversationId: string; onClose(): void; onPick(text: string): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [items, setItems] = useState(cache);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const [rendering, setRendering] = useState(false);
  const inputRef = useRef<InputRef>(null);

  useEffect(() => {
    request<CannedRepliesQuery>(CannedRepliesDoc).then((d) => { cache = d.cannedReplies; setItems(d.cannedReplies); }).catch((e: unknown) => message.error((e as Error).message));
    setTimeout(() => inputRef.current?.focus(), 50);
  }, [message]);

  const filtered = useMemo(() => {
    const s = q.trim().toLowerCase();
    return (items ?? []).filter((c) => !s || c.title.toLowerCase().includes(s) || (c.shortcut ?? '').toLowerCase().includes(s) || c.template.toLowerCase().includes(s));
  }, [items, q]);
  useEffect(() => setActive(0), [q]);

  const pick = async (id: string) => {
    setRendering(true);
    try {
      const d = await request<RenderCannedReplyQuery, RenderCannedReplyQueryVariables>(RenderCannedReplyDoc, { conversationId, id });
      onPick(d.renderCannedReply);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setRendering(false);
    }
  };

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(a + 1, filtered.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    else if (e.key === 'Enter') { e.preventDefault(); const c = filtered[active]; if (c) void pick(c.id); }
  };

  return (
    <Modal open title={t('canned.title')} onCancel={onClose} footer={null} width={560} destroyOnHidden>
      <Input ref={inputRef} value={q} onChange={(e) => setQ(e.target.value)} onKeyDown={onKey} placeholder={t('canned.search')} allowClear data-testid="canned-search" />
      <Spin spinning={!items || rendering}>
        <div className="kh-canned-list" data-testid="canned-list">
          {filtered.length === 0 && items && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('canned.empty')} />}
          {filtered.map((c, i) => (
            <div
              key={c.id}
              className={`kh-canned-item ${i === active ? 'active' : ''}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => void pick(c.id)}
              data-testid="canned-item"
            >
              <div><Typography.Text strong>{c.title}</Typography.Text>{c.shortcut && <Tag style={{ marginLeft: 8 }}>/{c.shortcut}</Tag>}</div>
              <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{c.template}</Typography.Text>
            </div>
          ))}
        </div>
      </Spin>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('canned.keys')}</Typography.Text>
    </Modal>
  );
}
