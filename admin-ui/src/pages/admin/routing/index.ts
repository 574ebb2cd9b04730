/**
 * The routing views as one lazy chunk: the skill groups page, the live view and the routing-log route
 * all load them from here (React.lazy), so their code never lands in the chunks other pages share —
 * with several small shared chunks the bundler would split the entry, and the workbench route grew.
 */
export { default as PolicyEditor } from './PolicyEditor';
export { default as LiveRouting } from './LiveRouting';
export { default as RoutingSummary } from './RoutingSummary';
export { default as RoutingLog } from './RoutingLog';
/** One conversation's decisions in a drawer (`conversationId`, `onClose`): for other pages, e.g. the workbench, to lazy-load. */
export { default as DecisionDrawer } from './DecisionView';
