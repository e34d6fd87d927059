import { forwardRef, type Ref } from 'react';
import { Button, Card, DatePicker, Form, Input, Select, Space, type RefSelectProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { graphql, type VariablesOf } from '../graphql/graphql';
import { ItemSelect } from '../common/ItemSelect';
import { optionsOf, RESERVE_MODE, STORE_KIND } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { RegionSelect } from '../common/RegionSelect';
import { StoreSelect } from '../common/StoreSelect';

export const CreateAgreement = graphql(`
  mutation CreateAgreement($input: AgreementInput!) {
    createAgreement(input: $input) {
      id
    }
  }
`);

type Mode = 'AGREEMENT' | 'ENTRUSTED' | 'CAPACITY';
type AgreementInput = VariablesOf<typeof CreateAgreement>['input'];
type LineField = 'quantity' | 'unitPrice' | 'responseHours' | 'dailyCapacity' | 'leadDays';

export interface AgreementValues {
  mode: Mode;
  companyName: string;
  regionCode: string;
  storeId?: string;
  contractNo?: string;
  validFrom: Dayjs;
  validTo: Dayjs;
  annualFee?: string;
  lines: ({ itemId: string } & Partial<Record<LineField, string | number | null>>)[];
}

/**
 * D6: what a line of each mode states (AgreementLineInput). An agreement or an entrusted reserve commits a quantity
 * (at a price, delivered within hours of a call-off); a capacity reserve commits production: units per day once the
 * company has had its lead days.
 */
const LINE_FIELDS: Record<Mode, LineField[]> = {
  AGREEMENT: ['quantity', 'unitPrice', 'responseHours'],
  ENTRUSTED: ['quantity', 'unitPrice', 'responseHours'],
  CAPACITY: ['dailyCapacity', 'unitPrice', 'leadDays'],
};

/**
 * The company's store (D6, D2): an entrusted reserve lies in a 代储库 and needs one; an agreement may name its
 * 协议储备库; capacity (production) has none.
 */
const STORE_KIND_OF: Partial<Record<Mode, 'ENTRUSTED' | 'AGREEMENT'>> = { ENTRUSTED: 'ENTRUSTED', AGREEMENT: 'AGREEMENT' };

/**
 * The API's input from the form: only the store and line fields of the chosen mode (a field filled in under another
 * mode and hidden since is not sent).
 */
export function agreementInput({ validFrom, validTo, storeId, lines, ...v }: AgreementValues): AgreementInput {
  const fields = LINE_FIELDS[v.mode];
  return {
    ...v,
    storeId: STORE_KIND_OF[v.mode] ? (storeId ?? null) : null,
    validFrom: validFrom.format('YYYY-MM-DD'),
    validTo: validTo.format('YYYY-MM-DD'),
    lines: lines.map((l) => ({
      itemId: l.itemId,
      ...Object.fromEntries(fields.filter((f) => l[f] !== undefined && l[f] !== null && l[f] !== '').map((f) => [f, l[f]])),
    })),
  };
}

/**
 * Picks a company store of a kind, in the agreement's region when one is chosen; says who operates it. Sweep 22a, left
 * over: it read the region's first 500 stores of the kind and filtered them here — the 501st could not be picked; it is
 * the one store picker now, searching the server as one types (`stores(kind, search)`, the chosen one by `stores(ids)`).
 */
const CompanyStoreSelect = forwardRef(function CompanyStoreSelect(
  {
    kind,
    regionCode,
    onOperator,
    ...rest
  }: {
    kind: 'ENTRUSTED' | 'AGREEMENT';
    regionCode?: string;
    /** The company operating the store picked. */
    onOperator: (name: string | undefined) => void;
    id?: string;
    value?: string;
    onChange?: (id: string) => void;
    allowClear?: boolean;
  },
  ref: Ref<RefSelectProps>,
) {
  return (
    <StoreSelect
      ref={ref}
      {...rest}
      kind={kind}
      regionCode={regionCode}
      withOperator
      placeholder={`选择${STORE_KIND[kind]}`}
      emptyText={`该区划没有匹配的${STORE_KIND[kind]}`}
      onPick={(store) => onOperator(store?.operator?.name)}
    />
  );
});

/**
 * 新建协议's fields: the mode, the company and its store where the mode has one, the term, and the item lines — as
 * many as the contract names, each with the fields of its mode. The API checks them; its refusals land next to the
 * field they name (input.storeId, input.lines.1.quantity).
 */
export function AgreementFields() {
  const form = Form.useFormInstance<AgreementValues>();
  const mode = Form.useWatch('mode', form) ?? 'AGREEMENT';
  const regionCode = Form.useWatch('regionCode', form);
  const storeKind = STORE_KIND_OF[mode];
  // A store picked for another mode or region is not this agreement's.
  const clearStore = () => form.setFieldValue('storeId', undefined);
  const shown = LINE_FIELDS[mode];
  return (
    <>
      <Form.Item name="mode" label="储备方式" rules={[{ required: true }]}>
        <Select options={optionsOf(RESERVE_MODE).filter((o) => o.value !== 'PHYSICAL')} onChange={clearStore} />
      </Form.Item>
      <Form.Item name="companyName" label="企业名称" rules={[{ required: true, message: '请填写企业名称' }]}>
        <Input />
      </Form.Item>
      <Form.Item name="regionCode" label="区划" rules={[{ required: true, message: '请选择区划' }]}>
        <RegionSelect placeholder="选择区划" onChange={clearStore} />
      </Form.Item>
      {storeKind && (
        <Form.Item
          name="storeId"
          label={mode === 'ENTRUSTED' ? '代储库' : '协议储备库'}
          extra={mode === 'ENTRUSTED' ? '企业代为储存政府物资的仓库，须由该企业运营' : '企业存放协议物资的仓库，可不填'}
          rules={[{ required: mode === 'ENTRUSTED', message: '企业代储须指定代储库' }]}
        >
          <CompanyStoreSelect
            kind={storeKind}
            regionCode={regionCode}
            allowClear
            onOperator={(name) => {
              // The agreement is with the store's operator (the API checks the two agree): filled in when left blank.
              if (name && !form.getFieldValue('companyName')?.trim()) form.setFields([{ name: 'companyName', value: name, errors: [] }]);
            }}
          />
        </Form.Item>
      )}
      <Form.Item name="contractNo" label="合同编号">
        <Input />
      </Form.Item>
      {/* Sweep 20b F2: two pickers, not a range — a range picker replaced an end typed before the start by the start (a
          one-day agreement saved without a word); here the end typed stays, and is refused at its field. */}
      <Space wrap>
        <Form.Item name="validFrom" label="有效期自" rules={[{ required: true, message: '请选择开始日期' }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item
          name="validTo"
          label="至"
          dependencies={['validFrom']}
          rules={[
            { required: true, message: '请选择结束日期' },
            ({ getFieldValue }) => ({
              validator: (_, to?: Dayjs) => {
                const from = getFieldValue('validFrom') as Dayjs | undefined;
                return to && from && to.isBefore(from, 'day') ? Promise.reject(new Error('结束日期不能早于开始日期')) : Promise.resolve();
              },
            }),
          ]}
        >
          <DatePicker />
        </Form.Item>
      </Space>
      <Form.Item name="annualFee" label="年费（元）">
        <Input />
      </Form.Item>
      <Form.List name="lines">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, i) => (
              <Card
                key={f.key}
                size="small"
                title={`品种 ${i + 1}`}
                style={{ marginBottom: 12 }}
                extra={
                  fields.length > 1 && (
                    <Button type="link" size="small" danger onClick={() => remove(f.name)}>
                      删除
                    </Button>
                  )
                }
              >
                <Space wrap align="start">
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                    <ItemSelect style={{ width: 200 }} />
                  </Form.Item>
                  {shown.includes('quantity') && (
                    <Form.Item
                      name={[f.name, 'quantity']}
                      label={mode === 'ENTRUSTED' ? '代储数量' : '协议数量'}
                      rules={quantityRules('quantity', '请填写数量')}
                    >
                      <QuantityInput />
                    </Form.Item>
                  )}
                  {shown.includes('dailyCapacity') && (
                    <Form.Item name={[f.name, 'dailyCapacity']} label="日产能" rules={quantityRules('quantity', '请填写日产能')}>
                      <QuantityInput />
                    </Form.Item>
                  )}
                  <Form.Item name={[f.name, 'unitPrice']} label="协议单价（元）" rules={[{ required: mode === 'AGREEMENT', message: '请填写协议单价' }]}>
                    <Input style={{ width: 110 }} />
                  </Form.Item>
                  {shown.includes('responseHours') && (
                    <Form.Item name={[f.name, 'responseHours']} label="响应（小时）" rules={[{ required: mode === 'AGREEMENT', message: '请填写响应时间' }]}>
                      <QuantityInput />
                    </Form.Item>
                  )}
                  {shown.includes('leadDays') && (
                    <Form.Item name={[f.name, 'leadDays']} label="生产准备（天）">
                      <QuantityInput placeholder="0" />
                    </Form.Item>
                  )}
                </Space>
              </Card>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
              添加品种
            </Button>
          </>
        )}
      </Form.List>
    </>
  );
}
