import DataLoader from 'dataloader';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { mayPricePlanLine, type PolicyLookups } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { formatFen, moneyTimes, toFen } from '../money.ts';

// D20, D24, D25: what a plan's lines are worth — the value its approval (DISPATCH_PLAN) and each consent asked of
// another jurisdiction (CROSS_REGION_USE) carry. A line's price: a store line its batch's unit price, an agreement or
// capacity line its agreement's for the item (none agreed: 0). Neither changes once the line exists (batches and
// agreement lines are written once), so a value read later is the value the approval opened with.
//
// Who may see which price is the policy's (mayPricePlanLine), as on the printed 调拨令: a reader is told the value of
// the lines they may price, and which lines it leaves out (sweep 12b F7: the approval told every reader the 联储
// partner's batch cost to the cent, which the plan line and the print hide).

export interface PricedLine {
  lineNo: number;
  quantity: number;
  /** The source store of a store line (whose batch and price the reader may see: mayPricePlanLine). */
  storeId: string | null;
  batchId: string | null;
  /** The region of the agreement that prices an agreement or capacity line; null for a store line or none priced. */
  agreementRegion: string | null;
  /** quantity × unit price, in fen. */
  fen: bigint;
}

/** The priced lines of persisted plans, by plan id, in line order (one statement for all). */
export async function pricedLinesOfPlans(db: Db, planIds: readonly string[]): Promise<Map<string, PricedLine[]>> {
  const rows = planIds.length
    ? await queryRows<{
        plan_id: string;
        line_no: number;
        quantity: number;
        store_id: string | null;
        batch_id: string | null;
        agreement_region: string | null;
        price: string | null;
      }>(
        db,
        sql`SELECT l.plan_id::text, l.line_no, l.quantity, l.store_id::text, l.batch_id::text, a.region_code AS agreement_region,
                   CASE WHEN l.batch_id IS NOT NULL THEN b.unit_price::text ELSE al.unit_price::text END AS price
              FROM dispatch_lines l LEFT JOIN batches b ON b.id = l.batch_id
              LEFT JOIN agreement_lines al ON l.batch_id IS NULL AND al.agreement_id = l.agreement_id AND al.item_id = l.item_id
              LEFT JOIN agreements a ON a.id = al.agreement_id
             WHERE l.plan_id IN (${uuidList([...planIds])})
             ORDER BY l.plan_id, l.line_no`,
      )
    : [];
  const byPlan = new Map<string, PricedLine[]>();
  for (const r of rows) {
    const line = {
      lineNo: Number(r.line_no),
      quantity: Number(r.quantity),
      storeId: r.store_id,
      batchId: r.batch_id,
      agreementRegion: r.agreement_region,
      fen: toFen(moneyTimes(Number(r.quantity), r.price ?? '0')),
    };
    byPlan.set(r.plan_id, [...(byPlan.get(r.plan_id) ?? []), line]);
  }
  return byPlan;
}

/** A request's loader of pricedLinesOfPlans: an approvals page reads each plan's lines once, in one statement. */
export const pricedLinesLoader = (db: Db) =>
  new DataLoader<string, PricedLine[]>(async (ids) => {
    const byPlan = await pricedLinesOfPlans(db, ids);
    return ids.map((id) => byPlan.get(id) ?? []);
  });

/** What lines are worth in all (the record an approval opens with). */
export const totalOf = (lines: readonly PricedLine[]): string => formatFen(lines.reduce((s, l) => s + l.fen, 0n));

/**
 * What lines are worth to this reader: the value of those they may price (null when every line is unpriced to them —
 * not 0.00, which would read as free), and the line numbers left out.
 */
export async function valueForReader(p: Principal, lines: readonly PricedLine[], look: PolicyLookups): Promise<{ value: string | null; hidden: number[] }> {
  const priced = await Promise.all(lines.map((l) => mayPricePlanLine(p, l, l.agreementRegion === null ? null : { regionCode: l.agreementRegion }, look)));
  const shown = lines.filter((_, i) => priced[i]);
  const hidden = lines.filter((_, i) => !priced[i]).map((l) => l.lineNo);
  return { value: shown.length || !hidden.length ? totalOf(shown) : null, hidden };
}

/** What an approval's summary adds for a reader some of whose lines are unpriced (as the 调拨令's 外地储备 fact says). */
export function unpricedNote(hidden: readonly number[], anyPriced: boolean): string {
  if (!hidden.length) return '';
  const which = anyPriced ? `金额不含第 ${hidden.join('、')} 行：` : '';
  return `（${which}外地储备按数量调用，不列单价和金额）`;
}

/** The approvals valued by a plan's lines: the plan's own (every line) and a consent asked (its payload's lines). */
const VALUED_BY_LINES = new Set(['DISPATCH_PLAN', 'CROSS_REGION_USE']);

/**
 * An approval's value and summary as this reader sees them: a plan's approval or consent request valued over the lines
 * they may price, its summary saying which lines that leaves out; any other approval as stored. `linesOf`: a plan's
 * priced lines (pricedLinesLoader).
 */
export async function approvalWorth(
  p: Principal,
  a: { kind: string; subjectId: string; value: string | null; summary: string; payload: unknown },
  linesOf: (planId: string) => Promise<PricedLine[]>,
  look: PolicyLookups,
): Promise<{ value: string | null; summary: string }> {
  if (a.value === null || !VALUED_BY_LINES.has(a.kind)) return { value: a.value, summary: a.summary };
  const asked = a.kind === 'CROSS_REGION_USE' ? (a.payload as { lineNos?: number[] } | null)?.lineNos : undefined;
  const lines = (await linesOf(a.subjectId)).filter((l) => !asked || asked.includes(l.lineNo));
  const { value, hidden } = await valueForReader(p, lines, look);
  return { value, summary: a.summary + unpricedNote(hidden, value !== null) };
}
