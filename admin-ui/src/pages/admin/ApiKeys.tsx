import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { ApiKeysDoc, CreateApiKeyDoc, RevokeApiKeyDoc } from '../../gql/operations';
import type { ApiKeysQuery, ApiScope, CreateApiKeyMutation, CreateApiKeyMutationVariables, RevokeApiKeyMutation, RevokeApiKeyMutationVariables } from '../../gql/generated';
import { useT } from '../../i18n';

type Row = ApiKeysQuery['apiKeys'][number];
const SCOPES: ApiScope[] = ['CONVERSATIONS_READ', 'CONVERSATIONS_WRITE', 'CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'ADMIN_READ', 'ADMIN_WRITE', 'PLUGINS_READ', 'PLUGINS_WRITE'];

/** API 密钥: keys for enterprise systems; the secret is shown once. */
export default function ApiKeys() {
  const t = useT();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: ApiScope[] }>();

  const load = useCallback(() => request<ApiKeysQuery>(ApiKeysDoc).then((d) => setRows(d.apiKeys)).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const create = async (v: { name: string; scopes: ApiScope[] }) => {
    try {
      const d = await request<CreateApiKeyMutation, CreateApiKeyMutationVariables>(CreateApiKeyDoc, v);
      setCreating(false);
      setCreated(d.createApiKey.key);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };
  const revoke = async (id: string) => {
    try { await request<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>(RevokeApiKeyDoc, { id }); void load(); } catch (e) { message.error((e as Error).message); }
  };

  return (
    <Card title={t('menu.apiKeys')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ name: '', scopes: ['CONVERSATIONS_READ'] }); setCreating(true); }} data-testid="apikey-new">{t('keys.new')}</Button>}>
      <Typography.Paragraph type="secondary">{t('keys.intro')}</Typography.Paragraph>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={!rows}
        dataSource={rows ?? []}
        pagination={false}
        columns={[
          { title: t('keys.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: t('keys.prefix'), dataIndex: 'prefix', width: 140, render: (v: string) => <Typography.Text code>{v}…</Typography.Text> },
          { title: t('keys.scopes'), dataIndex: 'scopes', render: (s: ApiScope[]) => s.map((x) => <Tag key={x} color={x.endsWith('WRITE') ? 'orange' : 'blue'}>{x.toLowerCase().replace('_', ':')}</Tag>) },
          { title: t('keys.lastUsed'), dataIndex: 'lastUsedAt', width: 140, render: (v: string | null) => (v ? dayjs(v).fromNow() : '—') },
          { title: t('common.createdAt'), dataIndex: 'createdAt', width: 140, render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
          { title: t('keys.state'), width: 90, render: (_: unknown, r) => (r.revokedAt ? <Tag>{t('keys.revoked')}</Tag> : <Tag color="green">{t('keys.active')}</Tag>) },
          { title: t('common.actions'), width: 90, render: (_: unknown, r) => !r.revokedAt && <Popconfirm title={t('keys.revokeConfirm', { name: r.name })} onConfirm={() => void revoke(r.id)}><Button type="link" size="small" danger data-testid={`apikey-revoke-${r.name}`}>{t('keys.revoke')}</Button></Popconfirm> },
        ]}
      />
      <Modal open={creating} title={t('keys.new')} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={t('keys.create')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item name="name" label={t('keys.name')} rules={[{ required: true }]}><Input placeholder="CRM sync" maxLength={120} data-testid="apikey-name" /></Form.Item>
          <Form.Item name="scopes" label={t('keys.scopes')} rules={[{ required: true, type: 'array', min: 1 }]}>
            <Checkbox.Group options={SCOPES.map((s) => ({ value: s, label: s.toLowerCase().replace('_', ':') }))} style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!created} title={t('keys.createdTitle')} onCancel={() => setCreated(null)} onOk={() => setCreated(null)} okText={t('keys.savedIt')} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon message={t('keys.once')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: created ?? '' }} code data-testid="apikey-secret" style={{ wordBreak: 'break-all' }}>{created}</Typography.Paragraph>
      </Modal>
    </Card>
  );
}
