import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getToken, request, setToken, setUnauthenticatedHandler } from './gql/client';
import { LoginDoc, MeDoc } from './gql/operations';
import type { LoginMutation, LoginMutationVariables, MeQuery, Role } from './gql/generated';

export type Me = MeQuery['me'];
export type WorkspaceInfo = MeQuery['workspace'];

/** What each role may see and do in the UI (the API enforces the same rules; this only hides what would fail). */
export interface Permissions {
  workbench: boolean;
  offlineMessages: boolean;
  monitor: boolean;
  /** Conversations and queues are readable (agents and admins; supervisors their departments'). */
  conversations: boolean;
  flows: boolean;
  directoryRead: boolean;
  directoryWrite: boolean;
  channelsWrite: boolean;
  plugins: boolean;
  apiKeys: boolean;
  cannedRead: boolean;
  cannedWrite: boolean;
  knowledgeRead: boolean;
  knowledgeWrite: boolean;
}

export function permissionsOf(roles: readonly Role[]): Permissions {
  const has = (r: Role) => roles.includes('admin') || roles.includes(r);
  const admin = roles.includes('admin');
  return {
    workbench: has('agent'),
    offlineMessages: has('agent'),
    monitor: has('supervisor'),
    conversations: has('agent') || has('supervisor'),
    flows: admin,
    directoryRead: has('supervisor') || admin,
    directoryWrite: admin,
    channelsWrite: admin,
    plugins: admin,
    apiKeys: admin,
    cannedRead: has('agent'),
    cannedWrite: has('supervisor'),
    knowledgeRead: has('agent') || has('operator') || has('supervisor'),
    knowledgeWrite: has('operator'),
  };
}

interface AuthState {
  me: Me | null;
  workspace: WorkspaceInfo | null;
  loading: boolean;
  perms: Permissions;
  login(workspace: string, email: string, password: string): Promise<void>;
  logout(): void;
  refresh(): Promise<void>;
  setMyStatusLocal(status: NonNullable<Me['agentProfile']>['status']): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null>(null);
  const [loading, setLoading] = useState<boolean>(!!getToken());

  const refresh = useCallback(async () => {
    if (!getToken()) { setMe(null); setLoading(false); return; }
    try {
      const d = await request<MeQuery>(MeDoc);
      setMe(d.me);
      setWorkspace(d.workspace);
    } catch {
      setToken(null);
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);

  const logout = useCallback(() => {
    setToken(null);
    setMe(null);
    setWorkspace(null);
    void fetch('/auth/session', { method: 'DELETE' }).catch(() => undefined);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => { setToken(null); setMe(null); });
    void refresh();
  }, [refresh]);

  const login = useCallback(async (ws: string, email: string, password: string) => {
    const d = await request<LoginMutation, LoginMutationVariables>(LoginDoc, { workspace: ws, email, password });
    setToken(d.login.token);
    // The same token as an httpOnly cookie, so bull-board (/admin/queues) opens without a header.
    await fetch('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: d.login.token }) }).catch(() => undefined);
    localStorage.setItem('kefu.workspace', ws);
    await refresh();
  }, [refresh]);

  const setMyStatusLocal = useCallback((status: NonNullable<Me['agentProfile']>['status']) => {
    setMe((m) => (m && m.agentProfile ? { ...m, agentProfile: { ...m.agentProfile, status } } : m));
  }, []);

  const value = useMemo<AuthState>(() => ({
    me, workspace, loading, perms: permissionsOf(me?.roles ?? []), login, logout, refresh, setMyStatusLocal,
  }), [me, workspace, loading, login, logout, refresh, setMyStatusLocal]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
