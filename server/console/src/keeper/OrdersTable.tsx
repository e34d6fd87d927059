import { useEffect, type ReactNode } from 'react';
import { Space, Table, Tag, Typography } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { formatDateTime, formatNumber, formatQuantity } from '../common/format';
import { labelOf, ORDER_STATUS, OUTBOUND_PURPOSE } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
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
            requestedAt
            approval {
              status
              reason
              withdrawn
              withdrawnAt
              withdrawnBy {
                displayName
              }
            }
          }
        }
      }
    }
  `,
  [OrderFields],
);

type Status = keyof typeof ORDER_STATUS;
type Row = Order & {
  requestedAt: string;
  approval?: {
    status: string;
    reason?: string | null;
    withdrawn?: boolean;
    withdrawnAt?: string | null;
    withdrawnBy?: { displayName: string } | null;
  } | null;
};

/**
 * Sweep 21a N1: closed before it was approved — withdrawn by its store, its approval closed with it (not approved);
 * sweep 24c F9 follow-up: as the API says it (Approval.withdrawn), not guessed from a rejected approval.
 */
const withdrawn = (o: Row) => o.status === 'CLOSED' && o.approval?.withdrawn === true;

/** M6: why an order went no further — the approver's 驳回理由, or the 关闭原因 (撤回原因, with who withdrew it and when). */
function whyEnded(o: Row): string | null {
  if (o.status === 'REJECTED' && o.approval?.reason) return `驳回理由：${o.approval.reason}`;
  if (withdrawn(o) && o.closeReason)
    return `${o.approval?.withdrawnBy?.displayName ?? ''} ${formatDateTime(o.approval?.withdrawnAt)} 撤回，撤回原因：${o.closeReason}`.trim();
  if (o.status === 'CLOSED' && o.closeReason) return `关闭原因：${o.closeReason}`;
  return null;
}

const STATUS_COLOUR: Record<string, string> = { APPROVED: 'green', REJECTED: 'red', EXECUTED: 'default', CLOSED: 'default', PENDING: 'blue' };

/**
 * A store's outbound orders, or a region's (newest first, paged), optionally of one status, only those I requested, or
 * of one purpose; `actions` renders what may be done with a row.
 */
export function OrdersTable({
  storeId,
  regionCode,
  status,
  mine,
  purpose,
  actions,
  emptyText,
}: {
  storeId?: string;
  regionCode?: string;
  status?: Status;
  mine?: boolean;
  purpose?: Order['purpose'];
  actions?: (o: Order) => ReactNode;
  /** What an empty list means and what to do (sweep 22c F12: antd's bare 暂无数据 said neither). */
  emptyText?: ReactNode;
}) {
  const pages = useCursorPages();
  const { remember, page } = pages;
  // Sweep 22a, left over: 我的申请 and the purpose are the server's filter (OutboundOrderFilter.mine, .purpose) — filtered
  // here after paging, a page showed fewer than 20 rows and an order on a later page was never shown.
  const filter = { storeId, regionCode, status, mine: mine || null, purpose: purpose ?? null };
  const [{ data, fetching }] = useQuery({
    query: OrdersQuery,
    variables: { filter, ...pages.variables },
    requestPolicy: 'cache-and-network',
  });
  useEffect(() => remember(page, data?.outboundOrders.pageInfo.endCursor), [data, page, remember]);
  const orders = (data?.outboundOrders.edges ?? []).map((e) => e.node);
  return (
    <Table<Row>
      size="small"
      loading={fetching || pages.walking}
      rowKey="id"
      dataSource={orders}
      pagination={tablePagination(pages, data?.outboundOrders.totalCount, { query: OrdersQuery, variables: { filter } })}
      scroll={{ x: 1000 }}
      locale={emptyText ? { emptyText } : undefined}
      columns={[
        { title: '出库申请', render: (_, o) => o.number },
        ...(storeId ? [] : [{ title: '仓库', render: (_: unknown, o: Order) => o.store.name }]),
        { title: '用途', render: (_, o) => labelOf(OUTBOUND_PURPOSE, o.purpose) },
        { title: '领用/调入', render: (_, o) => o.recipient ?? o.toStore?.name ?? '—' },
        {
          title: '物资（已出/批准）',
          render: (_, o) => o.lines.map((l) => `${l.item.name} ${formatNumber(l.executedQuantity)}/${formatQuantity(l.quantity, l.item.unit)}`).join('；'),
        },
        { title: '申请人', render: (_, o) => o.requestedBy.displayName },
        { title: '申请时间', render: (_, o) => formatDateTime(o.requestedAt) },
        {
          title: '状态',
          render: (_, o) => {
            const why = whyEnded(o);
            return (
              <Space direction="vertical" size={0}>
                <Tag color={STATUS_COLOUR[o.status]}>{withdrawn(o) ? '已撤回' : labelOf(ORDER_STATUS, o.status)}</Tag>
                {why && (
                  <Typography.Text type="secondary" className="order-ended-reason" style={{ maxWidth: 240 }}>
                    {why}
                  </Typography.Text>
                )}
              </Space>
            );
          },
        },
        ...(actions ? [{ title: '', render: (_: unknown, o: Order) => actions(o) }] : []),
      ]}
    />
  );
}
