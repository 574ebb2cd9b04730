export * from './tenancy.ts';
export * from './customers.ts';
export * from './conversations.ts';
export * from './platform.ts';
export * from './knowledge.ts';
import { WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema } from './tenancy.ts';
import { CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema } from './customers.ts';
import {
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema,
} from './conversations.ts';
import { KnowledgeCategorySchema, KnowledgeEntrySchema, KnowledgeEntryRevisionSchema, KnowledgeImportSchema } from './knowledge.ts';
import {
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
} from './platform.ts';

export const coreEntities = [
  WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema,
  CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema,
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema, KnowledgeEntrySchema,
  KnowledgeCategorySchema, KnowledgeEntryRevisionSchema, KnowledgeImportSchema,
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
];
