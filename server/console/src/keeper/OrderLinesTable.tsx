import { Form, Table } from 'antd';
import { formatNumber } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import type { Order } from './order';

/**
 * The open lines of an approved order (D23: what was approved and what has gone out) with this execution's quantity
 * of each, as the form's lines.i.quantity — where the API puts its refusal of more than the order has left.
 */
export function OrderLinesTable({ lines, quantityTitle }: { lines: Order['lines']; quantityTitle: string }) {
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(l) => `${l.item.id}-${l.batch?.id ?? ''}`}
      dataSource={lines}
      columns={[
        { title: '物资', render: (_, l) => l.item.name },
        { title: '批号', render: (_, l) => l.batch?.batchNo ?? '先到期先出' },
        { title: '批准', align: 'right', render: (_, l) => formatNumber(l.quantity) },
        { title: '已出', align: 'right', render: (_, l) => formatNumber(l.executedQuantity) },
        {
          title: quantityTitle,
          render: (_, l, i) => (
            <Form.Item name={['lines', i, 'quantity']} style={{ margin: 0 }} rules={quantityRules('quantity', '请输入数量')}>
              {/* Sweep 22c F1: named by its column and the row (本次出库 棉被 批号 …). */}
              <QuantityInput aria-label={`${quantityTitle} ${l.item.name}${l.batch ? ` 批号 ${l.batch.batchNo}` : ''}`} />
            </Form.Item>
          ),
        },
      ]}
    />
  );
}
