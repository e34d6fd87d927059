import { useState } from 'react';
import { Form, InputNumber, Modal, Select, Table } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
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

/** Receives what arrived of a transfer; a shortfall needs a reason, which closes the line (D9). */
export function ReceiveTransferModal({ transfer, onClose }: { transfer: TransferRow; onClose: (received: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const reasons = useReasonOptions('TRANSFER');
  const [{ fetching }, receive] = useMutation(ReceiveTransfer);
  const open = transfer.lines.filter((l) => l.inTransit > 0);
  const submit = async () => {
    await form.validateFields();
    // The batch ids are not fields on screen: read every value, not only the validated ones.
    const v = form.getFieldsValue(true) as Values;
    setAlerts([]);
    const result = await receive({ input: { transferId: transfer.id, idempotencyKey: key, lines: v.lines } });
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else onClose(true);
  };
  return (
    <Modal
      open
      width={760}
      title={`收货：${transfer.number}`}
      okText="确认收货"
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form form={form} initialValues={{ lines: open.map((l) => ({ batchId: l.batch.id, quantity: l.inTransit })) }}>
        <Table
          size="small"
          pagination={false}
          rowKey={(l) => l.batch.id}
          dataSource={open}
          columns={[
            { title: '物资', render: (_, l) => l.item.name },
            { title: '批号', render: (_, l) => l.batch.batchNo },
            { title: '在途', align: 'right', render: (_, l) => l.inTransit },
            {
              title: '实收',
              render: (_, _l, i) => (
                <Form.Item name={['lines', i, 'quantity']} style={{ margin: 0 }}>
                  <InputNumber min={0} precision={0} />
                </Form.Item>
              ),
            },
            {
              title: '差异原因',
              render: (_, _l, i) => (
                <Form.Item name={['lines', i, 'discrepancyReason']} style={{ margin: 0 }}>
                  <Select allowClear style={{ width: 140 }} options={reasons} placeholder="短少时填写" />
                </Form.Item>
              ),
            },
          ]}
        />
      </Form>
    </Modal>
  );
}
