// API.md Errors: a refusal says what was wrong in words a keeper understands. `extensions.field` names the input field
// the way the API does ("input.lines.0.quantity"), for a form to show the message next to that field; the message
// itself says it in words (「第 1 行 数量：须大于 0」), never with the path. One place for every refusal that names a
// field in its message (zod validation, GraphQL's own value refusals).

/**
 * The names of the API's input fields and arguments, as a keeper calls them. The console reads them too (its 审计日志
 * shows an audit entry's input in these words), so this file imports nothing.
 */
export const FIELD_WORDS: Readonly<Record<string, string>> = {
  active: '启用状态',
  activeOn: '生效日期',
  address: '地址',
  affectedPopulation: '受灾人口',
  after: '分页游标',
  agreementId: '协议',
  annualFee: '年费',
  approvalId: '审批',
  approvalRef: '批准文号',
  asOf: '截止时间',
  batchId: '批次',
  batchNo: '批号',
  callOffId: '调用记录',
  capacity: '容量',
  capacityM3: '库容（立方米）',
  categoryCode: '物资类别',
  checkedOn: '抽查日期',
  code: '编码',
  companyName: '企业名称',
  contact: '联系方式',
  contactName: '联系人',
  contactPhone: '联系电话',
  contractNo: '合同编号',
  countedQuantity: '实盘数量',
  counterpart: '交易对方',
  counts: '盘点明细',
  dailyCapacity: '日产能',
  damaged: '损坏数量',
  deadlineHours: '时限（小时）',
  decision: '审批意见',
  destinations: '目的地',
  discrepancyReason: '差异原因',
  dispatchPlanId: '调拨方案',
  displayName: '姓名',
  disposal: '处置方式',
  documentId: '单据',
  documentType: '单据类型',
  emergency: '紧急审批',
  endOn: '终止日期',
  expiringBefore: '到期日期',
  expiryDate: '有效期至',
  feesFrom: '计费起始日期',
  filter: '筛选条件', // the argument itself (「筛选条件：不能为空」); as the wrapper of its fields it is not said
  findings: '抽查结果',
  first: '每页条数',
  from: '起始日期',
  fromStoreId: '调出仓库',
  fundingSource: '资金来源',
  gbCode: '国标编码',
  good: '完好数量',
  groupBy: '汇总方式',
  headName: '户主姓名',
  hours: '小时数',
  household: '受助家庭',
  id: '编号',
  userId: '用户',
  idNumber: '身份证号',
  idempotencyKey: '提交编号',
  incidentId: '灾害事件',
  inspectionReportNo: '验收报告编号',
  itemId: '物资',
  kind: '类型',
  lat: '纬度',
  leadDays: '提前天数',
  level: '级别',
  lines: '明细',
  lng: '经度',
  location: '位置',
  lost: '丢失数量',
  managerIds: '管理员',
  maxQuantity: '最大数量',
  mode: '储备方式',
  month: '月份',
  months: '月数',
  name: '名称',
  newBatch: '新批次',
  newPassword: '新密码',
  note: '备注',
  oldPassword: '原密码',
  occurredAt: '发生时间',
  operatorName: '运营企业',
  orderBy: '排序方式',
  orderId: '出库申请',
  origin: '产地',
  outcome: '结果',
  overrideReason: '超标准发放原因',
  ownerOrgId: '所属单位',
  parentCode: '上级编码',
  password: '密码',
  perHousehold: '每户标准',
  perPerson: '每人标准',
  planId: '调拨方案',
  productionDate: '生产日期',
  purpose: '用途',
  quantity: '数量',
  reason: '原因',
  recipient: '接收方',
  recovery: '回收',
  reference: '凭证号',
  referencePrice: '参考单价',
  regionCode: '区划',
  regionCodes: '区划',
  responseHours: '响应时间（小时）',
  responseLevel: '响应级别',
  role: '角色',
  rotationLeadMonths: '轮换提前月数',
  search: '搜索词',
  settlementId: '结算',
  signatureRef: '签收凭证',
  size: '户人口数',
  source: '入库来源',
  sourceName: '来源单位名称',
  sourceOrgId: '来源单位',
  spec: '规格',
  status: '状态',
  storageLifeMonths: '储存年限（月）',
  storeId: '仓库',
  storeIds: '仓库',
  targetCategories: '适用类别',
  targetKinds: '适用仓库类型',
  to: '截止日期',
  toStoreId: '调入仓库',
  transferId: '调拨单',
  type: '类型',
  unit: '计量单位',
  unitPrice: '单价',
  username: '用户名',
  validFrom: '有效期起',
  validTo: '有效期止',
  withinMonths: '月数',
};

/** Lists whose entries are rows of a form (第 N 行); any other list's entries are items (第 N 项). */
const ROWS = new Set(['lines', 'counts', 'findings']);

/** Lists whose entries are named by what they are: a dispatch's destinations are 安置点 (第 N 个安置点), each with its rows. */
const NAMED_ENTRIES: Record<string, string> = { destinations: '安置点' };

const entryWords = (list: string | undefined, n: number) =>
  list && NAMED_ENTRIES[list] ? `第 ${n} 个${NAMED_ENTRIES[list]}` : `第 ${n} ${ROWS.has(list ?? '') ? '行' : '项'}`;

/**
 * A field as a keeper says it: "input.lines.0.quantity" → 「第 1 行 数量」, "input.newBatch.batchNo" → 「新批次 批号」,
 * "regionCodes.2" → 「区划 第 3 项」. The argument that only wraps the fields ("input", "filter") is not said. Null
 * when the field has no words here (the message then stands alone; extensions.field still names it).
 */
export function fieldInWords(field: string): string | null {
  return wordsOf(field)?.join(' ') || null;
}

function wordsOf(field: string): string[] | null {
  const parts = field.split('.');
  const words: string[] = [];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (/^\d+$/.test(part)) {
      const list = parts[i - 1];
      if (last && list && FIELD_WORDS[list] && !NAMED_ENTRIES[list]) words.push(FIELD_WORDS[list]);
      words.push(entryWords(list, Number(part) + 1));
    } else if (last) {
      if (!FIELD_WORDS[part]) return null;
      words.push(FIELD_WORDS[part]);
    } else if (!/^\d+$/.test(parts[i + 1]) && i > 0 && FIELD_WORDS[part]) words.push(FIELD_WORDS[part]); // an object within the input
  }
  return words;
}

/**
 * A refusal's message with the field it concerns said in words in front ("第 1 行 数量：须大于 0"). The field's own
 * name is not repeated when the message says it already (「第 1 行：数量须大于 0」); the message alone when the field
 * has no words.
 */
export function withFieldWords(field: string, message: string): string {
  const words = wordsOf(field) ?? [];
  const leaf = words.at(-1);
  if (leaf && !leaf.startsWith('第 ') && message.includes(leaf)) words.pop();
  return words.length ? `${words.join(' ')}：${message}` : message;
}
