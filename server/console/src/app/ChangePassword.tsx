import { useState } from 'react';
import { Button, Form, Grid, Input } from 'antd';
import { KeyOutlined } from '@ant-design/icons';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { useUser } from './session';
import { storeToken } from './token';

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {
    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) {
      token
    }
  }
`);

interface Values {
  oldPassword: string;
  newPassword: string;
  confirm: string;
}

/** The API's rule for the new password: an administrator's at least 12 characters, everyone else's 8. */
const minimumFor = (role: string) => (role === 'ADMIN' ? 12 : 8);

/**
 * 修改密码, beside 退出: the signed-in user sets their own password, giving the current one. The server ends every other
 * session of the user and answers a token for this one, which the tab keeps (the same user: nothing cached changes).
 */
export function ChangePassword() {
  const user = useUser();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const [, change] = useMutation(ChangePasswordMutation);
  // On a phone the header keeps the name and 退出: this button shows its key only.
  const wide = Grid.useBreakpoint().sm !== false;
  const min = minimumFor(user.role);
  const close = () => {
    form.resetFields();
    setOpen(false);
  };
  return (
    <>
      <Button icon={<KeyOutlined />} onClick={() => setOpen(true)} className="shell-password" aria-label="修改密码" title="修改密码" style={{ flex: 'none' }}>
        {wide ? '修改密码' : null}
      </Button>
      {open && (
        <FormDialog<Values>
          form={form}
          name="change-password"
          title="修改密码"
          okText="确定"
          intro={<p>修改后，您在其他设备上的登录将退出，本页继续使用。</p>}
          submit={async ({ oldPassword, newPassword }) => {
            const { data, error } = await change({ oldPassword, newPassword });
            if (error) return { error };
            if (data) storeToken(data.changePassword.token);
            return { success: '密码已修改' };
          }}
          onClose={close}
        >
          <Form.Item name="oldPassword" label="原密码" rules={[{ required: true, message: '请填写原密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            name="newPassword"
            label={`新密码（至少 ${min} 位）`}
            rules={[
              { required: true, message: '请填写新密码' },
              { min, message: `新密码至少 ${min} 位` },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="确认新密码"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次填写新密码' },
              ({ getFieldValue }) => ({
                validator: (_, value: string | undefined) =>
                  !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次填写的新密码不一致')),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </FormDialog>
      )}
    </>
  );
}
