import { useState } from 'react';
import { App, Button, Form, Input, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation } from 'urql';
import { graphql, type VariablesOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { optionsOf, OUTBOUND_PURPOSE } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { StoreSelect } from '../common/StoreSelect';
import { noSubmitOnEnter } from '../common/no-submit-on-enter';

const RequestOrder = graphql(`
  mutation RequestOutboundOrder($input: OutboundOrderInput!) {
    requestOutboundOrder(input: $input) {
      id
      number
      approval {
        summary
      }
    }
  }
`);

/** 18b F10 (D23): the warning the approver reads with the request — stock short of it when asked — told to the keeper too. */
const shortfallOf = (summary: string | undefined): string | null => /（(注意：申请时库存不足.*)）$/.exec(summary ?? '')?.[1] ?? null;

type Values = Omit<VariablesOf<typeof RequestOrder>['input'], 'idempotencyKey' | 'storeId'>;

/** 申请出库: the order a second person approves before the stock may leave (D23, D24). */
export function RequestOrderForm({ storeId, onRequested }: { storeId: string; onRequested: () => void }) {
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, request] = useMutation(RequestOrder);
  const { message } = App.useApp();
  const submit = async (v: Values) => {
    setAlerts([]);
    const result = await request({ input: { ...v, storeId, idempotencyKey: key } });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    const order = result.data?.requestOutboundOrder;
    const shortfall = shortfallOf(order?.approval?.summary);
    if (shortfall) void message.warning(`出库申请 ${order?.number} 已提交，等待审批。${shortfall}`, 8);
    else void message.success(`出库申请 ${order?.number} 已提交，等待审批`);
    form.resetFields();
    setKey(newIdempotencyKey());
    onRequested();
  };
  return (
    <>
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        name="request"
        layout="vertical"
        initialValues={{ purpose: 'RELIEF', lines: [{}] }}
        onFinish={(v) => void submit(v)}
        onKeyDown={noSubmitOnEnter}
      >
        <Space wrap>
          <Form.Item name="purpose" label="用途" rules={[{ required: true }]}>
            <Select style={{ width: 140 }} options={optionsOf(OUTBOUND_PURPOSE)} />
          </Form.Item>
          <Form.Item noStyle dependencies={['purpose']}>
            {({ getFieldValue }) =>
              getFieldValue('purpose') === 'TRANSFER' ? (
                <Form.Item name="toStoreId" label="调入仓库" rules={[{ required: true, message: '调拨须选择调入仓库' }]}>
                  <StoreSelect style={{ width: 240 }} placeholder="选择调入仓库" transferFrom={storeId} />
                </Form.Item>
              ) : (
                // Sweep 16b F6: the server asks for it for every purpose but 调拨 and 报废 (D23), so the form marks and checks it.
                <Form.Item
                  name="recipient"
                  label="领用单位"
                  rules={[{ required: getFieldValue('purpose') !== 'SCRAP', whitespace: true, message: '须填写领用单位/接收方' }]}
                >
                  <Input style={{ width: 240 }} />
                </Form.Item>
              )
            }
          </Form.Item>
        </Space>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} wrap align="start">
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                    <ItemSelect style={{ width: 260 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label="数量" rules={quantityRules('quantity', '请输入数量')}>
                    <QuantityInput />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined aria-label="删除此行" onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Form.Item>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                  添加一行
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Form.Item name="note" label="事由">
          <Input.TextArea rows={2} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={fetching}>
          提交申请
        </Button>
      </Form>
    </>
  );
}
