import { useState } from 'react';
import { Form } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatNumber, formatQuantity, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import type { Plan } from './plan';

type Line = Plan['lines'][number];

// What of the plan is on its way (its shipments, 补发 included): the rest of a line is what is neither received nor on
// its way.
const OnTheWayQuery = graphql(`
  query ReshipOnTheWay($id: ID!) {
    dispatchPlan(id: $id) {
      id
      transfers {
        id
        fromStore {
          id
        }
        toStore {
          id
        }
        lines {
          item {
            id
          }
          batch {
            id
          }
          inTransit
          pendingWriteOff
        }
      }
    }
  }
`);

const Reship = graphql(`
  mutation Reship($input: ShipTransferInput!) {
    shipTransfer(input: $input) {
      id
      number
    }
  }
`);

interface Values {
  // Named as the API names the shipment's one line: its refusal of the quantity (超出调拨方案 …) shows at the field.
  lines: { quantity?: number }[];
}

/**
 * 补发 (sweep 19a F1; D27, D28): a plan line received short or whose shipment was cancelled is made good by a shipment
 * citing the plan, from the line's store (and batch) to its 安置点, covered by the plan's approval for what the line has
 * still to ship (D23: the API decides how much — checkPlanShipment — and says so at the quantity; a 安置点 of a closed
 * incident takes no more, D29). The quantity defaults to the line's rest: neither received, on its way nor a loss still
 * awaiting its write-off's approval (D27: made good once approved).
 */
export function ReshipModal({ planId, label, line, onClose }: { planId: string; label: string; line: Line; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [, ship] = useMutation(Reship);
  const [{ data }] = useQuery({ query: OnTheWayQuery, variables: { id: planId }, requestPolicy: 'network-only' });
  const fromStoreId = line.source.store?.id;
  const toStoreId = line.destination.store?.id;
  const batchId = line.batch?.id;
  const shipped = (data?.dispatchPlan?.transfers ?? [])
    .filter((t) => t.fromStore.id === fromStoreId && t.toStore.id === toStoreId)
    .flatMap((t) => t.lines)
    .filter((l) => l.item.id === line.item.id && (!batchId || l.batch?.id === batchId));
  const onTheWay = shipped.reduce((n, l) => n + Math.max(l.inTransit - l.pendingWriteOff, 0), 0);
  // D27 (sweep 20c F8): declared short and awaiting its write-off's approval — not to be made good until approved.
  const awaitingWriteOff = shipped.reduce((n, l) => n + l.pendingWriteOff, 0);
  const unit = line.item.unit;
  const rest = Math.max(line.quantity - line.receivedQuantity - onTheWay - awaitingWriteOff, 0);
  if (!data) return null; // the dialog opens with its figures
  return (
    <FormDialog
      form={form}
      name="reship"
      title={`补发：${line.source.name} → ${line.destination.name} ${line.item.name}`}
      okText="补发"
      cancelText="返回"
      initialValues={{ lines: [{ quantity: rest > 0 ? rest : undefined }] }}
      intro={
        <p data-testid="reship-intro">
          {label}：本行 {formatQuantity(line.quantity, unit)}
          {line.batchNo ? `（批号 ${line.batchNo}）` : ''}，已到 {formatNumber(line.receivedQuantity)}，在途 {formatNumber(onTheWay)}，尚缺{' '}
          {formatQuantity(rest, unit)}。{awaitingWriteOff > 0 ? `另有在途短少 ${formatQuantity(awaitingWriteOff, unit)}尚待核销审批：审批通过后才能补发。` : ''}
          补发按本方案的批准从{line.source.name}调运，不另行审批；库存随即扣减，到货后在「发运的调拨单」签收。
        </p>
      }
      submit={async (v) => {
        const quantity = v.lines[0].quantity!;
        const { data: shipped, error } = await ship({
          input: {
            fromStoreId: fromStoreId ?? '',
            toStoreId: toStoreId ?? '',
            dispatchPlanId: planId,
            idempotencyKey: key,
            lines: [{ itemId: line.item.id, ...(batchId ? { batchId } : {}), quantity }],
          },
        });
        return {
          error,
          success: `已补发 ${line.item.name} ${formatQuantity(quantity, unit)} 到${line.destination.name}（调拨单 ${shipped?.shipTransfer.number ?? ''}）`,
        };
      }}
      onClose={onClose}
    >
      <Form.Item name={['lines', 0, 'quantity']} label={`补发数量（${unit}）`} rules={quantityRules('quantity', '请填写补发数量')}>
        <QuantityInput />
      </Form.Item>
    </FormDialog>
  );
}
