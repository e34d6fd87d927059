import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { SessionUser } from './session';

type Role = SessionUser['role'];

export interface ConsoleRoute {
  path: string;
  label: string;
  page: LazyExoticComponent<ComponentType>;
  /** Shown in the side menu (pages reached from another page are not). */
  menu?: boolean;
}

// Every role's alerts (D10, D14, D19, D22, D24, D26, D27, D29): a keeper's stores, the others' region.
const alertsPage: ConsoleRoute = { path: '/alerts', label: '预警', page: lazy(() => import('../common/AlertsPage')), menu: true };

// One chunk per screen (route splitting): a keeper never downloads the map, nor an auditor the receipt form.
const keeper: ConsoleRoute[] = [
  { path: '/keeper/stock', label: '本库库存', page: lazy(() => import('../keeper/StockPage')), menu: true },
  { path: '/keeper/receive', label: '入库', page: lazy(() => import('../keeper/ReceivePage')), menu: true },
  { path: '/keeper/orders', label: '出库', page: lazy(() => import('../keeper/OrdersPage')), menu: true },
  { path: '/keeper/transfers', label: '调拨', page: lazy(() => import('../keeper/TransfersPage')), menu: true },
  { path: '/keeper/stocktake', label: '盘点', page: lazy(() => import('../keeper/StocktakePage')), menu: true },
  { path: '/keeper/rotation', label: '轮换到期', page: lazy(() => import('../keeper/RotationPage')), menu: true },
  alertsPage,
  { path: '/keeper/distributions', label: '发放', page: lazy(() => import('../keeper/DistributionsPage')), menu: true },
  { path: '/keeper/documents', label: '单据', page: lazy(() => import('../keeper/DocumentsPage')), menu: true },
];

// Sweep 25a F1 (D10, D26): the city's dispatcher and auditor read what is due for rotation in their region, read only
// (rotating is the keeper's against an approved order, D24, D26: /keeper/rotation shares its list).
const rotationDuePage: ConsoleRoute = { path: '/rotation-due', label: '轮换到期', page: lazy(() => import('../common/RotationDuePage')), menu: true };

// Read by dispatchers (who settle what their region is owed) and auditors.
const settlements: ConsoleRoute = { path: '/settlements', label: '结算', page: lazy(() => import('../dispatcher/SettlementsPage')), menu: true };

const dispatcher: ConsoleRoute[] = [
  { path: '/dispatch/map', label: '一张图', page: lazy(() => import('../dispatcher/MapPage')), menu: true },
  alertsPage,
  { path: '/dispatch/incidents', label: '事件', page: lazy(() => import('../dispatcher/IncidentsPage')), menu: true },
  { path: '/dispatch/incidents/:id', label: '事件详情', page: lazy(() => import('../dispatcher/IncidentPage')) },
  { path: '/dispatch/approvals', label: '审批', page: lazy(() => import('../dispatcher/ApprovalsPage')), menu: true },
  { path: '/dispatch/orders', label: '出库申请', page: lazy(() => import('../dispatcher/OrdersPage')), menu: true },
  { path: '/dispatch/reserves', label: '储备缺口与覆盖', page: lazy(() => import('../dispatcher/ReservesPage')), menu: true },
  rotationDuePage,
  { path: '/dispatch/neighbours', label: '邻近地区库存', page: lazy(() => import('../dispatcher/NeighbourStockPage')), menu: true },
  { path: '/dispatch/relief-standards', label: '救助标准', page: lazy(() => import('../admin/ReliefStandardsPage')), menu: true },
  settlements,
];

const auditor: ConsoleRoute[] = [
  { path: '/audit/valuation', label: '估值', page: lazy(() => import('../auditor/ValuationPage')), menu: true },
  alertsPage,
  { path: '/audit/journal', label: '流水', page: lazy(() => import('../auditor/JournalPage')), menu: true },
  { path: '/audit/reconciliation', label: '对账', page: lazy(() => import('../auditor/ReconciliationPage')), menu: true },
  rotationDuePage,
  { path: '/audit/log', label: '审计日志', page: lazy(() => import('../auditor/AuditLogPage')), menu: true },
  { path: '/audit/periods', label: '月结', page: lazy(() => import('../auditor/PeriodClosePage')), menu: true },
];

const admin: ConsoleRoute[] = [
  { path: '/admin/stores', label: '仓库', page: lazy(() => import('../admin/StoresPage')), menu: true },
  { path: '/admin/users', label: '用户', page: lazy(() => import('../admin/UsersPage')), menu: true },
  { path: '/admin/catalog', label: '物资目录', page: lazy(() => import('../admin/CatalogPage')), menu: true },
  { path: '/admin/agreements', label: '协议储备', page: lazy(() => import('../admin/AgreementsPage')), menu: true },
  { path: '/admin/joint-reserves', label: '联储协议', page: lazy(() => import('../admin/JointReservesPage')), menu: true },
  { path: '/admin/quotas', label: '储备定额', page: lazy(() => import('../admin/QuotasPage')), menu: true },
];

const documentPage: ConsoleRoute = { path: '/documents/:id', label: '单据', page: lazy(() => import('../documents/DocumentPage')) };
// D18: every role may trace a batch; the API answers with the part of its path that lies in the user's scope.
const batchTracePage: ConsoleRoute = { path: '/batches/:id', label: '批次追溯', page: lazy(() => import('../documents/BatchTracePage')) };

/** The screens of each role; the first is the role's home. Administrators see every screen. */
export function routesFor(role: Role): ConsoleRoute[] {
  switch (role) {
    case 'KEEPER':
      return [...keeper, documentPage, batchTracePage];
    case 'DISPATCHER':
      return [...dispatcher, documentPage, batchTracePage];
    case 'AUDITOR':
      return [...auditor, settlements, documentPage, batchTracePage];
    case 'ADMIN':
      // 预警 and 轮换到期 are on the dispatcher's and the auditor's menus: once.
      return [...new Set([...admin, ...dispatcher, ...auditor, documentPage, batchTracePage])];
  }
}
