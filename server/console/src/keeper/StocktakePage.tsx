import { useState } from 'react';
import { App, Button, Card, Form, Result, Select, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useMutation, type CombinedError } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { useAllPages } from '../common/allPages';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatNumber, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityProblem, quantityRules } from '../common/QuantityInput';
import { useLeaveGuard } from '../common/useLeaveGuard';
import { useStoreChoice } from '../common/useStoreChoice';
import { useReasonOptions } from './reasons';
import { StocktakeSheet } from './StocktakeSheet';

const BookQuery = graphql(`
  query StocktakeBook($storeId: ID!, $first: Int, $after: String) {
    stock(filter: { storeId: $storeId }, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          item {
            name
            unit
          }
          batch {
            id
            batchNo
          }
          onHand
          reserved
        }
      }
    }
  }
`);

const Submit = graphql(`
  mutation SubmitStocktake($input: StocktakeInput!) {
    submitStocktake(input: $input) {
      id
      number
      status
    }
  }
`);

type Line = ResultOf<typeof BookQuery>['stock']['edges'][number]['node'];
const bookOf = (d: ResultOf<typeof BookQuery>) => d.stock;
/** The counts entered, by batch id (a row is found by its batch, whatever list was loaded when the form was drawn). */
interface Values {
  counts?: Record<string, { countedQuantity?: number | null; reason?: string } | undefined>;
}

/**
 * Sweep 23c: the rows a refusal shows were counted against a book other than the one on screen — the API refused a
 * count at `input.counts.N…` for the book it holds now: one that moved since the page read it (extensions.bookQuantity,
 * not the 账面 shown), or a count below what is reserved there (extensions.reserved, with what holds it in heldBy: D9,
 * D27 — a document awaiting approval, an approved plan; the 预留 shown may be older). What each says, for the alert
 * above the table; any of them has the book read again, the counts typed kept.
 */
function refusedAgainstBook(error: CombinedError, posted: readonly { batchId: string; countedQuantity: number }[], shown: readonly Line[]): string[] {
  return error.graphQLErrors.flatMap((e) => {
    const at = /^input\.counts\.(\d+)\./.exec(typeof e.extensions?.field === 'string' ? e.extensions.field : '');
    const count = at && posted[Number(at[1])];
    const line = count && shown.find((l) => l.batch.id === count.batchId);
    if (!line) return [];
    const { unit } = line.item;
    const book = e.extensions?.bookQuantity;
    if (typeof book === 'number' && book !== line.onHand) {
      return [
        `批号 ${line.batch.batchNo} 的账面已变动：打开本页时 ${formatNumber(line.onHand)} ${unit}，现为 ${formatNumber(book)} ${unit}（其间有出入库）。账面已刷新，录入的实盘数量保留，请按新账面核对差异和原因后重新提交`,
      ];
    }
    const reserved = e.extensions?.reserved;
    if (typeof reserved !== 'number') return [];
    const heldBy = Array.isArray(e.extensions?.heldBy) ? e.extensions.heldBy.filter((h): h is string => typeof h === 'string') : [];
    return [
      `批号 ${line.batch.batchNo} 已预留 ${formatNumber(reserved)} ${unit}${heldBy.length ? `（${heldBy.join('、')}）` : ''}，实盘 ${formatNumber(count.countedQuantity)} ${unit}低于预留量，未提交。账面和预留已刷新，录入的实盘数量保留：预留处理后再重新提交`,
    ];
  });
}

/** Whether any count was entered (a reason alone is not a count). */
const anyCounted = (counts: Values['counts']) => Object.values(counts ?? {}).some((c) => c?.countedQuantity !== undefined && c.countedQuantity !== null);

/**
 * 盘点: enter the counted quantity per batch on screen; a difference needs a reason (D11). Uncounted rows are left out.
 * Counts typed and not submitted are not dropped without a word: leaving the page, or choosing another store, asks first.
 */
export default function StocktakePage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  // D9: every batch of the book, page after page (sweep 18b F3: the first 500 stock lines left the others uncountable).
  const { nodes: book, fetching, refetch: refetchBook } = useAllPages(BookQuery, storeId ? { storeId } : undefined, bookOf);
  const gain = useReasonOptions('STOCKTAKE', 'INCREASE');
  const loss = useReasonOptions('STOCKTAKE', 'DECREASE');
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [submission, submit] = useMutation(Submit);
  // D9: a stocktake counts what is on hand. The stock list also has the batches only in transit to this store (on hand
  // 0; it lists no balance with neither), which are counted when received (收货), not here — as the 盘点表 leaves them out.
  const lines = (book ?? []).filter((l) => l.onHand > 0);
  const counts = Form.useWatch<Values['counts']>('counts', form);
  const [done, setDone] = useState<{ id: string; number: string; status: string }>();
  const { modal } = App.useApp();
  const dirty = !done && anyCounted(counts);
  useLeaveGuard(dirty, '录入的实盘数量尚未提交，离开本页将丢失。');
  const chooseStore = (id: string) => {
    const choose = () => {
      form.resetFields();
      setStoreId(id);
    };
    if (!dirty) return choose();
    void modal.confirm({
      title: '换一个仓库盘点？',
      content: '录入的实盘数量尚未提交，换仓库将丢失。',
      okText: '换仓库',
      okButtonProps: { danger: true },
      cancelText: '继续盘点',
      onOk: choose,
    });
  };

  const post = async () => {
    // D9: a count is what was counted. One that is not a whole number ≥ 0 is shown under its field, and nothing is sent;
    // rows on another page of the table are not on screen, so their counts are checked here too.
    try {
      await form.validateFields();
    } catch {
      return;
    }
    const v = form.getFieldsValue(true) as Values;
    const wrong = lines.flatMap((l) => {
      const problem = quantityProblem('count', v.counts?.[l.batch.id]?.countedQuantity);
      return problem ? [`批号 ${l.batch.batchNo}：${problem}`] : [];
    });
    if (wrong.length) return setAlerts(wrong);
    // Only the batches of the book on screen, in its order; a row left empty is not counted.
    const entered = lines.flatMap((l) => {
      const c = v.counts?.[l.batch.id];
      return c && c.countedQuantity !== undefined && c.countedQuantity !== null
        ? [{ batchId: l.batch.id, countedQuantity: c.countedQuantity, reason: c.reason }]
        : [];
    });
    if (!entered.length) return setAlerts(['请至少录入一个批次的实盘数量']);
    setAlerts([]);
    const result = await submit({
      input: {
        storeId: storeId!,
        idempotencyKey: key,
        counts: entered,
      },
    });
    // The API numbers the counts it was sent; the form keys its rows by batch.
    if (result.error) {
      const messages = showFieldErrors(form, result.error, { rows: { list: 'counts', keys: entered.map((c) => c.batchId) } });
      // Sweep 23c: refused against a book that moved meanwhile, or a count below what is reserved — the book is read
      // again (the counts typed stay: the form keys them by batch) and the alert says what changed or what is reserved,
      // before the refusal's own words at the row.
      const againstBook = refusedAgainstBook(result.error, entered, lines);
      if (againstBook.length) refetchBook();
      setAlerts([...againstBook, ...messages]);
    } else if (result.data) setDone(result.data.submitStocktake);
  };

  if (done)
    return (
      <Result
        status="success"
        // D27: differences adjust the book only once a second person approves (the count is then in 单据 as 待审批).
        title={done.status === 'PENDING_APPROVAL' ? `盘点单 ${done.number} 已提交，待审批后调账` : `盘点单 ${done.number} 已提交`}
        extra={[
          <Link key="doc" to={`/documents/${done.id}`}>
            <Button type="primary">打印盘点单</Button>
          </Link>,
          <Button
            key="again"
            onClick={() => {
              form.resetFields();
              setKey(newIdempotencyKey());
              setDone(undefined);
            }}
          >
            重新盘点
          </Button>,
        ]}
      />
    );

  return (
    <Card title="盘点" extra={<Select style={{ width: 220 }} value={storeId} onChange={chooseStore} options={options} aria-label="仓库" />}>
      {storeId && <StocktakeSheet storeId={storeId} onPosted={refetchBook} />}
      <Typography.Paragraph type="secondary">按批次录入实盘数量；与账面不符时选择原因。未录入的批次不计入本次盘点。</Typography.Paragraph>
      <FormAlerts messages={alerts} />
      <Form form={form}>
        <Table<Line>
          size="small"
          loading={fetching}
          rowKey={(l) => l.batch.id}
          dataSource={lines}
          pagination={{ pageSize: 50, showSizeChanger: false }}
          scroll={{ x: 720 }}
          columns={[
            { title: '物资', render: (_, l) => l.item.name },
            { title: '批号', render: (_, l) => l.batch.batchNo },
            { title: '账面', align: 'right', render: (_, l) => `${formatNumber(l.onHand)} ${l.item.unit}` },
            // D9, D27: what approved plans and documents awaiting approval hold — a count may not be below it.
            { title: '预留', align: 'right', render: (_, l) => (l.reserved ? `${formatNumber(l.reserved)} ${l.item.unit}` : '—') },
            {
              title: '实盘',
              render: (_, l) => (
                <Form.Item name={['counts', l.batch.id, 'countedQuantity']} style={{ margin: 0 }} rules={quantityRules('count')}>
                  <QuantityInput aria-label={`实盘 批号 ${l.batch.batchNo}`} />
                </Form.Item>
              ),
            },
            {
              title: '差异原因',
              render: (_, l) => {
                const counted = counts?.[l.batch.id]?.countedQuantity;
                const differs = counted !== undefined && counted !== null && counted !== l.onHand;
                return (
                  <Form.Item name={['counts', l.batch.id, 'reason']} style={{ margin: 0 }}>
                    <Select
                      allowClear
                      disabled={!differs}
                      style={{ width: 140 }}
                      options={differs && counted > l.onHand ? gain : loss}
                      // Sweep 22c F1: named as 实盘 is, by its column and the row's batch.
                      aria-label={`差异原因 批号 ${l.batch.batchNo}`}
                    />
                  </Form.Item>
                );
              },
            },
          ]}
        />
      </Form>
      <Button type="primary" loading={submission.fetching} onClick={() => void post()} style={{ marginTop: 12 }}>
        提交盘点
      </Button>
    </Card>
  );
}
