import { useEffect, useState } from 'react';
import { App, Badge, Form, Input, Modal, Radio, Select } from 'antd';
import { request } from '../../gql/client';
import { TransferTargetsDoc } from '../../gql/operations';
import { ReassignConversationDoc } from './transferOps';
import type { ReassignConversationMutation, ReassignConversationMutationVariables, TransferTargetsQuery } from '../../gql/generated';
import { useT, type DictKey } from '../../i18n';
import { STATUS_COLORS } from '../../layout/AppLayout';

interface Props { conversationId: string; currentAssigneeId: string | null; waiting: boolean; onClose(): void; onDone(): void }
interface Values { mode: 'agent' | 'group'; toAgentId?: string; toSkillGroupId?: string; note?: string }

/**
 * 改派 (supervisors): moves a conversation to a named agent, no accept step (the hub still enforces
 * their status and free slots), or to a skill group's queue. A waiting conversation goes to an agent only.
 */
export function ReassignDialog({ conversationId, currentAssigneeId, waiting, onClose, onDone }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [targets, setTargets] = useState<TransferTargetsQuery | null>(null);
  const [busy, setBusy] = useState(false);
  const mode = Form.useWatch('mode', form) ?? 'agent';

  useEffect(() => { request<TransferTargetsQuery>(TransferTargetsDoc).then(setTargets).catch((e: unknown) => message.error((e as Error).message)); }, [message]);

  const submit = async (v: Values) => {
    setBusy(true);
    try {
      await request<ReassignConversationMutation, ReassignConversationMutationVariables>(ReassignConversationDoc, {
        conversationId,
        toAgentId: v.mode === 'agent' ? v.toAgentId : undefined,
        toSkillGroupId: v.mode === 'group' ? v.toSkillGroupId : undefined,
        note: v.note?.trim() || undefined,
      });
      message.success(t('reassign.done'));
      onDone();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const order = { online: 0, busy: 1, away: 2, offline: 3 } as const;
  const agents = (targets?.agents ?? []).filter((a) => a.userId !== currentAssigneeId && !a.user?.disabled).sort((a, b) => order[a.status] - order[b.status]);
  return (
    <Modal
      open
      title={t('reassign.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('reassign.button')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'reassign-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" initialValues={{ mode: 'agent' }} onFinish={(v) => void submit(v)}>
        {!waiting && (
          <Form.Item name="mode">
            <Radio.Group optionType="button" options={[{ value: 'agent', label: t('transfer.toAgent') }, { value: 'group', label: t('transfer.toGroup') }]} />
          </Form.Item>
        )}
        {mode === 'agent' || waiting ? (
          <Form.Item name="toAgentId" label={t('reassign.agent')} rules={[{ required: true, message: t('transfer.pickAgent') }]}>
            <Select
              data-testid="reassign-agent"
              showSearch
              optionFilterProp="search"
              loading={!targets}
              placeholder={t('transfer.pickAgent')}
              options={agents.map((a) => ({
                value: a.userId,
                search: a.user?.name ?? '',
                disabled: a.status !== 'online',
                label: <span><Badge color={STATUS_COLORS[a.status]} /> {a.user?.name} <span style={{ color: '#8c8c8c' }}>· {t(`status.${a.status}` as DictKey)}</span></span>,
              }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="toSkillGroupId" label={t('transfer.group')} rules={[{ required: true, message: t('transfer.pickGroup') }]}>
            <Select data-testid="reassign-group" placeholder={t('transfer.pickGroup')} options={(targets?.skillGroups ?? []).map((g) => ({ value: g.id, label: g.name }))} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('transfer.note')}>
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder={t('transfer.notePlaceholder')} data-testid="reassign-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
