import { Alert, Card, Typography } from 'antd';
import { useSession } from '../app/session';
import { ENDED_WORDS, LoginForm } from './LoginForm';

export default function LoginPage() {
  const { signIn, ended } = useSession();
  return (
    <div className="login-page">
      <Card className="login-card">
        <Typography.Title level={3}>应急物资储备与调度</Typography.Title>
        <Typography.Paragraph type="secondary">请使用您的账号登录</Typography.Paragraph>
        {/* M7: the tab's session was refused (expired, or 退出 elsewhere); signed in again, the same page opens. */}
        {ended && (
          <Alert
            type={ended === 'ACCOUNT_DISABLED' ? 'error' : 'warning'}
            message={ENDED_WORDS[ended]}
            showIcon
            className="form-alert"
            data-testid="session-ended"
          />
        )}
        <LoginForm onSignedIn={signIn} />
      </Card>
    </div>
  );
}
