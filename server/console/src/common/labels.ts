// Chinese names of the API's enums, for selects, tags and tables.
export const ROLE = { ADMIN: '管理员', DISPATCHER: '调度员', KEEPER: '库管员', AUDITOR: '审计员' } as const;

export const RECEIPT_SOURCE = {
  PURCHASE: '采购',
  DONATION: '捐赠',
  RECOVERY: '回收',
  EMERGENCY_PURCHASE: '紧急采购',
  REQUISITION: '征用',
  OTHER: '其他',
} as const;

export const FUNDING_SOURCE = {
  CENTRAL: '中央',
  PROVINCE: '省级',
  CITY: '市级',
  COUNTY: '县级',
  TOWNSHIP: '乡镇',
  DONATION: '捐赠',
  ENTERPRISE: '企业',
} as const;

export const RESERVE_MODE = { PHYSICAL: '实物储备', ENTRUSTED: '企业代储', AGREEMENT: '协议储备', CAPACITY: '产能储备' } as const;

export const STORE_KIND = { GOVERNMENT: '政府储备库', ENTRUSTED: '代储库', AGREEMENT: '协议储备库', DISTRIBUTION_POINT: '安置点' } as const;

export const REGION_LEVEL = { PROVINCE: '省', CITY: '市', COUNTY: '县', TOWNSHIP: '乡镇', VILLAGE: '村' } as const;

export const INCIDENT_TYPE = {
  FLOOD: '洪涝',
  EARTHQUAKE: '地震',
  FOREST_FIRE: '森林火灾',
  MINE_ACCIDENT: '矿山事故',
  FIRE: '火灾',
  OTHER: '其他',
} as const;

export const PLAN_STATUS = { PROPOSED: '待批准', APPROVED: '已批准', EXECUTING: '执行中', COMPLETED: '已完成', CANCELLED: '已取消' } as const;

export const TRANSFER_STATUS = { IN_TRANSIT: '在途', PARTIALLY_RECEIVED: '部分收货', RECEIVED: '已收货', CANCELLED: '已取消' } as const;

export const TIER = { LOCAL: '本级', UPPER: '上级', NEIGHBOUR: '邻近', AGREEMENT: '协议储备', CAPACITY: '产能储备' } as const;

export const DOCUMENT_TYPE = {
  RECEIPT: '入库',
  ISSUE: '出库',
  TRANSFER_OUT: '调拨出库',
  TRANSFER_IN: '调拨入库',
  TRANSFER_CANCEL: '调拨撤销',
  STOCKTAKE: '盘点',
  SCRAP: '报废',
  ROTATION: '轮换',
  REVERSAL: '冲销',
  RECOVERY: '回收',
  WRITE_OFF: '核销',
} as const;

export const DOCUMENT_STATUS = { POSTED: '已过账', REVERSED: '已冲销', PENDING_APPROVAL: '待审批', REJECTED: '已驳回' } as const;

export const VALUATION_DIMENSION = {
  REGION: '区划',
  STORE: '仓库',
  CATEGORY: '类别',
  ITEM: '品种',
  RESERVE_MODE: '储备方式',
  FUNDING_SOURCE: '资金来源',
} as const;

/** D12: whether an item comes back after an incident (tents only when used less than so many months). */
export const RECOVERY_KIND = { ALWAYS: '必须回收', NEVER: '不回收（消耗品）', WITHIN_MONTHS: '限期内使用则回收' } as const;

export const ROTATION_DISPOSAL = { SALE: '出售', USE: '使用', DONATION: '捐赠', TRANSFER: '调拨' } as const;

/** Options for an antd Select from one of the maps above. */
export const optionsOf = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));

/** The label of a value, or the value itself when the map does not know it (a newer server). */
export const labelOf = (labels: Record<string, string>, value: string | null | undefined) => (value ? (labels[value] ?? value) : '—');

export const OUTBOUND_PURPOSE = {
  RELIEF: '救灾',
  DRILL: '演练',
  LOAN: '借用',
  TRANSFER: '调拨',
  ROTATION_SALE: '轮换出售',
  SCRAP: '报废',
  OTHER: '其他',
} as const;

export const ORDER_STATUS = { PENDING: '待审批', APPROVED: '已批准', REJECTED: '已驳回', EXECUTED: '已执行', CLOSED: '已关闭' } as const;

export const APPROVAL_STATUS = { PENDING: '待审批', APPROVED: '已批准', REJECTED: '已驳回' } as const;

export const APPROVAL_KIND = {
  OUTBOUND_ORDER: '出库申请',
  DISPATCH_PLAN: '调拨方案',
  CROSS_REGION_USE: '跨区域调用',
  STOCKTAKE: '盘点调整',
  WRITE_OFF: '核销',
  SCRAP: '报废',
  REVERSAL: '冲销',
  EMERGENCY_WRITTEN_APPROVAL: '紧急审批补办',
} as const;

/** The API's alerts (D6, D9, D10, D14, D19, D22, D24, D26, D27, D29). */
export const ALERT_KIND = {
  EXPIRED: '已过期',
  EXPIRING: '即将到期',
  BELOW_QUOTA: '低于定额',
  EMERGENCY_APPROVAL_DUE: '紧急审批待补办',
  EMERGENCY_APPROVAL_OVERDUE: '紧急审批逾期',
  EMERGENCY_APPROVAL_REJECTED: '紧急调拨书面审批被驳回',
  APPROVAL_WAITING: '审批久等',
  RECONCILIATION: '对账差异',
  RELIEF_OVER_STANDARD: '超标准发放',
  RELIEF_WITHOUT_STANDARD: '无标准发放',
  SHARED_CREDENTIALS: '岗位分离风险',
  AGREEMENT_CHECK_SHORT: '抽查短少',
} as const;

export const ALERT_SEVERITY = { CRITICAL: '严重', WARNING: '提醒' } as const;

/** The API's mutations (and uploads) as the audit log names them. */
export const OPERATION = {
  login: '登录',
  approveDispatchPlan: '批准调拨方案',
  cancelCallOff: '取消调用单',
  cancelDispatchPlan: '取消调拨方案',
  cancelTransfer: '撤销调拨',
  changePassword: '修改密码',
  closeIncident: '关闭事件',
  closeOutboundOrder: '关闭出库申请',
  closePeriod: '月结',
  confirmCallOffDelivery: '确认协议储备交货',
  createAgreement: '新建协议储备',
  createDownloadLink: '生成下载链接',
  createIncident: '新建事件',
  createItem: '新建物资',
  createJointReserveAgreement: '新建联储协议',
  createStore: '新建仓库',
  createUser: '新建用户',
  decideApproval: '审批',
  distributeRelief: '发放救灾物资',
  endAgreement: '提前终止协议',
  executeDispatchPlan: '执行调拨方案',
  issueStock: '出库',
  loadRegionTree: '导入区划',
  logout: '退出登录',
  openDistributionPoint: '开设安置点',
  receiveStock: '入库',
  receiveTransfer: '调拨收货',
  recordAgreementCheck: '协议储备核查',
  recordWrittenApproval: '补办书面审批',
  recoverIncidentStock: '回收物资',
  requestDispatch: '提交调拨方案',
  requestOutboundOrder: '申请出库',
  requestWrittenApproval: '重新提交书面审批',
  reverseDocument: '冲销单据',
  rotateStock: '轮换',
  scrapStock: '报废',
  setTravelTime: '设置运输时间',
  settle: '结算',
  shipTransfer: '调拨出库',
  submitStocktake: '盘点',
  updateItem: '修改物资',
  updateStore: '修改仓库',
  updateUser: '修改用户',
  upsertQuota: '设置储备定额',
  removeQuota: '删除储备定额',
  upsertReliefStandard: '设置救助标准',
  withdrawApproval: '撤回申请',
  importStocktakeSheet: '上传盘点表',
  importOpeningBalance: '期初建账导入',
} as const;
