import { Suspense, lazy } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { BrowserRouter } from 'react-router-dom';
import { SessionProvider, useSession } from './session';

// The first load is the frame only: the login form and the signed-in shell (menu, layout) come as their own chunks.
const LoginPage = lazy(() => import('../login/LoginPage'));
const Shell = lazy(() => import('./Shell'));

function Gate() {
  const { user, loading } = useSession();
  if (loading) return <Spin size="large" className="page-spin" />;
  return <Suspense fallback={<Spin size="large" className="page-spin" />}>{user ? <Shell /> : <LoginPage />}</Suspense>;
}

export function App() {
  return (
    // Sweep 22c F3: antd names every dialog's ✕ "Close" whatever the locale (rc-dialog writes it; zhCN's 关闭 goes to the
    // icon inside only): one Chinese name for all of them here.
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c0392b' } }} modal={{ closable: { 'aria-label': '关闭' } }}>
      <AntApp>
        <BrowserRouter>
          <SessionProvider>
            <Gate />
          </SessionProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
