import { useState } from 'react';
import DecisionDrawer from './DecisionView';
import { useRoutingDirectory } from './directory';
import { QueuePreview, type QueueCustomer } from './QueuePreview';

/**
 * The live view's routing part (queue preview and the decision drawer it opens), loaded lazily by
 * LiveView so the routing modules stay out of the chunks other pages share.
 */
export default function LiveRouting(props: {
  groups: { id: string | null; name: string; queued: number }[];
  selected: string | null;
  onSelect(id: string | null): void;
  version: number;
  customers: Map<string, QueueCustomer>;
}) {
  const dir = useRoutingDirectory();
  const [decisionsOf, setDecisionsOf] = useState<string | null>(null);
  return (
    <>
      <QueuePreview {...props} dir={dir} onOpenDecisions={setDecisionsOf} />
      <DecisionDrawer conversationId={decisionsOf} onClose={() => setDecisionsOf(null)} />
    </>
  );
}
