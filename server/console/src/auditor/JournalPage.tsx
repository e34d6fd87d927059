import { useEffect, useState } from 'react';
import { Card, DatePicker, Select, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { ExcelButton } from '../common/ExcelButton';
import { endOfChinaDay, formatDateTime, formatMoney, formatNumber, startOfChinaDay } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { DOCUMENT_TYPE, labelOf, optionsOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { StoreSelect } from '../common/StoreSelect';
import { CorrectionLink } from '../documents/CorrectionLink';

const JournalQuery = graphql(`
  query Journal($filter: JournalFilter!, $first: Int, $after: String) {
    journal(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          type
          quantity
          unitPrice
          value
          bucket
          reason {
            name
          }
          document {
            id
            number
            type
            status
            note
            reverses {
              id
              number
            }
            reversedBy {
              id
              number
              type
            }
          }
          store {
            name
          }
          item {
            name
            unit
          }
          batch {
            id
            batchNo
          }
          actor {
            displayName
          }
        }
      }
    }
  }
`);

const NOWRAP = { whiteSpace: 'nowrap' } as const;

type Movement = ResultOf<typeof JournalQuery>['journal']['edges'][number]['node'];
type DocumentType = keyof typeof DOCUMENT_TYPE;

/**
 * 原因 as the journal export writes it (D22, sweep 23b F6): a reversal's rows the reversal's own reason (its 备注), not
 * the reason code of the lines it reverses; other rows their reason code's name.
 */
// Sweep 24c F2: a 调拨撤销单's rows its cancel reason, as the export's 原因.
const reasonOf = (m: Movement) => (m.document.type === 'REVERSAL' || m.document.type === 'TRANSFER_CANCEL' ? m.document.note : m.reason?.name) || '—';

/** 流水: every movement with its document, filtered by time, store, item and type; Excel of the same filter. */
export default function JournalPage() {
  const user = useUser();
  const regionCode = user.region?.code ?? undefined;
  const [range, setRange] = useState<[string, string]>();
  /** The days picked (YYYY-MM-DD): the export takes them as they are — a day's end is its 24:00, today's is now. */
  const [days, setDays] = useState<[string, string]>();
  const [storeId, setStoreId] = useState<string>();
  const [itemId, setItemId] = useState<string>();
  const [documentType, setDocumentType] = useState<DocumentType>();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [range, storeId, itemId, documentType, reset]);
  const filter = { regionCode, storeId, itemId, documentType, from: range?.[0], to: range?.[1] };
  const [{ data, fetching }] = useQuery({ query: JournalQuery, variables: { filter, ...pages.variables } });
  useEffect(() => remember(page, data?.journal.pageInfo.endCursor), [data, page, remember]);
  const onRange = (r: [Dayjs | null, Dayjs | null] | null) => {
    const picked: [string, string] | undefined = r?.[0] && r[1] ? [r[0].format('YYYY-MM-DD'), r[1].format('YYYY-MM-DD')] : undefined;
    setDays(picked);
    setRange(picked && [startOfChinaDay(picked[0]), endOfChinaDay(picked[1])]);
  };
  // Sweep 18c F4: the export refuses an end after now (today's end, 24:00, is one); dates alone mean the same period
  // there, today's end being now, and its title says so.
  const exportParams = { ...filter, from: days?.[0], to: days?.[1] };
  return (
    <Card title="出入库流水" extra={<ExcelButton path="/exports/journal.xlsx" params={exportParams} fileName="出入库流水.xlsx" />}>
      <Space wrap className="form-alert">
        <DatePicker.RangePicker onChange={onRange} />
        <StoreSelect style={{ width: 220 }} allowClear placeholder="全部仓库" aria-label="仓库" regionCode={regionCode} value={storeId} onChange={setStoreId} />
        <ItemSelect style={{ width: 200 }} allowClear value={itemId} onChange={setItemId} placeholder="全部物资" />
        <Select<DocumentType>
          style={{ width: 140 }}
          allowClear
          placeholder="全部类型"
          aria-label="单据类型"
          value={documentType}
          onChange={setDocumentType}
          options={optionsOf(DOCUMENT_TYPE)}
        />
      </Space>
      <Table<Movement>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.journal.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.journal.totalCount, { query: JournalQuery, variables: { filter } })}
        scroll={{ x: 1000 }}
        columns={[
          { title: '业务时间', render: (_, m) => formatDateTime(m.occurredAt) },
          {
            title: '单据',
            render: (_, m) => (
              <Space direction="vertical" size={0}>
                <Link to={`/documents/${m.document.id}`}>{m.document.number}</Link>
                <CorrectionLink doc={m.document} />
              </Space>
            ),
          },
          { title: '类型', render: (_, m) => labelOf(DOCUMENT_TYPE, m.type) + (m.bucket === 'IN_TRANSIT' ? '（在途）' : '') },
          { title: '仓库', render: (_, m) => m.store.name },
          { title: '物资', render: (_, m) => m.item.name },
          { title: '批号', render: (_, m) => <Link to={`/batches/${m.batch.id}`}>{m.batch.batchNo}</Link> },
          // Sweep 16b F9: figures keep to one line — 「-¥196,200.00」 wrapped, the minus alone above the amount.
          { title: '数量', align: 'right', render: (_, m) => <span style={NOWRAP}>{`${formatNumber(m.quantity)} ${m.item.unit}`}</span> },
          { title: '单价', align: 'right', render: (_, m) => <span style={NOWRAP}>{formatMoney(m.unitPrice)}</span> },
          {
            title: '金额',
            align: 'right',
            render: (_, m) => (
              <span style={NOWRAP} data-testid="journal-value">
                {formatMoney(m.value)}
              </span>
            ),
          },
          { title: '原因', render: (_, m) => reasonOf(m) },
          { title: '经办人', render: (_, m) => m.actor.displayName },
        ]}
      />
    </Card>
  );
}
