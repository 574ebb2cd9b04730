/**
 * Every GraphQL operation the UI sends. `npm run codegen` reads these strings (marked with the
 * GraphQL comment) and writes their result/variable types to ./generated.ts.
 */

// ---------------------------------------------------------------- session

export const LoginDoc = /* GraphQL */ `
  mutation Login($workspace: String!, $email: String!, $password: String!) {
    login(workspace: $workspace, email: $email, password: $password) {
      token
      expiresAt
      user { id name email roles workspaceId }
    }
  }
`;

export const MeDoc = /* GraphQL */ `
  query Me {
    me { id name email roles departmentId agentProfile { id status maxConcurrentChats } }
    workspace { id name slug locale timezone }
  }
`;

export const SetMyStatusDoc = /* GraphQL */ `
  mutation SetMyStatus($status: AgentStatus!) {
    setMyStatus(status: $status) { id status }
  }
`;

// ---------------------------------------------------------------- workbench

export const ConversationListFields = /* GraphQL */ `
  fragment ConversationListFields on Conversation {
    id status createdAt queuedAt assignedAt closedAt closeReason lastSeq agentReadSeq customerReadSeq
    assigneeId assigneeName skillGroupId transferRule currentNodeId
    customer { id displayName tags }
    channel { id name kind }
  }
`;

export const InboxDoc = /* GraphQL */ `
  query Inbox($limit: Int) {
    queued: conversations(status: ["queued"], limit: $limit) { ...ConversationListFields }
    mine: conversations(mine: true, status: ["assigned"], limit: $limit) {
      ...ConversationListFields
      messages(limit: 500) { seq senderType type body createdAt }
    }
    closed: conversations(mine: true, status: ["survey", "ended", "offline"], limit: $limit) { ...ConversationListFields }
  }
  ${ConversationListFields}
`;

export const MessageFields = /* GraphQL */ `
  fragment MessageFields on Message {
    id seq clientMessageId senderType senderId type body createdAt recalledAt
  }
`;

export const ConversationDetailDoc = /* GraphQL */ `
  query ConversationDetail($id: ID!) {
    conversation(id: $id) {
      ...ConversationListFields
      firstResponseAt
      flowVersionId
      trail
      survey { stars comment }
      messages(limit: 500) { ...MessageFields }
      customer {
        id displayName email phone tags attributes createdAt
        conversations(limit: 20) { id status createdAt closedAt closeReason assigneeName lastSeq channel { name kind } }
      }
    }
  }
  ${ConversationListFields}
  ${MessageFields}
`;

export const HistoryMessagesDoc = /* GraphQL */ `
  query HistoryMessages($id: ID!) {
    conversation(id: $id) { id status createdAt assigneeName messages(limit: 200) { ...MessageFields } }
  }
  ${MessageFields}
`;

export const SendMessageDoc = /* GraphQL */ `
  mutation SendMessage($conversationId: ID!, $type: String!, $body: JSON!, $clientMessageId: String) {
    sendMessage(conversationId: $conversationId, type: $type, body: $body, clientMessageId: $clientMessageId) { ...MessageFields }
  }
  ${MessageFields}
`;

export const MarkReadDoc = /* GraphQL */ `
  mutation MarkRead($conversationId: ID!, $seq: Int!) {
    markRead(conversationId: $conversationId, seq: $seq) { id agentReadSeq }
  }
`;

export const SendTypingDoc = /* GraphQL */ `
  mutation SendTyping($conversationId: ID!) { sendTyping(conversationId: $conversationId) }
`;

export const RecallMessageDoc = /* GraphQL */ `
  mutation RecallMessage($messageId: ID!) { recallMessage(messageId: $messageId) { id recalledAt } }
`;

export const CloseConversationDoc = /* GraphQL */ `
  mutation CloseConversation($conversationId: ID!, $reason: String) {
    closeConversation(conversationId: $conversationId, reason: $reason) { id status closedAt }
  }
`;

export const TransferConversationDoc = /* GraphQL */ `
  mutation TransferConversation($conversationId: ID!, $toAgentId: ID, $toSkillGroupId: ID, $note: String) {
    transferConversation(conversationId: $conversationId, toAgentId: $toAgentId, toSkillGroupId: $toSkillGroupId, note: $note) { id kind status toAgentId expiresAt }
  }
`;

export const CannedRepliesDoc = /* GraphQL */ `
  query CannedReplies { cannedReplies { id title shortcut template } }
`;

export const RenderCannedReplyDoc = /* GraphQL */ `
  query RenderCannedReply($conversationId: ID!, $id: ID!) { renderCannedReply(conversationId: $conversationId, id: $id) }
`;

export const SaveCannedReplyDoc = /* GraphQL */ `
  mutation SaveCannedReply($id: ID, $title: String!, $template: String!, $shortcut: String) {
    saveCannedReply(id: $id, title: $title, template: $template, shortcut: $shortcut) { id title shortcut template }
  }
`;

export const DeleteCannedReplyDoc = /* GraphQL */ `
  mutation DeleteCannedReply($id: ID!) { deleteCannedReply(id: $id) }
`;

export const TransferTargetsDoc = /* GraphQL */ `
  query TransferTargets {
    agents { id userId status maxConcurrentChats user { id name disabled } skills { skillGroupId level } }
    skillGroups { id name }
  }
`;

export const OfflineMessagesDoc = /* GraphQL */ `
  query OfflineMessages($status: [String!]) {
    offlineMessages(status: $status) { id content contact reason status createdAt repliedAt reply assigneeId conversationId }
  }
`;

export const ReplyOfflineMessageDoc = /* GraphQL */ `
  mutation ReplyOfflineMessage($id: ID!, $text: String!) { replyOfflineMessage(id: $id, text: $text) { id status repliedAt reply } }
`;

export const ConversationEventsDoc = /* GraphQL */ `
  subscription ConversationEvents($conversationId: ID!, $afterSeq: Int) {
    conversationEvents(conversationId: $conversationId, afterSeq: $afterSeq) {
      kind conversationId seq status assigneeId side preview position messageId
      message { ...MessageFields }
    }
  }
  ${MessageFields}
`;

export const AgentInboxDoc = /* GraphQL */ `
  subscription AgentInbox { agentInbox { kind conversationId fromAgentId note transferId } }
`;

// ---------------------------------------------------------------- flows

export const FlowNodeTypesDoc = /* GraphQL */ `
  query FlowNodeTypes {
    flowNodeTypes { type labelEn labelZh outcomes source configJsonSchema }
    transferRuleTypes { name plugin labelEn labelZh }
    skillGroups { id name }
  }
`;

export const FlowsDoc = /* GraphQL */ `
  query Flows {
    flows { id name publishedVersionId createdAt versions { id version definition createdAt createdById publishedAt } }
  }
`;

export const SaveFlowVersionDoc = /* GraphQL */ `
  mutation SaveFlowVersion($flowId: ID, $name: String, $definition: JSON!) {
    saveFlowVersion(flowId: $flowId, name: $name, definition: $definition) { id version definition createdAt publishedAt flowId }
  }
`;

export const PublishFlowVersionDoc = /* GraphQL */ `
  mutation PublishFlowVersion($versionId: ID!) { publishFlowVersion(versionId: $versionId) { id publishedVersionId } }
`;

// ---------------------------------------------------------------- admin

export const SkillGroupsDoc = /* GraphQL */ `
  query SkillGroups {
    skillGroups { id name description departmentId createdAt routingPolicy members { agentProfileId level } }
    departments { id name parentId }
  }
`;

export const CreateSkillGroupDoc = /* GraphQL */ `
  mutation CreateSkillGroup($name: String!, $description: String, $departmentId: ID) {
    createSkillGroup(name: $name, description: $description, departmentId: $departmentId) { id }
  }
`;

export const UpdateSkillGroupDoc = /* GraphQL */ `
  mutation UpdateSkillGroup($id: ID!, $name: String!, $description: String, $departmentId: ID) {
    updateSkillGroup(id: $id, name: $name, description: $description, departmentId: $departmentId) { id }
  }
`;

export const DeleteSkillGroupDoc = /* GraphQL */ `
  mutation DeleteSkillGroup($id: ID!) { deleteSkillGroup(id: $id) }
`;

export const UsersDoc = /* GraphQL */ `
  query Users {
    users(includeDisabled: true) {
      id name email roles disabled departmentId createdAt
      agentProfile { id status maxConcurrentChats skills { skillGroupId level } }
    }
    skillGroups { id name }
    departments { id name parentId }
  }
`;

export const DepartmentsDoc = /* GraphQL */ `
  query Departments {
    departments { id name parentId createdAt }
    users(includeDisabled: true) { id name departmentId roles }
    skillGroups { id name departmentId }
  }
`;

export const CreateDepartmentDoc = /* GraphQL */ `
  mutation CreateDepartment($name: String!, $parentId: ID) { createDepartment(name: $name, parentId: $parentId) { id } }
`;

export const UpdateDepartmentDoc = /* GraphQL */ `
  mutation UpdateDepartment($id: ID!, $name: String!, $parentId: ID) { updateDepartment(id: $id, name: $name, parentId: $parentId) { id } }
`;

export const DeleteDepartmentDoc = /* GraphQL */ `
  mutation DeleteDepartment($id: ID!) { deleteDepartment(id: $id) }
`;

export const CreateUserDoc = /* GraphQL */ `
  mutation CreateUser($email: String!, $name: String!, $password: String!, $roles: [Role!]!, $departmentId: ID, $maxConcurrentChats: Int) {
    createUser(email: $email, name: $name, password: $password, roles: $roles, departmentId: $departmentId, maxConcurrentChats: $maxConcurrentChats) { id }
  }
`;

export const UpdateUserDoc = /* GraphQL */ `
  mutation UpdateUser($id: ID!, $name: String, $roles: [Role!], $disabled: Boolean, $departmentId: ID) {
    updateUser(id: $id, name: $name, roles: $roles, disabled: $disabled, departmentId: $departmentId) { id }
  }
`;

export const UpdateAgentProfileDoc = /* GraphQL */ `
  mutation UpdateAgentProfile($userId: ID!, $maxConcurrentChats: Int, $skills: [AgentSkillInput!]) {
    updateAgentProfile(userId: $userId, maxConcurrentChats: $maxConcurrentChats, skills: $skills) { id maxConcurrentChats }
  }
`;

export const ResetUserPasswordDoc = /* GraphQL */ `
  mutation ResetUserPassword($id: ID!, $password: String!) { resetUserPassword(id: $id, password: $password) { id } }
`;

export const ChannelsDoc = /* GraphQL */ `
  query Channels { channels { id name kind enabled publicKey config createdAt } }
`;

export const CreateChannelDoc = /* GraphQL */ `
  mutation CreateChannel($kind: String!, $name: String!, $config: JSON) {
    createChannel(kind: $kind, name: $name, config: $config) { id publicKey }
  }
`;

export const UpdateChannelDoc = /* GraphQL */ `
  mutation UpdateChannel($id: ID!, $name: String, $enabled: Boolean, $config: JSON) {
    updateChannel(id: $id, name: $name, enabled: $enabled, config: $config) { id enabled }
  }
`;

export const DeleteChannelDoc = /* GraphQL */ `
  mutation DeleteChannel($id: ID!) { deleteChannel(id: $id) }
`;

export const PluginsDoc = /* GraphQL */ `
  query Plugins {
    availablePlugins { name version kinds source configJsonSchema displayName { en zhCN } description { en zhCN } }
    pluginInstallations { id pluginName enabled config lastError lastErrorAt createdAt updatedAt }
  }
`;

export const InstallPluginDoc = /* GraphQL */ `
  mutation InstallPlugin($name: String!, $config: JSON) { installPlugin(name: $name, config: $config) { id } }
`;

export const ConfigurePluginDoc = /* GraphQL */ `
  mutation ConfigurePlugin($id: ID!, $config: JSON!) { configurePlugin(id: $id, config: $config) { id config } }
`;

export const SetPluginEnabledDoc = /* GraphQL */ `
  mutation SetPluginEnabled($id: ID!, $enabled: Boolean!) { setPluginEnabled(id: $id, enabled: $enabled) { id enabled } }
`;

export const UninstallPluginDoc = /* GraphQL */ `
  mutation UninstallPlugin($id: ID!) { uninstallPlugin(id: $id) }
`;

export const ApiKeysDoc = /* GraphQL */ `
  query ApiKeys { apiKeys { id name prefix scopes createdAt lastUsedAt revokedAt } }
`;

export const CreateApiKeyDoc = /* GraphQL */ `
  mutation CreateApiKey($name: String!, $scopes: [ApiScope!]!) { createApiKey(name: $name, scopes: $scopes) { key apiKey { id } } }
`;

export const RevokeApiKeyDoc = /* GraphQL */ `
  mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }
`;

/** The live view; a supervisor gets their departments' share of each list (the API scopes them). */
export const LiveViewDoc = /* GraphQL */ `
  query LiveView {
    agents { id userId status maxConcurrentChats updatedAt user { id name departmentId } skills { skillGroupId level } }
    skillGroups { id name departmentId }
    departments { id name parentId }
    queued: conversations(status: ["queued"], limit: 500) { id skillGroupId assigneeId queuedAt customer { displayName tags } }
    assigned: conversations(status: ["assigned"], limit: 500) { id skillGroupId assigneeId assignedAt }
  }
`;

export const AgentProfileChangedDoc = /* GraphQL */ `
  subscription AgentProfileChanged($id: ID!) { agentProfileChanged(id: $id) { id status } }
`;

export const WorkspaceEventsDoc = /* GraphQL */ `
  subscription WorkspaceEvents { workspaceEvents { id type occurredAt } }
`;

// ---------------------------------------------------------------- knowledge base & agent assist

export const AssistSuggestionsDoc = /* GraphQL */ `
  query AssistSuggestions($conversationId: ID!, $text: String, $limit: Int) {
    assistSuggestions(conversationId: $conversationId, text: $text, limit: $limit) { entryId question answer score categoryPath visibility }
  }
`;

export const KnowledgeDoc = /* GraphQL */ `
  query Knowledge($categoryId: ID, $search: String, $limit: Int, $offset: Int) {
    knowledgeCategories { id name parentId path sort entryCount }
    knowledgeEntries(categoryId: $categoryId, search: $search, limit: $limit, offset: $offset) {
      total
      items { id question variants answer answerType categoryId categoryPath visibility enabled version updatedAt }
    }
  }
`;

export const CreateKnowledgeEntryDoc = /* GraphQL */ `
  mutation CreateKnowledgeEntry($question: String!, $variants: [String!], $answer: String, $categoryId: ID, $visibility: KnowledgeVisibility, $enabled: Boolean) {
    createKnowledgeEntry(question: $question, variants: $variants, answer: $answer, categoryId: $categoryId, visibility: $visibility, enabled: $enabled) { id version }
  }
`;

export const UpdateKnowledgeEntryDoc = /* GraphQL */ `
  mutation UpdateKnowledgeEntry($id: ID!, $expectedVersion: Int!, $question: String, $variants: [String!], $answer: String, $categoryId: ID, $visibility: KnowledgeVisibility, $enabled: Boolean) {
    updateKnowledgeEntry(id: $id, expectedVersion: $expectedVersion, question: $question, variants: $variants, answer: $answer, categoryId: $categoryId, visibility: $visibility, enabled: $enabled) { id version enabled }
  }
`;

export const DeleteKnowledgeEntryDoc = /* GraphQL */ `
  mutation DeleteKnowledgeEntry($id: ID!, $expectedVersion: Int) { deleteKnowledgeEntry(id: $id, expectedVersion: $expectedVersion) }
`;

export const CreateKnowledgeCategoryDoc = /* GraphQL */ `
  mutation CreateKnowledgeCategory($name: String!, $parentId: ID) { createKnowledgeCategory(name: $name, parentId: $parentId) { id } }
`;
