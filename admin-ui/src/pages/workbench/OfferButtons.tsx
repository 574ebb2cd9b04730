import { useState } from 'react';
import { App, Button, Input, Modal, Space } from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { GqlError, request } from '../../gql/client';
import { AnswerTransferDoc } from './transferOps';
import type { AnswerTransferMutation, AnswerTransferMutationVariables } from '../../gql/generated';
import { useT } from '../../i18n';

interface Props {
  transferId: string;
  conversationId: string;
  size?: 'small' | 'middle';
  /** After an answer (accepted or declined) or a refusal that ended the offer. */
  onAnswered(accepted: boolean): void;
}

/** 接受 / 拒绝 of a transfer offer to me; declining asks for an optional reason. */
export function OfferButtons({ transferId, conversationId, size = 'small', onAnswered }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');

  const answer = async (accept: boolean) => {
    setBusy(true);
    try {
      await request<AnswerTransferMutation, AnswerTransferMutationVariables>(AnswerTransferDoc, { transferId, accept, reason: accept ? undefined : reason.trim() || undefined });
      message.success(accept ? t('xfer.accepted') : t('xfer.declined'));
      setDeclining(false);
      onAnswered(accept);
    } catch (e) {
      // No free slot: the offer stays pending, so the agent can close a chat and accept it then.
      if (e instanceof GqlError && e.code === 'NO_FREE_SLOT') message.warning(t('xfer.noSlot'));
      else {
        message.error((e as Error).message);
        if (e instanceof GqlError && e.code === 'INVALID_STATE') onAnswered(false);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space size={6} onClick={(e) => e.stopPropagation()}>
      <Button type="primary" size={size} icon={<CheckOutlined />} loading={busy && !declining} onClick={() => void answer(true)} data-testid={`offer-accept-${conversationId}`}>{t('xfer.accept')}</Button>
      <Button size={size} icon={<CloseOutlined />} disabled={busy} onClick={() => setDeclining(true)} data-testid={`offer-decline-${conversationId}`}>{t('xfer.decline')}</Button>
      {declining && (
        <Modal
          open
          title={t('xfer.declineTitle')}
          onCancel={() => setDeclining(false)}
          onOk={() => void answer(false)}
          okText={t('xfer.decline')}
          cancelText={t('common.cancel')}
          confirmLoading={busy}
          okType="danger"
          okButtonProps={{ 'data-testid': 'offer-decline-confirm' } as Record<string, string>}
          destroyOnHidden
        >
          <Input.TextArea rows={2} maxLength={500} showCount value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('xfer.declineReason')} data-testid="offer-decline-reason" />
        </Modal>
      )}
    </Space>
  );
}
