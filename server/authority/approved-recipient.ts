import { badInput } from '../errors.ts';

/**
 * D23 (sweep 17a F1, sweep 21b F2): executing an outbound order may not go beyond what was approved — its recipient
 * included. A post that names a recipient other than the one the order names is refused at `at.field`, in the words of
 * the post's form (`at.label`: 领用单位 on 出库, 接收方 on 轮换); left out, the goods go to the order's recipient. One
 * rule for every post that executes an order to a recipient: issueStock (input.recipient) and rotateStock
 * (input.counterpart). Returns the recipient the post goes to (null: neither names one).
 */
export function approvedRecipient(
  order: { number: string; recipient: string | null } | null,
  given: string | null | undefined,
  at: { field: string; label: string; act: string },
): string | null {
  if (order?.recipient && given && given !== order.recipient) {
    throw badInput(at.field, `${at.label}「${given}」与出库申请 ${order.number} 批准的「${order.recipient}」不符；可不填，按申请单的${at.label}${at.act}`);
  }
  return given || order?.recipient || null;
}
