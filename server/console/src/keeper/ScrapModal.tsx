import { useState } from 'react';
import { Alert, Button, Form, Input, Select, Table } from 'antd';
import { Modal } from '../common/Modal';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormAlerts } from '../common/FormAlerts';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { batchLabel, leavable, useStoreBatches, type StoreBatch } from './batches';
import type { Order } from './order';
import { useReasonOptions } from './reasons';

const Scrap = graphql(`
  mutation ScrapStock($input: ScrapStockInput!) {
    scrapStock(input: $input) {
      id
      number
      status
    }
  }
`);

interface Line {
  itemId: string;
  batchId?: string;
  quantity?: number;
}

interface Values {
  reason: string;
  approvalRef: string;
  note?: string;
  lines: Line[];
}

/**
 * The scrap lines an order's open lines suggest: a line naming a batch on that batch; else the item's batches at the
 * store, earliest expiry first (expired ones first: they leave only so, D26) — what is short stays without a batch.
 */
function suggestedLines(open: Order['lines'], batches: readonly StoreBatch[]): Line[] {
  const left = new Map(batches.map((b) => [b.batch.id, leavable(b)]));
  const lines: Line[] = [];
  for (const l of open) {
    if (l.batch) {
      lines.push({ itemId: l.item.id, batchId: l.batch.id, quantity: l.remainingQuantity });
      continue;
    }
    let need = l.remainingQuantity;
    for (const b of batches.filter((x) => x.item.id === l.item.id)) {
      const take = Math.min(need, left.get(b.batch.id) ?? 0);
      if (take <= 0) continue;
      lines.push({ itemId: l.item.id, batchId: b.batch.id, quantity: take });
      left.set(b.batch.id, left.get(b.batch.id)! - take);
      need -= take;
    }
    if (need > 0) lines.push({ itemId: l.item.id, quantity: need });
  }
  return lines;
}

/**
 * 报废 against an approved scrap order (D11, D23): posts at once, with the appraisal reference and a scrap reason; the
 * API refuses more than the order has left. Batches are picked here (scrap names them), prefilled from the order.
 */
export function ScrapModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const open = order.lines.filter((l) => l.remainingQuantity > 0);
  const { lines: batches, errors } = useStoreBatches(
    order.store.id,
    open.map((l) => l.item.id),
  );
  const title = `报废：${order.number}`;
  if (!batches) {
    return (
      <Modal open loading title={title} footer={null} onCancel={() => onClose(false)}>
        <FormAlerts messages={errors} />
      </Modal>
    );
  }
  return <ScrapForm order={order} open={open} batches={batches} title={title} onClose={onClose} />;
}

function ScrapForm({
  order,
  open,
  batches,
  title,
  onClose,
}: {
  order: Order;
  open: Order['lines'];
  batches: StoreBatch[];
  title: string;
  onClose: (done: boolean) => void;
}) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const reasons = useReasonOptions('SCRAP');
  const [, scrap] = useMutation(Scrap);
  const items = [...new Map(open.map((l) => [l.item.id, l.item])).values()];
  const batchOptions = (itemId?: string) =>
    batches
      .filter((b) => b.item.id === itemId && (leavable(b) > 0 || open.some((l) => l.batch?.id === b.batch.id)))
      .filter((b) => open.some((l) => l.item.id === b.item.id && (!l.batch || l.batch.id === b.batch.id)))
      .map((b) => ({ value: b.batch.id, label: batchLabel(b) }));
  const submit = async (v: Values) => {
    const { data, error } = await scrap({
      input: {
        storeId: order.store.id,
        orderId: order.id,
        reason: v.reason,
        approvalRef: v.approvalRef,
        note: v.note,
        idempotencyKey: key,
        lines: v.lines.map((l) => ({ batchId: l.batchId!, quantity: l.quantity! })),
      },
    });
    const doc = data?.scrapStock;
    return { error, success: doc?.status === 'POSTED' ? `报废单 ${doc.number} 已过账` : `报废单 ${doc?.number} 已提交，等待审批` };
  };
  return (
    <FormDialog
      form={form}
      name="scrap"
      width={820}
      title={title}
      okText="报废"
      danger
      intro={
        <p>
          批准报废（尚可执行）：
          {open.map((l) => `${l.item.name}${l.batch ? `（批号 ${l.batch.batchNo}）` : ''} ${formatQuantity(l.remainingQuantity, l.item.unit)}`).join('；')}
        </p>
      }
      initialValues={{ lines: suggestedLines(open, batches) }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item name="reason" label="报废原因" rules={[{ required: true, message: '请选择报废原因' }]}>
        <Select options={reasons} />
      </Form.Item>
      <Form.Item
        name="approvalRef"
        label="鉴定/审批文号"
        extra="报废须有鉴定报告或专家评审的文号"
        rules={[{ required: true, whitespace: true, message: '请填写鉴定或审批文号' }]}
      >
        <Input maxLength={128} />
      </Form.Item>
      <Form.List name="lines">
        {(fields, { add, remove }) => (
          <>
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={fields}
              columns={[
                {
                  title: '物资',
                  render: (_, f, i) => (
                    <Form.Item name={[f.name, 'itemId']} style={{ margin: 0 }}>
                      <Select
                        // Sweep 22c F1: a line's fields named by their column and line number.
                        aria-label={`物资 第 ${i + 1} 行`}
                        style={{ width: 140 }}
                        options={items.map((i) => ({ value: i.id, label: i.name }))}
                        onChange={() => form.setFieldValue(['lines', f.name, 'batchId'], undefined)}
                      />
                    </Form.Item>
                  ),
                },
                {
                  title: '批次',
                  render: (_, f, i) => (
                    <Form.Item noStyle dependencies={[['lines', f.name, 'itemId']]}>
                      {() => (
                        <Form.Item name={[f.name, 'batchId']} style={{ margin: 0 }} rules={[{ required: true, message: '请选择批次（库存不足时请减少数量）' }]}>
                          <Select
                            aria-label={`批次 第 ${i + 1} 行`}
                            style={{ width: 320 }}
                            placeholder="选择批次"
                            options={batchOptions(form.getFieldValue(['lines', f.name, 'itemId']) as string | undefined)}
                          />
                        </Form.Item>
                      )}
                    </Form.Item>
                  ),
                },
                {
                  title: '报废数量',
                  render: (_, f, i) => (
                    <Form.Item name={[f.name, 'quantity']} style={{ margin: 0 }} rules={quantityRules('quantity', '请输入数量')}>
                      <QuantityInput aria-label={`报废数量 第 ${i + 1} 行`} />
                    </Form.Item>
                  ),
                },
                {
                  title: '',
                  render: (_, f) => fields.length > 1 && <MinusCircleOutlined aria-label="删除此行" onClick={() => remove(f.name)} />,
                },
              ]}
            />
            <Button type="dashed" size="small" icon={<PlusOutlined />} style={{ margin: '8px 0' }} onClick={() => add({ itemId: items[0]?.id })}>
              添加批次
            </Button>
          </>
        )}
      </Form.List>
      {batches.length === 0 && <Alert type="warning" showIcon message="本库没有该申请物资的库存" />}
      <Form.Item name="note" label="备注">
        <Input />
      </Form.Item>
    </FormDialog>
  );
}
