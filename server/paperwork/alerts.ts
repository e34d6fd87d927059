import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows } from '../../drizzle/client.ts';
import { approvalsInScope, regionsInScope } from '../auth/policy.ts';
import { reconciliation } from '../audit/reconciliation.ts';
import { todayInChina, ZONE, chinaText } from '../clock.ts';
import type { ServiceContext } from '../context.ts';
import { isExpired } from '../inventory/expiry.ts';
import { reserveGaps } from '../reserves/quotas.ts';
import { storeScopeSql } from '../reserves/rotation.ts';
import { getRegionInScope } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import type { OverStandard, WithoutStandard } from '../relief/distributions.ts';
import { distributionStands } from '../relief/trace.ts';
import { planNumber } from './print/plan.ts';
import { quantityText } from '../inventory/common.ts';
import { userNameAt } from '../users/names.ts';

// What someone should be told about, in the user's scope: expired batches (D26) and batches expiring soon (D10), stock
// below quota (D19), emergency approvals whose written approval is near or past its 48 h or was rejected (D14, D24), any reconciliation
// line where the ledger and the balances disagree (D22), relief handed out beyond the standard or of an item with no
// standard at the 安置点 (D29), approvals
// whose requester and approver had their passwords set by one third person (D24), and a company's spot check that found
// less than it holds for us (D6, D9). Each alert has a stable key, so
// that a webhook sends it once.

export type AlertKind =
  | 'EXPIRED'
  | 'EXPIRING'
  | 'BELOW_QUOTA'
  | 'EMERGENCY_APPROVAL_DUE'
  | 'EMERGENCY_APPROVAL_OVERDUE'
  | 'EMERGENCY_APPROVAL_REJECTED'
  | 'APPROVAL_WAITING'
  | 'RECONCILIATION'
  | 'RELIEF_OVER_STANDARD'
  | 'RELIEF_WITHOUT_STANDARD'
  | 'SHARED_CREDENTIALS'
  | 'AGREEMENT_CHECK_SHORT';
export const ALERT_KINDS: readonly AlertKind[] = [
  'EXPIRED',
  'EXPIRING',
  'BELOW_QUOTA',
  'EMERGENCY_APPROVAL_DUE',
  'EMERGENCY_APPROVAL_OVERDUE',
  'EMERGENCY_APPROVAL_REJECTED',
  'APPROVAL_WAITING',
  'RECONCILIATION',
  'RELIEF_OVER_STANDARD',
  'RELIEF_WITHOUT_STANDARD',
  'SHARED_CREDENTIALS',
  'AGREEMENT_CHECK_SHORT',
];

/**
 * What happened and is not to be missed — a distribution beyond the standard (D29), an approval decided by someone
 * whose login a third person knew with the requester's (D24) — is announced for this many days after it was recorded.
 */
export const RECENT_EVENT_DAYS = 7;

export interface AlertRow {
  key: string;
  kind: AlertKind;
  severity: 'WARNING' | 'CRITICAL';
  message: string;
  regionCode: string;
  storeId: string | null;
  batchId: string | null;
  itemId: string | null;
  planId: string | null;
  dueAt: Date | null;
  quantity: number | null;
}

export interface AlertPolicy {
  /** Batches expiring within this many days are announced (D10). */
  expiryDays: number;
  /** Emergency approvals are announced this many hours before their written approval is due (D14). */
  approvalWarnHours: number;
  /** Approvals pending longer than this many hours are announced (D27). */
  approvalWaitHours: number;
}

export async function listAlerts(ctx: ServiceContext, policy: AlertPolicy, regionCode?: string | null): Promise<AlertRow[]> {
  const alerts = [
    ...(await batchAlerts(ctx, policy, regionCode)),
    ...(await approvalAlerts(ctx, policy, regionCode)),
    ...(await rejectedWrittenApprovalAlerts(ctx, regionCode)),
    ...(await waitingApprovalAlerts(ctx, policy, regionCode)),
    ...(await reliefOverStandardAlerts(ctx, regionCode)),
    ...(await reliefWithoutStandardAlerts(ctx, regionCode)),
  ];
  if (ctx.actor.role !== 'KEEPER') {
    alerts.push(...(await sharedCredentialAlerts(ctx, regionCode)));
    alerts.push(...(await quotaAlerts(ctx, regionCode)));
    alerts.push(...(await reconciliationAlerts(ctx, regionCode)));
    alerts.push(...(await agreementCheckAlerts(ctx, regionCode)));
  }
  return alerts;
}

async function batchAlerts(ctx: ServiceContext, policy: AlertPolicy, regionCode?: string | null): Promise<AlertRow[]> {
  const today = todayInChina(ctx.clock);
  const until = DateTime.fromISO(today, { zone: ZONE }).plus({ days: policy.expiryDays }).toISODate()!;
  const rows = await queryRows<{
    store_id: string;
    batch_id: string;
    item_id: string;
    region_code: string;
    store: string;
    item: string;
    unit: string;
    batch_no: string;
    expiry: string;
    on_hand: number;
  }>(
    ctx.db,
    sql`SELECT bal.store_id::text, bal.batch_id::text, bal.item_id::text, s.region_code, s.name AS store, i.name AS item, i.unit, b.batch_no,
               b.expiry_date::text AS expiry, bal.on_hand
          FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN batches b ON b.id = bal.batch_id JOIN items i ON i.id = bal.item_id
         WHERE bal.on_hand > 0 AND b.expiry_date IS NOT NULL AND b.expiry_date <= ${until}::date AND ${await storeScopeSql(ctx.db, ctx.actor, regionCode)}
         ORDER BY b.expiry_date, s.code, b.batch_no`,
  );
  return rows.map((r) => {
    // D26: a batch is usable through its expiry date and frozen from 00:00 China time the day after (inventory/expiry.ts,
    // the ledger's own rule): that instant is when it is due (sweep 16c F6: it was 00:00 of the expiry date, a day early).
    const expired = isExpired(r.expiry, today);
    return {
      key: `${expired ? 'EXPIRED' : 'EXPIRING'}:${r.store_id}:${r.batch_id}`,
      kind: expired ? 'EXPIRED' : 'EXPIRING',
      severity: expired ? 'CRITICAL' : 'WARNING',
      message: expired
        ? `${r.store}：${r.item} 批次 ${r.batch_no} 有效期至 ${r.expiry}，已过期，在库 ${quantityText(Number(r.on_hand), r.unit)}，已冻结，请轮换或报废`
        : `${r.store}：${r.item} 批次 ${r.batch_no} 将于 ${r.expiry} 到期，在库 ${quantityText(Number(r.on_hand), r.unit)}，请安排轮换`,
      regionCode: r.region_code,
      storeId: r.store_id,
      batchId: r.batch_id,
      itemId: r.item_id,
      planId: null,
      dueAt: DateTime.fromISO(r.expiry, { zone: ZONE }).plus({ days: 1 }).toJSDate(),
      quantity: Number(r.on_hand),
    };
  });
}

/** SQL over incidents `i`: the plans whose alerts the user sees — their incident's region in scope (not keepers), in `regionCode`'s subtree if given. */
async function plansOfAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<SQL> {
  const where: SQL[] = [regionsInScope(ctx.actor, sql`i.region_code`)];
  if (regionCode && ctx.actor.role !== 'KEEPER') {
    where.push(sql`i.region_code LIKE ${`${subtreePrefix((await getRegionInScope(ctx.db, ctx.actor, regionCode)).code)}%`}`);
  }
  return sql.join(where, sql` AND `);
}

async function approvalAlerts(ctx: ServiceContext, policy: AlertPolicy, regionCode?: string | null): Promise<AlertRow[]> {
  const now = ctx.clock.now();
  const where = await plansOfAlerts(ctx, regionCode);
  const rows = await queryRows<{ id: string; due: string; incident: string; region_code: string }>(
    ctx.db,
    sql`SELECT p.id::text, p.approval_due_at AS due, i.name AS incident, i.region_code
          FROM dispatch_plans p JOIN incidents i ON i.id = p.incident_id
         WHERE p.emergency AND p.written_approved_at IS NULL AND p.status <> 'CANCELLED'
           AND p.approval_due_at <= ${now.plus({ hours: policy.approvalWarnHours }).toJSDate().toISOString()}::timestamptz
           AND ${where}
         ORDER BY p.approval_due_at`,
  );
  return rows.map((r) => {
    const due = new Date(r.due);
    const overdue = due.getTime() <= now.toMillis();
    return {
      key: `${overdue ? 'EMERGENCY_APPROVAL_OVERDUE' : 'EMERGENCY_APPROVAL_DUE'}:${r.id}`,
      kind: overdue ? 'EMERGENCY_APPROVAL_OVERDUE' : 'EMERGENCY_APPROVAL_DUE',
      severity: overdue ? 'CRITICAL' : 'WARNING',
      message: `「${r.incident}」紧急调拨的书面审批${overdue ? '已逾期' : '即将到期'}：应于 ${chinaText(due, 'yyyy-LL-dd HH:mm')} 前补办（先调拨后补手续，48 小时）`,
      regionCode: r.region_code,
      storeId: null,
      batchId: null,
      itemId: null,
      planId: r.id,
      dueAt: due,
      quantity: null,
    };
  });
}

/**
 * D14, D24 (sweep 14c LOW-3): the second person refused to ratify an emergency plan's movement (先调拨后补手续) — its
 * written approval (EMERGENCY_WRITTEN_APPROVAL) rejected — is told at once, not 12 h before the original due time: one
 * CRITICAL alert per plan not cancelled whose written approval is still not recorded and was rejected, naming the 调拨令,
 * who rejected it, when and why (the latest rejection: rejected again, a new key, announced again). Submitted again
 * (requestWrittenApproval) it stays, saying so — the refusal stands until another person records the approval, which
 * ends it (written_approved_at set). Seen by those who see the plan's due and overdue alerts (plansOfAlerts).
 */
async function rejectedWrittenApprovalAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const where = await plansOfAlerts(ctx, regionCode);
  const rows = await queryRows<{
    id: string;
    requested_at: string;
    due: string | null;
    incident: string;
    region_code: string;
    approval_id: string;
    decider: string | null;
    decided_at: string;
    reason: string | null;
    resubmitted: boolean;
  }>(
    ctx.db,
    sql`SELECT p.id::text, p.requested_at, p.approval_due_at AS due, i.name AS incident, i.region_code, a.id::text AS approval_id,
               ${userNameAt(sql`u.id`, sql`a.decided_at`, sql`u.display_name`)} AS decider, a.decided_at, a.reason,
               EXISTS (SELECT 1 FROM approvals n WHERE n.subject_id = p.id AND n.kind = 'EMERGENCY_WRITTEN_APPROVAL' AND n.status = 'PENDING') AS resubmitted
          FROM dispatch_plans p JOIN incidents i ON i.id = p.incident_id
          JOIN LATERAL (SELECT * FROM approvals r WHERE r.subject_id = p.id AND r.kind = 'EMERGENCY_WRITTEN_APPROVAL' AND r.status = 'REJECTED'
                         ORDER BY r.decided_at DESC, r.requested_at DESC LIMIT 1) a ON TRUE
          LEFT JOIN users u ON u.id = a.decided_by
         WHERE p.emergency AND p.written_approved_at IS NULL AND p.status <> 'CANCELLED' AND ${where}
         ORDER BY a.decided_at DESC`,
  );
  return rows.map((r) => {
    const due = r.due ? new Date(r.due) : null;
    const reason = (r.reason ?? '').length > 100 ? `${r.reason!.slice(0, 100)}…` : r.reason || '未填写';
    const next = r.resubmitted ? '已重新提交，待另一名有权限的人员审批' : '须由紧急批准人重新提交书面审批';
    return {
      key: `EMERGENCY_APPROVAL_REJECTED:${r.approval_id}`,
      kind: 'EMERGENCY_APPROVAL_REJECTED',
      severity: 'CRITICAL',
      message:
        `「${r.incident}」紧急调拨 调拨令 ${planNumber(r.id, new Date(r.requested_at))} 的书面审批被 ${r.decider ?? '审批人'} 驳回` +
        `（${chinaText(r.decided_at, 'yyyy-LL-dd HH:mm')}）：${reason}；${due ? '物资已先行调拨，' : ''}${next}` +
        (due ? `（应于 ${chinaText(due, 'yyyy-LL-dd HH:mm')} 前补办）` : ''),
      regionCode: r.region_code,
      storeId: null,
      batchId: null,
      itemId: null,
      planId: r.id,
      dueAt: due,
      quantity: null,
    };
  });
}

/** D24, D27: approvals (the authority queue) still pending after the configured time, as the approvals query shows them. */
async function waitingApprovalAlerts(ctx: ServiceContext, policy: AlertPolicy, regionCode?: string | null): Promise<AlertRow[]> {
  const where = await approvalsOfAlerts(ctx, regionCode);
  const cutoff = ctx.clock.now().minus({ hours: policy.approvalWaitHours }).toJSDate().toISOString();
  const rows = await queryRows<{ id: string; summary: string; region_code: string; store_id: string | null; requested_at: string }>(
    ctx.db,
    sql`SELECT a.id::text, a.summary, a.region_code, a.store_id::text, a.requested_at FROM approvals a
         WHERE a.status = 'PENDING' AND a.requested_at <= ${cutoff}::timestamptz AND ${where}
         ORDER BY a.requested_at`,
  );
  return rows.map((r) =>
    approvalAlert(
      'APPROVAL_WAITING',
      'WARNING',
      r,
      `待审批超过 ${policy.approvalWaitHours} 小时：${r.summary}（${chinaText(r.requested_at, 'yyyy-LL-dd HH:mm')} 提交）`,
    ),
  );
}

/** SQL over approvals `a`: those the user may read (the approvals query's scope), in `regionCode`'s subtree if given. */
async function approvalsOfAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<SQL> {
  const where: SQL[] = [approvalsInScope(ctx.actor, { regionCode: sql`a.region_code`, storeId: sql`a.store_id`, requestedBy: sql`a.requested_by` })];
  if (regionCode && ctx.actor.role !== 'KEEPER') {
    where.push(sql`a.region_code LIKE ${`${subtreePrefix((await getRegionInScope(ctx.db, ctx.actor, regionCode)).code)}%`}`);
  }
  return sql.join(where, sql` AND `);
}

/** An alert about one approval: its region and store, nothing else to point at. */
function approvalAlert(
  kind: AlertKind,
  severity: AlertRow['severity'],
  a: { id: string; region_code: string; store_id: string | null },
  message: string,
): AlertRow {
  return {
    key: `${kind}:${a.id}`,
    kind,
    severity,
    message,
    regionCode: a.region_code,
    storeId: a.store_id,
    batchId: null,
    itemId: null,
    planId: null,
    dueAt: null,
    quantity: null,
  };
}

async function quotaAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const roots = regionCode
    ? [regionCode]
    : ctx.actor.regionCode
      ? [ctx.actor.regionCode]
      : (await queryRows<{ code: string }>(ctx.db, sql`SELECT code FROM regions WHERE level = 'PROVINCE' ORDER BY code`)).map((r) => r.code);
  const gaps = (await Promise.all(roots.map((code) => reserveGaps(ctx, code)))).flat().filter((g) => g.gap > 0);
  if (!gaps.length) return [];
  const names = await queryRows<{ kind: string; id: string; name: string; unit: string; region_code: string }>(
    ctx.db,
    sql`SELECT 'item' AS kind, id::text, name, unit, '' AS region_code FROM items WHERE id IN (${uuidList(gaps.map((g) => g.itemId))})
        UNION ALL SELECT 'store', id::text, name, '', region_code FROM stores WHERE id IN (${uuidList(gaps.map((g) => g.storeId ?? '00000000-0000-0000-0000-000000000000'))})
        UNION ALL SELECT 'region', code, name, '', code FROM regions WHERE code IN (${sql.join(
          gaps.map((g) => sql`${g.regionCode ?? ''}`),
          sql`, `,
        )})`,
  );
  const name = (kind: string, id: string) => names.find((n) => n.kind === kind && n.id === id)!;
  return gaps.map((g) => {
    const holder = g.storeId ? name('store', g.storeId) : name('region', g.regionCode!);
    const item = name('item', g.itemId);
    return {
      key: `BELOW_QUOTA:${g.quotaId}`,
      kind: 'BELOW_QUOTA',
      severity: 'WARNING',
      // Sweep 22c F6: quantities grouped, with their unit (quantityText), as every alert writes them.
      message: `${holder.name}：${item.name} 可用 ${quantityText(g.available, item.unit)}，低于储备定额 ${quantityText(g.quota, item.unit)}（缺 ${quantityText(g.gap, item.unit)}）`,
      regionCode: holder.region_code,
      storeId: g.storeId,
      batchId: null,
      itemId: g.itemId,
      planId: null,
      dueAt: null,
      quantity: g.gap,
    };
  });
}

async function reconciliationAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const lines = (await reconciliation(ctx, regionCode)).filter((l) => l.ledgerVsBalance !== 0);
  if (!lines.length) return [];
  const stores = await queryRows<{ id: string; name: string; region_code: string }>(
    ctx.db,
    sql`SELECT id::text, name, region_code FROM stores WHERE id IN (${uuidList(lines.map((l) => l.storeId))})`,
  );
  return lines.map((l) => {
    const store = stores.find((s) => s.id === l.storeId)!;
    return {
      key: `RECONCILIATION:${l.storeId}:${l.batchId}:${l.ledgerOnHand}:${l.balanceOnHand}:${l.ledgerInTransit}:${l.balanceInTransit}`,
      kind: 'RECONCILIATION',
      severity: 'CRITICAL',
      message: `${store.name}：账簿与库存余额不符（在库 ${quantityText(l.ledgerOnHand)}/${quantityText(l.balanceOnHand)}，在途 ${quantityText(l.ledgerInTransit)}/${quantityText(l.balanceInTransit)}），请核查`,
      regionCode: store.region_code,
      storeId: l.storeId,
      batchId: l.batchId,
      itemId: null,
      planId: null,
      dueAt: null,
      quantity: l.ledgerVsBalance,
    };
  });
}

/**
 * D29, D24 (no one person moves reserves alone): a distribution beyond the relief standard — the keeper's call, with a
 * reason — is told to the command: one alert per distribution still standing, recorded (not dated: a back-dated one is
 * announced too) within RECENT_EVENT_DAYS, at the 安置点s of the user's scope (a keeper: the points they manage).
 * What the issue recorded when it posted (OverStandard) — items, quantities, the allowance and the household's size —
 * with the reason and who handed it out; never who received it (D29: personal data only to the roles that need it).
 */
async function reliefOverStandardAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const { rows, item } = await flaggedDistributions<OverStandard>(ctx, regionCode, 'overStandard');
  return rows.map((r) => {
    const lines = r.flagged.lines.map((l) => {
      const { name, unit } = item(l.itemId);
      return `${name} ${quantityText(l.quantity, unit)}（${l.already ? `此前已领 ${quantityText(l.already, unit)}，` : ''}标准 ${quantityText(l.allowance, unit)}）`;
    });
    const reason = (r.reason ?? '').length > 100 ? `${r.reason!.slice(0, 100)}…` : (r.reason ?? '');
    return distributionAlert(
      r,
      'RELIEF_OVER_STANDARD',
      `${r.store} 超标准发放 ${r.number}：${r.flagged.householdSize} 人户，${lines.join('、')}；原因：${reason}；发放人 ${r.distributor}`,
    );
  });
}

/**
 * D29 (sweep 25c F4): a distribution of an item for which no relief standard applies at the 安置点 — nothing limited it
 * (40 床 to a one-person household passed as an ordinary issue) — is told to the command as one beyond the standard is
 * (reliefOverStandardAlerts: the same scope, period and standing): one alert per such distribution, naming the 安置点,
 * the document, the household's size, the items and quantities (with what it had before), that no standard is set, and
 * who handed it out; never who received it. The command sets a standard for the region, or accepts the hand-out.
 */
async function reliefWithoutStandardAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const { rows, item } = await flaggedDistributions<WithoutStandard>(ctx, regionCode, 'withoutStandard');
  return rows.map((r) => {
    const lines = r.flagged.lines.map((l) => {
      const { name, unit } = item(l.itemId);
      return `${name} ${quantityText(l.quantity, unit)}${l.already ? `（此前已领 ${quantityText(l.already, unit)}）` : ''}`;
    });
    return distributionAlert(
      r,
      'RELIEF_WITHOUT_STANDARD',
      `${r.store} 无救助标准发放 ${r.number}：${r.flagged.householdSize} 人户，${lines.join('、')}；本地区未设该物资救助标准，未作限量；发放人 ${r.distributor}`,
    );
  });
}

/** What a flagged distribution's document records (OverStandard, WithoutStandard): the household's size and its lines. */
interface Flagged {
  householdSize: number;
  lines: readonly { itemId: string; quantity: number }[];
}

/**
 * D29: the standing distributions of the last RECENT_EVENT_DAYS at the 安置点s of the user's scope whose document records
 * `key` (details.overStandard, details.withoutStandard), newest first — with the override's reason, the 安置点, and who
 * handed it out, named as then; never who received it — and a look-up of their items' names and units. One read each.
 */
async function flaggedDistributions<T extends Flagged>(ctx: ServiceContext, regionCode: string | null | undefined, key: 'overStandard' | 'withoutStandard') {
  const since = ctx.clock.now().minus({ days: RECENT_EVENT_DAYS }).toJSDate().toISOString();
  const found = await queryRows<{
    id: string;
    number: string;
    flagged: T | string;
    reason: string | null;
    store_id: string;
    store: string;
    region_code: string;
    distributor: string;
  }>(
    ctx.db,
    sql`SELECT doc.id::text, doc.number, doc.details -> ${key}::text AS flagged, d.override_reason AS reason, s.id::text AS store_id,
               s.name AS store, s.region_code, ${userNameAt(sql`u.id`, sql`d.distributed_at`, sql`u.display_name`)} AS distributor
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN stores s ON s.id = d.store_id
          JOIN users u ON u.id = d.distributed_by
         WHERE doc.details -> ${key}::text IS NOT NULL AND ${distributionStands(sql`doc.status`)}
           AND doc.recorded_at >= ${since}::timestamptz AND ${await storeScopeSql(ctx.db, ctx.actor, regionCode)}
         ORDER BY doc.recorded_at DESC, doc.number DESC`,
  );
  const rows = found.map((r) => ({ ...r, flagged: typeof r.flagged === 'string' ? (JSON.parse(r.flagged) as T) : r.flagged }));
  const ids = [...new Set(rows.flatMap((r) => r.flagged.lines.map((l) => l.itemId)))];
  const items = ids.length
    ? await queryRows<{ id: string; name: string; unit: string }>(ctx.db, sql`SELECT id::text, name, unit FROM items WHERE id IN (${uuidList(ids)})`)
    : [];
  const item = (id: string) => items.find((i) => i.id === id) ?? { name: id, unit: '' };
  return { rows, item };
}

/** The alert of one flagged distribution: its 安置点, its one item where it has one, the quantity it handed out. */
function distributionAlert(
  r: { id: string; store_id: string; region_code: string; flagged: Flagged },
  kind: 'RELIEF_OVER_STANDARD' | 'RELIEF_WITHOUT_STANDARD',
  message: string,
): AlertRow {
  return {
    key: `${kind}:${r.id}`,
    kind,
    severity: 'WARNING',
    message,
    regionCode: r.region_code,
    storeId: r.store_id,
    batchId: null,
    itemId: r.flagged.lines.length === 1 ? r.flagged.lines[0].itemId : null,
    planId: null,
    dueAt: null,
    quantity: r.flagged.lines.reduce((sum, l) => sum + l.quantity, 0),
  };
}

/**
 * D24 (no one person moves reserves alone; sweep 4, H1): the decision refuses a decider tied to the requester by an
 * account — one created the other's, or set its password (authority/queue.ts accountsTied). A third person who knew
 * both logins could have requested and approved alone, under two names. That is not refused (an administrator sets the
 * first password of every account it creates, and most pairs are innocent until one of the two changes their own), but
 * told: one alert per approval approved within RECENT_EVENT_DAYS whose requester's and decider's logins, as they were
 * when it was decided, were both known to one third person, to the command and auditors whose scope holds the approval
 * (not to keepers). Known: that person set the password the account had then (the last of it in password_sets at
 * decided_at), or knew, in the same sense, the login of the account that set it when it set it — and so on up the
 * chain (sweep 19c F1: an administrator created a regional administrator, signed in as it to create a keeper, and
 * created a dispatcher itself: the two immediate setters differed, and no alert came). Sweep 16a F1: judged by the
 * passwords at the decision, so a change afterwards erases nothing; the owner's own change before it ends the chain
 * there (what only the owner set, no one else knows).
 */
const MAX_KNOWER_CHAIN = 8;

/** SQL (recursive CTE body): `name`(approval_id, id, depth) — who knew the login of each approval's `who` at its decision. */
const knowersAt = (name: string, who: string, where: SQL, since: string) =>
  sql`${sql.raw(name)}(approval_id, id, at, depth) AS (
        SELECT a.id, a.${sql.raw(who)}, a.decided_at, 0 FROM approvals a
         WHERE a.status = 'APPROVED' AND a.decided_at >= ${since}::timestamptz AND ${where}
        UNION
        SELECT k.approval_id, p.set_by, p.set_at, k.depth + 1
          FROM ${sql.raw(name)} k CROSS JOIN LATERAL (
            SELECT q.set_by, q.set_at FROM password_sets q WHERE q.user_id = k.id AND q.set_at <= k.at ORDER BY q.set_at DESC, q.id DESC LIMIT 1) p
         WHERE p.set_by IS NOT NULL AND p.set_by <> k.id AND k.depth < ${MAX_KNOWER_CHAIN})`;

async function sharedCredentialAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const where = await approvalsOfAlerts(ctx, regionCode);
  const since = ctx.clock.now().minus({ days: RECENT_EVENT_DAYS }).toJSDate().toISOString();
  const rows = await queryRows<{
    id: string;
    summary: string;
    region_code: string;
    store_id: string | null;
    requester: string;
    decider: string;
    setter: string;
    direct: boolean;
  }>(
    ctx.db,
    sql`WITH RECURSIVE ${knowersAt('kr', 'requested_by', where, since)}, ${knowersAt('kd', 'decided_by', where, since)}
        SELECT DISTINCT ON (a.decided_at, a.id) a.id::text, a.summary, a.region_code, a.store_id::text,
               ${userNameAt(sql`r.id`, sql`a.requested_at`, sql`r.display_name`)} AS requester,
               ${userNameAt(sql`d.id`, sql`a.decided_at`, sql`d.display_name`)} AS decider, x.display_name || '（' || x.username || '）' AS setter,
               kr.depth = 1 AND kd.depth = 1 AS direct
          FROM approvals a JOIN users r ON r.id = a.requested_by JOIN users d ON d.id = a.decided_by
          JOIN kr ON kr.approval_id = a.id AND kr.depth > 0
          JOIN kd ON kd.approval_id = a.id AND kd.depth > 0 AND kd.id = kr.id
          JOIN users x ON x.id = kr.id
         WHERE d.id <> r.id AND x.id <> r.id AND x.id <> d.id
         ORDER BY a.decided_at DESC, a.id, kr.depth + kd.depth, x.username`,
  );
  return rows.map((r) =>
    approvalAlert(
      'SHARED_CREDENTIALS',
      'CRITICAL',
      r,
      `不相容岗位分离：${r.summary} 的申请人 ${r.requester} 与审批人 ${r.decider}，审批时二人的密码均由 ${r.setter} 设置` +
        `${r.direct ? '' : '（或由其掌握密码的账号设置）'}，` +
        `其可一人以两人身份申请并批准；请核实该项审批，并请二人各自修改密码`,
    ),
  );
}

/**
 * D6, D9 (sweep 18a F16): the latest spot check (抽查) of an agreement in force found less than the company holds for us.
 * An agreement reserve (协议储备) counted below its commitment: WARNING — the planner already calls off only what was
 * counted; the company is to make it up. An entrusted store (企业代储) counted below the government's stock on the books
 * there now: CRITICAL — public property is missing from a company's warehouse (账实不符); the book changes only through
 * a stocktake (submitStocktake, D27), which the message asks for. The alert stands until a later check (or, entrusted,
 * a count bringing the book to what is there) clears it; a new short check is a new key, announced again.
 */
async function agreementCheckAlerts(ctx: ServiceContext, regionCode?: string | null): Promise<AlertRow[]> {
  const where: SQL[] = [regionsInScope(ctx.actor, sql`a.region_code`)];
  if (regionCode) where.push(sql`a.region_code LIKE ${`${subtreePrefix((await getRegionInScope(ctx.db, ctx.actor, regionCode)).code)}%`}`);
  const today = todayInChina(ctx.clock);
  const rows = await queryRows<{
    agreement_id: string;
    mode: 'AGREEMENT' | 'ENTRUSTED';
    region_code: string;
    store_id: string | null;
    store: string | null;
    company: string;
    contract_no: string | null;
    item_id: string;
    item: string;
    unit: string;
    committed: number;
    check_id: string;
    checked_on: string;
    counted: number;
    book: number | null;
  }>(
    ctx.db,
    sql`SELECT a.id::text AS agreement_id, a.mode::text AS mode, a.region_code, a.store_id::text AS store_id, s.name AS store,
               o.name AS company, a.contract_no, l.item_id::text AS item_id, i.name AS item, i.unit, l.quantity AS committed,
               lc.check_id, lc.checked_on::text AS checked_on, lc.counted,
               CASE WHEN a.mode = 'ENTRUSTED' THEN (
                 SELECT COALESCE(sum(bal.on_hand), 0)::bigint FROM balances bal JOIN batches b ON b.id = bal.batch_id
                   JOIN organizations ow ON ow.id = b.owner_org_id
                  WHERE bal.store_id = a.store_id AND bal.item_id = l.item_id AND ow.kind = 'GOVERNMENT') END AS book
          FROM agreements a JOIN agreement_lines l ON l.agreement_id = a.id JOIN items i ON i.id = l.item_id
          JOIN organizations o ON o.id = a.company_org_id LEFT JOIN stores s ON s.id = a.store_id
          CROSS JOIN LATERAL (
            SELECT c.id::text AS check_id, c.checked_on, cl.counted_quantity AS counted
              FROM agreement_checks c JOIN agreement_check_lines cl ON cl.check_id = c.id
             WHERE c.agreement_id = a.id AND cl.item_id = l.item_id
             ORDER BY c.checked_on DESC, c.recorded_at DESC LIMIT 1) lc
         WHERE a.mode IN ('AGREEMENT', 'ENTRUSTED') AND a.valid_from <= ${today}::date AND a.valid_to >= ${today}::date
           AND ${sql.join(where, sql` AND `)}
         ORDER BY a.region_code, o.name, i.name`,
  );
  return rows.flatMap((r): AlertRow[] => {
    const entrusted = r.mode === 'ENTRUSTED';
    const held = entrusted ? Number(r.book ?? 0) : Number(r.committed);
    const short = held - Number(r.counted);
    if (short <= 0) return [];
    const amount = (n: number) => quantityText(n, r.unit);
    const company = `${r.company}${r.contract_no ? `（合同 ${r.contract_no}）` : ''}`;
    return [
      {
        key: `AGREEMENT_CHECK_SHORT:${r.agreement_id}:${r.item_id}:${r.check_id}`,
        kind: 'AGREEMENT_CHECK_SHORT',
        severity: entrusted ? 'CRITICAL' : 'WARNING',
        message: entrusted
          ? `代储库抽查账实不符：${r.store ?? company} ${r.item} 政府所有账面 ${amount(held)}，${r.checked_on} 抽查实有 ${amount(Number(r.counted))}，短少 ${amount(short)}（${company}）：请组织盘点，核实后按盘点调账`
          : `协议储备抽查不足：${company} ${r.item} 约定储备 ${amount(held)}，${r.checked_on} 抽查实有 ${amount(Number(r.counted))}，短少 ${amount(short)}：可调用量按实有计，请督促企业补足`,
        regionCode: r.region_code,
        storeId: r.store_id,
        batchId: null,
        itemId: r.item_id,
        planId: null,
        dueAt: null,
        quantity: short,
      },
    ];
  });
}
