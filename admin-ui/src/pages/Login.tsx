import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { LockOutlined, MailOutlined, ApartmentOutlined } from '@ant-design/icons';
import { useAuth } from '../auth';
import { useLang, useT } from '../i18n';

interface Values { workspace: string; email: string; password: string }

export function LoginPage() {
  const { login } = useAuth();
  const { lang, setLang } = useLang();
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.workspace.trim(), v.email.trim(), v.password);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="kh-login">
      <div className="kh-login-side">
        <div className="kh-login-brand"><span className="kh-logo-mark">客</span> {t('app.name')}</div>
        <Typography.Title level={2} style={{ color: '#fff', marginTop: 48 }}>{t('login.tagline')}</Typography.Title>
        <ul className="kh-login-points">
          <li>{t('login.point1')}</li>
          <li>{t('login.point2')}</li>
          <li>{t('login.point3')}</li>
        </ul>
      </div>
      <div className="kh-login-main">
        <div style={{ position: 'absolute', top: 16, right: 16 }}>
          <Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh-CN' | 'en')} options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]} />
        </div>
        <Card style={{ width: 380 }} variant="borderless">
          <Typography.Title level={3} style={{ marginTop: 0 }}>{t('login.title')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ workspace: localStorage.getItem('kefu.workspace') ?? '' }} requiredMark={false}>
            <Form.Item name="workspace" label={t('login.workspace')} rules={[{ required: true, message: t('login.workspaceRequired') }]}>
              <Input prefix={<ApartmentOutlined />} placeholder="demo" data-testid="login-workspace" autoComplete="organization" />
            </Form.Item>
            <Form.Item name="email" label={t('login.email')} rules={[{ required: true, message: t('login.emailRequired') }]}>
              <Input prefix={<MailOutlined />} placeholder="name@company.com" data-testid="login-email" autoComplete="username" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} data-testid="login-password" autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">{t('login.submit')}</Button>
          </Form>
        </Card>
      </div>
    </div>
  );
}
