import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns, updatedAt } from './columns.ts';
import type { ApiScope } from '@kefu-hub/plugin-sdk';

/** A named flow; its definitions live in FlowVersion rows, one of which is published. */
export const FlowSchema = defineEntity({
  name: 'Flow',
  tableName: 'flow',
  uniques: [{ properties: ['workspaceId', 'name'] }],
  properties: {
    ...tenantColumns(),
    name: p.string().length(120),
    publishedVersionId: p.string().length(36).nullable(),
    updatedAt: updatedAt(),
  },
});
export class Flow extends FlowSchema.class {}
FlowSchema.setClass(Flow);

export const FlowVersionSchema = defineEntity({
  name: 'FlowVersion',
  tableName: 'flow_version',
  uniques: [{ properties: ['flowId', 'version'] }],
  properties: {
    ...tenantColumns(),
    flowId: p.string().length(36),
    version: p.integer(),
    definition: p.json<Record<string, unknown>>(),
    createdById: p.string().length(36).nullable(),
    publishedAt: p.datetime().nullable(),
  },
});
export class FlowVersion extends FlowVersionSchema.class {}
FlowVersionSchema.setClass(FlowVersion);

export const PluginInstallationSchema = defineEntity({
  name: 'PluginInstallation',
  tableName: 'plugin_installation',
  uniques: [{ properties: ['workspaceId', 'pluginName'] }],
  properties: {
    ...tenantColumns(),
    pluginName: p.string().length(64),
    enabled: p.boolean().default(true),
    config: p.json<Record<string, unknown>>(),
    /** Last run-time error of the plugin in this workspace, surfaced to admins. */
    lastError: p.text().nullable(),
    lastErrorAt: p.datetime().nullable(),
    updatedAt: updatedAt(),
  },
});
export class PluginInstallation extends PluginInstallationSchema.class {}
PluginInstallationSchema.setClass(PluginInstallation);

export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: {
    ...tenantColumns(),
    name: p.string().length(120),
    /** Public lookup part of the key (`kh_<prefix>_<secret>`). */
    prefix: p.string().length(16).unique(),
    /** SHA-256 of the 256-bit secret part: high-entropy secrets need no slow hash. */
    secretHash: p.string().length(64).hidden(),
    scopes: p.json<ApiScope[]>(),
    createdById: p.string().length(36).nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

export const WebhookSubscriptionSchema = defineEntity({
  name: 'WebhookSubscription',
  tableName: 'webhook_subscription',
  properties: {
    ...tenantColumns(),
    url: p.string().length(2000),
    events: p.json<string[]>(),
    secret: p.string().length(128).hidden(),
    enabled: p.boolean().default(true),
    updatedAt: updatedAt(),
  },
});
export class WebhookSubscription extends WebhookSubscriptionSchema.class {}
WebhookSubscriptionSchema.setClass(WebhookSubscription);

export const AuditLogSchema = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  indexes: [{ properties: ['workspaceId', 'createdAt'] }],
  properties: {
    ...tenantColumns(),
    actorType: p.string().length(16),
    actorId: p.string().length(36).nullable(),
    action: p.string().length(64),
    targetType: p.string().length(64),
    targetId: p.string().length(36).nullable(),
    details: p.json<Record<string, unknown>>(),
  },
});
export class AuditLog extends AuditLogSchema.class {}
AuditLogSchema.setClass(AuditLog);

/** Transactional outbox: written in the same transaction as the change it announces. */
export const OutboxEventSchema = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  indexes: [{ properties: ['publishedAt', 'id'] }],
  properties: {
    ...tenantColumns(),
    type: p.string().length(64),
    payload: p.json<Record<string, unknown>>(),
    publishedAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
  },
});
export class OutboxEvent extends OutboxEventSchema.class {}
OutboxEventSchema.setClass(OutboxEvent);

/** Hub-wide settings shared by all nodes (e.g. the generated JWT secret). Not tenant data. */
export const HubSettingSchema = defineEntity({
  name: 'HubSetting',
  tableName: 'hub_setting',
  properties: {
    key: p.string().length(64).primary(),
    value: p.text(),
  },
});
export class HubSetting extends HubSettingSchema.class {}
HubSettingSchema.setClass(HubSetting);


/** Result of a plugin activity, keyed by its idempotency key: a retried activity returns it instead of redoing the work. */
export const PluginActivityResultSchema = defineEntity({
  name: 'PluginActivityResult',
  tableName: 'plugin_activity_result',
  properties: {
    ...tenantColumns(),
    idempotencyKey: p.string().length(191).unique(),
    plugin: p.string().length(64),
    activity: p.string().length(64),
    result: p.json<unknown>().nullable(),
  },
});
export class PluginActivityResult extends PluginActivityResultSchema.class {}
PluginActivityResultSchema.setClass(PluginActivityResult);
