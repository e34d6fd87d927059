import { useEffect, useState } from 'react';
import { Button, Card, Space, Table, Tag } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatMoney, formatQuantity } from '../common/format';
import { labelOf, RESERVE_MODE } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { FormModal } from './FormModal';
import { AgreementCheckModal } from './AgreementCheckModal';
import { AgreementEndModal } from './AgreementEndModal';
import { AgreementChecks } from './AgreementChecks';
import { AgreementFields, agreementInput, CreateAgreement, type AgreementValues } from './AgreementForm';

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
          contractValidTo
          endedAt
          endReason
          annualFee
          company {
            name
          }
          region {
            name
          }
          store {
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
            leadDays
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

type Agreement = ResultOf<typeof AgreementsQuery>['agreements']['edges'][number]['node'];

const STATUS: Record<string, [string, string]> = {
  ACTIVE: ['有效', 'green'],
  EXPIRING: ['即将到期', 'orange'],
  EXPIRED: ['已到期', 'red'],
  NOT_STARTED: ['未生效', 'blue'],
  // D6, D22 (sweep 22b F2): ended early by endAgreement — after its last day, or at once when voided.
  ENDED: ['已终止', 'default'],
};

/** A line as the list shows it: AGREEMENT lines count for min(committed, last counted) once spot-checked (D6). */
function lineText(a: Agreement, l: Agreement['lines'][number]) {
  // Sweep 22c F6: quantities grouped, with the item's unit (「棉被 1,000 床」, 「棉帐篷 300 顶/日」).
  const amount = (n: number | null | undefined) => formatQuantity(n, l.item.unit);
  if (l.quantity === null) return `${l.item.name} ${amount(l.dailyCapacity)}/日${l.leadDays ? `（准备 ${l.leadDays} 天）` : ''}`;
  const effective = a.mode === 'AGREEMENT' ? `，计 ${amount(l.effectiveQuantity)}` : '';
  const counted = l.lastCheckedQuantity === null ? '' : `（抽查实存 ${amount(l.lastCheckedQuantity)}${effective}）`;
  return `${l.item.name} ${amount(l.quantity)}${counted}`;
}

/**
 * 协议储备: agreement, entrusted and capacity reserves (D6) with their company's store and their lines; a new
 * agreement of any of the three modes, with as many lines as it names (AgreementForm); 记录抽查 of what a company holds
 * (not of capacity, which holds nothing), its checks shown under the row.
 */
export default function AgreementsPage() {
  const pages = useCursorPages();
  const { remember, page } = pages;
  const [{ data, fetching }, refetch] = useQuery({ query: AgreementsQuery, variables: pages.variables });
  useEffect(() => remember(page, data?.agreements.pageInfo.endCursor), [data, page, remember]);
  const [, create] = useMutation(CreateAgreement);
  const [checking, setChecking] = useState<Agreement>();
  const [ending, setEnding] = useState<Agreement>();
  return (
    <Card
      title="协议储备"
      extra={
        <FormModal<AgreementValues>
          title="新建协议"
          name="agreement"
          initialValues={{ mode: 'AGREEMENT', lines: [{ itemId: '' }] }}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
          // Sweep 23c: the dialog's key — 保存 again after a lost answer gets the agreement recorded, not 「已登记」.
          submit={(v, _form, idempotencyKey) => create({ input: { ...agreementInput(v), idempotencyKey } })}
          // Sweep 20b F2: said, as after every other 新建.
          success={(v) => `与「${v.companyName.trim()}」的协议已保存`}
        >
          <AgreementFields />
        </FormModal>
      }
    >
      <Table<Agreement>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.agreements.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.agreements.totalCount, { query: AgreementsQuery, variables: {} })}
        scroll={{ x: 1000 }}
        expandable={{ expandedRowRender: (a) => <AgreementChecks checks={a.checks} />, rowExpandable: (a) => a.mode !== 'CAPACITY' }}
        columns={[
          { title: '企业', render: (_, a) => a.company.name },
          { title: '方式', render: (_, a) => labelOf(RESERVE_MODE, a.mode) },
          { title: '区划', render: (_, a) => a.region.name },
          { title: '仓库', render: (_, a) => a.store?.name ?? '—' },
          {
            title: '有效期',
            // D22: an agreement ended early shows the contract's end and why it ended (a void: from its start, never in force).
            render: (_, a) =>
              a.endedAt
                ? `${a.validFrom} 至 ${a.validTo < a.validFrom ? '（已作废）' : `${a.validTo}（提前终止，原至 ${a.contractValidTo}：${a.endReason}）`}`
                : `${a.validFrom} 至 ${a.validTo}`,
          },
          { title: '状态', render: (_, a) => <Tag color={STATUS[a.status]?.[1]}>{STATUS[a.status]?.[0] ?? a.status}</Tag> },
          { title: '年费', align: 'right', render: (_, a) => formatMoney(a.annualFee) },
          { title: '物资', render: (_, a) => a.lines.map((l) => lineText(a, l)).join('；') },
          { title: '最近抽查', render: (_, a) => (a.mode === 'CAPACITY' ? '—' : (a.checks[0]?.checkedOn ?? '未抽查')) },
          {
            title: '操作',
            render: (_, a) => (
              <Space size={0}>
                {a.mode !== 'CAPACITY' && (
                  <Button type="link" size="small" onClick={() => setChecking(a)}>
                    记录抽查
                  </Button>
                )}
                {!a.endedAt && a.status !== 'EXPIRED' && (
                  <Button type="link" size="small" danger onClick={() => setEnding(a)}>
                    提前终止
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {ending && (
        <AgreementEndModal
          agreement={ending}
          onClose={(done) => {
            setEnding(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
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
