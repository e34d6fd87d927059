import { Alert, Button, Modal, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useSession, useUser } from '../app/session';
import { tokenUserId } from '../app/token';
import { ENDED_WORDS, LoginForm } from './LoginForm';

/**
 * Sweep 23c F4: the session ended while a page is open — expired, 退出 on another device, or the account disabled by an
 * administrator. The page stays mounted behind this dialog, with everything typed in it; the same user logged in again
 * goes on where they were (the refused submit may be sent again: it posted nothing). Another user logging in here does
 * not inherit the page: they start at their own home. 退出登录 leaves for the login page.
 */
export default function SessionEndedDialog() {
  const { ended, signIn, signOut } = useSession();
  const user = useUser();
  const navigate = useNavigate();
  if (!ended) return null;
  const disabled = ended === 'ACCOUNT_DISABLED';
  return (
    <Modal
      open
      title={disabled ? '账号已停用' : '登录已失效'}
      closable={false}
      maskClosable={false}
      keyboard={false}
      footer={
        <Button
          onClick={() => {
            navigate('/', { replace: true });
            signOut();
          }}
        >
          退出登录
        </Button>
      }
    >
      <div data-testid="session-ended-dialog">
        <Alert
          type={disabled ? 'error' : 'warning'}
          showIcon
          className="form-alert"
          data-testid="session-ended"
          message={ENDED_WORDS[ended]}
          description={
            disabled
              ? '本页录入的内容仍保留在此页面；账号恢复后以本账号重新登录，即可继续提交。'
              : `本页录入的内容仍保留：以 ${user.displayName}（${user.username}）重新登录后可继续提交。`
          }
        />
        <Typography.Paragraph type="secondary">以其他账号登录将转到该账号的首页，本页内容不保留。</Typography.Paragraph>
        <LoginForm
          username={user.username}
          submitText="重新登录"
          onSignedIn={(token) => {
            signIn(token);
            // Another user: their home, not this page (the shell waits for their `me`, and is remade for them: App.tsx).
            if (tokenUserId(token) !== user.id) navigate('/', { replace: true });
          }}
        />
      </div>
    </Modal>
  );
}
