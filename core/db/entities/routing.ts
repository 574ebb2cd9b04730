import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns } from './columns.ts';

/**
 * `queued`: which queue a customer joined and why (diversion, priority); `assigned`: who got them and
 * why (candidates, scores, strategy); `overflowed`: moved to another group; `exited`: sent to the
 * offline message because no group on the chain could take them.
 */
export const ROUTING_DECISION_KINDS = ['queued', 'assigned', 'overflowed', 'exited'] as const;
export type RoutingDecisionKind = (typeof ROUTING_DECISION_KINDS)[number];

/** The decision log (F8–F11): every routing decision with the inputs it was made from. */
export const RoutingDecisionSchema = defineEntity({
  name: 'RoutingDecision',
  tableName: 'routing_decision',
  indexes: [
    { properties: ['workspaceId', 'conversationId'] },
    { properties: ['workspaceId', 'decidedAt'] },
  ],
  // One row per decision however often its delivery is retried.
  uniques: [{ properties: ['workspaceId', 'decisionKey'] }],
  properties: {
    ...tenantColumns(),
    conversationId: p.string().length(36),
    kind: p.enum(ROUTING_DECISION_KINDS),
    decisionKey: p.string().length(191),
    skillGroupId: p.string().length(36).nullable(),
    agentId: p.string().length(36).nullable(),
    strategy: p.string().length(64).nullable(),
    /** One line a supervisor reads first. */
    summary: p.string().length(500),
    /** Everything the decision was made from (queue snapshot, candidates with loads and scores, rules). */
    detail: p.json<Record<string, unknown>>(),
    decidedAt: p.datetime(3),
  },
});
export class RoutingDecision extends RoutingDecisionSchema.class {}
RoutingDecisionSchema.setClass(RoutingDecision);

/** Agent status history: what the routing simulator replays as agent availability. */
export const AgentStatusLogSchema = defineEntity({
  name: 'AgentStatusLog',
  tableName: 'agent_status_log',
  indexes: [{ properties: ['workspaceId', 'at'] }],
  properties: {
    ...tenantColumns(),
    agentId: p.string().length(36),
    status: p.string().length(16),
    capacity: p.integer(),
    /** Skill group ids (with levels) at the time: `[{ skillGroupId, level }]`. */
    skills: p.json<{ skillGroupId: string; level: number }[]>(),
    at: p.datetime(3),
  },
});
export class AgentStatusLog extends AgentStatusLogSchema.class {}
AgentStatusLogSchema.setClass(AgentStatusLog);
