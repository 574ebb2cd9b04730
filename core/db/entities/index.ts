export * from './tenancy.ts';
export * from './customers.ts';
export * from './conversations.ts';
export * from './platform.ts';
import { WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema } from './tenancy.ts';
import { CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema } from './customers.ts';
import {
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema, KnowledgeEntrySchema,
} from './conversations.ts';
import {
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
} from './platform.ts';

export const coreEntities = [
  WorkspaceSchema, UserSchema, DepartmentSchema, SkillGroupSchema, AgentProfileSchema, AgentSkillSchema,
  CustomerSchema, CustomerIdentitySchema, VisitorSessionSchema,
  ChannelSchema, ConversationSchema, MessageSchema, CannedReplySchema, SurveyResponseSchema, OfflineMessageSchema, KnowledgeEntrySchema,
  FlowSchema, FlowVersionSchema, PluginInstallationSchema, ApiKeySchema, WebhookSubscriptionSchema,
  AuditLogSchema, OutboxEventSchema, HubSettingSchema, PluginActivityResultSchema,
];
