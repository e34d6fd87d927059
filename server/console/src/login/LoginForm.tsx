import { useState } from 'react';
import { Alert, Button, Form, Input } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';

const LoginMutation = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
    }
  }
`);

/** Why the session ended, as the user is told (M7; sweep 23c F4: a disabled account is not 登录已过期 — call the administrator). */
export const ENDED_WORDS = {
  SESSION_ENDED: '登录已过期或已退出，请重新登录',
  ACCOUNT_DISABLED: '您的账号已被管理员停用，请联系管理员',
} as const;

/**
 * 用户名 and 密码, and what the API answers: the login page's form, and the login over a page whose session ended (sweep
 * 23c F4, SessionEndedDialog). `onSignedIn` gets the token.
 */
export function LoginForm({ username, submitText = '登录', onSignedIn }: { username?: string; submitText?: string; onSignedIn: (token: string) => void }) {
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [alerts, setAlerts] = useState<string[]>([]);
  const submit = async (values: { username: string; password: string }) => {
    setAlerts([]);
    const result = await login(values);
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else if (result.data) onSignedIn(result.data.login.token);
  };
  return (
    <>
      {alerts.map((a) => (
        <Alert key={a} type="error" message={a} showIcon className="form-alert" />
      ))}
      <Form form={form} onFinish={(v) => void submit(v)} layout="vertical" requiredMark={false} initialValues={{ username }}>
        <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus={!username} />
        </Form.Item>
        <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" autoFocus={Boolean(username)} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={fetching}>
          {submitText}
        </Button>
      </Form>
    </>
  );
}
