import type { Dimension } from '../audit/valuation.ts';

// Chinese names of the codes that lists, printed documents and messages show.

export const MOVEMENT_TYPE_NAMES: Record<string, string> = {
  RECEIPT: '入库',
  ISSUE: '出库',
  TRANSFER_OUT: '调拨出库',
  TRANSFER_IN: '调拨入库',
  TRANSFER_CANCEL: '调拨撤销',
  STOCKTAKE: '盘点',
  SCRAP: '报废',
  REVERSAL: '冲销',
  ROTATION: '轮换',
  RECOVERY: '回收',
  WRITE_OFF: '核销',
};

/** A stock document's kind, as its printed title and refusals name it (drizzle's document_type). */
export const DOCUMENT_TYPE_NAMES: Record<string, string> = {
  RECEIPT: '入库单',
  ISSUE: '出库单',
  TRANSFER_OUT: '调拨单（调出）',
  TRANSFER_IN: '调拨单（调入）',
  TRANSFER_CANCEL: '调拨撤销单',
  STOCKTAKE: '盘点单',
  SCRAP: '报废单',
  REVERSAL: '冲销单',
  ROTATION: '轮换单',
  RECOVERY: '回收单',
  WRITE_OFF: '核销单',
};

export const DIMENSION_HEADINGS: Record<Dimension, string> = {
  REGION: '区划',
  STORE: '仓库',
  CATEGORY: '类别',
  ITEM: '物资',
  RESERVE_MODE: '储备方式',
  FUNDING_SOURCE: '资金来源',
};

export const RESERVE_MODE_NAMES: Record<string, string> = { PHYSICAL: '实物储备', ENTRUSTED: '企业代储', AGREEMENT: '协议储备', CAPACITY: '产能储备' };

export const FUNDING_NAMES: Record<string, string> = {
  CENTRAL: '中央资金',
  PROVINCE: '省级资金',
  CITY: '市级资金',
  COUNTY: '县级资金',
  TOWNSHIP: '乡级资金',
  DONATION: '捐赠',
  ENTERPRISE: '企业',
};

/** A receipt's source (入库来源) as a keeper says it. */
export const RECEIPT_SOURCE_NAMES: Record<string, string> = {
  PURCHASE: '采购',
  DONATION: '捐赠',
  RECOVERY: '回收',
  EMERGENCY_PURCHASE: '紧急采购',
  REQUISITION: '征用',
  OTHER: '其他',
};

/** A stock document's status as printed; one not posted (awaiting approval, rejected) says so rather than 已过账 (the console's word). */
export const DOCUMENT_STATUS_NAMES: Record<string, string> = { POSTED: '已过账', REVERSED: '已冲销', PENDING_APPROVAL: '待审批', REJECTED: '已驳回' };

/** A store's kind, as the console's store list names it (D19: only 政府储备库 and 代储库 hold government reserves). */
export const STORE_KIND_NAMES: Record<string, string> = {
  GOVERNMENT: '政府储备库',
  ENTRUSTED: '代储库',
  AGREEMENT: '协议储备库',
  DISTRIBUTION_POINT: '安置点',
};

/** A dispatch plan's status (D11), as the console names it. */
export const PLAN_STATUS_NAMES: Record<string, string> = {
  PROPOSED: '待批准',
  APPROVED: '已批准',
  EXECUTING: '执行中',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
};

/** A transfer's status (D7). */
export const TRANSFER_STATUS_NAMES: Record<string, string> = { IN_TRANSIT: '在途', PARTIALLY_RECEIVED: '部分收货', RECEIVED: '已收货', CANCELLED: '已取消' };

/** An outbound order's status (政府储备凭令出库). */
export const ORDER_STATUS_NAMES: Record<string, string> = { PENDING: '待审批', APPROVED: '已批准', REJECTED: '已驳回', EXECUTED: '已执行', CLOSED: '已关闭' };

/** A call-off's status (协议储备调用). */
export const CALL_OFF_STATUS_NAMES: Record<string, string> = { ISSUED: '已下达', DELIVERED: '已到货', CANCELLED: '已取消' };

/**
 * A status in a message: its Chinese name only ("已批准"), as the keeper or dispatcher at the screen reads it; the code
 * stays in the error's extensions.status for clients and support (API.md Errors: no codes in a message).
 */
export const statusText = (names: Record<string, string>, status: string): string => names[status] ?? status;

/** Statuses of a document whose stock was posted (recorded in the ledger, 记账); the others were only submitted. */
export const POSTED_STATUSES: ReadonlySet<string> = new Set(['POSTED', 'REVERSED']);
