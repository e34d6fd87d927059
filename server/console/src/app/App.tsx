import { Suspense, lazy } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { BrowserRouter } from 'react-router-dom';
import { SessionProvider, useSession } from './session';
import { Shell } from './Shell';

const LoginPage = lazy(() => import('../login/LoginPage'));

function Gate() {
  const { user, loading } = useSession();
  if (loading) return <Spin size="large" className="page-spin" />;
  if (!user)
    return (
      <Suspense fallback={<Spin size="large" className="page-spin" />}>
        <LoginPage />
      </Suspense>
    );
  return <Shell />;
}

export function App() {
  return (
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c0392b' } }}>
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
