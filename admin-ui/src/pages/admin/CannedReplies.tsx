import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { request } from '../../gql/client';
import { CannedRepliesDoc, DeleteCannedReplyDoc, SaveCannedReplyDoc } from '../../gql/operations';
import type { CannedRepliesQuery, DeleteCannedReplyMutation, DeleteCannedReplyMutationVariables, SaveCannedReplyMutation, SaveCannedReplyMutationVariables } from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';

type Row = CannedRepliesQuery['cannedReplies'][number];
interface Values { title: string; shortcut?: string; template: string }
const VARS = ['{{customer.name}}', '{{agent.name}}', '{{workspace.name}}', '{{conversation.id}}'];

/** 常用语: canned replies with handlebars variables, shared by the team. */
export default function CannedReplies() {
  const t = useT();
  const { perms } = useAuth();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [form] = Form.useForm<Values>();
  const load = useCallback(() => request<CannedRepliesQuery>(CannedRepliesDoc).then((d) => setRows(d.cannedReplies)).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const open = (r: Row | 'new') => { setEditing(r); form.setFieldsValue(r === 'new' ? { title: '', shortcut: '', template: '' } : { title: r.title, shortcut: r.shortcut ?? '', template: r.template }); };
  const submit = async (v: Values) => {
    try {
      await request<SaveCannedReplyMutation, SaveCannedReplyMutationVariables>(SaveCannedReplyDoc, { id: editing === 'new' ? null : editing!.id, title: v.title, template: v.template, shortcut: v.shortcut || null });
      message.success(t('common.saved'));
      setEditing(null);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };
  const remove = async (id: string) => {
    try { await request<DeleteCannedReplyMutation, DeleteCannedReplyMutationVariables>(DeleteCannedReplyDoc, { id }); void load(); } catch (e) { message.error((e as Error).message); }
  };
  const template = Form.useWatch('template', form) ?? '';
  return (
    <Card title={t('menu.canned')} extra={perms.cannedWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>{t('cannedPage.new')}</Button>}>
      <Typography.Paragraph type="secondary">{t('cannedPage.intro')}</Typography.Paragraph>
      <Table<Row>
        size="small" rowKey="id" loading={!rows} dataSource={rows ?? []} pagination={{ pageSize: 20, size: 'small', hideOnSinglePage: true }}
        columns={[
          { title: t('cannedPage.title'), dataIndex: 'title', width: 200, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: t('cannedPage.shortcut'), dataIndex: 'shortcut', width: 110, render: (v: string | null) => (v ? <Tag>/{v}</Tag> : '—') },
          { title: t('cannedPage.template'), dataIndex: 'template', ellipsis: true },
          ...(perms.cannedWrite ? [{ title: t('common.actions'), width: 130, render: (_: unknown, r: Row) => (
            <Space size={0}>
              <Button type="link" size="small" onClick={() => open(r)}>{t('common.edit')}</Button>
              <Popconfirm title={t('common.deleteConfirm')} onConfirm={() => void remove(r.id)}><Button type="link" size="small" danger>{t('common.delete')}</Button></Popconfirm>
            </Space>
          ) }] : []),
        ]}
      />
      <Modal open={!!editing} title={editing === 'new' ? t('cannedPage.new') : t('common.edit')} onCancel={() => setEditing(null)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden width={560}>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="title" label={t('cannedPage.title')} rules={[{ required: true }]}><Input maxLength={120} /></Form.Item>
          <Form.Item name="shortcut" label={t('cannedPage.shortcut')}><Input prefix="/" maxLength={32} /></Form.Item>
          <Form.Item name="template" label={t('cannedPage.template')} rules={[{ required: true }]} extra={<Space wrap size={4} style={{ marginTop: 4 }}>{t('cannedPage.vars')}{VARS.map((v) => <Tag key={v} style={{ cursor: 'pointer' }} onClick={() => form.setFieldValue('template', `${template}${v}`)}>{v}</Tag>)}</Space>}>
            <Input.TextArea rows={4} maxLength={5000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
