import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Result, Spin } from 'antd';
import { useAuth, type Permissions } from './auth';
import { useT } from './i18n';
import { AppLayout } from './layout/AppLayout';
import { LoginPage } from './pages/Login';

// Every page is its own chunk: the workbench never loads the flow canvas, and so on.
const Workbench = lazy(() => import('./pages/workbench/Workbench'));
const OfflineMessages = lazy(() => import('./pages/workbench/OfflineMessages'));
const FlowComposer = lazy(() => import('./pages/flows/FlowComposer'));
const SkillGroups = lazy(() => import('./pages/admin/SkillGroups'));
const Departments = lazy(() => import('./pages/admin/Departments'));
const Agents = lazy(() => import('./pages/admin/Agents'));
const Channels = lazy(() => import('./pages/admin/Channels'));
const Plugins = lazy(() => import('./pages/admin/Plugins'));
const ApiKeys = lazy(() => import('./pages/admin/ApiKeys'));
const LiveView = lazy(() => import('./pages/admin/LiveView'));
const RoutingLog = lazy(() => import('./pages/admin/RoutingLog'));
const CannedReplies = lazy(() => import('./pages/admin/CannedReplies'));
const Knowledge = lazy(() => import('./pages/admin/Knowledge'));
const Home = lazy(() => import('./pages/Home'));

export interface RouteDef { path: string; perm: keyof Permissions | null; element: ReactNode }

export const routeDefs: RouteDef[] = [
  { path: 'workbench', perm: 'workbench', element: <Workbench /> },
  { path: 'offline-messages', perm: 'offlineMessages', element: <OfflineMessages /> },
  { path: 'monitor', perm: 'monitor', element: <LiveView /> },
  { path: 'routing-log', perm: 'monitor', element: <RoutingLog /> },
  { path: 'flows', perm: 'flows', element: <FlowComposer /> },
  { path: 'skill-groups', perm: 'directoryRead', element: <SkillGroups /> },
  { path: 'departments', perm: 'directoryRead', element: <Departments /> },
  { path: 'agents', perm: 'directoryRead', element: <Agents /> },
  { path: 'channels', perm: 'directoryRead', element: <Channels /> },
  { path: 'canned-replies', perm: 'cannedRead', element: <CannedReplies /> },
  { path: 'knowledge', perm: 'knowledgeRead', element: <Knowledge /> },
  { path: 'plugins', perm: 'plugins', element: <Plugins /> },
  { path: 'api-keys', perm: 'apiKeys', element: <ApiKeys /> },
  { path: 'home', perm: null, element: <Home /> },
];

/** The first page a role lands on. */
export function homePath(p: Permissions): string {
  if (p.workbench && !p.flows) return '/workbench';
  if (p.monitor) return '/monitor';
  if (p.workbench) return '/workbench';
  if (p.knowledgeRead) return '/knowledge';
  return '/home';
}

function Loading() {
  return <div style={{ display: 'grid', placeItems: 'center', height: '60vh' }}><Spin size="large" /></div>;
}

function Guard({ perm, children }: { perm: keyof Permissions | null; children: ReactNode }) {
  const { perms } = useAuth();
  const t = useT();
  if (perm && !perms[perm]) return <Result status="403" title="403" subTitle={t('common.forbidden')} />;
  return <>{children}</>;
}

export function AppRoutes() {
  const { me, loading, perms } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/login" element={<Navigate to={(location.state as { from?: string } | null)?.from ?? homePath(perms)} replace />} />
      <Route element={<AppLayout />}>
        {routeDefs.map((r) => (
          <Route key={r.path} path={r.path} element={<Guard perm={r.perm}><Suspense fallback={<Loading />}>{r.element}</Suspense></Guard>} />
        ))}
        <Route path="*" element={<Navigate to={homePath(perms)} replace />} />
      </Route>
    </Routes>
  );
}
