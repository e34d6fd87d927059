import { useState } from 'react';
import { Button, Card, Col, Form, Input, InputNumber, Result, Row, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useMutation } from 'urql';
import { graphql, type VariablesOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { useStoreChoice } from '../common/useStoreChoice';
import { useReasonOptions } from './reasons';

const IssueMutation = graphql(`
  mutation IssueStock($input: IssueStockInput!) {
    issueStock(input: $input) {
      id
      number
      status
    }
  }
`);

type Values = Omit<VariablesOf<typeof IssueMutation>['input'], 'idempotencyKey'>;

/** 出库: issue to a recipient, first-expiry-first-out unless a batch is named (D8). */
export default function IssuePage() {
  const { storeId, options } = useStoreChoice();
  const reasons = useReasonOptions('ISSUE');
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching, data }, issue] = useMutation(IssueMutation);
  const [done, setDone] = useState(false);
  const submit = async (v: Values) => {
    setAlerts([]);
    const result = await issue({ input: { ...v, idempotencyKey: key } });
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else setDone(true);
  };
  if (done && data)
    return (
      <Result
        status="success"
        title={`出库单 ${data.issueStock.number} 已提交`}
        extra={[
          <Link key="doc" to={`/documents/${data.issueStock.id}`}>
            <Button type="primary">打印出库单</Button>
          </Link>,
          <Button
            key="again"
            onClick={() => {
              form.resetFields();
              setKey(newIdempotencyKey());
              setDone(false);
            }}
          >
            继续出库
          </Button>,
        ]}
      />
    );
  return (
    <Card title="出库">
      <FormAlerts messages={alerts} />
      <Form form={form} layout="vertical" initialValues={{ storeId, lines: [{}] }} onFinish={(v) => void submit(v)}>
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="storeId" label="仓库" rules={[{ required: true }]}>
              <Select options={options} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="recipient" label="领用单位" rules={[{ required: true, message: '请填写领用单位' }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="reason" label="出库原因" rules={[{ required: true, message: '请选择出库原因' }]}>
              <Select options={reasons} />
            </Form.Item>
          </Col>
        </Row>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} wrap align="start">
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                    <ItemSelect style={{ width: 260 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label="数量" rules={[{ required: true, message: '请输入数量' }]}>
                    <InputNumber min={1} precision={0} />
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
        <Form.Item name="note" label="备注">
          <Input.TextArea rows={2} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={fetching}>
          出库（先到期先出）
        </Button>
      </Form>
    </Card>
  );
}
