import { useState } from 'react';
import { Form, Select, Table, Typography } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatNumber, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { useReasonOptions } from './reasons';
import type { TransferRow } from './transfer';

const ReceiveTransfer = graphql(`
  mutation ReceiveTransfer($input: ReceiveTransferInput!) {
    receiveTransfer(input: $input) {
      id
      status
    }
  }
`);

interface Values {
  lines: { batchId: string; quantity: number; discrepancyReason?: string }[];
}

type TransferLine = TransferRow['lines'][number];
/** A transfer line with what can still be received of it (its shortfall awaiting write-off approval left out). */
type Receivable = TransferLine & { receivable: number };

/**
 * D27: the lines of a transfer that can still be received — in transit and not declared short. A shortfall declared on
 * receipt stays in transit (TransferLine.inTransit counts it) until its write-off is approved, or rejected (then it is
 * open again): TransferLine.pendingWriteOff.
 */
export function receivableLines(transfer: TransferRow): Receivable[] {
  return transfer.lines.flatMap((l) => {
    const receivable = l.inTransit - l.pendingWriteOff;
    return receivable > 0 ? [{ ...l, receivable }] : [];
  });
}

/** 「棉帐篷 短少 2，待核销审批」 for each line of a transfer whose shortfall awaits its write-off approval (D27). */
export function shortLines(transfer: TransferRow): string[] {
  return transfer.lines.flatMap((l) => (l.pendingWriteOff > 0 ? [`${l.item.name} 短少 ${formatNumber(l.pendingWriteOff)}，待核销审批`] : []));
}

/**
 * What this receipt did, item by item in their units: received, short with a reason (a loss awaiting approval, D27),
 * still in transit. Sweep 16b F7: 「已收货 10040」 added 9,990 条 to 50 顶.
 */
function receivedMessage(number: string, open: Receivable[], lines: Values['lines']): string {
  const received: string[] = [];
  const short: string[] = [];
  const rest: string[] = [];
  const say = (l: Receivable, n: number) => `${l.item.name} ${formatNumber(n)} ${l.item.unit}`;
  lines.forEach((l, i) => {
    if (l.quantity > 0) received.push(say(open[i], l.quantity));
    const left = open[i].receivable - l.quantity;
    if (left > 0) (l.discrepancyReason ? short : rest).push(say(open[i], left));
  });
  return [
    `调拨单 ${number} 本次收货 ${received.join('、') || '0'}`,
    short.length > 0 && `短少 ${short.join('、')} 待核销审批`,
    rest.length > 0 && `尚有 ${rest.join('、')} 在途`,
  ]
    .filter(Boolean)
    .join('，');
}

/**
 * Receives what arrived of a transfer; a shortfall needs a reason, which closes the line (D9). Lines whose shortfall
 * awaits its write-off approval are named, not offered (D27: the API refuses to receive them).
 */
export function ReceiveTransferModal({ transfer, onClose }: { transfer: TransferRow; onClose: (received: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const reasons = useReasonOptions('TRANSFER');
  const [, receive] = useMutation(ReceiveTransfer);
  const open = receivableLines(transfer);
  const short = shortLines(transfer);
  return (
    <FormDialog
      form={form}
      name="receive"
      width={760}
      title={`收货：${transfer.number}`}
      okText="确认收货"
      // The batch ids are not fields on screen: they come with the initial values.
      initialValues={{ lines: open.map((l) => ({ batchId: l.batch.id, quantity: l.receivable })) }}
      submit={async (v) => {
        const { error } = await receive({ input: { transferId: transfer.id, idempotencyKey: key, lines: v.lines } });
        return { error, success: receivedMessage(transfer.number, open, v.lines) };
      }}
      onClose={onClose}
    >
      <Table
        size="small"
        pagination={false}
        // On a phone the lines scroll inside the dialog, so 差异原因 is reached rather than cut off at its edge.
        scroll={{ x: 'max-content' }}
        rowKey={(l) => l.batch.id}
        dataSource={open}
        columns={[
          { title: '物资', render: (_, l) => l.item.name },
          { title: '批号', render: (_, l) => l.batch.batchNo },
          { title: '在途', align: 'right', render: (_, l) => formatNumber(l.receivable) },
          {
            title: '实收',
            render: (_, l, i) => (
              <Form.Item name={['lines', i, 'quantity']} style={{ margin: 0 }} rules={quantityRules('received', '请输入实收数量')}>
                {/* Sweep 22c F1: a field in a table row is named by its column and the row's batch. */}
                <QuantityInput aria-label={`实收 批号 ${l.batch.batchNo}`} />
              </Form.Item>
            ),
          },
          {
            title: '差异原因',
            render: (_, l, i) => (
              <Form.Item
                name={['lines', i, 'discrepancyReason']}
                style={{ margin: 0 }}
                dependencies={[['lines', i, 'quantity']]}
                // D9, D27 (sweep 18b F1): 实收 0 closes the line only with a reason — said here, where it is mended, not as
                // 「数量须大于 0」 at 实收; the API says the same at the same field.
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_r, reason) =>
                      getFieldValue(['lines', i, 'quantity']) === 0 && !reason
                        ? Promise.reject(new Error('实收为 0 的须选择差异原因（未到货的原因，如破损、丢失）'))
                        : Promise.resolve(),
                  }),
                ]}
              >
                <Select allowClear style={{ width: 140 }} options={reasons} placeholder="短少时填写" aria-label={`差异原因 批号 ${l.batch.batchNo}`} />
              </Form.Item>
            ),
          },
        ]}
      />
      {short.map((text) => (
        <Typography.Paragraph key={text} type="warning" className="transfer-shortfall" style={{ marginTop: 8, marginBottom: 0 }}>
          {text}（不能再收货；审批驳回后重新计入在途）
        </Typography.Paragraph>
      ))}
    </FormDialog>
  );
}
