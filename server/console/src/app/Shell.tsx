import { Suspense, useState } from 'react';
import { Button, Layout, Menu, Result, Spin, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { Link, Navigate, Route, Routes, matchPath, useLocation, useNavigate } from 'react-router-dom';
import { useUser, useSession, type SessionUser } from './session';
import { ChangePassword } from './ChangePassword';
import { routesFor, type ConsoleRoute } from './routes';
import { labelOf, ROLE } from '../common/labels';

/** Where the user acts: their region, else their stores; a system-wide administrator has neither and sees everything. */
function scopeOf(user: SessionUser): string {
  return user.region?.name ?? (user.stores.map((s) => s.name).join('、') || '全部');
}

const ROLES: SessionUser['role'][] = ['KEEPER', 'DISPATCHER', 'AUDITOR', 'ADMIN'];

/** The roles that have a screen at this address (none: no such screen). */
function rolesWithScreen(pathname: string): SessionUser['role'][] {
  return ROLES.filter((role) => routesFor(role).some((r) => matchPath(r.path, pathname)));
}

/**
 * An address that is none of this role's screens (sweep 22c F10: it showed the role's home without a word, and a link
 * passed on by a colleague looked broken): `/` is the home; another role's screen says whose it is; anything else, that
 * there is no such page — each with a way home.
 */
function NotYours({ home }: { home: ConsoleRoute }) {
  const { pathname } = useLocation();
  if (pathname === '/') return <Navigate to={home.path} replace />;
  const roles = rolesWithScreen(pathname);
  const back = <Link to={home.path}>返回首页（{home.label}）</Link>;
  return roles.length > 0 ? (
    <Result status="403" title="无权查看该页面" subTitle={`该页面仅${roles.map((r) => labelOf(ROLE, r)).join('/')}可用`} extra={back} />
  ) : (
    <Result status="404" title="页面不存在" subTitle={`控制台没有这个地址：${pathname}`} extra={back} />
  );
}

/** antd's `xl` breakpoint as the Sider watches it: narrower than 1200 px. */
const NARROW = '(max-width: 1199.98px)';

/**
 * The signed-in frame: the role's menu at the side, its screens on the right, its home at `/`, any other address
 * answered by NotYours. Narrower than 1200 px (a
 * 1024 px screen, a tablet, a phone) the menu folds away behind antd's ☰ tab at the left edge, leaving the width to the
 * tables (L15: at 1024 px it took 184 px and the tables' last columns went past the window); opened there, it lies over
 * the page and folds away again once a screen is chosen.
 */
export default function Shell() {
  const user = useUser();
  // Folded from the first paint on a narrow screen; the Sider's breakpoint follows the width from then on.
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches);
  const [collapsed, setCollapsed] = useState(narrow);
  const { signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const routes = routesFor(user.role);
  const scopeLine = `${labelOf(ROLE, user.role)} · ${scopeOf(user)}`;
  const selected = routes.filter((r) => r.menu && location.pathname.startsWith(r.path)).map((r) => r.path);
  return (
    <Layout className="shell">
      <Layout.Sider
        breakpoint="xl"
        collapsed={collapsed}
        onCollapse={setCollapsed}
        onBreakpoint={setNarrow}
        collapsedWidth={0}
        width={184}
        className={narrow ? 'shell-sider narrow no-print' : 'shell-sider no-print'}
      >
        <div className="brand">应急物资储备与调度</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected.slice(-1)}
          onClick={() => {
            if (narrow) setCollapsed(true);
          }}
          items={routes.filter((r) => r.menu).map((r) => ({ key: r.path, label: <Link to={r.path}>{r.label}</Link> }))}
        />
      </Layout.Sider>
      <Layout>
        {/* One line whatever the width: the name, 修改密码 and 退出 always show; a long scope is cut with … (full text on hover). */}
        <Layout.Header className="shell-header no-print">
          <Typography.Text strong data-testid="current-user" className="shell-user">
            {user.displayName}
          </Typography.Text>
          <Typography.Text type="secondary" className="shell-scope" data-testid="current-scope" title={scopeLine}>
            {scopeLine}
          </Typography.Text>
          <ChangePassword />
          {/* Back to `/` first: the next user of this tab starts at their own home, not at a screen of this one's role. */}
          <Button
            icon={<LogoutOutlined />}
            onClick={() => {
              navigate('/', { replace: true });
              signOut();
            }}
            className="shell-logout"
          >
            退出
          </Button>
        </Layout.Header>
        <Layout.Content className="shell-content">
          <Suspense fallback={<Spin size="large" className="page-spin" />}>
            <Routes>
              {routes.map((r) => (
                <Route key={r.path} path={r.path} element={<r.page />} />
              ))}
              <Route path="*" element={<NotYours home={routes[0]} />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
