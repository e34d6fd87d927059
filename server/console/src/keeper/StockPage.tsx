import { useEffect, useMemo, useState } from 'react';
import { AutoComplete, Card, DatePicker, Select, Space, Table, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { ExcelButton } from '../common/ExcelButton';
import { formatMoney, formatNumber } from '../common/format';
import { tablePagination, useCursorPages } from '../common/paging';
import { useStoreChoice } from '../common/useStoreChoice';
import { useSettled } from '../common/useSettled';
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
            code
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
          frozen
          inTransit
          value
        }
      }
    }
  }
`);

type Line = ResultOf<typeof StockQuery>['stock']['edges'][number]['node'];
type Item = Line['item'];

/** The API's longest search word (API.md The edge). */
const SEARCH_MAX = 64;
/** Typing pauses this long before the server is asked. */
const SEARCH_DELAY_MS = 300;

const itemLabel = (item: Item) => `${item.name}${item.spec ? `（${item.spec}）` : ''}`;

/**
 * 本库库存: the store's batches with expiry in colour. 搜索物资 filters the store's own lines by name, specification or
 * code as it is typed, suggesting the items held here (sweep L18: it was a catalog picker — 帐篷 and Enter picked
 * 森林消防帐篷, not held here, and showed an empty table; a keeper looks for what is on the shelves). Sweep 22a F6: the
 * server searches (StockFilter.search: name, spec, code or batch number) and pages the lines found — the page read the
 * first 500 lines and filtered them here, so that in a store of 1,217 lines goods on the shelf were "not found". A
 * suggestion picked shows that item's lines (by its id: its label is name and spec together, no one field's word).
 */
export default function StockPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [categoryCode, setCategoryCode] = useState<string>();
  const [search, setSearch] = useState('');
  /** The suggestion picked: its item, while the box still shows its label. */
  const [picked, setPicked] = useState<{ id: string; label: string }>();
  const [expiringBefore, setExpiringBefore] = useState<string>();
  // Earliest expiry first, as README says (sweep 16b F5: by batch, the rows looked random and the expired lay in the middle).
  const [orderBy, setOrderBy] = useState<'STORE' | 'EXPIRY'>('EXPIRY');
  const text = useSettled(search.trim().slice(0, SEARCH_MAX), SEARCH_DELAY_MS);
  const itemId = picked && picked.label === search ? picked.id : undefined;
  const searching = !!itemId || text !== '';
  const filter = { storeId, categoryCode, expiringBefore, ...(itemId ? { itemId } : { search: text || null }) };
  const pages = useCursorPages();
  const { reset } = pages;
  useEffect(reset, [storeId, categoryCode, expiringBefore, orderBy, text, itemId, reset]);
  const [{ data, fetching, error }] = useQuery({ query: StockQuery, variables: { filter, orderBy, ...pages.variables }, pause: !storeId });
  const { remember, page } = pages;
  useEffect(() => remember(page, data?.stock.pageInfo.endCursor), [data, page, remember]);
  const lines = useMemo(() => data?.stock.edges.map((e) => e.node) ?? [], [data]);
  // The items held here that match, on this page: the suggestions.
  const items = useMemo(() => (searching ? [...new Map(lines.map((l) => [l.item.id, l.item])).values()] : []), [lines, searching]);
  // Sweep 22a, left over: the Excel file holds what the table lists — the page's filter whole: the item picked or the
  // lines the word finds, and 到期早于 (the export's `search` and `expiringBefore`, the stock query's one condition);
  // it held the whole store unless the word found one item on one page, then every expiry date. Its title block names them.
  const exported = { storeId, categoryCode, expiringBefore, ...(itemId ? { itemId } : { search: text || undefined }) };
  return (
    <Card title="本库库存" extra={<ExcelButton path="/exports/stock.xlsx" params={exported} fileName="库存.xlsx" />}>
      <Space wrap className="form-alert">
        <Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} aria-label="仓库" />
        <Select
          style={{ width: 180 }}
          allowClear
          placeholder="全部类别"
          aria-label="物资类别"
          value={categoryCode}
          onChange={setCategoryCode}
          options={(data?.categories ?? []).map((c) => ({ value: c.code, label: c.name }))}
        />
        <AutoComplete
          id="stock-item"
          aria-label="搜索物资"
          style={{ width: 240 }}
          allowClear
          value={search}
          onChange={(v?: string) => setSearch(v ?? '')}
          onSelect={(label: string | undefined, option: { id: string }) => setPicked({ id: option.id, label: label ?? '' })}
          // Enter keeps what was typed (帐篷: every tent held here) rather than taking the first suggestion.
          defaultActiveFirstOption={false}
          options={items.slice(0, 20).map((i) => ({ value: itemLabel(i), id: i.id, label: `${itemLabel(i)} · ${i.code}` }))}
          placeholder="搜索物资（名称、规格、代码）"
        />
        <DatePicker
          id="stock-expiring-before"
          aria-label="到期早于"
          placeholder="到期早于"
          onChange={(d) => setExpiringBefore(d ? d.format('YYYY-MM-DD') : undefined)}
        />
        <Select
          style={{ width: 160 }}
          value={orderBy}
          onChange={setOrderBy}
          aria-label="排序"
          options={[
            { value: 'EXPIRY', label: '先到期的在前' },
            { value: 'STORE', label: '按批次排序' },
          ]}
        />
      </Space>
      {error && <Typography.Text type="danger">{error.graphQLErrors[0]?.message ?? '加载失败'}</Typography.Text>}
      <Table<Line>
        size="small"
        loading={fetching || pages.walking}
        rowKey={(l) => l.batch.id}
        dataSource={lines}
        pagination={tablePagination(pages, data?.stock.totalCount, { query: StockQuery, variables: { filter, orderBy } })}
        // L15: at 1024 px 在途 and 金额 lay past the window's edge. The columns fit 1024 px (the side menu folded away, a
        // scroll bar beside): the item's name and category end in … (whole on hover); on a narrower screen the name
        // stays at the left while the numbers scroll under it.
        scroll={{ x: 902 }}
        columns={[
          { title: '物资', width: 130, fixed: 'left', ellipsis: true, render: (_, l) => itemLabel(l.item) },
          { title: '类别', width: 84, ellipsis: true, render: (_, l) => l.item.category.name },
          // D18: a batch number opens its trace, receipt to the households it reached.
          { title: '批号', width: 108, ellipsis: true, render: (_, l) => <Link to={`/batches/${l.batch.id}`}>{l.batch.batchNo}</Link> },
          { title: '有效期', width: 150, render: (_, l) => <ExpiryTag {...l.batch} /> },
          { title: '在库', width: 86, align: 'right', render: (_, l) => `${formatNumber(l.onHand)} ${l.item.unit}` },
          { title: '预留', width: 64, align: 'right', render: (_, l) => formatNumber(l.reserved) },
          { title: '可用', width: 100, align: 'right', render: (_, l) => <Available line={l} /> },
          { title: '在途', width: 64, align: 'right', render: (_, l) => formatNumber(l.inTransit) },
          { title: '金额', width: 116, align: 'right', render: (_, l) => formatMoney(l.value) },
        ]}
      />
    </Card>
  );
}

/**
 * D26: an expired batch is frozen — it is not issued or shipped, only rotated or scrapped — so none of it is available
 * (the API's `available` is 0), and what it holds unreserved is shown as frozen (`frozen`).
 */
function Available({ line }: { line: Line }) {
  if (!line.batch.expired) return formatNumber(line.available);
  return (
    <Tooltip title="已过期，冻结：不能出库或调拨，只能轮换或报废">
      <span data-testid="frozen-available">
        {formatNumber(line.available)}
        {line.frozen > 0 && <Typography.Text type="secondary">（冻结 {formatNumber(line.frozen)}）</Typography.Text>}
      </span>
    </Tooltip>
  );
}
