import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { CreateDepartmentDoc, DeleteDepartmentDoc, DepartmentsDoc, UpdateDepartmentDoc } from '../../gql/operations';
import type {
  CreateDepartmentMutation, CreateDepartmentMutationVariables, DeleteDepartmentMutation, DeleteDepartmentMutationVariables, DepartmentsQuery,
  UpdateDepartmentMutation, UpdateDepartmentMutationVariables,
} from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';
import { departmentOptions, departmentTree, subtreeIds, type Tree } from './departmentTree';

type Dept = DepartmentsQuery['departments'][number];
type Row = Tree<Dept>;
interface Values { name: string; parentId?: string }

const isExisting = (e: Dept | { parentId: string | null } | null): e is Dept => !!e && 'id' in e;

/** 部门: the organisation tree that scopes what supervisors see. Admins edit it; supervisors read their part. */
export default function Departments() {
  const t = useT();
  const { perms } = useAuth();
  const { message } = App.useApp();
  const [data, setData] = useState<DepartmentsQuery | null>(null);
  const [editing, setEditing] = useState<Dept | { parentId: string | null } | null>(null);
  const [form] = Form.useForm<Values>();

  const load = useCallback(() => request<DepartmentsQuery>(DepartmentsDoc).then(setData).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const tree = useMemo(() => departmentTree(data?.departments ?? []), [data]);

  const open = (target: Dept | { parentId: string | null }) => {
    setEditing(target);
    form.setFieldsValue(isExisting(target) ? { name: target.name, parentId: target.parentId ?? undefined } : { name: '', parentId: target.parentId ?? undefined });
  };

  const submit = async (v: Values) => {
    try {
      if (isExisting(editing)) await request<UpdateDepartmentMutation, UpdateDepartmentMutationVariables>(UpdateDepartmentDoc, { id: editing.id, name: v.name, parentId: v.parentId ?? null });
      else await request<CreateDepartmentMutation, CreateDepartmentMutationVariables>(CreateDepartmentDoc, { name: v.name, parentId: v.parentId ?? null });
      message.success(t('common.saved'));
      setEditing(null);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const remove = async (id: string) => {
    try {
      await request<DeleteDepartmentMutation, DeleteDepartmentMutationVariables>(DeleteDepartmentDoc, { id });
      message.success(t('common.deleted'));
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const people = (id: string) => (data?.users ?? []).filter((u) => u.departmentId === id);
  const groups = (id: string) => (data?.skillGroups ?? []).filter((g) => g.departmentId === id);
  // Moving a department below itself or its own children would make a cycle: not offered.
  const parentChoices = useMemo(
    () => departmentOptions(data?.departments ?? [], isExisting(editing) ? subtreeIds(editing.id, data?.departments ?? []) : new Set()),
    [editing, data],
  );
  const unassigned = (data?.users ?? []).filter((u) => !u.departmentId).length;

  return (
    <Card
      title={t('menu.departments')}
      extra={perms.directoryWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ parentId: null })} data-testid="department-new">{t('dept.new')}</Button>}
      data-testid="departments"
    >
      <Typography.Paragraph type="secondary">{t('dept.intro')}</Typography.Paragraph>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={!data}
        dataSource={tree}
        pagination={false}
        expandable={{ defaultExpandAllRows: true }}
        key={tree.length /* expand every row again once the data is in */}
        onRow={(r) => ({ 'data-testid': `department-row-${r.name}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: t('dept.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          {
            title: t('dept.supervisors'), width: 200,
            render: (_: unknown, r) => people(r.id).filter((u) => u.roles.includes('supervisor')).map((u) => <Tag key={u.id} color="purple">{u.name}</Tag>),
          },
          { title: t('dept.members'), width: 80, align: 'right', render: (_: unknown, r) => people(r.id).length },
          { title: t('dept.groups'), render: (_: unknown, r) => groups(r.id).map((g) => <Tag key={g.id}>{g.name}</Tag>) },
          { title: t('common.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
          ...(perms.directoryWrite ? [{
            title: t('common.actions'), width: 210, render: (_: unknown, r: Row) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => open(r)} data-testid={`department-edit-${r.name}`}>{t('common.edit')}</Button>
                <Button type="link" size="small" onClick={() => open({ parentId: r.id })}>{t('dept.addChild')}</Button>
                <Popconfirm title={t('dept.deleteConfirm', { name: r.name })} onConfirm={() => void remove(r.id)}><Button type="link" size="small" danger>{t('common.delete')}</Button></Popconfirm>
              </Space>
            ),
          }] : []),
        ]}
      />
      {perms.directoryWrite && unassigned > 0 && <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('dept.none')}: {unassigned}</Typography.Paragraph>}
      <Modal open={!!editing} title={isExisting(editing) ? t('dept.edit') : t('dept.new')} onCancel={() => setEditing(null)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="name" label={t('dept.name')} rules={[{ required: true }]}><Input maxLength={120} data-testid="department-name" /></Form.Item>
          <Form.Item name="parentId" label={t('dept.parent')}><TreeSelect allowClear treeDefaultExpandAll treeData={parentChoices} data-testid="department-parent" /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
