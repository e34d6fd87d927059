import { useEffect, useState } from 'react';
import { Button, Card, Select, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { tablePagination, useCursorPages } from '../common/paging';
import { formatDateTime, formatNumber } from '../common/format';
import { labelOf, TRANSFER_STATUS } from '../common/labels';
import { useStoreChoice } from '../common/useStoreChoice';
import { CancelTransferModal } from './CancelTransferModal';
import { OrdersTable } from './OrdersTable';
import { ReceiveTransferModal, receivableLines, shortLines } from './ReceiveTransferModal';
import { ShipTransferModal } from './ShipTransferModal';
import type { Order } from './order';
import { TransferFields, type TransferRow } from './transfer';

// The store's transfer documents (调拨单（调出）), a page at a time from the server, newest first: those it shipped (its
// own, side OWN) under 调出, those shipped to it (another store's naming it, side COUNTERPART) under 调入 — one per
// transfer, posted (a transfer exists once its shipment is posted). Sweep 18b F3 read every one of them up front (the
// first 200 shipment movements had hidden older transfers still in transit); sweep 22a F9: at 1,200 transfers that was
// 877 KB in three requests on every visit, for ten rows on screen. Each tab now reads the page it shows, every transfer
// reachable by its pager.
const TransferDocuments = graphql(
  `
    query TransferDocuments($storeId: ID!, $side: DocumentSide!, $first: Int, $after: String) {
      documents(filter: { storeId: $storeId, type: "TRANSFER_OUT", status: ["POSTED"], side: $side }, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            transfer {
              ...TransferFields
            }
          }
        }
      }
    }
  `,
  [TransferFields],
);

/** One side's transfers, paged on the server; `version` changes after a shipment, a receipt or a cancellation. */
function TransferTable({
  storeId,
  side,
  version,
  columns,
}: {
  storeId: string;
  side: 'OWN' | 'COUNTERPART';
  version: number;
  columns: TableColumnsType<TransferRow>;
}) {
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [storeId, reset]);
  const variables = { storeId, side };
  const [{ data, fetching }, reexecute] = useQuery({ query: TransferDocuments, variables: { ...variables, ...pages.variables } });
  useEffect(() => remember(page, data?.documents.pageInfo.endCursor), [data, page, remember]);
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const rows = (data?.documents.edges ?? []).flatMap((e) => (e.node.transfer ? [e.node.transfer] : []));
  return (
    <Table<TransferRow>
      size="small"
      loading={fetching || pages.walking}
      rowKey="id"
      dataSource={rows}
      columns={columns}
      pagination={tablePagination(pages, data?.documents.totalCount, { query: TransferDocuments, variables })}
      // On a phone the table scrolls inside its card, as 本库库存 and 出库 do, rather than pushing the 收货 button off the
      // screen and the page sideways (sweep 13c W1).
      scroll={{ x: 900 }}
    />
  );
}

const STATUS_COLOR: Record<TransferRow['status'], string> = { IN_TRANSIT: 'orange', PARTIALLY_RECEIVED: 'orange', RECEIVED: 'green', CANCELLED: 'default' };

/**
 * 调拨: incoming (receive, with discrepancies) and outgoing transfers of the keeper's store; 调拨出库 of approved transfer
 * orders; 取消 of an outgoing transfer nothing of which has been received (the API's rule: status IN_TRANSIT) — not of
 * a dispatch plan's shipment, which the command cancels (D24, D27: a note says so instead).
 */
export default function TransfersPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [shipping, setShipping] = useState<Order>();
  const [version, setVersion] = useState(0);
  // Shipped, received or cancelled: both tables read their page again.
  const [changes, setChanges] = useState(0);
  const refetch = () => setChanges((c) => c + 1);
  const [receiving, setReceiving] = useState<TransferRow>();
  const [cancelling, setCancelling] = useState<TransferRow>();
  const columns = (incoming: boolean): TableColumnsType<TransferRow> => [
    { title: '调拨单', width: 140, render: (_: unknown, t: TransferRow) => t.number },
    { title: incoming ? '调出仓库' : '调入仓库', width: 200, render: (_: unknown, t: TransferRow) => (incoming ? t.fromStore.name : t.toStore.name) },
    { title: '发运时间', width: 140, render: (_: unknown, t: TransferRow) => formatDateTime(t.shippedAt) },
    {
      title: '物资',
      width: 200,
      render: (_: unknown, t: TransferRow) => t.lines.map((l) => `${l.item.name} ${formatNumber(l.shipped)} ${l.item.unit}`).join('；'),
    },
    {
      title: '状态',
      width: 120,
      render: (_: unknown, t: TransferRow) => {
        const short = incoming ? shortLines(t) : [];
        return (
          <Space direction="vertical" size={0}>
            <Tag color={STATUS_COLOR[t.status]}>{labelOf(TRANSFER_STATUS, t.status)}</Tag>
            {short.map((text) => (
              <Typography.Text key={text} type="warning" className="transfer-shortfall">
                {text}
              </Typography.Text>
            ))}
          </Space>
        );
      },
    },
    {
      title: '',
      width: 100,
      render: (_: unknown, t: TransferRow) =>
        incoming
          ? // Only what is really still on its way can be received: not a shortfall awaiting its write-off.
            (t.status === 'IN_TRANSIT' || t.status === 'PARTIALLY_RECEIVED') &&
            receivableLines(t).length > 0 && (
              <Button type="primary" size="small" onClick={() => setReceiving(t)}>
                收货
              </Button>
            )
          : t.status === 'IN_TRANSIT' &&
            // D24, D27: a dispatch plan's shipment is undone by the command, not by the store alone.
            (t.dispatchPlanId ? (
              <Typography.Text type="secondary" data-testid="plan-transfer-note">
                调拨方案的调拨，须由指挥部调度员撤销
              </Typography.Text>
            ) : (
              <Button danger size="small" onClick={() => setCancelling(t)}>
                取消
              </Button>
            )),
    },
  ];
  return (
    <Card
      title="调拨"
      extra={
        options.length > 1 && <Select id="transfers-store" style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} aria-label="仓库" />
      }
    >
      <Tabs
        items={[
          {
            key: 'in',
            label: '调入',
            children: storeId && <TransferTable storeId={storeId} side="COUNTERPART" version={changes} columns={columns(true)} />,
          },
          {
            key: 'out',
            label: '调出',
            children: (
              <>
                {storeId && (
                  <>
                    <Typography.Title level={5}>待调拨出库（已批准的调拨申请）</Typography.Title>
                    <OrdersTable
                      key={`${storeId}-${version}`}
                      storeId={storeId}
                      status="APPROVED"
                      purpose="TRANSFER"
                      actions={(o) => (
                        <Button size="small" type="primary" onClick={() => setShipping(o)}>
                          调拨出库
                        </Button>
                      )}
                    />
                  </>
                )}
                <Typography.Title level={5}>已发运</Typography.Title>
                {storeId && <TransferTable storeId={storeId} side="OWN" version={changes} columns={columns(false)} />}
              </>
            ),
          },
        ]}
      />
      {shipping && (
        <ShipTransferModal
          order={shipping}
          onClose={(shipped) => {
            setShipping(undefined);
            if (!shipped) return;
            setVersion((v) => v + 1);
            refetch();
          }}
        />
      )}
      {receiving && (
        <ReceiveTransferModal
          transfer={receiving}
          onClose={(received) => {
            setReceiving(undefined);
            if (received) refetch();
          }}
        />
      )}
      {cancelling && (
        <CancelTransferModal
          transfer={cancelling}
          onClose={() => {
            // Refreshed however the modal closed: a refusal (received or cancelled meanwhile) means the list was stale.
            setCancelling(undefined);
            refetch();
          }}
        />
      )}
    </Card>
  );
}
