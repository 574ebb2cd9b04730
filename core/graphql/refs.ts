import { ROLES } from '@kefu-hub/plugin-sdk';
import type {
  AgentProfile, AgentSkill, ApiKey, AuditLog, Channel, Department, PluginInstallation, SkillGroup, User, Workspace,
} from '../db/entities/index.ts';
import type { HubBuilder } from './builder.ts';
import type { PluginCatalogEntry } from '../kernel/registry.ts';

export interface Session { token: string; expiresAt: Date; user: User }
export interface CreatedApiKey { apiKey: ApiKey; key: string }
export interface VisitorSessionResult { token: string; expiresAt: Date; customerId: string; channelId: string }
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
  };
}

export type Refs = ReturnType<typeof createRefs>;
