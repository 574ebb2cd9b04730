import { lazy, Suspense } from 'react';

// The log lives in the routing views' chunk (./routing/index.ts), shared with the skill groups page and
// the live view; this thin page keeps that chunk from being a direct dynamic import of the entry.
const RoutingLogView = lazy(() => import('./routing').then((m) => ({ default: m.RoutingLog })));

/** 路由决策日志 (`/routing-log`). */
export default function RoutingLog() {
  return <Suspense fallback={null}><RoutingLogView /></Suspense>;
}
