import { useState } from 'react';
import { Button, Card, Empty, Tabs } from 'antd';
import { useUser } from '../app/session';
import { StoreSelect } from '../common/StoreSelect';
import { CloseOrderModal } from '../keeper/CloseOrderModal';
import { OrdersTable } from '../keeper/OrdersTable';
import { RequestOrderForm } from '../keeper/RequestOrderForm';
import type { Order } from '../keeper/order';

/**
 * 出库申请 across the region (D23): every store's orders, closing an approved one that will not be executed or
 * withdrawing one's own still pending, and new requests — a transfer between any two stores of the region (a keeper
 * sees only their own stores).
 */
export default function DispatcherOrdersPage() {
  const user = useUser();
  const [storeId, setStoreId] = useState<string>();
  const [closing, setClosing] = useState<Order>();
  const [version, setVersion] = useState(0);
  return (
    <Card
      title="出库申请"
      extra={
        <StoreSelect
          id="orders-store"
          style={{ width: 260 }}
          allowClear
          placeholder="全部仓库"
          aria-label="仓库"
          regionCode={user.region?.code}
          value={storeId}
          onChange={setStoreId}
        />
      }
    >
      <Tabs
        items={[
          {
            key: 'all',
            label: '申请列表',
            children: (
              <OrdersTable
                key={`${storeId}-${version}`}
                storeId={storeId}
                regionCode={storeId ? undefined : user.region?.code}
                actions={(o) =>
                  // Sweep 21a N1: one's own request still pending is withdrawn (撤回); another's is decided in 审批.
                  (o.status === 'APPROVED' || (o.status === 'PENDING' && o.requestedBy.id === user.id)) && (
                    <Button size="small" danger onClick={() => setClosing(o)}>
                      {o.status === 'PENDING' ? '撤回' : '关闭'}
                    </Button>
                  )
                }
              />
            ),
          },
          {
            key: 'request',
            label: '申请出库',
            children: storeId ? (
              <RequestOrderForm storeId={storeId} onRequested={() => setVersion((v) => v + 1)} />
            ) : (
              <Empty description="先在右上角选择出库仓库" />
            ),
          },
        ]}
      />
      {closing && (
        <CloseOrderModal
          order={closing}
          onClose={(done) => {
            setClosing(undefined);
            if (done) setVersion((v) => v + 1);
          }}
        />
      )}
    </Card>
  );
}
