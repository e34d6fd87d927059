import { Card, Descriptions, Result, Space, Statistic, Table, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { useQuery, type CombinedError } from 'urql';
import { errorMessages } from '../common/api-errors';
import { formatDateTime, formatMoney, formatNumber } from '../common/format';
import { DOCUMENT_STATUS, DOCUMENT_TYPE, FUNDING_SOURCE, labelOf, RESERVE_MODE } from '../common/labels';
import { approverOf, BatchTraceQuery, distributionsByIssue, whereabouts, withBalances, type BatchTrace, type TraceRow } from './trace';

/**
 * 批次追溯 (D18): one batch from receipt to the households it reached (D29), movement by movement in time order, as far
 * as it passed through stores in the user's scope; a batch that never did is refused by the API, and said so here.
 */
export default function BatchTracePage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: BatchTraceQuery, variables: { batchId: id } });
  const trace = data?.batchTrace;
  if (!trace) return fetching || !error ? <Card loading /> : <Refusal error={error} />;
  const { batch } = trace;
  const householdOf = distributionsByIssue(trace.distributions);
  const rows = withBalances(trace.movements);
  const unit = batch.item.unit;
  return (
    <Card title={`批次追溯 ${batch.batchNo}`}>
      <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
        <Descriptions.Item label="物资">{`${batch.item.name}${batch.item.spec ? `（${batch.item.spec}）` : ''}`}</Descriptions.Item>
        <Descriptions.Item label="批号">{batch.batchNo}</Descriptions.Item>
        <Descriptions.Item label="产权单位">{batch.owner?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="生产日期">{batch.productionDate ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="有效期至">
          {batch.expiryDate ?? '长期'}
          {batch.expired && (
            <Tag color="red" style={{ marginLeft: 8 }}>
              已过期
            </Tag>
          )}
        </Descriptions.Item>
        <Descriptions.Item label="应轮换日期">{batch.rotateBy ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="资金来源">{labelOf(FUNDING_SOURCE, batch.fundingSource)}</Descriptions.Item>
        <Descriptions.Item label="储备方式">{labelOf(RESERVE_MODE, batch.reserveMode)}</Descriptions.Item>
        <Descriptions.Item label="单价">{formatMoney(batch.unitPrice)}</Descriptions.Item>
        <Descriptions.Item label="供应商">{batch.supplier?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="产地">{batch.origin ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="首次入库">{formatDateTime(batch.receivedAt)}</Descriptions.Item>
        <Descriptions.Item label={`现存（${unit}）`} span={3}>
          {holdingsText(trace)}
        </Descriptions.Item>
      </Descriptions>
      <Space size="large" wrap style={{ margin: '16px 0' }}>
        <Statistic title="入库" value={trace.receivedQuantity} suffix={unit} />
        {/* Sweep 25a F2 (D18): every way out the API counts — issues and distributions, rotation out, scrap and write-off. */}
        <Statistic title="出库（含发放、轮换、报废核销）" value={trace.issuedQuantity} suffix={unit} />
        <Statistic title="到户" value={trace.householdsReached} suffix="户" />
      </Space>
      <Typography.Paragraph type="secondary">只列出经过您权限范围内仓库的流向；结存为该仓库此笔之后的数量。</Typography.Paragraph>
      <Table<TraceRow>
        size="small"
        rowKey="id"
        dataSource={rows}
        // A batch handed out household by household has many movements: in pages of 100, in time order.
        pagination={{ pageSize: 100, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 1200 }}
        columns={[
          { title: '业务时间', render: (_, m) => formatDateTime(m.occurredAt) },
          { title: '类型', render: (_, m) => labelOf(DOCUMENT_TYPE, m.type) + (m.bucket === 'IN_TRANSIT' ? '（在途）' : '') },
          {
            title: '单据',
            render: (_, m) => (
              <>
                {/* The API shows a document where the user may read it, and the document page opens it there too. */}
                <Link to={`/documents/${m.document.id}`}>{m.document.number}</Link>
                {m.document.status !== 'POSTED' && <Tag style={{ marginLeft: 8 }}>{labelOf(DOCUMENT_STATUS, m.document.status)}</Tag>}
              </>
            ),
          },
          {
            title: '仓库',
            render: (_, m) => (
              <>
                {m.store.name}
                {/* Sweep 16b F8: not beside a name that says it already (「…小学安置点」 read 「…安置点安置点」). */}
                {m.store.kind === 'DISTRIBUTION_POINT' && !m.store.name.endsWith('安置点') && (
                  <Tag color="blue" style={{ marginLeft: 8 }}>
                    安置点
                  </Tag>
                )}
              </>
            ),
          },
          { title: '入', align: 'right', render: (_, m) => (m.quantity > 0 ? formatNumber(m.quantity) : '') },
          { title: '出', align: 'right', render: (_, m) => (m.quantity < 0 ? formatNumber(-m.quantity) : '') },
          { title: '去向 / 来源', render: (_, m) => whereabouts(m, householdOf(m)) },
          {
            title: '结存',
            align: 'right',
            render: (_, m) => `${m.bucket === 'IN_TRANSIT' ? '在途 ' : ''}${formatNumber(m.balance)} ${unit}`,
          },
          // D22 (sweep 23b F6): every step with its person — who posted it, and who approved it where it needed a second.
          { title: '经办人', render: (_, m) => m.actor.displayName },
          { title: '批准人', render: (_, m) => approverOf(m) ?? '—' },
        ]}
      />
    </Card>
  );
}

/** Where the batch is now (in the user's scope): on hand, and in transit to a store, per store. */
const holdingsText = (trace: BatchTrace) =>
  trace.holdings.map((h) => `${h.store.name} ${formatNumber(h.onHand)}${h.inTransit ? `（在途 ${formatNumber(h.inTransit)}）` : ''}`).join('；') || '无';

/** The API's refusal in words: outside the user's scope, no such batch, or another failure. */
function Refusal({ error }: { error: CombinedError }) {
  const code = error.graphQLErrors[0]?.extensions?.code;
  const back = <Link to="/">返回首页</Link>;
  if (code === 'FORBIDDEN') {
    return (
      <Card>
        <Result status="403" title="无权查看该批次的流向" subTitle="该批次没有经过您权限范围内的仓库，无法追溯。" extra={back} />
      </Card>
    );
  }
  const notFound = code === 'NOT_FOUND' || code === 'BAD_USER_INPUT';
  return (
    <Card>
      <Result status={notFound ? '404' : 'error'} title={notFound ? '找不到该批次' : '加载失败'} subTitle={errorMessages(error).join('；')} extra={back} />
    </Card>
  );
}
