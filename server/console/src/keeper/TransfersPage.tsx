import { useState } from 'react';
import { Button, Card, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { graphql, type ResultOf } from '../graphql/graphql';
import { useAllPages } from '../common/allPages';
import { formatDateTime, formatNumber } from '../common/format';
import { labelOf, TRANSFER_STATUS } from '../common/labels';
import { useStoreChoice } from '../common/useStoreChoice';
import { CancelTransferModal } from './CancelTransferModal';
import { OrdersTable } from './OrdersTable';
import { ReceiveTransferModal, receivableLines, shortLines } from './ReceiveTransferModal';
import { ShipTransferModal } from './ShipTransferModal';
import type { Order } from './order';
import { TransferFields, type TransferRow } from './transfer';

// The store's transfer documents (调拨单（调出）), its own shipments and those shipped to it (documents lists a store's
// documents and those naming it the other side), one per transfer, newest first — every one of them, page after page
// (sweep 18b F3: the first 200 shipment movements hid older transfers still in transit, and a store's own shipments
// pushed its incoming ones out). The transfer's stores tell incoming from outgoing.
const TransferDocuments = graphql(
  `
    query TransferDocuments($storeId: ID!, $first: Int, $after: String) {
      documents(filter: { storeId: $storeId, type: "TRANSFER_OUT" }, first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            transfer {
              ...TransferFields
              fromStore {
                id
              }
              toStore {
                id
              }
            }
          }
        }
      }
    }
  `,
  [TransferFields],
);

type TransferDocument = ResultOf<typeof TransferDocuments>['documents']['edges'][number]['node'];

function transfersOf(docs: readonly TransferDocument[] | undefined, storeId: string | undefined, incoming: boolean): TransferRow[] {
  const seen = new Map<string, TransferRow>();
  for (const { transfer: t } of docs ?? []) {
    if (t && (incoming ? t.toStore.id : t.fromStore.id) === storeId && !seen.has(t.id)) seen.set(t.id, t);
  }
  return [...seen.values()];
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
  const { nodes: docs, fetching, refetch } = useAllPages(TransferDocuments, storeId ? { storeId } : undefined, (d) => d.documents);
  const [receiving, setReceiving] = useState<TransferRow>();
  const [cancelling, setCancelling] = useState<TransferRow>();
  const columns = (incoming: boolean) => [
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
  // On a phone the table scrolls inside its card, as 本库库存 and 出库 do, rather than pushing the 收货 button off the
  // screen and the page sideways (sweep 13c W1).
  const scroll = { x: 900 };
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
            children: (
              <Table<TransferRow>
                size="small"
                loading={fetching}
                rowKey="id"
                dataSource={transfersOf(docs, storeId, true)}
                columns={columns(true)}
                scroll={scroll}
              />
            ),
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
                <Table<TransferRow>
                  size="small"
                  loading={fetching}
                  rowKey="id"
                  dataSource={transfersOf(docs, storeId, false)}
                  columns={columns(false)}
                  scroll={scroll}
                />
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
