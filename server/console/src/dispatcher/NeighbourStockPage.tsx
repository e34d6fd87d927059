import { useState } from 'react';
import { Card, Empty, Space, Table, Typography } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatQuantity } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { RegionSelect } from '../common/RegionSelect';

const NeighbourStockQuery = graphql(`
  query NeighbourStock($itemId: ID!, $regionCode: String) {
    neighbourStock(itemId: $itemId, regionCode: $regionCode) {
      available
      item {
        id
        name
        unit
      }
      region {
        code
        name
      }
      store {
        id
        name
        address
      }
    }
  }
`);

type Line = ResultOf<typeof NeighbourStockQuery>['neighbourStock'][number];

/**
 * 邻近地区库存 (D20): what the 联储 partners of my region hold of an item — available quantity per store only (no prices,
 * batches or documents); using it follows D25 (consent unless an agreement covers it).
 */
export default function NeighbourStockPage() {
  const user = useUser();
  const [itemId, setItemId] = useState<string>();
  // A system-wide administrator has no region of their own: they say for which region to look.
  const [regionCode, setRegionCode] = useState<string | undefined>(user.region?.code);
  const [{ data, fetching, error }] = useQuery({
    query: NeighbourStockQuery,
    variables: { itemId: itemId ?? '', regionCode },
    pause: !itemId || !regionCode,
  });
  const lines = data?.neighbourStock ?? [];
  const total = lines.reduce((sum, l) => sum + l.available, 0);
  return (
    <Card title="邻近地区库存（联储伙伴）">
      <Space wrap className="form-alert">
        {!user.region && (
          <RegionSelect id="neighbour-region" aria-label="本方区划" style={{ width: 220 }} placeholder="本方区划" value={regionCode} onChange={setRegionCode} />
        )}
        <ItemSelect id="neighbour-item" style={{ width: 280 }} value={itemId} onChange={setItemId} placeholder="选择物资（输入名称或代码）" />
        {data && (
          <Typography.Text type="secondary" data-testid="neighbour-total">
            {/* The one formatter (common/format.ts): grouped, a space before the unit — and no stray space without one. */}
            合计可用 {formatQuantity(total, lines[0]?.item.unit)}
          </Typography.Text>
        )}
      </Space>
      {error && <FormAlerts messages={errorMessages(error)} />}
      {!itemId ? (
        <Empty description="选择物资后查看联储伙伴各仓库的可用数量" />
      ) : (
        <Table<Line>
          size="small"
          loading={fetching}
          rowKey={(l) => l.store.id}
          dataSource={lines}
          locale={{ emptyText: '联储伙伴没有该物资的可用库存（或本区划没有有效的联储协议）' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false, showTotal: (n) => `共 ${n} 个仓库` }}
          columns={[
            { title: '区划', render: (_, l) => l.region.name },
            { title: '仓库', render: (_, l) => l.store.name },
            { title: '地址', render: (_, l) => l.store.address ?? '—' },
            { title: '物资', render: (_, l) => l.item.name },
            { title: '可用数量', align: 'right', render: (_, l) => formatQuantity(l.available, l.item.unit) },
          ]}
        />
      )}
    </Card>
  );
}
