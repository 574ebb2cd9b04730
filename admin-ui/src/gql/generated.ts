/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type AgentSkillInput = {
  level: number;
  skillGroupId: string | number;
};

export type AgentStatus =
  | 'away'
  | 'busy'
  | 'offline'
  | 'online';

export type ApiScope =
  | 'ADMIN_READ'
  | 'ADMIN_WRITE'
  | 'CONVERSATIONS_READ'
  | 'CONVERSATIONS_WRITE'
  | 'CUSTOMERS_READ'
  | 'CUSTOMERS_WRITE'
  | 'PLUGINS_READ'
  | 'PLUGINS_WRITE';

export type KnowledgeAnswerType =
  | 'card'
  | 'image'
  | 'link'
  | 'rich_text'
  | 'text';

export type KnowledgeVisibility =
  | 'internal'
  | 'public';

export type Role =
  | 'admin'
  | 'agent'
  | 'operator'
  | 'supervisor';

export type RoutingDecisionKind =
  | 'assigned'
  | 'exited'
  | 'overflowed'
  | 'queued';

export type TransferKind =
  | 'agent'
  | 'group'
  | 'reassign';

export type TransferStatus =
  | 'accepted'
  | 'cancelled'
  | 'completed'
  | 'declined'
  | 'expired'
  | 'pending';

export type LoginMutationVariables = Exact<{
  workspace: string;
  email: string;
  password: string;
}>;


export type LoginMutation = { login: { token: string, expiresAt: string, user: { id: string, name: string, email: string, roles: Array<Role>, workspaceId: string } } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, name: string, email: string, roles: Array<Role>, departmentId: string | null, agentProfile: { id: string, status: AgentStatus, maxConcurrentChats: number } | null }, workspace: { id: string, name: string, slug: string, locale: string, timezone: string } };

export type SetMyStatusMutationVariables = Exact<{
  status: AgentStatus;
}>;


export type SetMyStatusMutation = { setMyStatus: { id: string, status: AgentStatus } };

export type ConversationListFieldsFragment = { id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, closeReason: string | null, lastSeq: number, agentReadSeq: number, customerReadSeq: number, assigneeId: string | null, assigneeName: string | null, skillGroupId: string | null, transferRule: string | null, currentNodeId: string | null, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null };

export type InboxQueryVariables = Exact<{
  limit?: number | null | undefined;
}>;


export type InboxQuery = { queued: Array<{ id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, closeReason: string | null, lastSeq: number, agentReadSeq: number, customerReadSeq: number, assigneeId: string | null, assigneeName: string | null, skillGroupId: string | null, transferRule: string | null, currentNodeId: string | null, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null }>, mine: Array<{ id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, closeReason: string | null, lastSeq: number, agentReadSeq: number, customerReadSeq: number, assigneeId: string | null, assigneeName: string | null, skillGroupId: string | null, transferRule: string | null, currentNodeId: string | null, messages: Array<{ seq: number, senderType: string, type: string, body: unknown, createdAt: string }>, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null }>, closed: Array<{ id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, closeReason: string | null, lastSeq: number, agentReadSeq: number, customerReadSeq: number, assigneeId: string | null, assigneeName: string | null, skillGroupId: string | null, transferRule: string | null, currentNodeId: string | null, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null }> };

export type MessageFieldsFragment = { id: string, seq: number, clientMessageId: string | null, senderType: string, senderId: string | null, type: string, body: unknown, createdAt: string, recalledAt: string | null };

export type ConversationDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ConversationDetailQuery = { conversation: { firstResponseAt: string | null, flowVersionId: string | null, trail: unknown, id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, closeReason: string | null, lastSeq: number, agentReadSeq: number, customerReadSeq: number, assigneeId: string | null, assigneeName: string | null, skillGroupId: string | null, transferRule: string | null, currentNodeId: string | null, survey: { stars: number, comment: string | null } | null, messages: Array<{ id: string, seq: number, clientMessageId: string | null, senderType: string, senderId: string | null, type: string, body: unknown, createdAt: string, recalledAt: string | null }>, customer: { id: string, displayName: string, email: string | null, phone: string | null, tags: Array<string>, attributes: unknown, createdAt: string, conversations: Array<{ id: string, status: string, createdAt: string, closedAt: string | null, closeReason: string | null, assigneeName: string | null, lastSeq: number, channel: { name: string, kind: string } | null }> } | null, channel: { id: string, name: string, kind: string } | null } };

export type HistoryMessagesQueryVariables = Exact<{
  id: string | number;
}>;


export type HistoryMessagesQuery = { conversation: { id: string, status: string, createdAt: string, assigneeName: string | null, messages: Array<{ id: string, seq: number, clientMessageId: string | null, senderType: string, senderId: string | null, type: string, body: unknown, createdAt: string, recalledAt: string | null }> } };

export type SendMessageMutationVariables = Exact<{
  conversationId: string | number;
  type: string;
  body: unknown;
  clientMessageId?: string | null | undefined;
}>;


export type SendMessageMutation = { sendMessage: { id: string, seq: number, clientMessageId: string | null, senderType: string, senderId: string | null, type: string, body: unknown, createdAt: string, recalledAt: string | null } };

export type MarkReadMutationVariables = Exact<{
  conversationId: string | number;
  seq: number;
}>;


export type MarkReadMutation = { markRead: { id: string, agentReadSeq: number } };

export type SendTypingMutationVariables = Exact<{
  conversationId: string | number;
}>;


export type SendTypingMutation = { sendTyping: boolean };

export type RecallMessageMutationVariables = Exact<{
  messageId: string | number;
}>;


export type RecallMessageMutation = { recallMessage: { id: string, recalledAt: string | null } };

export type CloseConversationMutationVariables = Exact<{
  conversationId: string | number;
  reason?: string | null | undefined;
}>;


export type CloseConversationMutation = { closeConversation: { id: string, status: string, closedAt: string | null } };

export type TransferConversationMutationVariables = Exact<{
  conversationId: string | number;
  toAgentId?: string | number | null | undefined;
  toSkillGroupId?: string | number | null | undefined;
  note?: string | null | undefined;
}>;


export type TransferConversationMutation = { transferConversation: { id: string, kind: TransferKind, status: TransferStatus, toAgentId: string | null, expiresAt: string | null } };

export type CannedRepliesQueryVariables = Exact<{ [key: string]: never; }>;


export type CannedRepliesQuery = { cannedReplies: Array<{ id: string, title: string, shortcut: string | null, template: string }> };

export type RenderCannedReplyQueryVariables = Exact<{
  conversationId: string | number;
  id: string | number;
}>;


export type RenderCannedReplyQuery = { renderCannedReply: string };

export type SaveCannedReplyMutationVariables = Exact<{
  id?: string | number | null | undefined;
  title: string;
  template: string;
  shortcut?: string | null | undefined;
}>;


export type SaveCannedReplyMutation = { saveCannedReply: { id: string, title: string, shortcut: string | null, template: string } };

export type DeleteCannedReplyMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCannedReplyMutation = { deleteCannedReply: boolean };

export type TransferTargetsQueryVariables = Exact<{ [key: string]: never; }>;


export type TransferTargetsQuery = { agents: Array<{ id: string, userId: string, status: AgentStatus, maxConcurrentChats: number, user: { id: string, name: string, disabled: boolean } | null, skills: Array<{ skillGroupId: string, level: number }> }>, skillGroups: Array<{ id: string, name: string }> };

export type OfflineMessagesQueryVariables = Exact<{
  status?: Array<string> | string | null | undefined;
}>;


export type OfflineMessagesQuery = { offlineMessages: Array<{ id: string, content: string, contact: unknown, reason: string, status: string, createdAt: string, repliedAt: string | null, reply: string | null, assigneeId: string | null, conversationId: string }> };

export type ReplyOfflineMessageMutationVariables = Exact<{
  id: string | number;
  text: string;
}>;


export type ReplyOfflineMessageMutation = { replyOfflineMessage: { id: string, status: string, repliedAt: string | null, reply: string | null } };

export type ConversationEventsSubscriptionVariables = Exact<{
  conversationId: string | number;
  afterSeq?: number | null | undefined;
}>;


export type ConversationEventsSubscription = { conversationEvents: { kind: string, conversationId: string, seq: number | null, status: string | null, assigneeId: string | null, side: string | null, preview: string | null, position: number | null, messageId: string | null, message: { id: string, seq: number, clientMessageId: string | null, senderType: string, senderId: string | null, type: string, body: unknown, createdAt: string, recalledAt: string | null } | null } };

export type AgentInboxSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AgentInboxSubscription = { agentInbox: { kind: string, conversationId: string, fromAgentId: string | null, note: string | null, transferId: string | null } };

export type FlowNodeTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type FlowNodeTypesQuery = { flowNodeTypes: Array<{ type: string, labelEn: string, labelZh: string, outcomes: Array<string>, source: string, configJsonSchema: unknown }>, transferRuleTypes: Array<{ name: string, plugin: string, labelEn: string, labelZh: string }>, skillGroups: Array<{ id: string, name: string }> };

export type FlowsQueryVariables = Exact<{ [key: string]: never; }>;


export type FlowsQuery = { flows: Array<{ id: string, name: string, publishedVersionId: string | null, createdAt: string, versions: Array<{ id: string, version: number, definition: unknown, createdAt: string, createdById: string | null, publishedAt: string | null }> }> };

export type SaveFlowVersionMutationVariables = Exact<{
  flowId?: string | number | null | undefined;
  name?: string | null | undefined;
  definition: unknown;
}>;


export type SaveFlowVersionMutation = { saveFlowVersion: { id: string, version: number, definition: unknown, createdAt: string, publishedAt: string | null, flowId: string } };

export type PublishFlowVersionMutationVariables = Exact<{
  versionId: string | number;
}>;


export type PublishFlowVersionMutation = { publishFlowVersion: { id: string, publishedVersionId: string | null } };

export type SkillGroupsQueryVariables = Exact<{ [key: string]: never; }>;


export type SkillGroupsQuery = { skillGroups: Array<{ id: string, name: string, description: string | null, departmentId: string | null, createdAt: string, routingPolicy: unknown, members: Array<{ agentProfileId: string, level: number }> }>, departments: Array<{ id: string, name: string, parentId: string | null }> };

export type CreateSkillGroupMutationVariables = Exact<{
  name: string;
  description?: string | null | undefined;
  departmentId?: string | number | null | undefined;
}>;


export type CreateSkillGroupMutation = { createSkillGroup: { id: string } };

export type UpdateSkillGroupMutationVariables = Exact<{
  id: string | number;
  name: string;
  description?: string | null | undefined;
  departmentId?: string | number | null | undefined;
}>;


export type UpdateSkillGroupMutation = { updateSkillGroup: { id: string } };

export type DeleteSkillGroupMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSkillGroupMutation = { deleteSkillGroup: boolean };

export type UsersQueryVariables = Exact<{ [key: string]: never; }>;


export type UsersQuery = { users: Array<{ id: string, name: string, email: string, roles: Array<Role>, disabled: boolean, departmentId: string | null, createdAt: string, agentProfile: { id: string, status: AgentStatus, maxConcurrentChats: number, skills: Array<{ skillGroupId: string, level: number }> } | null }>, skillGroups: Array<{ id: string, name: string }>, departments: Array<{ id: string, name: string, parentId: string | null }> };

export type DepartmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type DepartmentsQuery = { departments: Array<{ id: string, name: string, parentId: string | null, createdAt: string }>, users: Array<{ id: string, name: string, departmentId: string | null, roles: Array<Role> }>, skillGroups: Array<{ id: string, name: string, departmentId: string | null }> };

export type CreateDepartmentMutationVariables = Exact<{
  name: string;
  parentId?: string | number | null | undefined;
}>;


export type CreateDepartmentMutation = { createDepartment: { id: string } };

export type UpdateDepartmentMutationVariables = Exact<{
  id: string | number;
  name: string;
  parentId?: string | number | null | undefined;
}>;


export type UpdateDepartmentMutation = { updateDepartment: { id: string } };

export type DeleteDepartmentMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteDepartmentMutation = { deleteDepartment: boolean };

export type CreateUserMutationVariables = Exact<{
  email: string;
  name: string;
  password: string;
  roles: Array<Role> | Role;
  departmentId?: string | number | null | undefined;
  maxConcurrentChats?: number | null | undefined;
}>;


export type CreateUserMutation = { createUser: { id: string } };

export type UpdateUserMutationVariables = Exact<{
  id: string | number;
  name?: string | null | undefined;
  roles?: Array<Role> | Role | null | undefined;
  disabled?: boolean | null | undefined;
  departmentId?: string | number | null | undefined;
}>;


export type UpdateUserMutation = { updateUser: { id: string } };

export type UpdateAgentProfileMutationVariables = Exact<{
  userId: string | number;
  maxConcurrentChats?: number | null | undefined;
  skills?: Array<AgentSkillInput> | AgentSkillInput | null | undefined;
}>;


export type UpdateAgentProfileMutation = { updateAgentProfile: { id: string, maxConcurrentChats: number } };

export type ResetUserPasswordMutationVariables = Exact<{
  id: string | number;
  password: string;
}>;


export type ResetUserPasswordMutation = { resetUserPassword: { id: string } };

export type ChannelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ChannelsQuery = { channels: Array<{ id: string, name: string, kind: string, enabled: boolean, publicKey: string, config: unknown, createdAt: string }> };

export type CreateChannelMutationVariables = Exact<{
  kind: string;
  name: string;
  config?: unknown;
}>;


export type CreateChannelMutation = { createChannel: { id: string, publicKey: string } };

export type UpdateChannelMutationVariables = Exact<{
  id: string | number;
  name?: string | null | undefined;
  enabled?: boolean | null | undefined;
  config?: unknown;
}>;


export type UpdateChannelMutation = { updateChannel: { id: string, enabled: boolean } };

export type DeleteChannelMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteChannelMutation = { deleteChannel: boolean };

export type PluginsQueryVariables = Exact<{ [key: string]: never; }>;


export type PluginsQuery = { availablePlugins: Array<{ name: string, version: string, kinds: Array<string>, source: string, configJsonSchema: unknown, displayName: { en: string, zhCN: string }, description: { en: string, zhCN: string } | null }>, pluginInstallations: Array<{ id: string, pluginName: string, enabled: boolean, config: unknown, lastError: string | null, lastErrorAt: string | null, createdAt: string, updatedAt: string }> };

export type InstallPluginMutationVariables = Exact<{
  name: string;
  config?: unknown;
}>;


export type InstallPluginMutation = { installPlugin: { id: string } };

export type ConfigurePluginMutationVariables = Exact<{
  id: string | number;
  config: unknown;
}>;


export type ConfigurePluginMutation = { configurePlugin: { id: string, config: unknown } };

export type SetPluginEnabledMutationVariables = Exact<{
  id: string | number;
  enabled: boolean;
}>;


export type SetPluginEnabledMutation = { setPluginEnabled: { id: string, enabled: boolean } };

export type UninstallPluginMutationVariables = Exact<{
  id: string | number;
}>;


export type UninstallPluginMutation = { uninstallPlugin: boolean };

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, name: string, prefix: string, scopes: Array<ApiScope>, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> };

export type CreateApiKeyMutationVariables = Exact<{
  name: string;
  scopes: Array<ApiScope> | ApiScope;
}>;


export type CreateApiKeyMutation = { createApiKey: { key: string, apiKey: { id: string } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type LiveViewQueryVariables = Exact<{ [key: string]: never; }>;


export type LiveViewQuery = { agents: Array<{ id: string, userId: string, status: AgentStatus, maxConcurrentChats: number, updatedAt: string, user: { id: string, name: string, departmentId: string | null } | null, skills: Array<{ skillGroupId: string, level: number }> }>, skillGroups: Array<{ id: string, name: string, departmentId: string | null }>, departments: Array<{ id: string, name: string, parentId: string | null }>, queued: Array<{ id: string, skillGroupId: string | null, assigneeId: string | null, queuedAt: string | null, customer: { displayName: string, tags: Array<string> } | null }>, assigned: Array<{ id: string, skillGroupId: string | null, assigneeId: string | null, assignedAt: string | null }> };

export type AgentProfileChangedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type AgentProfileChangedSubscription = { agentProfileChanged: { id: string, status: AgentStatus } };

export type WorkspaceEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WorkspaceEventsSubscription = { workspaceEvents: { id: string, type: string, occurredAt: string } };

export type AssistSuggestionsQueryVariables = Exact<{
  conversationId: string | number;
  text?: string | null | undefined;
  limit?: number | null | undefined;
}>;


export type AssistSuggestionsQuery = { assistSuggestions: Array<{ entryId: string, question: string, answer: string, score: number, categoryPath: string | null, visibility: KnowledgeVisibility }> };

export type KnowledgeQueryVariables = Exact<{
  categoryId?: string | number | null | undefined;
  search?: string | null | undefined;
  limit?: number | null | undefined;
  offset?: number | null | undefined;
}>;


export type KnowledgeQuery = { knowledgeCategories: Array<{ id: string, name: string, parentId: string | null, path: string, sort: number, entryCount: number }>, knowledgeEntries: { total: number, items: Array<{ id: string, question: string, variants: Array<string>, answer: string, answerType: KnowledgeAnswerType, categoryId: string | null, categoryPath: string | null, visibility: KnowledgeVisibility, enabled: boolean, version: number, updatedAt: string }> } };

export type CreateKnowledgeEntryMutationVariables = Exact<{
  question: string;
  variants?: Array<string> | string | null | undefined;
  answer?: string | null | undefined;
  categoryId?: string | number | null | undefined;
  visibility?: KnowledgeVisibility | null | undefined;
  enabled?: boolean | null | undefined;
}>;


export type CreateKnowledgeEntryMutation = { createKnowledgeEntry: { id: string, version: number } };

export type UpdateKnowledgeEntryMutationVariables = Exact<{
  id: string | number;
  expectedVersion: number;
  question?: string | null | undefined;
  variants?: Array<string> | string | null | undefined;
  answer?: string | null | undefined;
  categoryId?: string | number | null | undefined;
  visibility?: KnowledgeVisibility | null | undefined;
  enabled?: boolean | null | undefined;
}>;


export type UpdateKnowledgeEntryMutation = { updateKnowledgeEntry: { id: string, version: number, enabled: boolean } };

export type DeleteKnowledgeEntryMutationVariables = Exact<{
  id: string | number;
  expectedVersion?: number | null | undefined;
}>;


export type DeleteKnowledgeEntryMutation = { deleteKnowledgeEntry: boolean };

export type CreateKnowledgeCategoryMutationVariables = Exact<{
  name: string;
  parentId?: string | number | null | undefined;
}>;


export type CreateKnowledgeCategoryMutation = { createKnowledgeCategory: { id: string } };

export type RoutingDirectoryQueryVariables = Exact<{ [key: string]: never; }>;


export type RoutingDirectoryQuery = { skillGroups: Array<{ id: string, name: string, departmentId: string | null }>, agents: Array<{ id: string, userId: string, user: { id: string, name: string } | null }>, routingCatalog: Array<{ kind: string, name: string, plugin: string, label: unknown, configJsonSchema: unknown, enabled: boolean }> };

export type RoutingPolicyQueryVariables = Exact<{
  id: string | number;
}>;


export type RoutingPolicyQuery = { skillGroup: { id: string, name: string, departmentId: string | null, routingPolicy: unknown }, skillGroups: Array<{ id: string, name: string, routingPolicy: unknown }> };

export type UpdateSkillGroupRoutingMutationVariables = Exact<{
  id: string | number;
  policy: unknown;
}>;


export type UpdateSkillGroupRoutingMutation = { updateSkillGroupRouting: { id: string, routingPolicy: unknown } };

export type SimulateRoutingQueryVariables = Exact<{
  from: string;
  to: string;
  policies: unknown;
}>;


export type SimulateRoutingQuery = { simulateRouting: { arrivals: number, agents: number, baseline: unknown, proposed: unknown } };

export type QueuePreviewQueryVariables = Exact<{
  skillGroupId?: string | number | null | undefined;
}>;


export type QueuePreviewQuery = { queuePreview: Array<{ conversationId: string, position: number, waitedSec: number, waitedInGroupSec: number, advanceSec: number, terms: unknown, estimatedWaitSec: number | null }> };

export type RoutingDecisionFieldsFragment = { id: string, conversationId: string, kind: RoutingDecisionKind, skillGroupId: string | null, agentId: string | null, strategy: string | null, summary: string, detail: unknown, decidedAt: string };

export type ConversationRoutingQueryVariables = Exact<{
  id: string | number;
}>;


export type ConversationRoutingQuery = { conversation: { id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, closedAt: string | null, skillGroupId: string | null, assigneeId: string | null, assigneeName: string | null, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null, routingDecisions: Array<{ id: string, conversationId: string, kind: RoutingDecisionKind, skillGroupId: string | null, agentId: string | null, strategy: string | null, summary: string, detail: unknown, decidedAt: string }> } };

export type RoutingDecisionLogQueryVariables = Exact<{
  conversationId?: string | number | null | undefined;
  skillGroupId?: string | number | null | undefined;
  agentId?: string | number | null | undefined;
  kind?: RoutingDecisionKind | null | undefined;
  since?: string | null | undefined;
  limit?: number | null | undefined;
}>;


export type RoutingDecisionLogQuery = { routingDecisions: Array<{ id: string, conversationId: string, kind: RoutingDecisionKind, skillGroupId: string | null, agentId: string | null, strategy: string | null, summary: string, detail: unknown, decidedAt: string }> };

export type TransferFieldsFragment = { id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null };

export type TransferOffersQueryVariables = Exact<{ [key: string]: never; }>;


export type TransferOffersQuery = { transferOffers: Array<{ id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null, conversation: { id: string, status: string, createdAt: string, queuedAt: string | null, assignedAt: string | null, customer: { id: string, displayName: string, tags: Array<string> } | null, channel: { id: string, name: string, kind: string } | null } | null }> };

export type ConversationTransfersQueryVariables = Exact<{
  id: string | number;
}>;


export type ConversationTransfersQuery = { conversation: { id: string, transfers: Array<{ id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null }> } };

export type AnswerTransferMutationVariables = Exact<{
  transferId: string | number;
  accept: boolean;
  reason?: string | null | undefined;
}>;


export type AnswerTransferMutation = { answerTransfer: { id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null } };

export type CancelTransferMutationVariables = Exact<{
  transferId: string | number;
  reason?: string | null | undefined;
}>;


export type CancelTransferMutation = { cancelTransfer: { id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null } };

export type ReassignConversationMutationVariables = Exact<{
  conversationId: string | number;
  toAgentId?: string | number | null | undefined;
  toSkillGroupId?: string | number | null | undefined;
  note?: string | null | undefined;
}>;


export type ReassignConversationMutation = { reassignConversation: { id: string, conversationId: string, kind: TransferKind, status: TransferStatus, fromAgentId: string | null, toAgentId: string | null, toSkillGroupId: string | null, note: string | null, reason: string | null, requestedById: string | null, decidedById: string | null, createdAt: string, expiresAt: string | null, decidedAt: string | null } };
