import { useEffect, useState } from 'react';
import { Card, DatePicker, Select, Space, Table, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { ExcelButton } from '../common/ExcelButton';
import { formatMoney, formatNumber } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { tablePagination, useCursorPages } from '../common/paging';
import { useStoreChoice } from '../common/useStoreChoice';
import { ExpiryTag } from './ExpiryTag';

const StockQuery = graphql(`
  query KeeperStock($filter: StockFilter!, $orderBy: StockOrder, $first: Int, $after: String) {
    categories {
      code
      name
    }
    stock(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          item {
            id
            name
            spec
            unit
            category {
              name
            }
          }
          batch {
            id
            batchNo
            expiryDate
            rotateBy
            expired
            daysToExpiry
          }
          onHand
          reserved
          available
          inTransit
          value
        }
      }
    }
  }
`);

type Line = ResultOf<typeof StockQuery>['stock']['edges'][number]['node'];

export default function StockPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [categoryCode, setCategoryCode] = useState<string>();
  const [itemId, setItemId] = useState<string>();
  const [expiringBefore, setExpiringBefore] = useState<string>();
  const [orderBy, setOrderBy] = useState<'STORE' | 'EXPIRY'>('STORE');
  const pages = useCursorPages();
  const { reset } = pages;
  useEffect(reset, [storeId, categoryCode, itemId, expiringBefore, orderBy, reset]);
  const [{ data, fetching, error }] = useQuery({
    query: StockQuery,
    variables: { filter: { storeId, categoryCode, itemId, expiringBefore }, orderBy, ...pages.variables },
    pause: !storeId,
  });
  const { remember, page } = pages;
  useEffect(() => remember(page, data?.stock.pageInfo.endCursor), [data, page, remember]);
  return (
    <Card title="本库库存" extra={<ExcelButton path="/exports/stock.xlsx" params={{ storeId, categoryCode, itemId }} fileName="库存.xlsx" />}>
      <Space wrap className="form-alert">
        <Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} aria-label="仓库" />
        <Select
          style={{ width: 180 }}
          allowClear
          placeholder="全部类别"
          value={categoryCode}
          onChange={setCategoryCode}
          options={(data?.categories ?? []).map((c) => ({ value: c.code, label: c.name }))}
        />
        <ItemSelect id="stock-item" style={{ width: 240 }} allowClear value={itemId} onChange={setItemId} placeholder="搜索物资" />
        <DatePicker placeholder="到期早于" onChange={(d) => setExpiringBefore(d ? d.format('YYYY-MM-DD') : undefined)} />
        <Select
          style={{ width: 160 }}
          value={orderBy}
          onChange={setOrderBy}
          aria-label="排序"
          options={[
            { value: 'STORE', label: '按批次排序' },
            { value: 'EXPIRY', label: '先到期的在前' },
          ]}
        />
      </Space>
      {error && <Typography.Text type="danger">{error.graphQLErrors[0]?.message ?? '加载失败'}</Typography.Text>}
      <Table<Line>
        size="small"
        loading={fetching}
        rowKey={(l) => l.batch.id}
        dataSource={data?.stock.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.stock.totalCount)}
        scroll={{ x: 900 }}
        columns={[
          { title: '物资', render: (_, l) => `${l.item.name}${l.item.spec ? `（${l.item.spec}）` : ''}` },
          { title: '类别', render: (_, l) => l.item.category.name },
          // D18: a batch number opens its trace, receipt to the households it reached.
          { title: '批号', render: (_, l) => <Link to={`/batches/${l.batch.id}`}>{l.batch.batchNo}</Link> },
          { title: '有效期', render: (_, l) => <ExpiryTag {...l.batch} /> },
          { title: '在库', align: 'right', render: (_, l) => `${formatNumber(l.onHand)} ${l.item.unit}` },
          { title: '预留', align: 'right', render: (_, l) => formatNumber(l.reserved) },
          { title: '可用', align: 'right', render: (_, l) => <Available line={l} /> },
          { title: '在途', align: 'right', render: (_, l) => formatNumber(l.inTransit) },
          { title: '金额', align: 'right', render: (_, l) => formatMoney(l.value) },
        ]}
      />
    </Card>
  );
}

/**
 * D26: an expired batch is frozen — it is not issued or shipped, only rotated or scrapped — so none of it is available,
 * as 储备定额 and 储备缺口 count it. The API's `available` still says what is not reserved; it is shown as frozen.
 */
function Available({ line }: { line: Line }) {
  if (!line.batch.expired) return formatNumber(line.available);
  return (
    <Tooltip title="已过期，冻结：不能出库或调拨，只能轮换或报废">
      <span data-testid="frozen-available">
        0{line.available > 0 && <Typography.Text type="secondary">（冻结 {formatNumber(line.available)}）</Typography.Text>}
      </span>
    </Tooltip>
  );
}
