import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Col, Empty, Form, Input, Modal, Popconfirm, Row as ARow, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { CopyOutlined, PlusOutlined, EyeOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { ChannelsDoc, CreateChannelDoc, DeleteChannelDoc, UpdateChannelDoc } from '../../gql/operations';
import type {
  ChannelsQuery, CreateChannelMutation, CreateChannelMutationVariables, DeleteChannelMutation, DeleteChannelMutationVariables, UpdateChannelMutation, UpdateChannelMutationVariables,
} from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';

type Row = ChannelsQuery['channels'][number];
const KINDS = ['web-widget', 'api', 'email', 'wechat-oa', 'whatsapp', 'messenger', 'line'];

export const embedSnippet = (publicKey: string) => `<script src="${location.origin}/plugins/web-widget/widget.js" data-channel="${publicKey}" async></script>`;

/** 渠道: entry points; a web widget gets an embed snippet and a live preview. */
export default function Channels() {
  const t = useT();
  const { perms } = useAuth();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [preview, setPreview] = useState<Row | null>(null);
  const [demoAvailable, setDemoAvailable] = useState<boolean | null>(null);
  const [form] = Form.useForm<{ kind: string; name: string }>();

  const load = useCallback(() => request<ChannelsQuery>(ChannelsDoc).then((d) => setRows(d.channels)).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const widget = rows?.find((r) => r.kind === 'web-widget' && r.enabled) ?? null;
  useEffect(() => {
    // The live preview needs the web-widget plugin's demo page; ask once whether it is there.
    if (!widget) return;
    fetch(`/plugins/web-widget/demo?channel=${encodeURIComponent(widget.publicKey)}`, { method: 'GET' }).then((r) => setDemoAvailable(r.ok)).catch(() => setDemoAvailable(false));
  }, [widget]);

  const create = async (v: { kind: string; name: string }) => {
    try {
      await request<CreateChannelMutation, CreateChannelMutationVariables>(CreateChannelDoc, { kind: v.kind, name: v.name });
      message.success(t('common.saved'));
      setCreating(false);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };
  const toggle = async (r: Row) => {
    try { await request<UpdateChannelMutation, UpdateChannelMutationVariables>(UpdateChannelDoc, { id: r.id, enabled: !r.enabled }); void load(); } catch (e) { message.error((e as Error).message); }
  };
  const remove = async (r: Row) => {
    try { await request<DeleteChannelMutation, DeleteChannelMutationVariables>(DeleteChannelDoc, { id: r.id }); void load(); } catch (e) { message.error((e as Error).message); }
  };
  const copy = async (text: string) => {
    try { await navigator.clipboard.writeText(text); message.success(t('channels.copied')); } catch { message.info(text); }
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t('menu.channels')} extra={perms.channelsWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ kind: 'web-widget', name: '' }); setCreating(true); }} data-testid="channel-new">{t('channels.new')}</Button>}>
        <Table<Row>
          size="small"
          rowKey="id"
          loading={!rows}
          dataSource={rows ?? []}
          pagination={false}
          expandable={{
            rowExpandable: (r) => r.kind === 'web-widget',
            expandedRowRender: (r) => (
              <div>
                <Typography.Text type="secondary">{t('channels.snippetHint')}</Typography.Text>
                <pre className="kh-snippet" data-testid="embed-snippet">{embedSnippet(r.publicKey)}</pre>
                <Space>
                  <Button size="small" icon={<CopyOutlined />} onClick={() => void copy(embedSnippet(r.publicKey))}>{t('channels.copy')}</Button>
                  <Button size="small" icon={<EyeOutlined />} onClick={() => setPreview(r)}>{t('channels.preview')}</Button>
                </Space>
              </div>
            ),
          }}
          columns={[
            { title: t('channels.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
            { title: t('channels.kind'), dataIndex: 'kind', width: 120, render: (k: string) => <Tag color={k === 'web-widget' ? 'blue' : 'default'}>{k}</Tag> },
            { title: t('channels.key'), dataIndex: 'publicKey', render: (k: string) => <Typography.Text code copyable={{ text: k }}>{k}</Typography.Text> },
            { title: t('channels.enabled'), dataIndex: 'enabled', width: 80, render: (_: boolean, r) => <Switch size="small" checked={r.enabled} disabled={!perms.channelsWrite} onChange={() => void toggle(r)} /> },
            { title: t('common.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
            ...(perms.channelsWrite ? [{
              title: t('common.actions'), width: 170, render: (_: unknown, r: Row) => (
                <Space size={0}>
                  {r.kind === 'web-widget' && <Button type="link" size="small" onClick={() => void copy(embedSnippet(r.publicKey))} data-testid={`copy-snippet-${r.id}`}>{t('channels.copy')}</Button>}
                  <Popconfirm title={t('channels.deleteConfirm', { name: r.name })} onConfirm={() => void remove(r)}><Button type="link" size="small" danger>{t('common.delete')}</Button></Popconfirm>
                </Space>
              ),
            }] : []),
          ]}
        />
      </Card>
      {widget && (
        <Card title={t('channels.livePreview', { name: widget.name })} size="small">
          <ARow gutter={16}>
            <Col span={10}>
              <Typography.Paragraph type="secondary">{t('channels.previewIntro')}</Typography.Paragraph>
              <pre className="kh-snippet">{embedSnippet(widget.publicKey)}</pre>
            </Col>
            <Col span={14}>
              {demoAvailable ? (
                <iframe title="widget preview" className="kh-preview" src={`/plugins/web-widget/demo?channel=${encodeURIComponent(widget.publicKey)}`} data-testid="widget-preview" />
              ) : <Empty description={demoAvailable === null ? t('common.loading') : t('channels.noDemo')} />}
            </Col>
          </ARow>
        </Card>
      )}
      <Modal open={creating} title={t('channels.new')} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item name="kind" label={t('channels.kind')} rules={[{ required: true }]}><Select options={KINDS.map((k) => ({ value: k, label: k }))} /></Form.Item>
          <Form.Item name="name" label={t('channels.name')} rules={[{ required: true }]}><Input maxLength={120} placeholder={t('channels.namePlaceholder')} data-testid="channel-name" /></Form.Item>
        </Form>
      </Modal>
      <Modal open={!!preview} title={t('channels.preview')} onCancel={() => setPreview(null)} footer={null} width={460}>
        {preview && (demoAvailable ? <iframe title="widget" className="kh-preview" src={`/plugins/web-widget/demo?channel=${encodeURIComponent(preview.publicKey)}`} /> : <Empty description={t('channels.noDemo')} />)}
      </Modal>
    </Space>
  );
}
