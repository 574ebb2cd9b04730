import { useCallback, useEffect, useState } from 'react';
import { App, Badge, Button, Card, Checkbox, Form, Input, InputNumber, Modal, Rate, Select, Space, Switch, Table, Tag, TreeSelect, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { request } from '../../gql/client';
import { CreateUserDoc, ResetUserPasswordDoc, UpdateAgentProfileDoc, UpdateUserDoc, UsersDoc } from '../../gql/operations';
import type {
  CreateUserMutation, CreateUserMutationVariables, ResetUserPasswordMutation, ResetUserPasswordMutationVariables, Role, UpdateAgentProfileMutation,
  UpdateAgentProfileMutationVariables, UpdateUserMutation, UpdateUserMutationVariables, UsersQuery,
} from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT, type DictKey } from '../../i18n';
import { STATUS_COLORS } from '../../layout/AppLayout';
import { departmentOptions, subtreeIds } from './departmentTree';

type Row = UsersQuery['users'][number];
const ROLES: Role[] = ['admin', 'supervisor', 'agent', 'operator'];
interface Values { name: string; email: string; password?: string; roles: Role[]; departmentId?: string; maxConcurrentChats: number; skills: { skillGroupId: string; level: number }[] }

/** 坐席与账号: users and roles, and the agent side (capacity, skill groups with levels). */
export default function Agents() {
  const t = useT();
  const { perms, me } = useAuth();
  const { message, modal } = App.useApp();
  const [data, setData] = useState<UsersQuery | null>(null);
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [form] = Form.useForm<Values>();

  const load = useCallback(() => request<UsersQuery>(UsersDoc).then(setData).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const open = (row: Row | 'new') => {
    setEditing(row);
    form.setFieldsValue(row === 'new'
      ? { name: '', email: '', password: '', roles: ['agent'], departmentId: undefined, maxConcurrentChats: 5, skills: [] }
      : { name: row.name, email: row.email, roles: row.roles, departmentId: row.departmentId ?? undefined, maxConcurrentChats: row.agentProfile?.maxConcurrentChats ?? 5, skills: row.agentProfile?.skills.map((s) => ({ skillGroupId: s.skillGroupId, level: s.level })) ?? [] });
  };

  const submit = async (v: Values) => {
    try {
      let userId: string;
      if (editing === 'new') {
        userId = (await request<CreateUserMutation, CreateUserMutationVariables>(CreateUserDoc, { email: v.email, name: v.name, password: v.password ?? '', roles: v.roles, departmentId: v.departmentId ?? null, maxConcurrentChats: v.maxConcurrentChats })).createUser.id;
      } else {
        userId = (editing as Row).id;
        await request<UpdateUserMutation, UpdateUserMutationVariables>(UpdateUserDoc, { id: userId, name: v.name, roles: v.roles, departmentId: v.departmentId ?? null });
      }
      if (v.roles.includes('agent') || v.roles.includes('admin')) {
        await request<UpdateAgentProfileMutation, UpdateAgentProfileMutationVariables>(UpdateAgentProfileDoc, { userId, maxConcurrentChats: v.maxConcurrentChats, skills: (v.skills ?? []).filter((s) => s?.skillGroupId) });
      }
      message.success(t('common.saved'));
      setEditing(null);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const toggleDisabled = async (r: Row) => {
    try {
      await request<UpdateUserMutation, UpdateUserMutationVariables>(UpdateUserDoc, { id: r.id, disabled: !r.disabled });
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const resetPassword = (r: Row) => {
    let pw = '';
    modal.confirm({
      title: t('agents.resetPassword', { name: r.name }),
      content: <Input.Password autoFocus onChange={(e) => { pw = e.target.value; }} placeholder={t('agents.newPassword')} />,
      okText: t('common.ok'), cancelText: t('common.cancel'),
      onOk: async () => {
        await request<ResetUserPasswordMutation, ResetUserPasswordMutationVariables>(ResetUserPasswordDoc, { id: r.id, password: pw });
        message.success(t('common.saved'));
      },
    });
  };

  const group = (id: string) => data?.skillGroups.find((g) => g.id === id)?.name ?? id.slice(0, 8);
  const departments = data?.departments ?? [];
  const deptName = (id: string | null) => departments.find((d) => d.id === id)?.name;
  const roles = Form.useWatch('roles', form) ?? [];
  return (
    <Card title={t('menu.agents')} extra={perms.directoryWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="user-new">{t('agents.new')}</Button>}>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={!data}
        dataSource={data?.users ?? []}
        pagination={{ pageSize: 20, size: 'small', hideOnSinglePage: true }}
        columns={[
          { title: t('agents.name'), dataIndex: 'name', render: (v: string, r) => <Space><Typography.Text strong delete={r.disabled}>{v}</Typography.Text>{r.id === me?.id && <Tag>{t('agents.you')}</Tag>}</Space> },
          { title: t('agents.email'), dataIndex: 'email' },
          {
            title: t('sg.department'), dataIndex: 'departmentId', width: 130,
            render: (id: string | null) => deptName(id) ?? <Typography.Text type="secondary">—</Typography.Text>,
            // Filtering by a department includes the departments below it.
            filters: departments.map((d) => ({ text: d.name, value: d.id })),
            onFilter: (value, r) => !!r.departmentId && subtreeIds(String(value), departments).has(r.departmentId),
          },
          { title: t('agents.roles'), dataIndex: 'roles', render: (rs: Role[]) => rs.map((r) => <Tag key={r} color={r === 'admin' ? 'red' : r === 'supervisor' ? 'purple' : r === 'agent' ? 'blue' : 'green'}>{t(`role.${r}` as DictKey)}</Tag>) },
          { title: t('agents.status'), width: 90, render: (_: unknown, r) => r.agentProfile ? <Badge color={STATUS_COLORS[r.agentProfile.status]} text={t(`status.${r.agentProfile.status}` as DictKey)} /> : '—' },
          { title: t('agents.capacity'), width: 90, align: 'right', render: (_: unknown, r) => r.agentProfile?.maxConcurrentChats ?? '—' },
          { title: t('agents.skills'), render: (_: unknown, r) => (r.agentProfile?.skills ?? []).map((s) => <Tag key={s.skillGroupId}>{group(s.skillGroupId)} · L{s.level}</Tag>) },
          { title: t('agents.enabled'), width: 80, render: (_: unknown, r) => <Switch size="small" checked={!r.disabled} disabled={!perms.directoryWrite || r.id === me?.id} onChange={() => void toggleDisabled(r)} /> },
          ...(perms.directoryWrite ? [{
            title: t('common.actions'), width: 150, render: (_: unknown, r: Row) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => open(r)} data-testid={`user-edit-${r.email}`}>{t('common.edit')}</Button>
                <Button type="link" size="small" onClick={() => resetPassword(r)}>{t('agents.password')}</Button>
              </Space>
            ),
          }] : []),
        ]}
      />
      <Modal open={!!editing} width={620} title={editing === 'new' ? t('agents.new') : t('agents.edit')} onCancel={() => setEditing(null)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Space.Compact block style={{ gap: 12 }}>
            <Form.Item name="name" label={t('agents.name')} rules={[{ required: true }]} style={{ flex: 1 }}><Input maxLength={120} /></Form.Item>
            <Form.Item name="email" label={t('agents.email')} rules={[{ required: true, type: 'email' }]} style={{ flex: 1 }}><Input disabled={editing !== 'new'} /></Form.Item>
          </Space.Compact>
          {editing === 'new' && <Form.Item name="password" label={t('agents.initialPassword')} rules={[{ required: true, min: 8 }]}><Input.Password /></Form.Item>}
          <Form.Item name="roles" label={t('agents.roles')} rules={[{ required: true, type: 'array', min: 1 }]}>
            <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as DictKey) }))} />
          </Form.Item>
          <Form.Item name="departmentId" label={t('sg.department')}><TreeSelect allowClear treeDefaultExpandAll treeData={departmentOptions(departments)} /></Form.Item>
          {(roles.includes('agent') || roles.includes('admin')) && (
            <>
              <Form.Item name="maxConcurrentChats" label={t('agents.capacity')} extra={t('agents.capacityHint')}><InputNumber min={0} max={100} /></Form.Item>
              <Typography.Text strong>{t('agents.skills')}</Typography.Text>
              <Form.List name="skills">
                {(fields, { add, remove }) => (
                  <div style={{ marginTop: 8 }}>
                    {fields.map((f) => (
                      <Space key={f.key} align="baseline" style={{ display: 'flex', marginBottom: 4 }}>
                        <Form.Item name={[f.name, 'skillGroupId']} rules={[{ required: true }]} style={{ marginBottom: 0, width: 240 }}>
                          <Select placeholder={t('menu.skillGroups')} options={(data?.skillGroups ?? []).map((g) => ({ value: g.id, label: g.name }))} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'level']} initialValue={3} style={{ marginBottom: 0 }}><Rate count={5} /></Form.Item>
                        <MinusCircleOutlined onClick={() => remove(f.name)} />
                      </Space>
                    ))}
                    <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ level: 3 })}>{t('agents.addSkill')}</Button>
                  </div>
                )}
              </Form.List>
            </>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
