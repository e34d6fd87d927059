import { useMemo, useState } from 'react';
import { Card, Col, Empty, Row, Space, Table, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { Chart } from '../common/Chart';
import { ExcelButton } from '../common/ExcelButton';
import { FormAlerts } from '../common/FormAlerts';
import { formatQuantity } from '../common/format';
import { RegionSelect } from '../common/RegionSelect';

const ReservesQuery = graphql(`
  query Reserves($regionCode: String!) {
    reserveGaps(regionCode: $regionCode) {
      item {
        id
        name
        unit
      }
      store {
        id
        name
      }
      region {
        code
        name
      }
      quota
      available
      agreementCommitted
      gap
    }
    # Sweep 25c F13 (D6): government physical stock against at least 50 % of each region quota.
    reserveFloor(regionCode: $regionCode) {
      region {
        code
        name
      }
      share
      meetsFloor
      lines {
        item {
          id
          name
          unit
        }
        quota
        physical
        share
        meetsFloor
      }
    }
    coverage(regionCode: $regionCode) {
      region {
        code
        name
      }
      categoriesHeld
      kindsHeld
      targetCategories
      targetKinds
      meetsTarget
      missingCategories
      storeCount
      stores {
        id
        name
      }
    }
    categories {
      code
      name
    }
  }
`);

type Gap = ResultOf<typeof ReservesQuery>['reserveGaps'][number];
type Coverage = ResultOf<typeof ReservesQuery>['coverage'][number];
type Floor = ResultOf<typeof ReservesQuery>['reserveFloor'][number];
type FloorLine = Floor['lines'][number] & { region: Floor['region'] };

/** A share of the quota as a percentage, 74% (the API's share is a fraction). */
const percent = (share: number) => `${Math.floor(share * 1000) / 10}%`;

/**
 * 储备缺口 (quota vs available, D19) and township coverage (categories and kinds held) as charts and tables — for the
 * user's region; a system-wide administrator, who has none, picks one first. A township without any 储备点 is shown
 * apart from one whose store holds too little (sweep 19b F6: 乡镇储备点覆盖率 is read off the chart).
 */
export default function ReservesPage() {
  const user = useUser();
  const [picked, setPicked] = useState<string>();
  const regionCode = user.region?.code ?? picked;
  const [{ data, fetching, error }] = useQuery({ query: ReservesQuery, variables: { regionCode: regionCode ?? '' }, pause: !regionCode });
  const categoryNames = useMemo(() => new Map((data?.categories ?? []).map((c) => [c.code, c.name])), [data]);
  const regionPicker = !user.region && (
    <Space wrap className="form-alert">
      <span>区划</span>
      <RegionSelect id="reserves-region" style={{ width: 240 }} placeholder="选择区划" value={picked} onChange={setPicked} />
    </Space>
  );
  if (!regionCode) {
    return (
      <Card title="储备缺口与覆盖">
        {regionPicker}
        <Empty description="请先选择区划，查看其储备缺口和乡镇储备覆盖" />
      </Card>
    );
  }
  const gaps = [...(data?.reserveGaps ?? [])].filter((g) => g.gap > 0).sort((a, b) => b.gap - a.gap);
  const coverage = data?.coverage ?? [];
  const withoutStore = coverage.filter((c) => c.storeCount === 0).length;
  const where = (g: Gap) => g.store?.name ?? g.region?.name ?? '';
  const floors = data?.reserveFloor ?? [];
  // Failing items first, the weakest first; then the rest by region.
  const floorLines: FloorLine[] = floors
    .flatMap((f) => f.lines.map((l) => ({ ...l, region: f.region })))
    .sort((a, b) => Number(a.meetsFloor) - Number(b.meetsFloor) || a.share - b.share || a.region.code.localeCompare(b.region.code));
  return (
    <Row gutter={16}>
      {(regionPicker || error) && (
        <Col span={24}>
          {regionPicker}
          {error && <FormAlerts messages={errorMessages(error)} />}
        </Col>
      )}
      {/* Sweep 25c F13 (D6): government physical stock should be at least 50 % of the reserve requirement — the headline of
          "how do the stores compare with the plans' targets", per region quota and item, the failing items marked. */}
      <Col span={24}>
        <Card
          title="实物储备占比（政府实物储备应不低于储备定额的 50%）"
          loading={fetching && !data}
          className="form-alert"
          extra={
            floors.length > 0 && (
              <span data-testid="reserve-floor-summary">
                {floors.map((f) => `${f.region.name}${f.meetsFloor ? '达标' : `未达标（最低 ${percent(f.share)}）`}`).join('；')}
              </span>
            )
          }
        >
          {floorLines.length ? (
            <Table<FloorLine>
              size="small"
              data-testid="reserve-floor"
              rowKey={(l) => `${l.region.code}-${l.item.id}`}
              rowClassName={(l) => (l.meetsFloor ? '' : 'reserve-floor-short')}
              dataSource={floorLines}
              pagination={{ pageSize: 10, showSizeChanger: false, hideOnSinglePage: true }}
              columns={[
                { title: '区划', render: (_, l) => l.region.name },
                { title: '物资', render: (_, l) => l.item.name },
                { title: '定额', align: 'right', render: (_, l) => formatQuantity(l.quota, l.item.unit) },
                { title: '实物储备', align: 'right', render: (_, l) => formatQuantity(l.physical, l.item.unit) },
                { title: '占比', align: 'right', render: (_, l) => percent(l.share) },
                {
                  title: '不低于 50%',
                  render: (_, l) =>
                    l.meetsFloor ? (
                      <Tag color="green">达标</Tag>
                    ) : (
                      <Tag color="red">未达标（差 {formatQuantity(Math.ceil(l.quota / 2) - l.physical, l.item.unit)}）</Tag>
                    ),
                },
              ]}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="本区划尚未设定区划储备定额" />
          )}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card
          title="储备缺口（定额 − 可用）"
          loading={fetching && !data}
          extra={<ExcelButton path="/exports/reserve-gaps.xlsx" params={{ regionCode }} fileName="储备缺口.xlsx" />}
        >
          <Chart
            option={{
              tooltip: { trigger: 'axis' },
              // Sweep 16b F4: the labels had 160 px and lost their start (「…水镇应急物资储备点 · 编织袋」): the grid
              // makes room for them (containLabel), and a name too long for half the card ends in … rather than its start cut.
              grid: { left: 8, right: 24, top: 16, bottom: 24, containLabel: true },
              xAxis: { type: 'value' },
              yAxis: {
                type: 'category',
                inverse: true,
                data: gaps.slice(0, 12).map((g) => `${where(g)} · ${g.item.name}`),
                axisLabel: { width: 260, overflow: 'truncate' },
              },
              series: [{ type: 'bar', data: gaps.slice(0, 12).map((g) => g.gap), itemStyle: { color: '#cf1322' } }],
            }}
          />
          <Table<Gap>
            size="small"
            rowKey={(g) => `${g.store?.id ?? g.region?.code}-${g.item.id}`}
            dataSource={gaps}
            pagination={{ pageSize: 10, showSizeChanger: false }}
            columns={[
              { title: '仓库/区划', render: (_, g) => where(g) },
              { title: '物资', render: (_, g) => g.item.name },
              // Sweep 22c F6: each row is one item: its quantities grouped, with the unit (formatQuantity).
              { title: '定额', align: 'right', render: (_, g) => formatQuantity(g.quota, g.item.unit) },
              { title: '可用', align: 'right', render: (_, g) => formatQuantity(g.available, g.item.unit) },
              { title: '协议', align: 'right', render: (_, g) => formatQuantity(g.agreementCommitted, g.item.unit) },
              { title: '缺口', align: 'right', render: (_, g) => <Tag color="red">{formatQuantity(g.gap, g.item.unit)}</Tag> },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card
          title="乡镇储备覆盖"
          loading={fetching && !data}
          extra={
            coverage.length > 0 && (
              <span id="coverage-points">
                有储备点的乡镇 {coverage.length - withoutStore}/{coverage.length}
              </span>
            )
          }
        >
          <Chart
            option={{
              tooltip: { trigger: 'item' },
              legend: { bottom: 0 },
              series: [
                {
                  type: 'pie',
                  radius: ['40%', '70%'],
                  // D19: three disjoint shares — a township without a 储备点 holds nothing, so never meets the target.
                  data: [
                    { name: '达标', value: coverage.filter((c) => c.meetsTarget).length, itemStyle: { color: '#389e0d' } },
                    { name: '未达标', value: coverage.filter((c) => !c.meetsTarget && c.storeCount > 0).length, itemStyle: { color: '#cf1322' } },
                    { name: '无储备点', value: withoutStore, itemStyle: { color: '#8c8c8c' } },
                  ],
                },
              ],
            }}
          />
          <Table<Coverage>
            size="small"
            rowKey={(c) => c.region.code}
            dataSource={coverage}
            pagination={{ pageSize: 10, showSizeChanger: false }}
            columns={[
              { title: '乡镇', render: (_, c) => c.region.name },
              {
                title: '储备点',
                align: 'right',
                onHeaderCell: () => ({ style: { whiteSpace: 'nowrap' } }),
                render: (_, c) =>
                  c.storeCount === 0 ? <Tag color="default">无储备点</Tag> : <span title={c.stores.map((s) => s.name).join('、')}>{c.storeCount}</span>,
              },
              // The two figures' headers keep to one line (「类别」 stood one character per line beside a long 缺少类别).
              {
                title: '类别',
                align: 'right',
                onHeaderCell: () => ({ style: { whiteSpace: 'nowrap' } }),
                render: (_, c) => `${c.categoriesHeld}/${c.targetCategories}`,
              },
              { title: '品种', align: 'right', onHeaderCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (_, c) => `${c.kindsHeld}/${c.targetKinds}` },
              { title: '缺少类别', render: (_, c) => c.missingCategories.map((code) => categoryNames.get(code) ?? code).join('、') || '—' },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
