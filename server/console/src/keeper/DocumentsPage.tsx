import { useEffect } from 'react';
import { Card, Select, Table } from 'antd';
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
    movements(filter: { storeId: $storeId }, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          quantity
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

type Movement = ResultOf<typeof MovementsQuery>['movements']['edges'][number]['node'];

/** 单据: the store's movements with their documents, each opening the printable document. */
export default function DocumentsPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [storeId, reset]);
  const [{ data, fetching }] = useQuery({ query: MovementsQuery, variables: { storeId: storeId ?? '', ...pages.variables }, pause: !storeId });
  useEffect(() => remember(page, data?.movements.pageInfo.endCursor), [data, page, remember]);
  return (
    <Card title="单据" extra={<Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} />}>
      <Table<Movement>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.movements.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.movements.totalCount)}
        columns={[
          { title: '业务时间', render: (_, m) => formatDateTime(m.occurredAt) },
          { title: '单据号', render: (_, m) => <Link to={`/documents/${m.document.id}`}>{m.document.number}</Link> },
          { title: '类型', render: (_, m) => labelOf(DOCUMENT_TYPE, m.document.type) },
          { title: '物资', render: (_, m) => m.item.name },
          { title: '数量', align: 'right', render: (_, m) => `${m.quantity > 0 ? '+' : ''}${m.quantity} ${m.item.unit}` },
          { title: '状态', render: (_, m) => labelOf(DOCUMENT_STATUS, m.document.status) },
          { title: '', render: (_, m) => <PrintButton size="small" path={`/paperwork/documents/${m.document.id}.html`} /> },
        ]}
      />
    </Card>
  );
}
