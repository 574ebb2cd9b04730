import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { OfflineMessagesDoc, ReplyOfflineMessageDoc } from '../../gql/operations';
import type { OfflineMessagesQuery, OfflineMessagesQueryVariables, ReplyOfflineMessageMutation, ReplyOfflineMessageMutationVariables } from '../../gql/generated';
import { useT, type DictKey } from '../../i18n';

type Row = OfflineMessagesQuery['offlineMessages'][number];

/** 留言: the pool of messages left out of hours or when the queue was full; reply through the customer's channel. */
export default function OfflineMessages() {
  const t = useT();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [rows, setRows] = useState<Row[]>([]);
  const [loading, setLoading] = useState(false);
  const [replying, setReplying] = useState<Row | null>(null);
  const [text, setText] = useState('');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const d = await request<OfflineMessagesQuery, OfflineMessagesQueryVariables>(OfflineMessagesDoc, { status: filter === 'open' ? ['open', 'assigned'] : undefined });
      setRows(d.offlineMessages);
    } catch (e) { message.error((e as Error).message); } finally { setLoading(false); }
  }, [filter, message]);
  useEffect(() => { void load(); }, [load]);

  const reply = async () => {
    if (!replying || !text.trim()) return;
    try {
      await request<ReplyOfflineMessageMutation, ReplyOfflineMessageMutationVariables>(ReplyOfflineMessageDoc, { id: replying.id, text: text.trim() });
      message.success(t('offline.replied'));
      setReplying(null); setText('');
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const contact = (c: unknown) => Object.entries((c ?? {}) as Record<string, string>).map(([k, v]) => `${k}: ${v}`).join(' · ');
  return (
    <Card title={t('menu.offline')} extra={<Segmented value={filter} onChange={(v) => setFilter(v as 'open' | 'all')} options={[{ value: 'open', label: t('offline.open') }, { value: 'all', label: t('offline.all') }]} />}>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={rows}
        pagination={{ pageSize: 20, size: 'small' }}
        columns={[
          { title: t('offline.time'), dataIndex: 'createdAt', width: 140, render: (v: string) => dayjs(v).format('MM-DD HH:mm') },
          { title: t('offline.content'), dataIndex: 'content', ellipsis: true },
          { title: t('offline.contact'), dataIndex: 'contact', width: 240, render: (c: unknown) => <Typography.Text type="secondary">{contact(c) || '—'}</Typography.Text> },
          { title: t('offline.reason'), dataIndex: 'reason', width: 110, render: (r: string) => <Tag>{r}</Tag> },
          { title: t('offline.status'), dataIndex: 'status', width: 90, render: (s: string) => <Tag color={s === 'open' ? 'orange' : s === 'replied' ? 'green' : 'blue'}>{t(`offline.st.${s}` as DictKey)}</Tag> },
          {
            title: t('common.actions'), width: 100, render: (_: unknown, r) => r.status !== 'replied'
              ? <Button size="small" type="link" onClick={() => { setReplying(r); setText(''); }}>{t('offline.reply')}</Button>
              : <Typography.Text type="secondary" ellipsis style={{ maxWidth: 90 }}>{r.reply}</Typography.Text>,
          },
        ]}
      />
      <Modal open={!!replying} title={t('offline.replyTitle')} onCancel={() => setReplying(null)} onOk={() => void reply()} okText={t('offline.reply')} cancelText={t('common.cancel')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{replying?.content}</Typography.Paragraph>
          <Input.TextArea rows={4} value={text} onChange={(e) => setText(e.target.value)} />
        </Space>
      </Modal>
    </Card>
  );
}
