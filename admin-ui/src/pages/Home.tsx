import { Card, Result, Typography } from 'antd';
import { useAuth } from '../auth';
import { useT } from '../i18n';

/** Landing page for roles without a workbench or admin pages (e.g. operators, until the knowledge base lands). */
export default function Home() {
  const t = useT();
  const { me, workspace } = useAuth();
  return (
    <Card>
      <Result
        status="info"
        title={t('home.welcome', { name: me?.name ?? '' })}
        subTitle={<Typography.Text type="secondary">{t('home.text', { ws: workspace?.name ?? '' })}</Typography.Text>}
      />
    </Card>
  );
}
