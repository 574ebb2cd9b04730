import type { ServiceBroker, ServiceSchema, Context } from 'moleculer';
import { createPubSub } from 'graphql-yoga';

/**
 * GraphQL subscription pub/sub across hub nodes. Publishing broadcasts on the broker; every node's
 * `hub.pubsub` service re-dispatches into its local EventTarget, where yoga's subscribers listen.
 */
class BrokerEventTarget extends EventTarget {
  private readonly broker: ServiceBroker;
  constructor(broker: ServiceBroker) {
    super();
    this.broker = broker;
  }
  override dispatchEvent(event: Event): boolean {
    const detail = (event as CustomEvent).detail;
    void this.broker.broadcast('hub.pubsub', { topic: event.type, detail });
    return true;
  }
  deliverLocal(topic: string, detail: unknown): void {
    super.dispatchEvent(new CustomEvent(topic, { detail }));
  }
}

export type HubPubSub = ReturnType<typeof createHubPubSub>['pubsub'];

export function createHubPubSub(broker: ServiceBroker) {
  const target = new BrokerEventTarget(broker);
  const pubsub = createPubSub<Record<string, [unknown]>>({ eventTarget: target });
  const service: Partial<ServiceSchema> = {
    name: 'hub.pubsub',
    events: {
      'hub.pubsub': {
        handler(ctx: Context<{ topic: string; detail: unknown }>) {
          target.deliverLocal(ctx.params.topic, ctx.params.detail);
        },
      },
    },
  };
  return { pubsub, service };
}

export const topics = {
  workspaceEvents: (workspaceId: string) => `ws:${workspaceId}:events`,
  agentProfile: (agentProfileId: string) => `agent:${agentProfileId}`,
};
