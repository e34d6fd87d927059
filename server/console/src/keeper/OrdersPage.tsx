import { useState } from 'react';
import { Button, Card, Select, Space, Tabs } from 'antd';
import { useStoreChoice } from '../common/useStoreChoice';
import { CloseOrderModal } from './CloseOrderModal';
import { ExecuteOrderModal } from './ExecuteOrderModal';
import { OrdersTable } from './OrdersTable';
import { RequestOrderForm } from './RequestOrderForm';
import { RotateOrderModal } from './RotateStockModal';
import { ScrapModal } from './ScrapModal';
import { ShipTransferModal } from './ShipTransferModal';
import type { Order } from './order';

type Execution = 'issue' | 'ship' | 'rotate' | 'scrap';
type Acting = { order: Order; action: Execution | 'close' };

/** The operation that executes an order of each purpose (the API refuses any other, D23), and its button. */
const EXECUTION: Record<Order['purpose'], { action: Execution; label: string }> = {
  RELIEF: { action: 'issue', label: '执行出库' },
  DRILL: { action: 'issue', label: '执行出库' },
  LOAN: { action: 'issue', label: '执行出库' },
  OTHER: { action: 'issue', label: '执行出库' },
  TRANSFER: { action: 'ship', label: '调拨出库' },
  ROTATION_SALE: { action: 'rotate', label: '轮换' },
  SCRAP: { action: 'scrap', label: '报废' },
};

/**
 * 出库 (D23 凭令出库): execute approved orders (never beyond what was approved) by the operation their purpose needs — a
 * transfer order by 调拨出库, a rotation order by 轮换, a scrap order by 报废, the rest by 出库 — or close them; request
 * new ones, and withdraw those still pending; 我的申请.
 */
export default function OrdersPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [acting, setActing] = useState<Acting>();
  const [version, setVersion] = useState(0);
  // Sweep 16b F2: a list is fetched again each time its tab is opened — an order approved meanwhile (by the director,
  // elsewhere) showed only after leaving the screen. The request form keeps what was typed.
  const [opened, setOpened] = useState(0);
  if (!storeId) return <Card title="出库">没有可操作的仓库</Card>;
  // An approved order is executed or closed; a pending one may be withdrawn (撤回, sweep 21a N1) — both by closeOutboundOrder.
  const actions = (o: Order) =>
    o.status === 'APPROVED' ? (
      <Space>
        <Button size="small" type="primary" onClick={() => setActing({ order: o, action: EXECUTION[o.purpose].action })}>
          {EXECUTION[o.purpose].label}
        </Button>
        <Button size="small" danger onClick={() => setActing({ order: o, action: 'close' })}>
          关闭
        </Button>
      </Space>
    ) : (
      o.status === 'PENDING' && (
        <Button size="small" danger onClick={() => setActing({ order: o, action: 'close' })}>
          撤回
        </Button>
      )
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
        onChange={() => setOpened((n) => n + 1)}
        items={[
          {
            key: 'approved',
            label: '待执行',
            children: (
              <OrdersTable
                key={`a${version}-${opened}${storeId}`}
                storeId={storeId}
                status="APPROVED"
                actions={actions}
                emptyText="没有已批准、待执行的出库申请。新的申请在「申请出库」提交，经审批后出现在这里执行"
              />
            ),
          },
          { key: 'request', label: '申请出库', children: <RequestOrderForm storeId={storeId} onRequested={() => setVersion((v) => v + 1)} /> },
          {
            key: 'mine',
            label: '我的申请',
            children: <OrdersTable key={`m${version}-${opened}${storeId}`} storeId={storeId} mine actions={actions} />,
          },
          { key: 'all', label: '全部', children: <OrdersTable key={`l${version}-${opened}${storeId}`} storeId={storeId} actions={actions} /> },
        ]}
      />
      {acting?.action === 'issue' && <ExecuteOrderModal order={acting.order} onClose={done} />}
      {acting?.action === 'ship' && <ShipTransferModal order={acting.order} onClose={done} />}
      {acting?.action === 'rotate' && <RotateOrderModal order={acting.order} onClose={done} />}
      {acting?.action === 'scrap' && <ScrapModal order={acting.order} onClose={done} />}
      {acting?.action === 'close' && <CloseOrderModal order={acting.order} onClose={done} />}
    </Card>
  );
}
