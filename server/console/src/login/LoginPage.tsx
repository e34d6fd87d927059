import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { useSession } from '../app/session';
import { showFieldErrors } from '../common/api-errors';

const LoginMutation = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
    }
  }
`);

export default function LoginPage() {
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [alerts, setAlerts] = useState<string[]>([]);
  const { signIn, ended } = useSession();
  const submit = async (values: { username: string; password: string }) => {
    setAlerts([]);
    const result = await login(values);
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else if (result.data) signIn(result.data.login.token);
  };
  return (
    <div className="login-page">
      <Card className="login-card">
        <Typography.Title level={3}>应急物资储备与调度</Typography.Title>
        <Typography.Paragraph type="secondary">请使用您的账号登录</Typography.Paragraph>
        {/* M7: the tab's session was refused (expired, or 退出 elsewhere); signed in again, the same page opens. */}
        {ended && <Alert type="warning" message="登录已过期或已退出，请重新登录" showIcon className="form-alert" data-testid="session-ended" />}
        {alerts.map((a) => (
          <Alert key={a} type="error" message={a} showIcon className="form-alert" />
        ))}
        <Form form={form} onFinish={(v) => void submit(v)} layout="vertical" requiredMark={false}>
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={fetching}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
