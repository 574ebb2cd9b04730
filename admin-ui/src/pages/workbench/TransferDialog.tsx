import { useEffect, useState } from 'react';
import { App, Badge, Form, Input, Modal, Radio, Select } from 'antd';
import { request } from '../../gql/client';
import { TransferConversationDoc, TransferTargetsDoc } from '../../gql/operations';
import type { TransferConversationMutation, TransferConversationMutationVariables, TransferTargetsQuery } from '../../gql/generated';
import { useT, type DictKey } from '../../i18n';
import { STATUS_COLORS } from '../../layout/AppLayout';

interface Props { conversationId: string; myId: string; onClose(): void; onDone(): void }
interface Values { mode: 'agent' | 'group'; toAgentId?: string; toSkillGroupId?: string; note?: string }

/**
 * 转接: to an online colleague as an offer (they accept or decline; the chat stays with you until then)
 * or back to a skill group's queue at once, with a note.
 */
export function TransferDialog({ conversationId, myId, onClose, onDone }: Props) {
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
      await request<TransferConversationMutation, TransferConversationMutationVariables>(TransferConversationDoc, {
        conversationId,
        toAgentId: v.mode === 'agent' ? v.toAgentId : undefined,
        toSkillGroupId: v.mode === 'group' ? v.toSkillGroupId : undefined,
        note: v.note?.trim() || undefined,
      });
      message.success(v.mode === 'agent' ? t('transfer.offered') : t('transfer.done'));
      onDone();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const agents = (targets?.agents ?? []).filter((a) => a.userId !== myId && !a.user?.disabled);
  const order = { online: 0, busy: 1, away: 2, offline: 3 } as const;
  agents.sort((a, b) => order[a.status] - order[b.status]);
  return (
    <Modal
      open
      title={t('transfer.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('transfer.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'transfer-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" initialValues={{ mode: 'agent' }} onFinish={(v) => void submit(v)}>
        <Form.Item name="mode">
          <Radio.Group optionType="button" options={[{ value: 'agent', label: t('transfer.toAgent') }, { value: 'group', label: t('transfer.toGroup') }]} />
        </Form.Item>
        {mode === 'agent' ? (
          <Form.Item name="toAgentId" label={t('transfer.agent')} rules={[{ required: true, message: t('transfer.pickAgent') }]}>
            <Select
              data-testid="transfer-agent"
              showSearch
              optionFilterProp="search"
              loading={!targets}
              placeholder={t('transfer.pickAgent')}
              options={agents.map((a) => ({
                value: a.userId,
                search: a.user?.name ?? '',
                disabled: a.status !== 'online',
                label: <span data-testid={`transfer-agent-${a.userId}`}><Badge color={STATUS_COLORS[a.status]} /> {a.user?.name} <span style={{ color: '#8c8c8c' }}>· {t(`status.${a.status}` as DictKey)}</span></span>,
              }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="toSkillGroupId" label={t('transfer.group')} rules={[{ required: true, message: t('transfer.pickGroup') }]}>
            <Select data-testid="transfer-group" placeholder={t('transfer.pickGroup')} options={(targets?.skillGroups ?? []).map((g) => ({ value: g.id, label: g.name }))} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('transfer.note')}>
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder={t('transfer.notePlaceholder')} data-testid="transfer-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
