/**
 * The routing views' operations (policy editor, queue preview, decision log, simulation). Their own
 * module, so the strings load with those lazy pages and not in the entry chunk with ./operations.ts.
 * `npm run codegen` reads them like the others (types in ./generated.ts).
 */
/** Names the routing views show instead of ids, and the strategies and rules policies can use. */
export const RoutingDirectoryDoc = /* GraphQL */ `
  query RoutingDirectory {
    skillGroups { id name departmentId }
    agents { id userId user { id name } }
    routingCatalog { kind name plugin label configJsonSchema enabled }
  }
`;

export const RoutingPolicyDoc = /* GraphQL */ `
  query RoutingPolicy($id: ID!) {
    skillGroup(id: $id) { id name departmentId routingPolicy }
    skillGroups { id name routingPolicy }
  }
`;

export const UpdateSkillGroupRoutingDoc = /* GraphQL */ `
  mutation UpdateSkillGroupRouting($id: ID!, $policy: JSON!) {
    updateSkillGroupRouting(id: $id, policy: $policy) { id routingPolicy }
  }
`;

export const SimulateRoutingDoc = /* GraphQL */ `
  query SimulateRouting($from: DateTime!, $to: DateTime!, $policies: JSON!) {
    simulateRouting(from: $from, to: $to, policies: $policies) { arrivals agents baseline proposed }
  }
`;

export const QueuePreviewDoc = /* GraphQL */ `
  query QueuePreview($skillGroupId: ID) {
    queuePreview(skillGroupId: $skillGroupId) { conversationId position waitedSec waitedInGroupSec advanceSec terms estimatedWaitSec }
  }
`;

export const RoutingDecisionFields = /* GraphQL */ `
  fragment RoutingDecisionFields on RoutingDecision {
    id conversationId kind skillGroupId agentId strategy summary detail decidedAt
  }
`;

export const ConversationRoutingDoc = /* GraphQL */ `
  query ConversationRouting($id: ID!) {
    conversation(id: $id) {
      id status createdAt queuedAt assignedAt closedAt skillGroupId assigneeId assigneeName
      customer { id displayName tags }
      channel { id name kind }
      routingDecisions { ...RoutingDecisionFields }
    }
  }
  ${RoutingDecisionFields}
`;

export const RoutingDecisionLogDoc = /* GraphQL */ `
  query RoutingDecisionLog($conversationId: ID, $skillGroupId: ID, $agentId: ID, $kind: RoutingDecisionKind, $since: DateTime, $limit: Int) {
    routingDecisions(conversationId: $conversationId, skillGroupId: $skillGroupId, agentId: $agentId, kind: $kind, since: $since, limit: $limit) { ...RoutingDecisionFields }
  }
  ${RoutingDecisionFields}
`;
