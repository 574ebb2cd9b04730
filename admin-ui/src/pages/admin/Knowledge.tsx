import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Drawer, Form, Input, Popconfirm, Radio, Select, Space, Switch, Table, Tag, Tree, Typography } from 'antd';
import { FolderAddOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { request } from '../../gql/client';
import { CreateKnowledgeCategoryDoc, CreateKnowledgeEntryDoc, DeleteKnowledgeEntryDoc, KnowledgeDoc, UpdateKnowledgeEntryDoc } from '../../gql/operations';
import type {
  CreateKnowledgeCategoryMutation, CreateKnowledgeCategoryMutationVariables, CreateKnowledgeEntryMutation, CreateKnowledgeEntryMutationVariables,
  DeleteKnowledgeEntryMutation, DeleteKnowledgeEntryMutationVariables, KnowledgeQuery, KnowledgeQueryVariables, KnowledgeVisibility,
  UpdateKnowledgeEntryMutation, UpdateKnowledgeEntryMutationVariables,
} from '../../gql/generated';
import { useAuth } from '../../auth';
import { useT } from '../../i18n';

type Entry = KnowledgeQuery['knowledgeEntries']['items'][number];
type Category = KnowledgeQuery['knowledgeCategories'][number];
interface Values { question: string; variants: string[]; answer: string; categoryId?: string; visibility: KnowledgeVisibility; enabled: boolean }
const PAGE = 20;

interface TreeNode { key: string; title: string; children: TreeNode[] }
function tree(categories: Category[], parentId: string | null = null): TreeNode[] {
  return categories.filter((c) => c.parentId === parentId).sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name))
    .map((c) => ({ key: c.id, title: `${c.name} (${c.entryCount})`, children: tree(categories, c.id) }));
}

/** 知识库: standard questions with variants and answers, used by the bot (public) and by agents (internal). */
export default function Knowledge() {
  const t = useT();
  const { perms } = useAuth();
  const { message, modal } = App.useApp();
  const [data, setData] = useState<KnowledgeQuery | null>(null);
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Entry | 'new' | null>(null);
  const [form] = Form.useForm<Values>();

  const load = useCallback(async () => {
    try {
      setData(await request<KnowledgeQuery, KnowledgeQueryVariables>(KnowledgeDoc, { categoryId, search: search.trim() || null, limit: PAGE, offset: (page - 1) * PAGE }));
    } catch (e) { message.error((e as Error).message); }
  }, [categoryId, search, page, message]);
  useEffect(() => { void load(); }, [load]);

  const open = (e: Entry | 'new') => {
    setEditing(e);
    form.setFieldsValue(e === 'new'
      ? { question: '', variants: [], answer: '', categoryId: categoryId ?? undefined, visibility: 'public', enabled: true }
      : { question: e.question, variants: e.variants, answer: e.answer, categoryId: e.categoryId ?? undefined, visibility: e.visibility, enabled: e.enabled });
  };

  const submit = async (v: Values) => {
    try {
      const vars = { question: v.question, variants: v.variants ?? [], answer: v.answer, categoryId: v.categoryId ?? null, visibility: v.visibility, enabled: v.enabled };
      if (editing === 'new') await request<CreateKnowledgeEntryMutation, CreateKnowledgeEntryMutationVariables>(CreateKnowledgeEntryDoc, vars);
      else if (editing) await request<UpdateKnowledgeEntryMutation, UpdateKnowledgeEntryMutationVariables>(UpdateKnowledgeEntryDoc, { id: editing.id, expectedVersion: editing.version, ...vars });
      message.success(t('common.saved'));
      setEditing(null);
      void load();
    } catch (e) { message.error((e as Error).message); }
  };

  const toggle = async (e: Entry) => {
    try {
      await request<UpdateKnowledgeEntryMutation, UpdateKnowledgeEntryMutationVariables>(UpdateKnowledgeEntryDoc, { id: e.id, expectedVersion: e.version, enabled: !e.enabled });
      void load();
    } catch (err) { message.error((err as Error).message); }
  };

  const remove = async (e: Entry) => {
    try {
      await request<DeleteKnowledgeEntryMutation, DeleteKnowledgeEntryMutationVariables>(DeleteKnowledgeEntryDoc, { id: e.id, expectedVersion: e.version });
      void load();
    } catch (err) { message.error((err as Error).message); }
  };

  const addCategory = () => {
    let name = '';
    modal.confirm({
      title: categoryId ? t('kb.newSubcategory') : t('kb.newCategory'),
      content: <Input autoFocus onChange={(e) => { name = e.target.value; }} maxLength={60} />,
      okText: t('common.save'), cancelText: t('common.cancel'),
      onOk: async () => {
        await request<CreateKnowledgeCategoryMutation, CreateKnowledgeCategoryMutationVariables>(CreateKnowledgeCategoryDoc, { name: name.trim(), parentId: categoryId });
        void load();
      },
    });
  };

  const categories = data?.knowledgeCategories ?? [];
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '240px minmax(0, 1fr)', gap: 16 }}>
      <Card size="small" title={t('kb.categories')} extra={perms.knowledgeWrite && <Button size="small" type="text" icon={<FolderAddOutlined />} onClick={addCategory} />}>
        <Tree
          blockNode
          defaultExpandAll
          selectedKeys={categoryId ? [categoryId] : ['_all']}
          onSelect={(keys) => { const k = String(keys[0] ?? '_all'); setCategoryId(k === '_all' ? null : k); setPage(1); }}
          treeData={[{ key: '_all', title: t('kb.all'), children: [] }, ...tree(categories)]}
        />
      </Card>
      <Card
        title={t('menu.knowledge')}
        extra={
          <Space>
            <Input.Search allowClear placeholder={t('kb.search')} onSearch={(v) => { setSearch(v); setPage(1); }} style={{ width: 240 }} />
            {perms.knowledgeWrite && <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>{t('kb.new')}</Button>}
          </Space>
        }
      >
        <Table<Entry>
          size="small"
          rowKey="id"
          loading={!data}
          dataSource={data?.knowledgeEntries.items ?? []}
          pagination={{ current: page, pageSize: PAGE, total: data?.knowledgeEntries.total ?? 0, size: 'small', onChange: setPage, showTotal: (n) => t('kb.total', { n }) }}
          columns={[
            { title: t('kb.question'), dataIndex: 'question', render: (q: string, e) => <div><Typography.Text strong>{q}</Typography.Text>{e.variants.length > 0 && <div><Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>{e.variants.join(' · ')}</Typography.Text></div>}</div> },
            { title: t('kb.answer'), dataIndex: 'answer', ellipsis: true },
            { title: t('kb.category'), dataIndex: 'categoryPath', width: 140, render: (p: string | null) => p ?? '—' },
            { title: t('kb.visibility'), dataIndex: 'visibility', width: 90, render: (v: KnowledgeVisibility) => <Tag color={v === 'public' ? 'blue' : 'purple'}>{t(v === 'public' ? 'kb.public' : 'kb.internal')}</Tag> },
            { title: t('kb.enabled'), width: 70, render: (_: unknown, e) => <Switch size="small" checked={e.enabled} disabled={!perms.knowledgeWrite} onChange={() => void toggle(e)} /> },
            { title: t('kb.updated'), dataIndex: 'updatedAt', width: 120, render: (v: string) => dayjs(v).format('MM-DD HH:mm') },
            ...(perms.knowledgeWrite ? [{
              title: t('common.actions'), width: 110, render: (_: unknown, e: Entry) => (
                <Space size={0}>
                  <Button type="link" size="small" onClick={() => open(e)}>{t('common.edit')}</Button>
                  <Popconfirm title={t('common.deleteConfirm')} onConfirm={() => void remove(e)}><Button type="link" size="small" danger>{t('common.delete')}</Button></Popconfirm>
                </Space>
              ),
            }] : []),
          ]}
        />
      </Card>
      <Drawer open={!!editing} width={520} title={editing === 'new' ? t('kb.new') : t('kb.edit')} onClose={() => setEditing(null)} extra={<Button type="primary" onClick={() => form.submit()}>{t('common.save')}</Button>} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="question" label={t('kb.question')} rules={[{ required: true }]}><Input maxLength={500} /></Form.Item>
          <Form.Item name="variants" label={t('kb.variants')} extra={t('kb.variantsHint')}><Select mode="tags" open={false} suffixIcon={null} tokenSeparators={['\n']} /></Form.Item>
          <Form.Item name="answer" label={t('kb.answer')} rules={[{ required: true }]}><Input.TextArea rows={6} maxLength={5000} showCount /></Form.Item>
          <Form.Item name="categoryId" label={t('kb.category')}><Select allowClear options={categories.map((c) => ({ value: c.id, label: c.path }))} /></Form.Item>
          <Form.Item name="visibility" label={t('kb.visibility')} extra={t('kb.visibilityHint')}>
            <Radio.Group optionType="button" options={[{ value: 'public', label: t('kb.public') }, { value: 'internal', label: t('kb.internal') }]} />
          </Form.Item>
          <Form.Item name="enabled" label={t('kb.enabled')} valuePropName="checked"><Switch /></Form.Item>
        </Form>
      </Drawer>
    </div>
  );
}
