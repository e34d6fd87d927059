import { useEffect, useState } from 'react';
import { Button, Card, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime } from '../common/format';
import { INCIDENT_TYPE, labelOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { CreateIncidentModal } from './CreateIncidentModal';

const IncidentsQuery = graphql(`
  query Incidents($regionCode: String, $first: Int, $after: String) {
    incidents(regionCode: $regionCode, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          name
          type
          occurredAt
          closedAt
          affectedPopulation
          referenceOnly
          region {
            name
          }
        }
      }
    }
  }
`);

type Incident = ResultOf<typeof IncidentsQuery>['incidents']['edges'][number]['node'];

export default function IncidentsPage() {
  const pages = useCursorPages();
  const { remember, page } = pages;
  // Sweep 21b F5: no region filter — the API lists the user's region's incidents and, as reference data, those whose
  // region contains it (a township's dispatcher sees the county's flood); filtered by the user's own region, those fell out.
  const [{ data, fetching }] = useQuery({ query: IncidentsQuery, variables: { regionCode: null, ...pages.variables } });
  useEffect(() => remember(page, data?.incidents.pageInfo.endCursor), [data, page, remember]);
  // Sweep 22c F2: opened here too, by keyboard, with the location typed — not only by a click on 一张图.
  const [creating, setCreating] = useState(false);
  return (
    <Card
      title="事件"
      extra={
        <Space>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            新建事件
          </Button>
          <Link to="/dispatch/map">在一张图上点选位置新建</Link>
        </Space>
      }
    >
      <Table<Incident>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.incidents.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.incidents.totalCount, { query: IncidentsQuery, variables: { regionCode: null } })}
        columns={[
          { title: '名称', render: (_, i) => <Link to={`/dispatch/incidents/${i.id}`}>{i.name}</Link> },
          { title: '类型', render: (_, i) => labelOf(INCIDENT_TYPE, i.type) },
          { title: '区划', render: (_, i) => i.region.name },
          { title: '发生时间', render: (_, i) => formatDateTime(i.occurredAt) },
          { title: '受灾人口', align: 'right', render: (_, i) => i.affectedPopulation ?? '—' },
          // L16: a closed incident is told from a running one.
          {
            title: '状态',
            render: (_, i) => (
              <Space size={4}>
                {i.closedAt ? <Tag>已结束</Tag> : <Tag color="processing">进行中</Tag>}
                {/* Sweep 21b F5: an incident of the region above, read as reference data. */}
                {i.referenceOnly && <Tag>仅查看</Tag>}
              </Space>
            ),
          },
        ]}
      />
      {creating && <CreateIncidentModal onClose={() => setCreating(false)} />}
    </Card>
  );
}
