import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns, updatedAt } from './columns.ts';

export const CustomerSchema = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    ...tenantColumns(),
    displayName: p.string().length(120),
    email: p.string().length(254).nullable(),
    phone: p.string().length(40).nullable(),
    tags: p.json<string[]>(),
    attributes: p.json<Record<string, unknown>>(),
    updatedAt: updatedAt(),
  },
});
export class Customer extends CustomerSchema.class {}
CustomerSchema.setClass(Customer);

/** A customer as known on one channel (widget visitor id, WeChat openid, e-mail address, …). */
export const CustomerIdentitySchema = defineEntity({
  name: 'CustomerIdentity',
  tableName: 'customer_identity',
  uniques: [{ properties: ['channelId', 'externalId'] }],
  properties: {
    ...tenantColumns(),
    customerId: p.string().length(36).index(),
    channelId: p.string().length(36),
    externalId: p.string().length(191),
    verified: p.boolean().default(false),
  },
});
export class CustomerIdentity extends CustomerIdentitySchema.class {}
CustomerIdentitySchema.setClass(CustomerIdentity);

/** Server-generated visitor token (stored hashed), scoped to one channel and one customer. */
export const VisitorSessionSchema = defineEntity({
  name: 'VisitorSession',
  tableName: 'visitor_session',
  properties: {
    ...tenantColumns(),
    channelId: p.string().length(36),
    customerId: p.string().length(36).index(),
    tokenHash: p.string().length(64).unique().hidden(),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
  },
});
export class VisitorSession extends VisitorSessionSchema.class {}
VisitorSessionSchema.setClass(VisitorSession);
