import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, TreeSelect, Typography } from 'antd';
import { NodeIndexOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { CreateSkillGroupDoc, DeleteSkillGroupDoc, SkillGroupsDoc, UpdateSkillGroupDoc } from '../../gql/operations';
import type {
  CreateSkillGroupMutation, CreateSkillGroupMutationVariables, DeleteSkillGroupMutation, DeleteSkillGroupMutationVariables, SkillGroupsQuery,
  UpdateSkillGroupMutation, UpdateSkillGroupMutationVariables,
} from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';
import { departmentOptions, subtreeIds } from './departmentTree';

// The routing views load on their own (the policy editor when first opened), not with this page.
const PolicyEditor = lazy(() => import('./routing').then((m) => ({ default: m.PolicyEditor })));
const RoutingSummary = lazy(() => import('./routing').then((m) => ({ default: m.RoutingSummary })));

type Row = SkillGroupsQuery['skillGroups'][number];
interface Values { name: string; description?: string; departmentId?: string }

/** 技能组: the queues customers wait in and the agents skilled to serve them. */
export default function SkillGroups() {
  const t = useT();
  const { perms } = useAuth();
  const { message } = App.useApp();
  const [data, setData] = useState<SkillGroupsQuery | null>(null);
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [routingOf, setRoutingOf] = useState<string | null>(null);
  const [form] = Form.useForm<Values>();

  const load = useCallback(() => request<SkillGroupsQuery>(SkillGroupsDoc).then(setData).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const open = (row: Row | 'new') => {
    setEditing(row);
    form.setFieldsValue(row === 'new' ? { name: '', description: '', departmentId: undefined } : { name: row.name, description: row.description ?? '', departmentId: row.departmentId ?? undefined });
  };

  const submit = async (v: Values) => {
    try {
      if (editing === 'new') await request<CreateSkillGroupMutation, CreateSkillGroupMutationVariables>(CreateSkillGroupDoc, { name: v.name, description: v.description || null, departmentId: v.departmentId ?? null });
      else if (editing) await request<UpdateSkillGroupMutation, UpdateSkillGroupMutationVariables>(UpdateSkillGroupDoc, { id: editing.id, name: v.name, description: v.description || null, departmentId: v.departmentId ?? null });
      message.success(t('common.saved'));
      setEditing(null);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const remove = async (id: string) => {
    try {
      await request<DeleteSkillGroupMutation, DeleteSkillGroupMutationVariables>(DeleteSkillGroupDoc, { id });
      message.success(t('common.deleted'));
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const dept = (id: string | null) => data?.departments.find((d) => d.id === id)?.name ?? '—';
  return (
    <Card
      title={t('menu.skillGroups')}
      extra={perms.directoryWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="skill-group-new">{t('sg.new')}</Button>}
    >
      <Typography.Paragraph type="secondary">{t('sg.intro')}</Typography.Paragraph>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={!data}
        dataSource={data?.skillGroups ?? []}
        pagination={false}
        columns={[
          { title: t('sg.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: t('sg.description'), dataIndex: 'description', render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
          {
            title: t('sg.department'), dataIndex: 'departmentId', width: 140, render: dept,
            filters: (data?.departments ?? []).map((d) => ({ text: d.name, value: d.id })),
            onFilter: (value, r) => !!r.departmentId && subtreeIds(String(value), data?.departments ?? []).has(r.departmentId),
          },
          { title: t('sg.members'), width: 80, render: (_: unknown, r) => r.members.length },
          {
            title: t('sg.routing'), width: 260, render: (_: unknown, r) => (
              <Suspense fallback={null}><RoutingSummary policy={r.routingPolicy} groupName={(id) => data?.skillGroups.find((g) => g.id === id)?.name ?? id} /></Suspense>
            ),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
          {
            title: t('common.actions'), width: perms.directoryWrite ? 200 : 100, render: (_: unknown, r: Row) => (
              <Space size={0}>
                <Button type="link" size="small" icon={<NodeIndexOutlined />} onClick={() => setRoutingOf(r.id)} data-testid={`sg-routing-${r.name}`}>{t('sg.routing')}</Button>
                {perms.directoryWrite && <Button type="link" size="small" onClick={() => open(r)}>{t('common.edit')}</Button>}
                {perms.directoryWrite && <Popconfirm title={t('sg.deleteConfirm', { name: r.name })} onConfirm={() => void remove(r.id)}><Button type="link" size="small" danger>{t('common.delete')}</Button></Popconfirm>}
              </Space>
            ),
          },
        ]}
      />
      <Modal open={!!editing} title={editing === 'new' ? t('sg.new') : t('sg.edit')} onCancel={() => setEditing(null)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="name" label={t('sg.name')} rules={[{ required: true }]}><Input maxLength={120} /></Form.Item>
          <Form.Item name="description" label={t('sg.description')}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
          <Form.Item name="departmentId" label={t('sg.department')}><TreeSelect allowClear treeDefaultExpandAll treeData={departmentOptions(data?.departments ?? [])} /></Form.Item>
        </Form>
      </Modal>
      {routingOf && (
        <Suspense fallback={null}>
          <PolicyEditor groupId={routingOf} onClose={() => setRoutingOf(null)} onSaved={() => void load()} />
        </Suspense>
      )}
    </Card>
  );
}
