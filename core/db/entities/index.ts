export * from './tenancy.ts';
export * from './customers.ts';
export * from './conversations.ts';
export * from './platform.ts';
export * from './knowledge.ts';
export * from './transfers.ts';
export * from './routing.ts';
import { WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema } from './tenancy.ts';
import { CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema } from './customers.ts';
import {
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema,
} from './conversations.ts';
import { ConversationTransferSchema } from './transfers.ts';
import { RoutingDecisionSchema, AgentStatusLogSchema } from './routing.ts';
import { KnowledgeCategorySchema, KnowledgeEntrySchema, KnowledgeEntryRevisionSchema, KnowledgeImportSchema, KnowledgeHitSchema } from './knowledge.ts';
import {
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
} from './platform.ts';

export const coreEntities = [
  WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema,
  CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema,
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema, KnowledgeEntrySchema,
  KnowledgeCategorySchema, KnowledgeEntryRevisionSchema, KnowledgeImportSchema, KnowledgeHitSchema,
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
  ConversationTransferSchema,
  RoutingDecisionSchema, AgentStatusLogSchema,
];
