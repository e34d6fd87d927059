import { useEffect, useState } from 'react';
import { Button, Card, Table, Tabs, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql } from '../graphql/graphql';
import { labelOf, ORDER_STATUS, OUTBOUND_PURPOSE } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { useStoreChoice } from '../common/useStoreChoice';
import { ExecuteOrderModal } from './ExecuteOrderModal';
import { RequestOrderForm } from './RequestOrderForm';
import { OrderFields, type Order } from './order';

const OrdersQuery = graphql(
  `
    query OutboundOrders($filter: OutboundOrderFilter!, $first: Int, $after: String) {
      outboundOrders(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo {
          endCursor
        }
        edges {
          node {
            ...OrderFields
          }
        }
      }
    }
  `,
  [OrderFields],
);

type Status = keyof typeof ORDER_STATUS;

function OrdersTable({ storeId, status, mine, onExecute }: { storeId: string; status?: Status; mine?: boolean; onExecute?: (o: Order) => void }) {
  const user = useUser();
  const pages = useCursorPages();
  const { remember, page } = pages;
  const [{ data, fetching }] = useQuery({
    query: OrdersQuery,
    variables: { filter: { storeId, status }, ...pages.variables },
    requestPolicy: 'cache-and-network',
  });
  useEffect(() => remember(page, data?.outboundOrders.pageInfo.endCursor), [data, page, remember]);
  const orders = (data?.outboundOrders.edges ?? []).map((e) => e.node).filter((o) => !mine || o.requestedBy.id === user.id);
  return (
    <Table<Order>
      size="small"
      loading={fetching}
      rowKey="id"
      dataSource={orders}
      pagination={tablePagination(pages, data?.outboundOrders.totalCount)}
      scroll={{ x: 900 }}
      columns={[
        { title: '出库单', render: (_, o) => o.number },
        { title: '用途', render: (_, o) => labelOf(OUTBOUND_PURPOSE, o.purpose) },
        { title: '领用/调入', render: (_, o) => o.recipient ?? o.toStore?.name ?? '—' },
        { title: '物资', render: (_, o) => o.lines.map((l) => `${l.item.name} ${l.executedQuantity}/${l.quantity}${l.item.unit}`).join('；') },
        { title: '申请人', render: (_, o) => o.requestedBy.displayName },
        {
          title: '状态',
          render: (_, o) => <Tag color={o.status === 'APPROVED' ? 'green' : o.status === 'REJECTED' ? 'red' : 'blue'}>{labelOf(ORDER_STATUS, o.status)}</Tag>,
        },
        ...(onExecute
          ? [
              {
                title: '',
                render: (_: unknown, o: Order) =>
                  o.status === 'APPROVED' && (
                    <Button size="small" type="primary" onClick={() => onExecute(o)}>
                      执行出库
                    </Button>
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** 出库 (D23 凭令出库): execute approved orders (never beyond what was approved), request new ones, and 我的申请. */
export default function OrdersPage() {
  const { storeId } = useStoreChoice();
  const [executing, setExecuting] = useState<Order>();
  const [version, setVersion] = useState(0);
  if (!storeId) return <Card title="出库">没有可操作的仓库</Card>;
  return (
    <Card title="出库">
      <Tabs
        items={[
          { key: 'approved', label: '待执行', children: <OrdersTable key={version} storeId={storeId} status="APPROVED" onExecute={setExecuting} /> },
          { key: 'request', label: '申请出库', children: <RequestOrderForm storeId={storeId} onRequested={() => setVersion((v) => v + 1)} /> },
          { key: 'mine', label: '我的申请', children: <OrdersTable key={version} storeId={storeId} mine /> },
        ]}
      />
      {executing && (
        <ExecuteOrderModal
          order={executing}
          onClose={(done) => {
            setExecuting(undefined);
            if (done) setVersion((v) => v + 1);
          }}
        />
      )}
    </Card>
  );
}
