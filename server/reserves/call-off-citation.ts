import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { RESERVE_MODE_NAMES } from '../paperwork/names.ts';
import { planNumber } from '../paperwork/print/plan.ts';

// D22 "from which document", D17, D7 (sweep 12c C11): what a call-off (调用单) is cited by on paper. A call-off has no
// number of its own: it is one line of a dispatch plan, so it is named as the printed 调拨令 names it — the plan's
// number and the line's 序号 — and the agreement it draws on by its contract number (or, without one, its validity:
// the company is the receipt's 来源单位 already). A person can look each of them up; an id's first characters, no one.

/** The plan a call-off belongs to, as its 调拨令 is numbered, and the call-off's line on it (null: not found). */
export interface CallOffPlan {
  planId: string;
  requestedAt: Date;
  lineNo: number | null;
}

/** "调拨令 DL-20261206-11B9639D 第 2 行": the call-off as the printed plan lists it. */
export const callOffCitation = (p: CallOffPlan): string => `调拨令 ${planNumber(p.planId, p.requestedAt)}${p.lineNo === null ? '' : ` 第 ${p.lineNo} 行`}`;

/**
 * What the receipt of a call-off's delivery records: `reference` (依据) — the 调拨令 line and the agreement — and
 * `contractNo` (合同编号, D7: goods bought under an agreement are bought under its contract), as the print, the
 * journal and its export show them. At most 128 characters (a receipt's reference): the contract number is ≤ 64.
 */
export async function callOffReceiptSource(db: Db, agreementId: string, plan: CallOffPlan): Promise<{ reference: string; contractNo: string | null }> {
  const [a] = await queryRows<{ mode: string; contract_no: string | null; valid_from: string; valid_to: string }>(
    db,
    sql`SELECT mode::text AS mode, contract_no, valid_from::text AS valid_from, valid_to::text AS valid_to FROM agreements WHERE id = ${agreementId}::uuid`,
  );
  const agreement = a.contract_no ? `合同编号 ${a.contract_no}` : `协议期限 ${a.valid_from} 至 ${a.valid_to}，无合同编号`;
  return { reference: `${callOffCitation(plan)}调用${RESERVE_MODE_NAMES[a.mode] ?? a.mode}（${agreement}）`, contractNo: a.contract_no };
}
