import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../ids.ts';
import { tenantColumns, updatedAt } from './columns.ts';
import type { Role } from '@kefu-hub/plugin-sdk';

/** The tenant. Not filtered by workspace itself; every other table is. */
export const WorkspaceSchema = defineEntity({
  name: 'Workspace',
  tableName: 'workspace',
  properties: {
    id: p.string().length(36).primary().onCreate(() => newId()),
    name: p.string().length(120),
    slug: p.string().length(64).unique(),
    locale: p.string().length(16).default('zh-CN'),
    timezone: p.string().length(64).default('Asia/Shanghai'),
    /** Routing: an agent `away` for this long has their held chats put back in their queues. */
    awayRequeueAfterSec: p.integer().default(300),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: updatedAt(),
  },
});
export class Workspace extends WorkspaceSchema.class {}
WorkspaceSchema.setClass(Workspace);

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'hub_user',
  uniques: [{ properties: ['workspaceId', 'email'] }],
  properties: {
    ...tenantColumns(),
    email: p.string().length(254),
    name: p.string().length(120),
    passwordHash: p.string().length(255).hidden(),
    roles: p.json<Role[]>(),
    departmentId: p.string().length(36).nullable(),
    /** Bumped on password or role change; tokens carrying an older value are revoked. */
    tokenVersion: p.integer().default(1),
    disabled: p.boolean().default(false),
    updatedAt: updatedAt(),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);

export const DepartmentSchema = defineEntity({
  name: 'Department',
  tableName: 'department',
  uniques: [{ properties: ['workspaceId', 'name'] }],
  properties: {
    ...tenantColumns(),
    name: p.string().length(120),
    parentId: p.string().length(36).nullable(),
    updatedAt: updatedAt(),
  },
});
export class Department extends DepartmentSchema.class {}
DepartmentSchema.setClass(Department);

export const SkillGroupSchema = defineEntity({
  name: 'SkillGroup',
  tableName: 'skill_group',
  uniques: [{ properties: ['workspaceId', 'name'] }],
  properties: {
    ...tenantColumns(),
    name: p.string().length(120),
    departmentId: p.string().length(36).nullable(),
    description: p.string().length(500).nullable(),
    /** Routing policy (core/routing/policy.ts GroupRoutingPolicySchema): strategy, priority rules, limits, overflow, hours. */
    routing: p.json<Record<string, unknown>>().nullable(),
    updatedAt: updatedAt(),
  },
});
export class SkillGroup extends SkillGroupSchema.class {}
SkillGroupSchema.setClass(SkillGroup);

export const AGENT_STATUSES = ['online', 'busy', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const AgentProfileSchema = defineEntity({
  name: 'AgentProfile',
  tableName: 'agent_profile',
  uniques: [{ properties: ['workspaceId', 'userId'] }],
  properties: {
    ...tenantColumns(),
    userId: p.string().length(36),
    status: p.enum(AGENT_STATUSES).default('offline'),
    /** When `status` last changed (the away grace counts from here). */
    statusChangedAt: p.datetime(3).nullable(),
    maxConcurrentChats: p.integer().default(5),
    updatedAt: updatedAt(),
  },
});
export class AgentProfile extends AgentProfileSchema.class {}
AgentProfileSchema.setClass(AgentProfile);

/** Membership of an agent in a skill group, with a level (1 = junior … 5 = expert). */
export const AgentSkillSchema = defineEntity({
  name: 'AgentSkill',
  tableName: 'agent_skill',
  uniques: [{ properties: ['agentProfileId', 'skillGroupId'] }],
  properties: {
    ...tenantColumns(),
    agentProfileId: p.string().length(36).index(),
    skillGroupId: p.string().length(36).index(),
    level: p.integer().default(1),
  },
});
export class AgentSkill extends AgentSkillSchema.class {}
AgentSkillSchema.setClass(AgentSkill);
