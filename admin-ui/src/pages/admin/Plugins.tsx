import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Drawer, Popconfirm, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { SettingOutlined, WarningOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { GqlError, request } from '../../gql/client';
import { ConfigurePluginDoc, InstallPluginDoc, PluginsDoc, SetPluginEnabledDoc, UninstallPluginDoc } from '../../gql/operations';
import type {
  ConfigurePluginMutation, ConfigurePluginMutationVariables, InstallPluginMutation, InstallPluginMutationVariables, PluginsQuery,
  SetPluginEnabledMutation, SetPluginEnabledMutationVariables, UninstallPluginMutation, UninstallPluginMutationVariables,
} from '../../gql/generated';
import { useLang, useT } from '../../i18n';
import { SchemaForm, type JsonSchema } from '../../components/SchemaForm';

type Available = PluginsQuery['availablePlugins'][number];
type Installed = PluginsQuery['pluginInstallations'][number];
interface Row { plugin: Available; installed: Installed | null }

/** 插件: what this hub has loaded, what this workspace uses, their settings (forms from the plugins' schemas) and errors. */
export default function Plugins() {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const [data, setData] = useState<PluginsQuery | null>(null);
  const [configuring, setConfiguring] = useState<Row | null>(null);
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});

  const load = useCallback(() => request<PluginsQuery>(PluginsDoc).then(setData).catch((e: unknown) => message.error((e as Error).message)), [message]);
  useEffect(() => { void load(); }, [load]);

  const run = async (work: () => Promise<unknown>) => {
    try { await work(); message.success(t('common.saved')); await load(); } catch (e) { message.error((e as Error).message); }
  };

  const saveConfig = async () => {
    if (!configuring) return;
    try {
      if (configuring.installed) await request<ConfigurePluginMutation, ConfigurePluginMutationVariables>(ConfigurePluginDoc, { id: configuring.installed.id, config });
      else await request<InstallPluginMutation, InstallPluginMutationVariables>(InstallPluginDoc, { name: configuring.plugin.name, config });
      message.success(t('common.saved'));
      setConfiguring(null);
      void load();
    } catch (e) {
      if (e instanceof GqlError && e.issues.length) setErrors(Object.fromEntries(e.issues.map((i) => [(i.path ?? '').replace(/^config\./, ''), i.message])));
      message.error((e as Error).message);
    }
  };

  const rows: Row[] = (data?.availablePlugins ?? []).map((p) => ({ plugin: p, installed: data?.pluginInstallations.find((i) => i.pluginName === p.name) ?? null }));
  const text = (l: { en: string; zhCN: string } | null | undefined) => (l ? (lang === 'zh-CN' ? l.zhCN : l.en) : '');
  return (
    <Card title={t('menu.plugins')}>
      <Typography.Paragraph type="secondary">{t('plugins.intro')}</Typography.Paragraph>
      <Table<Row>
        size="small"
        rowKey={(r) => r.plugin.name}
        loading={!data}
        dataSource={rows}
        pagination={false}
        columns={[
          {
            title: t('plugins.name'), render: (_: unknown, r) => (
              <div>
                <Space><Typography.Text strong>{text(r.plugin.displayName)}</Typography.Text><Typography.Text type="secondary" code>{r.plugin.name}</Typography.Text></Space>
                {r.plugin.description && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{text(r.plugin.description)}</Typography.Text></div>}
              </div>
            ),
          },
          { title: t('plugins.kinds'), dataIndex: ['plugin', 'kinds'], width: 160, render: (ks: string[]) => ks.map((k) => <Tag key={k}>{t(`plugins.kind.${k}` as 'plugins.kind.bot')}</Tag>) },
          { title: t('plugins.version'), width: 90, render: (_: unknown, r) => <Tooltip title={r.plugin.source}><span>{r.plugin.version}</span></Tooltip> },
          {
            title: t('plugins.state'), width: 200, render: (_: unknown, r) => !r.installed ? <Tag>{t('plugins.notInstalled')}</Tag> : (
              <Space direction="vertical" size={2}>
                <Space>
                  <Switch size="small" checked={r.installed.enabled} onChange={(v) => void run(() => request<SetPluginEnabledMutation, SetPluginEnabledMutationVariables>(SetPluginEnabledDoc, { id: r.installed!.id, enabled: v }))} data-testid={`plugin-enabled-${r.plugin.name}`} />
                  <span>{r.installed.enabled ? t('plugins.enabled') : t('plugins.disabled')}</span>
                </Space>
                {r.installed.lastError && (
                  <Tooltip title={`${r.installed.lastError} (${dayjs(r.installed.lastErrorAt).format('MM-DD HH:mm')})`}>
                    <Typography.Text type="danger" style={{ fontSize: 12 }} ellipsis data-testid={`plugin-error-${r.plugin.name}`}><WarningOutlined /> {r.installed.lastError}</Typography.Text>
                  </Tooltip>
                )}
              </Space>
            ),
          },
          {
            title: t('common.actions'), width: 200, render: (_: unknown, r) => (
              <Space size={0}>
                <Button type="link" size="small" icon={<SettingOutlined />} onClick={() => { setConfiguring(r); setErrors({}); setConfig((r.installed?.config as Record<string, unknown>) ?? {}); }} data-testid={`plugin-configure-${r.plugin.name}`}>
                  {r.installed ? t('plugins.configure') : t('plugins.install')}
                </Button>
                {r.installed && (
                  <Popconfirm title={t('plugins.uninstallConfirm')} onConfirm={() => void run(() => request<UninstallPluginMutation, UninstallPluginMutationVariables>(UninstallPluginDoc, { id: r.installed!.id }))}>
                    <Button type="link" size="small" danger>{t('plugins.uninstall')}</Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Drawer
        open={!!configuring}
        width={480}
        title={configuring ? `${text(configuring.plugin.displayName)} · ${configuring.installed ? t('plugins.configure') : t('plugins.install')}` : ''}
        onClose={() => setConfiguring(null)}
        extra={<Button type="primary" onClick={() => void saveConfig()} data-testid="plugin-save">{configuring?.installed ? t('common.save') : t('plugins.install')}</Button>}
        destroyOnHidden
      >
        {configuring?.installed?.lastError && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={t('plugins.lastError')} description={configuring.installed.lastError} />}
        {configuring && <SchemaForm schema={configuring.plugin.configJsonSchema as JsonSchema} value={config} onChange={setConfig} errors={errors} testIdPrefix="plugin-cfg-" />}
      </Drawer>
    </Card>
  );
}
