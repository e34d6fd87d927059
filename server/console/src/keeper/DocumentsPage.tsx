import { useEffect } from 'react';
import { Card, List, Select, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime } from '../common/format';
import { DOCUMENT_STATUS, DOCUMENT_TYPE, labelOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { PrintButton } from '../common/PrintButton';
import { useStoreChoice } from '../common/useStoreChoice';

const MovementsQuery = graphql(`
  query StoreDocuments($storeId: ID!, $first: Int, $after: String) {
    movements(filter: { storeId: $storeId }, first: $first, after: $after, orderBy: OCCURRED) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          quantity
          bucket
          type
          item {
            name
            unit
          }
          document {
            id
            number
            type
            status
          }
        }
      }
    }
  }
`);

// A document awaiting its second person (D27: 盘点, 核销, 报废, 冲销) has no movements yet: it is found through its approval.
const PendingQuery = graphql(`
  query StorePendingDocuments {
    approvals(filter: { status: PENDING }, first: 200) {
      edges {
        node {
          id
          requestedAt
          requestedBy {
            displayName
          }
          document {
            id
            number
            type
            status
            store {
              id
            }
            lines {
              quantity
              item {
                name
                unit
              }
            }
          }
        }
      }
    }
  }
`);

type Movement = ResultOf<typeof MovementsQuery>['movements']['edges'][number]['node'];
type PendingDocument = NonNullable<ResultOf<typeof PendingQuery>['approvals']['edges'][number]['node']['document']> & {
  requestedAt: string;
  requestedBy: string;
};

const inTransit = (m: Movement) => m.bucket === 'IN_TRANSIT';
const signed = (m: { quantity: number; item: { unit: string } }) => `${m.quantity > 0 ? '+' : ''}${m.quantity} ${m.item.unit}`;

/**
 * The row's type from this store's side. A transfer shipped to this store posts 在途 here under the sender's 调拨出库:
 * to the receiver it is 调拨在途 (coming, not yet in the store), never 调拨出库 with a plus sign.
 */
const typeHere = (m: Movement) => (inTransit(m) && m.type === 'TRANSFER_OUT' ? '调拨在途' : labelOf(DOCUMENT_TYPE, m.type));

/**
 * 单据: the store's documents awaiting approval (M5: a submitted stocktake or a transit write-off is found again here,
 * 待审批, before it changes the book), then its movements with their documents, each opening the printable document;
 * newest business time first, the time it shows (D22). In-transit rows stay (the keeper must see what is on its way and
 * receive it) but count in their own 在途 column, apart from stock on hand (D8: 在库 is what can be issued).
 */
export default function DocumentsPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [storeId, reset]);
  const [{ data, fetching }] = useQuery({ query: MovementsQuery, variables: { storeId: storeId ?? '', ...pages.variables }, pause: !storeId });
  useEffect(() => remember(page, data?.movements.pageInfo.endCursor), [data, page, remember]);
  const [pendingAnswer] = useQuery({ query: PendingQuery, pause: !storeId, requestPolicy: 'cache-and-network' });
  const pending = (pendingAnswer.data?.approvals.edges ?? []).flatMap(({ node: a }): PendingDocument[] =>
    a.document && a.document.store?.id === storeId ? [{ ...a.document, requestedAt: a.requestedAt, requestedBy: a.requestedBy.displayName }] : [],
  );
  return (
    <Card title="单据" extra={<Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} />}>
      <Typography.Paragraph type="secondary">
        在库：本库实有库存的增减。在途：已由发出库发运、尚未收货的调拨物资，不计入本库在库；收货时由在途转入在库。
      </Typography.Paragraph>
      {pending.length > 0 && (
        <>
          <Typography.Title level={5}>待审批（审批通过后记账）</Typography.Title>
          <List<PendingDocument>
            size="small"
            bordered
            className="pending-documents"
            rowKey="id"
            dataSource={pending}
            renderItem={(d) => (
              <List.Item actions={[<PrintButton key="print" size="small" path={`/paperwork/documents/${d.id}.html`} />]}>
                <Space wrap size="middle">
                  <Link to={`/documents/${d.id}`}>{d.number}</Link>
                  <span>{labelOf(DOCUMENT_TYPE, d.type)}</span>
                  <span>
                    {d.lines
                      .filter((l) => l.quantity !== 0)
                      .map((l) => `${l.item.name} ${signed(l)}`)
                      .join('；')}
                  </span>
                  <Typography.Text type="secondary">
                    {d.requestedBy} 提交于 {formatDateTime(d.requestedAt)}
                  </Typography.Text>
                  <Tag color="blue">{labelOf(DOCUMENT_STATUS, d.status)}</Tag>
                </Space>
              </List.Item>
            )}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            已过账
          </Typography.Title>
        </>
      )}
      <Table<Movement>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.movements.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.movements.totalCount)}
        scroll={{ x: 900 }}
        columns={[
          { title: '业务时间', render: (_, m) => formatDateTime(m.occurredAt) },
          { title: '单据号', render: (_, m) => <Link to={`/documents/${m.document.id}`}>{m.document.number}</Link> },
          { title: '类型', render: (_, m) => typeHere(m) },
          { title: '物资', render: (_, m) => m.item.name },
          { title: '在库', align: 'right', render: (_, m) => (inTransit(m) ? '—' : signed(m)) },
          { title: '在途', align: 'right', render: (_, m) => (inTransit(m) ? signed(m) : '—') },
          { title: '状态', render: (_, m) => labelOf(DOCUMENT_STATUS, m.document.status) },
          { title: '', render: (_, m) => <PrintButton size="small" path={`/paperwork/documents/${m.document.id}.html`} /> },
        ]}
      />
    </Card>
  );
}
