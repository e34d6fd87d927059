import { useEffect, useState } from 'react';
import { Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatMoney } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { labelOf, optionsOf, RESERVE_MODE } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { RegionSelect } from '../common/RegionSelect';
import { FormModal } from './FormModal';
import { AgreementCheckModal } from './AgreementCheckModal';
import { AgreementChecks } from './AgreementChecks';

const AgreementsQuery = graphql(`
  query Agreements($first: Int, $after: String) {
    agreements(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          mode
          status
          contractNo
          validFrom
          validTo
          annualFee
          company {
            name
          }
          region {
            name
          }
          lines {
            item {
              id
              name
              unit
            }
            quantity
            dailyCapacity
            lastCheckedQuantity
            effectiveQuantity
          }
          checks {
            id
            checkedOn
            findings
            recordedBy {
              displayName
            }
            lines {
              item {
                name
                unit
              }
              countedQuantity
            }
          }
        }
      }
    }
  }
`);

const CreateAgreement = graphql(`
  mutation CreateAgreement($input: AgreementInput!) {
    createAgreement(input: $input) {
      id
    }
  }
`);

type Agreement = ResultOf<typeof AgreementsQuery>['agreements']['edges'][number]['node'];
interface Values {
  mode: 'AGREEMENT' | 'ENTRUSTED' | 'CAPACITY';
  companyName: string;
  regionCode: string;
  contractNo?: string;
  period: [Dayjs, Dayjs];
  annualFee?: string;
  lines: { itemId: string; quantity?: number; dailyCapacity?: number; unitPrice?: string; responseHours?: number }[];
}

const STATUS: Record<string, [string, string]> = {
  ACTIVE: ['有效', 'green'],
  EXPIRING: ['即将到期', 'orange'],
  EXPIRED: ['已到期', 'red'],
  NOT_STARTED: ['未生效', 'blue'],
};

/** A line as the list shows it: AGREEMENT lines count for min(committed, last counted) once spot-checked (D6). */
function lineText(a: Agreement, l: Agreement['lines'][number]) {
  if (l.quantity === null) return `${l.item.name} ${l.dailyCapacity}/日`;
  const effective = a.mode === 'AGREEMENT' ? `，计 ${l.effectiveQuantity}` : '';
  const counted = l.lastCheckedQuantity === null ? '' : `（抽查实存 ${l.lastCheckedQuantity}${effective}）`;
  return `${l.item.name} ${l.quantity}${counted}`;
}

/**
 * 协议储备: agreement, entrusted and capacity reserves (D6) with their lines; a new agreement (an agreement line with
 * its price, D6, D21: the API refuses one without); 记录抽查 of what a company holds (not of capacity, which
 * holds nothing), its checks shown under the row.
 */
export default function AgreementsPage() {
  const pages = useCursorPages();
  const { remember, page } = pages;
  const [{ data, fetching }, refetch] = useQuery({ query: AgreementsQuery, variables: pages.variables });
  useEffect(() => remember(page, data?.agreements.pageInfo.endCursor), [data, page, remember]);
  const [, create] = useMutation(CreateAgreement);
  const [checking, setChecking] = useState<Agreement>();
  return (
    <Card
      title="协议储备"
      extra={
        <FormModal<Values>
          title="新建协议"
          fieldAliases={{ validFrom: 'period', validTo: 'period' }}
          initialValues={{ mode: 'AGREEMENT', lines: [{ itemId: '' }] }}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
          submit={({ period, ...v }) => create({ input: { ...v, validFrom: period[0].format('YYYY-MM-DD'), validTo: period[1].format('YYYY-MM-DD') } })}
        >
          <Form.Item name="mode" label="储备方式" rules={[{ required: true }]}>
            <Select options={optionsOf(RESERVE_MODE).filter((o) => o.value !== 'PHYSICAL')} />
          </Form.Item>
          <Form.Item name="companyName" label="企业名称" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="regionCode" label="区划" rules={[{ required: true, message: '请选择区划' }]}>
            <RegionSelect placeholder="选择区划" />
          </Form.Item>
          <Form.Item name="contractNo" label="合同编号">
            <Input />
          </Form.Item>
          <Form.Item name="period" label="有效期" rules={[{ required: true }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="annualFee" label="年费（元）">
            <Input />
          </Form.Item>
          <Form.List name="lines">
            {(fields) =>
              fields.map((f) => (
                <Space key={f.key} wrap>
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true }]}>
                    <ItemSelect style={{ width: 200 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label="数量" rules={quantityRules('quantity')}>
                    <QuantityInput />
                  </Form.Item>
                  <Form.Item name={[f.name, 'dailyCapacity']} label="日产能" rules={quantityRules('quantity')}>
                    <QuantityInput />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'unitPrice']}
                    label="协议单价（元）"
                    dependencies={['mode']}
                    rules={[({ getFieldValue }) => ({ required: getFieldValue('mode') === 'AGREEMENT', message: '请填写协议单价' })]}
                  >
                    <Input style={{ width: 110 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'responseHours']} label="响应（小时）">
                    <InputNumber min={0} />
                  </Form.Item>
                </Space>
              ))
            }
          </Form.List>
        </FormModal>
      }
    >
      <Table<Agreement>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.agreements.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.agreements.totalCount)}
        scroll={{ x: 1000 }}
        expandable={{ expandedRowRender: (a) => <AgreementChecks checks={a.checks} />, rowExpandable: (a) => a.mode !== 'CAPACITY' }}
        columns={[
          { title: '企业', render: (_, a) => a.company.name },
          { title: '方式', render: (_, a) => labelOf(RESERVE_MODE, a.mode) },
          { title: '区划', render: (_, a) => a.region.name },
          { title: '有效期', render: (_, a) => `${a.validFrom} 至 ${a.validTo}` },
          { title: '状态', render: (_, a) => <Tag color={STATUS[a.status]?.[1]}>{STATUS[a.status]?.[0] ?? a.status}</Tag> },
          { title: '年费', align: 'right', render: (_, a) => formatMoney(a.annualFee) },
          { title: '物资', render: (_, a) => a.lines.map((l) => lineText(a, l)).join('；') },
          { title: '最近抽查', render: (_, a) => (a.mode === 'CAPACITY' ? '—' : (a.checks[0]?.checkedOn ?? '未抽查')) },
          {
            title: '操作',
            render: (_, a) =>
              a.mode !== 'CAPACITY' && (
                <Button type="link" size="small" onClick={() => setChecking(a)}>
                  记录抽查
                </Button>
              ),
          },
        ]}
      />
      {checking && (
        <AgreementCheckModal
          agreement={checking}
          onClose={(done) => {
            setChecking(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
