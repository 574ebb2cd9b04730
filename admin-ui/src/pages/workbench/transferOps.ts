/**
 * GraphQL operations of transfer offers, the transfer history and supervisor reassign (codegen reads
 * them like ../../gql/operations.ts).
 */

export const TransferFields = /* GraphQL */ `
  fragment TransferFields on ConversationTransfer {
    id conversationId kind status fromAgentId toAgentId toSkillGroupId note reason requestedById decidedById createdAt expiresAt decidedAt
  }
`;

export const TransferOffersDoc = /* GraphQL */ `
  query TransferOffers {
    transferOffers {
      ...TransferFields
      conversation { id status createdAt queuedAt assignedAt customer { id displayName tags } channel { id name kind } }
    }
  }
  ${TransferFields}
`;

export const ConversationTransfersDoc = /* GraphQL */ `
  query ConversationTransfers($id: ID!) {
    conversation(id: $id) { id transfers { ...TransferFields } }
  }
  ${TransferFields}
`;

export const AnswerTransferDoc = /* GraphQL */ `
  mutation AnswerTransfer($transferId: ID!, $accept: Boolean!, $reason: String) {
    answerTransfer(transferId: $transferId, accept: $accept, reason: $reason) { ...TransferFields }
  }
  ${TransferFields}
`;

export const CancelTransferDoc = /* GraphQL */ `
  mutation CancelTransfer($transferId: ID!, $reason: String) {
    cancelTransfer(transferId: $transferId, reason: $reason) { ...TransferFields }
  }
  ${TransferFields}
`;

export const ReassignConversationDoc = /* GraphQL */ `
  mutation ReassignConversation($conversationId: ID!, $toAgentId: ID, $toSkillGroupId: ID, $note: String) {
    reassignConversation(conversationId: $conversationId, toAgentId: $toAgentId, toSkillGroupId: $toSkillGroupId, note: $note) { ...TransferFields }
  }
  ${TransferFields}
`;
