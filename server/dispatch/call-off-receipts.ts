import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { invalidState } from '../errors.ts';

/**
 * D22, D6/D17, D25 (sweep 18a F1): the receipt confirmCallOffDelivery booked for a call-off's delivery is not reversed.
 * That receipt is not only stock: it is the company's performance under its agreement — the call-off is DELIVERED with
 * it, the agreement's effective quantity and contingent value are drawn down by it (countedAndDeliveredJoin), the
 * settlement another region is owed is valued (and may be repaid) by it, and the incident's 物资收支 counts it received.
 * A reversal would take the goods off the ledger and leave every one of those standing — figures a finance auditor
 * could no longer reconcile with the books. D22's correction is an entry of its own that leaves the delivery standing
 * as recorded: a quantity booked wrongly is corrected by a stocktake (盘盈/盘亏, approved, D27), goods sent back to the
 * company leave by an outbound order (D23). Asked when the reversal is requested (reverseDocument) and again when it
 * is approved (a reversal requested before this rule existed waits in the queue): `approving` tells the approver to
 * reject it.
 */
export async function assertNotCallOffReceipt(tx: Db, doc: { id: string; number: string }, field: string, approving = false): Promise<void> {
  const [row] = await queryRows<{ id: string; company: string; quantity: number; unit: string; reference: string | null }>(
    tx,
    sql`SELECT o.id, org.name AS company, o.delivered_quantity AS quantity, i.unit, d.reference
          FROM call_offs o JOIN agreements a ON a.id = o.agreement_id JOIN organizations org ON org.id = a.company_org_id
          JOIN items i ON i.id = o.item_id JOIN documents d ON d.id = o.receipt_document_id
         WHERE o.receipt_document_id = ${doc.id}::uuid
         ORDER BY o.id LIMIT 1`,
  );
  if (!row) return;
  const cited = row.reference ? `，${row.reference}` : '';
  throw invalidState(
    `${doc.number} 是调用单的到货入库（「${row.company}」交货 ${row.quantity}${row.unit}${cited}），不能冲销${approving ? '，请驳回该冲销申请' : ''}：` +
      '冲销会使调用单、协议储备和调用结算与账面不符。入库数量登记有误的，请盘点更正；货物退回企业的，请办理出库申请',
    { field, callOffId: row.id },
  );
}

/** Of `documentIds`, the call-off receipts (assertNotCallOffReceipt refuses their reversal); for StockDocument.reversible. */
export async function callOffReceiptDocuments(db: Db, documentIds: readonly string[]): Promise<{ documentId: string }[]> {
  if (!documentIds.length) return [];
  const rows = await queryRows<{ document_id: string }>(
    db,
    sql`SELECT DISTINCT receipt_document_id AS document_id FROM call_offs
         WHERE receipt_document_id IN (${uuidList(documentIds)})`,
  );
  return rows.map((r) => ({ documentId: String(r.document_id) }));
}
