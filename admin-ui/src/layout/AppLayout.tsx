import { useEffect, useMemo, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { App, Avatar, Badge, Dropdown, Layout, Menu, Segmented, Select, Space, Tag, Tooltip, Typography } from 'antd';
import {
  ApiOutlined, ApartmentOutlined, AppstoreOutlined, BranchesOutlined, CustomerServiceOutlined, DashboardOutlined, DatabaseOutlined, KeyOutlined,
  LogoutOutlined, MessageOutlined, BookOutlined, MenuFoldOutlined, MenuUnfoldOutlined, TeamOutlined, UserOutlined, MailOutlined, ThunderboltOutlined, HomeOutlined, AuditOutlined,
} from '@ant-design/icons';
import type { MenuProps } from 'antd';
import { useAuth } from '../auth';
import { useLang, useT, type DictKey } from '../i18n';
import { request, onWsState } from '../gql/client';
import { SetMyStatusDoc } from '../gql/operations';
import type { AgentStatus, SetMyStatusMutation, SetMyStatusMutationVariables } from '../gql/generated';

const { Header, Sider, Content } = Layout;

export const STATUS_COLORS: Record<AgentStatus, string> = { online: '#52c41a', busy: '#fa8c16', away: '#faad14', offline: '#bfbfbf' };

export function StatusSwitch() {
  const { me, setMyStatusLocal } = useAuth();
  const t = useT();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  if (!me?.agentProfile) return null;
  const change = async (status: AgentStatus) => {
    setSaving(true);
    try {
      const d = await request<SetMyStatusMutation, SetMyStatusMutationVariables>(SetMyStatusDoc, { status });
      setMyStatusLocal(d.setMyStatus.status);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Select<AgentStatus>
      data-testid="status-switch"
      size="small"
      style={{ width: 112 }}
      loading={saving}
      value={me.agentProfile.status}
      onChange={(v) => void change(v)}
      options={(['online', 'busy', 'away', 'offline'] as AgentStatus[]).map((s) => ({
        value: s,
        label: <span data-testid={`status-${s}`}><Badge color={STATUS_COLORS[s]} /> {t(`status.${s}` as DictKey)}</span>,
      }))}
    />
  );
}

function ConnectionDot() {
  const t = useT();
  const [state, setState] = useState<'connected' | 'closed' | 'idle'>('idle');
  useEffect(() => onWsState(setState), []);
  if (state === 'idle') return null;
  return (
    <Tooltip title={state === 'connected' ? t('layout.live') : t('layout.reconnecting')}>
      <Badge status={state === 'connected' ? 'success' : 'warning'} text={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{state === 'connected' ? t('layout.live') : t('layout.reconnecting')}</Typography.Text>} />
    </Tooltip>
  );
}

export function AppLayout() {
  const { me, perms, workspace, logout } = useAuth();
  const { lang, setLang } = useLang();
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const dense = location.pathname.startsWith('/workbench') || location.pathname.startsWith('/flows');
  const [collapsed, setCollapsed] = useState<boolean>(() => dense || window.innerWidth < 1280);
  // Dense pages (workbench, composer) need the width; other pages get the menu back on wide screens.
  useEffect(() => { setCollapsed(dense || window.innerWidth < 1280); }, [dense]);

  const items = useMemo(() => {
    const group = (key: string, label: string, children: (NonNullable<MenuProps['items']>[number] | false)[]) => {
      const kids = children.filter(Boolean) as NonNullable<MenuProps['items']>;
      return kids.length ? { type: 'group' as const, key, label: collapsed ? <span className="kh-group-dash" /> : label, children: kids } : null;
    };
    const item = (key: string, icon: React.ReactNode, label: string) => ({ key, icon, label: <span data-testid={`menu-${key.slice(1)}`}>{label}</span> });
    return [
      group('service', t('menu.group.service'), [
        perms.workbench && item('/workbench', <CustomerServiceOutlined />, t('menu.workbench')),
        perms.offlineMessages && item('/offline-messages', <MailOutlined />, t('menu.offline')),
        perms.cannedRead && item('/canned-replies', <ThunderboltOutlined />, t('menu.canned')),
        perms.knowledgeRead && item('/knowledge', <BookOutlined />, t('menu.knowledge')),
      ]),
      group('monitor', t('menu.group.monitor'), [
        perms.monitor && item('/monitor', <DashboardOutlined />, t('menu.monitor')),
        perms.monitor && item('/routing-log', <AuditOutlined />, t('menu.routingLog')),
      ]),
      group('config', t('menu.group.config'), [
        perms.flows && item('/flows', <BranchesOutlined />, t('menu.flows')),
        perms.directoryRead && item('/skill-groups', <AppstoreOutlined />, t('menu.skillGroups')),
        perms.directoryRead && item('/agents', <TeamOutlined />, t('menu.agents')),
        perms.directoryRead && item('/departments', <ApartmentOutlined />, t('menu.departments')),
        perms.directoryRead && item('/channels', <MessageOutlined />, t('menu.channels')),
        perms.plugins && item('/plugins', <ApiOutlined />, t('menu.plugins')),
        perms.apiKeys && item('/api-keys', <KeyOutlined />, t('menu.apiKeys')),
        perms.flows && { key: 'bull', icon: <DatabaseOutlined />, label: <a href="/admin/queues" target="_blank" rel="noreferrer">{t('menu.queues')}</a> },
      ]),
      !perms.workbench && !perms.directoryRead && !perms.knowledgeRead && group('home', t('menu.group.home'), [item('/home', <HomeOutlined />, t('menu.home'))]),
    ].filter(Boolean) as MenuProps['items'];
  }, [perms, t, collapsed]);

  const selected = '/' + (location.pathname.split('/')[1] ?? '');
  const roleTags = (me?.roles ?? []).map((r) => <Tag key={r} color={r === 'admin' ? 'red' : r === 'supervisor' ? 'purple' : r === 'agent' ? 'blue' : 'green'} style={{ marginInlineEnd: 4 }}>{t(`role.${r}` as DictKey)}</Tag>);

  return (
    <Layout style={{ height: '100vh' }}>
      <Sider collapsible collapsed={collapsed} trigger={null} width={208} collapsedWidth={56} style={{ overflow: 'auto' }}>
        <div className="kh-logo" onClick={() => navigate('/')}>
          <span className="kh-logo-mark">客</span>
          {!collapsed && <span className="kh-logo-text">{t('app.name')}</span>}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => { if (e.key.startsWith('/')) navigate(e.key); }} />
      </Sider>
      <Layout>
        <Header className="kh-header">
          <Space size={12}>
            <span className="kh-trigger" data-testid="sider-toggle" onClick={() => setCollapsed((c) => !c)}>{collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}</span>
            <Typography.Text strong>{workspace?.name}</Typography.Text>
            <ConnectionDot />
          </Space>
          <Space size={16}>
            <StatusSwitch />
            <Segmented size="small" data-testid="lang-switch" value={lang} onChange={(v) => setLang(v as 'zh-CN' | 'en')} options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]} />
            <Dropdown
              menu={{
                items: [
                  { key: 'who', disabled: true, label: <div><div>{me?.email}</div><div style={{ marginTop: 4 }}>{roleTags}</div></div> },
                  { type: 'divider' },
                  { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('layout.logout')}</span>, onClick: () => { logout(); navigate('/login'); } },
                ],
              }}
            >
              <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} style={{ background: '#1677ff' }} />
                <span>{me?.name}</span>
              </Space>
            </Dropdown>
          </Space>
        </Header>
        <Content className={dense ? 'kh-content kh-content-dense' : 'kh-content'}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
