import { Card, Col, Row, Table, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { Chart } from '../common/Chart';
import { ExcelButton } from '../common/ExcelButton';

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
    }
  }
`);

type Gap = ResultOf<typeof ReservesQuery>['reserveGaps'][number];
type Coverage = ResultOf<typeof ReservesQuery>['coverage'][number];

/** 储备缺口 (quota vs available, D19) and township coverage (categories and kinds held) as charts and tables. */
export default function ReservesPage() {
  const user = useUser();
  const regionCode = user.region?.code ?? '';
  const [{ data, fetching }] = useQuery({ query: ReservesQuery, variables: { regionCode }, pause: !regionCode });
  const gaps = [...(data?.reserveGaps ?? [])].filter((g) => g.gap > 0).sort((a, b) => b.gap - a.gap);
  const coverage = data?.coverage ?? [];
  const where = (g: Gap) => g.store?.name ?? g.region?.name ?? '';
  return (
    <Row gutter={16}>
      <Col xs={24} xl={12}>
        <Card
          title="储备缺口（定额 − 可用）"
          loading={fetching && !data}
          extra={<ExcelButton path="/exports/reserve-gaps.xlsx" params={{ regionCode }} fileName="储备缺口.xlsx" />}
        >
          <Chart
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 160, right: 24, top: 16, bottom: 24 },
              xAxis: { type: 'value' },
              yAxis: { type: 'category', inverse: true, data: gaps.slice(0, 12).map((g) => `${where(g)} · ${g.item.name}`) },
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
              { title: '定额', align: 'right', render: (_, g) => g.quota },
              { title: '可用', align: 'right', render: (_, g) => g.available },
              { title: '协议', align: 'right', render: (_, g) => g.agreementCommitted },
              { title: '缺口', align: 'right', render: (_, g) => <Tag color="red">{g.gap}</Tag> },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title="乡镇储备覆盖（D19）" loading={fetching && !data}>
          <Chart
            option={{
              tooltip: { trigger: 'item' },
              legend: { bottom: 0 },
              series: [
                {
                  type: 'pie',
                  radius: ['40%', '70%'],
                  data: [
                    { name: '达标', value: coverage.filter((c) => c.meetsTarget).length, itemStyle: { color: '#389e0d' } },
                    { name: '未达标', value: coverage.filter((c) => !c.meetsTarget).length, itemStyle: { color: '#cf1322' } },
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
              { title: '类别', align: 'right', render: (_, c) => `${c.categoriesHeld}/${c.targetCategories}` },
              { title: '品种', align: 'right', render: (_, c) => `${c.kindsHeld}/${c.targetKinds}` },
              { title: '缺少类别', render: (_, c) => c.missingCategories.join('、') || '—' },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
