import { Card, Col, DatePicker, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { ExcelButton } from '../common/ExcelButton';
import { FormAlerts } from '../common/FormAlerts';
import { endOfChinaDay, formatDateTime, formatMoney, formatNumber, todayInChina } from '../common/format';
import { optionsOf, VALUATION_DIMENSION } from '../common/labels';
import { ValuationChart } from './ValuationChart';

const ValuationQuery = graphql(`
  query Valuation($asOf: DateTime, $regionCode: String, $groupBy: [ValuationDimension!]) {
    valuation(asOf: $asOf, regionCode: $regionCode, groupBy: $groupBy) {
      asOf
      total
      onHand
      inTransit
      contingentAgreementValue
      contingentCapacityValue
      companyStock
      feesAccrued
      feesFrom
      groups {
        key
        labels
        quantity
        value
        inTransitQuantity
        inTransitValue
      }
    }
  }
`);

type Dimension = keyof typeof VALUATION_DIMENSION;
type Group = ResultOf<typeof ValuationQuery>['valuation']['groups'][number];

/**
 * D21: the API lists stock in transit as a group of its own, keyed 在途 in every dimension, so that the groups add up
 * to the total. It is no store (region, category …): shown here as its own column and in the 合计 row, never as a group.
 */
const IN_TRANSIT_KEY = '在途';
const isInTransitGroup = (g: Group) => g.key.length > 0 && g.key.every((k) => k === IN_TRANSIT_KEY);

/** Largest value (on hand and in transit) first; equal values by their names' key, so the order does not move. */
const byValue = (a: Group, b: Group) =>
  Number(b.value) + Number(b.inTransitValue) - (Number(a.value) + Number(a.inTransitValue)) || a.key.join('|').localeCompare(b.key.join('|'));

const DIMENSIONS = Object.keys(VALUATION_DIMENSION) as Dimension[];

/**
 * Sweep 22c F8: a quantity is a count of one unit (顶, 床, 条 …): a group of one item has one; a store's, a category's,
 * a funding source's groups hold several items, whose pieces added up mean nothing (the API sums them all the same).
 * Quantities are shown only where the grouping is by item — and in 合计 only when every group is the same item.
 */
function quantityShown(groupBy: readonly Dimension[], groups: readonly Group[]): { rows: boolean; total: boolean } {
  const at = groupBy.indexOf('ITEM');
  if (at < 0) return { rows: false, total: false };
  return { rows: true, total: new Set(groups.map((g) => g.key[at])).size <= 1 };
}
const NO_QUANTITY = '—';
const DEFAULT_GROUP_BY: Dimension[] = ['STORE'];

/** The day and grouping from the query string (?asOf=YYYY-MM-DD&groupBy=STORE,CATEGORY), so a reload or a link keeps them. */
function readQuery(params: URLSearchParams): { date: string; groupBy: Dimension[] } {
  const asOf = params.get('asOf');
  const date = asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf) && dayjs(asOf).format('YYYY-MM-DD') === asOf ? asOf : todayInChina();
  const raw = params.get('groupBy');
  const groupBy = raw === null ? DEFAULT_GROUP_BY : raw.split(',').filter((d): d is Dimension => DIMENSIONS.includes(d as Dimension));
  return { date, groupBy };
}

/** 估值 as of the end of any day (China time), grouped as the auditor chooses; a table, a chart, and Excel. */
export default function ValuationPage() {
  const user = useUser();
  const regionCode = user.region?.code ?? null;
  const [params, setParams] = useSearchParams();
  const { date, groupBy } = readQuery(params);
  const setQuery = (next: { date?: string; groupBy?: Dimension[] }) =>
    setParams(
      (p) => {
        const q = new URLSearchParams(p);
        if (next.date) q.set('asOf', next.date);
        if (next.groupBy) q.set('groupBy', next.groupBy.join(','));
        return q;
      },
      { replace: true },
    );
  const setDate = (d: string) => setQuery({ date: d });
  const setGroupBy = (g: Dimension[]) => setQuery({ groupBy: g });
  // Today's valuation is as of now; a past day's as of its end (China time).
  const asOf = date === todayInChina() ? undefined : endOfChinaDay(date);
  const [{ data, fetching, error }] = useQuery({ query: ValuationQuery, variables: { asOf, regionCode, groupBy } });
  const v = data?.valuation;
  // By value, largest first — the chart's order too, so that the table reads as the chart does (sweep 13c W2).
  const groups = v?.groups.filter((g) => !isInTransitGroup(g)).sort(byValue);
  const inTransitGroup = v?.groups.find(isInTransitGroup);
  const shown = quantityShown(groupBy, groups ?? []);
  return (
    <Card
      title="储备物资估值"
      extra={
        <ExcelButton
          path="/exports/valuation.xlsx"
          params={{ asOf, regionCode: regionCode ?? undefined, groupBy: groupBy.join(',') }}
          fileName={`储备物资估值-${date}.xlsx`}
        />
      }
    >
      <Space wrap className="form-alert">
        <span>截至</span>
        <DatePicker id="valuation-date" allowClear={false} value={dayjs(date)} onChange={(d) => d && setDate(d.format('YYYY-MM-DD'))} />
        <span>日终，按</span>
        <Select<Dimension[]>
          mode="multiple"
          style={{ minWidth: 240 }}
          value={groupBy}
          onChange={setGroupBy}
          options={optionsOf(VALUATION_DIMENSION)}
          aria-label="分组"
        />
        <span>分组</span>
      </Space>
      {error && <FormAlerts messages={errorMessages(error)} />}
      <Row gutter={16} className="form-alert">
        <Col xs={12} md={6}>
          <Statistic title="合计" value={formatMoney(v?.total)} loading={fetching && !v} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title="在库" value={formatMoney(v?.onHand)} loading={fetching && !v} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title="在途" value={formatMoney(v?.inTransit)} loading={fetching && !v} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title="协议储备（或有）" value={formatMoney(v?.contingentAgreementValue)} loading={fetching && !v} />
        </Col>
      </Row>
      {v && (
        <Typography.Paragraph type="secondary" data-testid="valuation-as-of">
          估值时点：{asOf ? `${date} 日终（${date} 24:00，北京时间）` : `当前（${formatDateTime(v.asOf)}，北京时间）`}
        </Typography.Paragraph>
      )}
      {v && (
        <Typography.Paragraph type="secondary" data-testid="valuation-apart">
          另列，不计入合计：产能储备（一日产能）{formatMoney(v.contingentCapacityValue)}；企业自有库存（协议储备企业库）
          {formatMoney(v.companyStock)}；协议储备费用（{v.feesFrom} 起计提）{formatMoney(v.feesAccrued)}。
        </Typography.Paragraph>
      )}
      {v && groupBy.length > 0 && (
        <ValuationChart rows={(groups ?? []).map((g) => ({ name: g.labels.join(' / '), onHand: Number(g.value), inTransit: Number(g.inTransitValue) }))} />
      )}
      {inTransitGroup && (
        <Typography.Paragraph type="secondary" data-testid="valuation-in-transit-note">
          在途：已发运、尚未收货的调拨物资，计入收货方的「在途」栏，不计入其在库；合计 = 在库 + 在途。
        </Typography.Paragraph>
      )}
      <Table<Group>
        size="small"
        loading={fetching}
        rowKey={(g) => g.key.join('|')}
        dataSource={groups}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        // Sweep 22c F12: a day before any stock was booked listed 暂无数据 under totals of ¥0.00 without a word why.
        locale={v ? { emptyText: `截至 ${date} 日终，范围内没有在库或在途的储备物资（物资入库登记后才计入估值）；可改选更晚的日期` } : undefined}
        summary={() =>
          v && groupBy.length > 0 && groups?.length ? (
            <Table.Summary.Row data-testid="valuation-total-row">
              <Table.Summary.Cell index={0} colSpan={groupBy.length}>
                <Typography.Text strong>合计</Typography.Text>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={groupBy.length} align="right">
                {shown.total ? formatNumber(groups.reduce((sum, g) => sum + g.quantity, 0)) : NO_QUANTITY}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={groupBy.length + 1} align="right">
                {formatMoney(v.onHand)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={groupBy.length + 2} align="right">
                {shown.total ? formatNumber(inTransitGroup?.quantity ?? 0) : NO_QUANTITY}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={groupBy.length + 3} align="right">
                {formatMoney(v.inTransit)}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
        columns={[
          ...groupBy.map((d, i) => ({ title: VALUATION_DIMENSION[d], key: d, render: (_: unknown, g: Group) => g.labels[i] })),
          { title: '在库数量', align: 'right' as const, render: (_: unknown, g: Group) => (shown.rows ? formatNumber(g.quantity) : NO_QUANTITY) },
          { title: '在库金额', align: 'right' as const, render: (_: unknown, g: Group) => formatMoney(g.value) },
          { title: '在途数量', align: 'right' as const, render: (_: unknown, g: Group) => (shown.rows ? formatNumber(g.inTransitQuantity) : NO_QUANTITY) },
          { title: '在途金额', align: 'right' as const, render: (_: unknown, g: Group) => formatMoney(g.inTransitValue) },
        ]}
      />
    </Card>
  );
}
