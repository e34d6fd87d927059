import { useState } from 'react';
import { Button, Card, Select, Space, Tabs } from 'antd';
import { useStoreChoice } from '../common/useStoreChoice';
import { CloseOrderModal } from './CloseOrderModal';
import { ExecuteOrderModal } from './ExecuteOrderModal';
import { OrdersTable } from './OrdersTable';
import { RequestOrderForm } from './RequestOrderForm';
import { ShipTransferModal } from './ShipTransferModal';
import type { Order } from './order';

type Acting = { order: Order; action: 'issue' | 'ship' | 'close' };

/**
 * 出库 (D23 凭令出库): execute approved orders (never beyond what was approved) — a transfer order by 调拨出库 — or close
 * them; request new ones; 我的申请.
 */
export default function OrdersPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [acting, setActing] = useState<Acting>();
  const [version, setVersion] = useState(0);
  if (!storeId) return <Card title="出库">没有可操作的仓库</Card>;
  const actions = (o: Order) =>
    o.status === 'APPROVED' && (
      <Space>
        {o.purpose === 'TRANSFER' ? (
          <Button size="small" type="primary" onClick={() => setActing({ order: o, action: 'ship' })}>
            调拨出库
          </Button>
        ) : (
          <Button size="small" type="primary" onClick={() => setActing({ order: o, action: 'issue' })}>
            执行出库
          </Button>
        )}
        <Button size="small" danger onClick={() => setActing({ order: o, action: 'close' })}>
          关闭
        </Button>
      </Space>
    );
  const done = (changed: boolean) => {
    setActing(undefined);
    if (changed) setVersion((v) => v + 1);
  };
  return (
    <Card
      title="出库"
      extra={options.length > 1 && <Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} aria-label="仓库" />}
    >
      <Tabs
        items={[
          { key: 'approved', label: '待执行', children: <OrdersTable key={`a${version}${storeId}`} storeId={storeId} status="APPROVED" actions={actions} /> },
          { key: 'request', label: '申请出库', children: <RequestOrderForm storeId={storeId} onRequested={() => setVersion((v) => v + 1)} /> },
          { key: 'mine', label: '我的申请', children: <OrdersTable key={`m${version}${storeId}`} storeId={storeId} mine /> },
          { key: 'all', label: '全部', children: <OrdersTable key={`l${version}${storeId}`} storeId={storeId} actions={actions} /> },
        ]}
      />
      {acting?.action === 'issue' && <ExecuteOrderModal order={acting.order} onClose={done} />}
      {acting?.action === 'ship' && <ShipTransferModal order={acting.order} onClose={done} />}
      {acting?.action === 'close' && <CloseOrderModal order={acting.order} onClose={done} />}
    </Card>
  );
}
