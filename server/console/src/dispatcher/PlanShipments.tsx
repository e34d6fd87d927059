import { useState } from 'react';
import { Button, Space, Table, Tag, Typography } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { formatDateTime, formatQuantity } from '../common/format';
import { labelOf, TRANSFER_STATUS } from '../common/labels';
import { CancelTransferModal } from '../keeper/CancelTransferModal';
import { ReceiveTransferModal, receivableLines } from '../keeper/ReceiveTransferModal';
import { TransferFields, type TransferRow } from '../keeper/transfer';

const PlanShipmentsQuery = graphql(
  `
    query PlanShipments($id: ID!) {
      dispatchPlan(id: $id) {
        id
        transfers {
          ...TransferFields
        }
      }
    }
  `,
  [TransferFields],
);

const STATUS_COLOR: Record<TransferRow['status'], string> = { IN_TRANSIT: 'orange', PARTIALLY_RECEIVED: 'orange', RECEIVED: 'green', CANCELLED: 'default' };

/**
 * An executed plan's shipments (调拨单), one row each, its 补发 included; 到货签收 of what is still on its way (a 安置点 opened on the map may
 * have no keeper: the command receives there), and 撤销调拨 of one nothing of which has been received: the command
 * undoes a plan's shipment, not the source store's keeper alone (D24, D27). The API decides who may — a dispatcher or
 * administrator whose region covers the source store — and says why not; the plan stays executing until shipped again
 * or closed.
 */
export function PlanShipments({ planId, onChanged }: { planId: string; onChanged: () => void }) {
  const [{ data, fetching }, refetch] = useQuery({ query: PlanShipmentsQuery, variables: { id: planId } });
  const [cancelling, setCancelling] = useState<TransferRow>();
  const [receiving, setReceiving] = useState<TransferRow>();
  // Sweep 19a F1: every shipment citing the plan — a 补发 is no line's transfer, and a list built from the lines never
  // showed it (neither 到货签收 nor 撤销调拨, while 结束事件 was refused for what it carried).
  const shipments = data?.dispatchPlan?.transfers ?? [];
  if (!shipments.length) return null;
  return (
    <>
      <Typography.Title level={5}>发运的调拨单</Typography.Title>
      <Table<TransferRow>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={shipments}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: '调拨单', render: (_, t) => t.number },
          { title: '调出仓库', render: (_, t) => t.fromStore.name },
          { title: '安置点', render: (_, t) => t.toStore.name },
          { title: '发运时间', render: (_, t) => formatDateTime(t.shippedAt) },
          { title: '物资', render: (_, t) => t.lines.map((l) => `${l.item.name} ${formatQuantity(l.shipped, l.item.unit)}`).join('；') },
          { title: '状态', render: (_, t) => <Tag color={STATUS_COLOR[t.status]}>{labelOf(TRANSFER_STATUS, t.status)}</Tag> },
          {
            title: '',
            render: (_, t) => (
              <Space>
                {receivableLines(t).length > 0 && (
                  <Button size="small" onClick={() => setReceiving(t)}>
                    到货签收
                  </Button>
                )}
                {t.status === 'IN_TRANSIT' && (
                  <Button danger size="small" onClick={() => setCancelling(t)}>
                    撤销调拨
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {receiving && (
        // A 安置点 opened on the incident map may have no keeper yet: the command receives there (the API decides who may).
        <ReceiveTransferModal
          transfer={receiving}
          onClose={(received) => {
            setReceiving(undefined);
            refetch({ requestPolicy: 'network-only' });
            if (received) onChanged();
          }}
        />
      )}
      {cancelling && (
        <CancelTransferModal
          transfer={cancelling}
          verb="撤销"
          onClose={(done) => {
            // Refreshed however the modal closed: a refusal (received or cancelled meanwhile) means the list was stale.
            setCancelling(undefined);
            refetch({ requestPolicy: 'network-only' });
            if (done) onChanged();
          }}
        />
      )}
    </>
  );
}
