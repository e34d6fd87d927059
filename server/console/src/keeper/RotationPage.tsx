import { useState } from 'react';
import { Alert, Button } from 'antd';
import { Modal } from '../common/Modal';
import { graphql, type ResultOf } from '../graphql/graphql';
import { useAllPages } from '../common/allPages';
import { errorMessages } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatQuantity } from '../common/format';
import { RotationDueList, type Due } from '../common/RotationDuePage';
import { OrderFields, type Order } from './order';
import { RequestRotationOrderModal } from './RequestRotationOrderModal';
import { orderAllows, RotateStockModal } from './RotateStockModal';

const RotationOrdersQuery = graphql(
  `
    query RotationOrders($storeId: ID!, $status: OrderStatus!, $first: Int, $after: String) {
      outboundOrders(filter: { storeId: $storeId, status: $status }, first: $first, after: $after) {
        pageInfo {
          hasNextPage
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

const ordersOf = (d: ResultOf<typeof RotationOrdersQuery>) => d.outboundOrders;

/**
 * 轮换 of a due batch: government stock leaves only against an approved rotation order (D23), so the keeper picks one of
 * the store's that covers the batch — or, when there is none, is told so and may request one here.
 */
function RotateDueModal({ due, onClose }: { due: Due; onClose: (done: boolean) => void }) {
  // Every approved and pending order of the store, page after page (sweep 18b F3: beyond the first 100 the order that
  // covers the batch could be missed, and the keeper told to request another).
  const approvedOrders = useAllPages(RotationOrdersQuery, { storeId: due.store.id, status: 'APPROVED' as const }, ordersOf);
  const pendingOrders = useAllPages(RotationOrdersQuery, { storeId: due.store.id, status: 'PENDING' as const }, ordersOf);
  const data = approvedOrders.nodes && pendingOrders.nodes ? { approved: approvedOrders.nodes, pending: pendingOrders.nodes } : undefined;
  const fetching = approvedOrders.fetching || pendingOrders.fetching;
  const error = approvedOrders.error ?? pendingOrders.error;
  const [requesting, setRequesting] = useState(false);
  const { batch, store } = due;
  const title = `轮换：${batch.item.name} 批号 ${batch.batchNo}`;
  const covers = (o: Order) => o.purpose === 'ROTATION_SALE' && o.lines.some((l) => l.item.id === batch.item.id && (!l.batch || l.batch.id === batch.id));
  const approved = (data?.approved ?? []).filter((o) => covers(o) && orderAllows(o, batch.item.id, batch.id) > 0);
  const pending = (data?.pending ?? []).filter(covers);
  if (requesting) {
    return <RequestRotationOrderModal storeId={store.id} item={batch.item} batch={batch} quantity={due.quantity} onClose={() => onClose(false)} />;
  }
  if (!data || approved.length === 0) {
    return (
      <Modal
        open
        loading={fetching && !data}
        title={title}
        okText="申请轮换出库"
        onOk={() => setRequesting(true)}
        okButtonProps={{ disabled: !data }}
        onCancel={() => onClose(false)}
      >
        {error && <FormAlerts messages={errorMessages(error)} />}
        {data && (
          <Alert
            type="warning"
            showIcon
            message="需要已批准的轮换出库申请"
            description={`政府储备物资凭令出库：轮换须依据已批准的出库申请（用途「轮换出售」）。${store.name}还没有可用于批次 ${batch.batchNo} 的已批准申请，请先申请，经另一人审批后再轮换。`}
          />
        )}
        {pending.length > 0 && (
          <p style={{ marginTop: 12 }}>
            已提交、待审批的申请：
            {pending.map((o) => `${o.number}（${o.lines.map((l) => `${l.item.name} ${formatQuantity(l.quantity, l.item.unit)}`).join('、')}）`).join('；')}
          </p>
        )}
      </Modal>
    );
  }
  const sources = [
    {
      batchId: batch.id,
      itemId: batch.item.id,
      label: `${batch.item.name} 批号 ${batch.batchNo}（${formatQuantity(due.quantity, batch.item.unit)}）`,
      leavable: due.quantity,
    },
  ];
  return <RotateStockModal storeId={store.id} title={title} orders={approved} sources={sources} onClose={onClose} />;
}

/**
 * 轮换到期: batches due for rotation in the next 12 months (D10), rotated out against an approved rotation order (D23) and
 * replaced from here; without such an order the keeper requests one here. The list is the one the city's dispatcher and
 * auditor read (common/RotationDuePage, sweep 25a F1); only the keeper's has 轮换.
 */
export default function RotationPage() {
  const [rotating, setRotating] = useState<{ due: Due; reload: () => void }>();
  return (
    <>
      <RotationDueList
        action={(due, reload) => (
          <Button size="small" onClick={() => setRotating({ due, reload })}>
            轮换
          </Button>
        )}
      />
      {rotating && (
        <RotateDueModal
          due={rotating.due}
          onClose={(done) => {
            setRotating(undefined);
            if (done) rotating.reload();
          }}
        />
      )}
    </>
  );
}
