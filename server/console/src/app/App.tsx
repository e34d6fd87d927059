import { Suspense, lazy, useState } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { RouterProvider, createBrowserRouter } from 'react-router-dom';
import { SessionProvider, useSession } from './session';

// The first load is the frame only: the login form and the signed-in shell (menu, layout) come as their own chunks.
const LoginPage = lazy(() => import('../login/LoginPage'));
const Shell = lazy(() => import('./Shell'));
const SessionEndedDialog = lazy(() => import('../login/SessionEndedDialog'));

function Gate() {
  const { user, loading, ended } = useSession();
  if (loading) return <Spin size="large" className="page-spin" />;
  if (!user) {
    return (
      <Suspense fallback={<Spin size="large" className="page-spin" />}>
        <LoginPage />
      </Suspense>
    );
  }
  return (
    <>
      {/* Keyed by the user: a page is never handed on to another user who signs in over it (sweep 23c F4). */}
      <Suspense fallback={<Spin size="large" className="page-spin" />}>
        <Shell key={user.id} />
      </Suspense>
      {/* Sweep 23c F4: the session ended under an open page — the login asked over it, the page kept as it is. */}
      {ended && (
        <Suspense fallback={null}>
          <SessionEndedDialog />
        </Suspense>
      )}
    </>
  );
}

/**
 * The console's one route: the session, then the shell, whose own <Routes> choose the screen. A data router
 * (createBrowserRouter) rather than <BrowserRouter>, for its useBlocker: the browser's 后退/前进 on a page with unsaved
 * input asks first (sweep 23c F5, common/useLeaveGuard.ts).
 */
const consoleRoutes = [
  {
    path: '*',
    element: (
      <SessionProvider>
        <Gate />
      </SessionProvider>
    ),
  },
];

export function App() {
  // Made once the page runs (it reads the address and listens to the browser's history), not when this module loads.
  const [router] = useState(() => createBrowserRouter(consoleRoutes));
  return (
    // Sweep 22c F3: antd names every dialog's ✕ "Close" whatever the locale (rc-dialog writes it; zhCN's 关闭 goes to the
    // icon inside only): one Chinese name for all of them here.
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c0392b' } }} modal={{ closable: { 'aria-label': '关闭' } }}>
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}
