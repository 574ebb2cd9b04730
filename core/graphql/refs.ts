import { ROLES } from '@kefu-hub/plugin-sdk';
import type {
  AgentProfile, AgentSkill, ApiKey, AuditLog, CannedReply, Channel, Conversation, Customer, Department, FlowVersion, Flow, OfflineMessage,
  PluginInstallation, SkillGroup, SurveyResponse, User, Workspace,
} from '../db/entities/index.ts';
import type { ConversationEvent, MessageView } from '../conversations/topics.ts';
import type { HubBuilder } from './builder.ts';
import type { PluginCatalogEntry } from '../kernel/registry.ts';

export interface Session { token: string; expiresAt: Date; user: User }
export interface CreatedApiKey { apiKey: ApiKey; key: string }
export interface VisitorSessionResult { token: string; expiresAt: Date; customerId: string; channelId: string; settings?: Record<string, unknown> }
export interface HubEventView { id: string; type: string; occurredAt: string; payload: unknown }

/**
 * Every object type's reference, created up front so domain files can point at each other's types
 * without import cycles; each domain file implements its own.
 */
export function createRefs(builder: HubBuilder) {
  return {
    Role: builder.enumType('Role', { values: ROLES }),
    Workspace: builder.objectRef<Workspace>('Workspace'),
    Session: builder.objectRef<Session>('Session'),
    User: builder.objectRef<User>('User'),
    Department: builder.objectRef<Department>('Department'),
    SkillGroup: builder.objectRef<SkillGroup>('SkillGroup'),
    AgentProfile: builder.objectRef<AgentProfile>('AgentProfile'),
    AgentSkill: builder.objectRef<AgentSkill>('AgentSkill'),
    Channel: builder.objectRef<Channel>('Channel'),
    ApiKey: builder.objectRef<ApiKey>('ApiKey'),
    CreatedApiKey: builder.objectRef<CreatedApiKey>('CreatedApiKey'),
    PluginInstallation: builder.objectRef<PluginInstallation>('PluginInstallation'),
    AvailablePlugin: builder.objectRef<PluginCatalogEntry>('AvailablePlugin'),
    VisitorSession: builder.objectRef<VisitorSessionResult>('VisitorSession'),
    AuditLogEntry: builder.objectRef<AuditLog>('AuditLogEntry'),
    HubEvent: builder.objectRef<HubEventView>('HubEvent'),
    Conversation: builder.objectRef<Conversation>('Conversation'),
    Message: builder.objectRef<MessageView>('Message'),
    Customer: builder.objectRef<Customer>('Customer'),
    ConversationEvent: builder.objectRef<ConversationEvent>('ConversationEvent'),
    CannedReply: builder.objectRef<CannedReply>('CannedReply'),
    OfflineMessage: builder.objectRef<OfflineMessage>('OfflineMessage'),
    SurveyResponse: builder.objectRef<SurveyResponse>('SurveyResponse'),
    Flow: builder.objectRef<Flow>('Flow'),
    FlowVersion: builder.objectRef<FlowVersion>('FlowVersion'),
  };
}

export type Refs = ReturnType<typeof createRefs>;
