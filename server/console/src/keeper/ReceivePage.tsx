import { useEffect, useState } from 'react';
import { Button, Card, Col, DatePicker, Form, Input, Result, Row, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { noSubmitOnEnter } from '../common/no-submit-on-enter';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { FUNDING_SOURCE, optionsOf, RECEIPT_SOURCE } from '../common/labels';
import { useLeaveGuard } from '../common/useLeaveGuard';
import { useStoreChoice } from '../common/useStoreChoice';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { unitPriceRule } from '../common/money-rule';
import { OpeningBalance } from './OpeningBalance';

const ReceiveMutation = graphql(`
  mutation ReceiveStock($input: ReceiveStockInput!) {
    receiveStock(input: $input) {
      id
      number
      lines {
        quantity
        batch {
          batchNo
        }
      }
    }
  }
`);

const ReceiptOwnersQuery = graphql(`
  query ReceiptOwners($storeId: ID!) {
    receiptOwners(storeId: $storeId) {
      level
      defaultFor
      organization {
        id
        name
      }
    }
  }
`);

type Owner = ResultOf<typeof ReceiptOwnersQuery>['receiptOwners'][number];

/**
 * D3, D21 (sweep 18b F11, 21b F3): whose goods a line's funds bought — the owner the server gives a line with that
 * funding and no owner, the one whose `defaultFor` lists it (市级 funds: the city's; 企业: the operating company); none
 * listing it (a donation, central funds): none chosen, the server's default — the store's own government, or an
 * agreement store's operator. The rule is the server's alone; this only shows it.
 */
function ownerFunded(owners: readonly Owner[], funding: string | undefined): string | undefined {
  return funding ? owners.find((o) => (o.defaultFor as readonly string[]).includes(funding))?.organization.id : undefined;
}

type Input = VariablesOf<typeof ReceiveMutation>['input'];
type LineValues = Omit<Input['lines'][number], 'productionDate' | 'expiryDate'> & { productionDate?: Dayjs; expiryDate?: Dayjs };
type Values = Omit<Input, 'lines' | 'idempotencyKey'> & { lines: LineValues[] };

const day = (d: Dayjs | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** A value typed or chosen: not empty, not blank (a date is an object, a quantity a number). */
const filled = (v: unknown) => v !== undefined && v !== null && (typeof v !== 'string' || v.trim() !== '');

/**
 * Whether anything was entered for the receipt: a line's field, or a document field typed. The store and the source
 * are chosen for it from the start (a choice alone is nothing to lose).
 */
const anyEntered = (v: Partial<Values> | undefined) =>
  !!v &&
  ([v.sourceName, v.contractNo, v.inspectionReportNo, v.reference, v.note].some(filled) || (v.lines ?? []).some((l) => !!l && Object.values(l).some(filled)));

/**
 * 入库: a receipt with batch lines; a purchase records its contract and inspection report (D7). Leaving the page with
 * lines or fields entered and not posted asks first (useLeaveGuard).
 */
export default function ReceivePage() {
  const { storeId, options } = useStoreChoice();
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching, data }, receive] = useMutation(ReceiveMutation);
  const [done, setDone] = useState(false);
  const source = Form.useWatch('source', form);
  const chosenStore = (Form.useWatch('storeId', form) as string | undefined) ?? storeId;
  // D3: the 产权单位 the store may record (receiptOwners), for each line's choice.
  const [{ data: ownersData }] = useQuery({ query: ReceiptOwnersQuery, variables: { storeId: chosenStore ?? '' }, pause: !chosenStore });
  const owners = ownersData?.receiptOwners;
  // Another store, other owners: a line's owner the new store may not record is cleared (back to the default).
  useEffect(() => {
    if (!owners) return;
    const ids = new Set(owners.map((o) => o.organization.id));
    const lines = (form.getFieldValue('lines') as LineValues[] | undefined) ?? [];
    lines.forEach((l, i) => {
      if (l?.ownerOrgId && !ids.has(l.ownerOrgId)) form.setFieldValue(['lines', i, 'ownerOrgId'], undefined);
    });
  }, [owners, form]);
  // What was entered and not yet posted is not dropped without a word (as on 盘点); nothing to ask once it is posted.
  const entered = Form.useWatch((v: Partial<Values>) => anyEntered(v), form);
  useLeaveGuard(!done && !!entered, '录入的入库内容尚未过账，离开本页将丢失。');

  const submit = async (v: Values) => {
    setAlerts([]);
    const lines = v.lines.map((l) => ({ ...l, productionDate: day(l.productionDate), expiryDate: day(l.expiryDate) }));
    const result = await receive({ input: { ...v, lines, idempotencyKey: key } });
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else setDone(true);
  };
  const again = () => {
    form.resetFields();
    setKey(newIdempotencyKey());
    setDone(false);
  };

  if (done && data)
    return (
      <Result
        status="success"
        title={`入库单 ${data.receiveStock.number} 已过账`}
        subTitle={data.receiveStock.lines.map((l) => `批号 ${l.batch.batchNo}：${l.quantity}`).join('；')}
        extra={[
          <Link key="stock" to="/keeper/stock">
            <Button type="primary">查看库存</Button>
          </Link>,
          <Link key="doc" to={`/documents/${data.receiveStock.id}`}>
            <Button>打印入库单</Button>
          </Link>,
          <Button key="again" onClick={again}>
            继续入库
          </Button>,
        ]}
      />
    );

  return (
    <Card title="入库" extra={chosenStore && <OpeningBalance storeId={chosenStore} storeName={options.find((o) => o.value === chosenStore)?.label} />}>
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        layout="vertical"
        initialValues={{ storeId, source: 'PURCHASE', lines: [{ quantity: undefined }] }}
        onFinish={(v) => void submit(v)}
        onKeyDown={noSubmitOnEnter}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="storeId" label="仓库" rules={[{ required: true, message: '请选择仓库' }]}>
              <Select options={options} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="source" label="来源" rules={[{ required: true }]}>
              <Select options={optionsOf(RECEIPT_SOURCE)} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="sourceName" label="供货单位 / 捐赠方">
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="contractNo" label="合同编号" rules={[{ required: source === 'PURCHASE', message: '采购入库须填写合同编号' }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="inspectionReportNo" label="验收报告编号" rules={[{ required: source === 'PURCHASE', message: '采购入库须填写验收报告编号' }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="reference" label="凭证号">
              <Input />
            </Form.Item>
          </Col>
        </Row>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} wrap align="start" className="receipt-line">
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                    <ItemSelect style={{ width: 240 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label="数量" rules={quantityRules('quantity', '请输入数量')}>
                    <QuantityInput />
                  </Form.Item>
                  <Form.Item name={[f.name, 'batchNo']} label="批号">
                    <Input placeholder="留空自动编号" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'origin']} label="产地">
                    {/* D7: 产地 is on every batch's label (the trace shows it) */}
                    <Input style={{ width: 140 }} maxLength={64} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'productionDate']} label="生产日期">
                    <DatePicker />
                  </Form.Item>
                  <Form.Item name={[f.name, 'expiryDate']} label="有效期至">
                    <DatePicker />
                  </Form.Item>
                  <Form.Item name={[f.name, 'unitPrice']} label="单价（元）" rules={[unitPriceRule]}>
                    <Input style={{ width: 110 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'fundingSource']} label="资金来源">
                    <Select
                      style={{ width: 110 }}
                      allowClear
                      options={optionsOf(FUNDING_SOURCE)}
                      // D3, D21: the funds' government becomes the line's owner, which the keeper may still change.
                      onChange={(funding?: string) => form.setFieldValue(['lines', f.name, 'ownerOrgId'], ownerFunded(owners ?? [], funding))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'ownerOrgId']}
                    label="产权单位"
                    tooltip="物资归谁所有（D3）：默认为本库所在地政府（协议储备库为运营企业）；上级资金购置的归出资的上级政府"
                  >
                    <Select
                      style={{ width: 180 }}
                      allowClear
                      placeholder="默认"
                      options={(owners ?? []).map((o) => ({ value: o.organization.id, label: o.organization.name }))}
                    />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined className="line-remove" aria-label="删除此行" onClick={() => remove(f.name)} />}
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
          过账入库
        </Button>
      </Form>
    </Card>
  );
}
