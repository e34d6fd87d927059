import { useEffect, useState } from 'react';
import { Card, Select, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime, formatNumber } from '../common/format';
import { DOCUMENT_STATUS, DOCUMENT_TYPE, labelOf, optionsOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { PrintButton } from '../common/PrintButton';
import { useStoreChoice } from '../common/useStoreChoice';
import { CorrectionLink } from '../documents/CorrectionLink';

const DocumentsQuery = graphql(`
  query StoreDocuments($filter: DocumentFilter!, $first: Int, $after: String) {
    documents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          number
          type
          status
          occurredAt
          store {
            id
            name
          }
          counterpartStore {
            id
            name
          }
          transfer {
            id
          }
          reverses {
            id
            number
          }
          reversedBy {
            id
            number
            type
          }
          approval {
            id
            reason
            withdrawn
            withdrawnAt
            withdrawReason
            withdrawnBy {
              displayName
            }
          }
          lines {
            quantity
            item {
              id
              name
              unit
            }
          }
        }
      }
    }
  }
`);

type Doc = ResultOf<typeof DocumentsQuery>['documents']['edges'][number]['node'];
type Status = keyof typeof DOCUMENT_STATUS;

const STATUS_COLOUR: Record<string, string> = { PENDING_APPROVAL: 'blue', POSTED: 'green', REVERSED: 'default', REJECTED: 'red' };

/** Items shown in a row; a count of every batch of the store lists the rest as 等 n 种. */
const ITEMS_SHOWN = 5;

interface Change {
  item: string;
  unit: string;
  onHand: number;
  inTransit: number;
}

/**
 * What one line changes at this store, on hand and in transit (a pending document once approved; a rejected one never).
 * A line's quantity is the change at the document's own store; a transfer shipped here posts 在途 here, a recovery
 * brings the goods into stock here. The other side's receipt or write-off changes nothing here.
 */
function lineChange(d: Doc, here: boolean, quantity: number): [onHand: number, inTransit: number] {
  if (here) {
    if (d.type === 'TRANSFER_IN') return [quantity, -quantity];
    if (d.type === 'WRITE_OFF' && d.transfer) return [0, quantity]; // D27: a loss in transit, written off
    return [quantity, 0];
  }
  if (d.type === 'TRANSFER_OUT' || d.type === 'TRANSFER_CANCEL') return [0, -quantity];
  if (d.type === 'RECOVERY') return [-quantity, 0];
  return [0, 0];
}

/** The document's changes here per item, those that change something first. */
function changesHere(d: Doc, storeId: string): Change[] {
  const here = d.store?.id === storeId;
  const byItem = new Map<string, Change>();
  for (const l of d.lines) {
    const [onHand, inTransit] = lineChange(d, here, l.quantity);
    const c = byItem.get(l.item.id) ?? { item: l.item.name, unit: l.item.unit, onHand: 0, inTransit: 0 };
    c.onHand += onHand;
    c.inTransit += inTransit;
    byItem.set(l.item.id, c);
  }
  const changes = [...byItem.values()];
  return [...changes.filter((c) => c.onHand || c.inTransit), ...changes.filter((c) => !c.onHand && !c.inTransit)];
}

/**
 * The row's type from this store's side. A transfer shipped to this store is 调拨在途 here (coming, not yet in the
 * store), never 调拨出库 with a plus sign; the other side's own receipt or write-off is marked as theirs.
 */
function typeHere(d: Doc, storeId: string): string {
  const label = labelOf(DOCUMENT_TYPE, d.type);
  if (d.store?.id === storeId) return label;
  if (d.type === 'TRANSFER_OUT') return '调拨在途';
  if (d.type === 'RECOVERY') return '回收入库';
  if (d.type === 'TRANSFER_CANCEL') return label;
  return `${label}（对方）`;
}

const signed = (n: number, unit: string) => (n ? `${n > 0 ? '+' : ''}${formatNumber(n)} ${unit}` : '—');

/** D27: a rejected document never changed the book, and a pending one changes it only once approved (console sweep 2, L3). */
function booked(d: Doc, change: string): string {
  if (change === '—' || d.status === 'REJECTED') return '—';
  return d.status === 'PENDING_APPROVAL' ? `${change}（待审批）` : change;
}

/** One line per item, aligned across the 物资, 在库 and 在途 cells of a row. */
function perItem(changes: Change[], cell: (c: Change) => string, more: string) {
  const shown = changes.slice(0, ITEMS_SHOWN);
  return (
    <>
      {shown.map((c, i) => (
        <div key={i}>{cell(c)}</div>
      ))}
      {changes.length > ITEMS_SHOWN && <div>{more}</div>}
    </>
  );
}

/**
 * 单据: every document of the store from `documents` — awaiting approval (D27: a submitted stocktake, a transit or
 * recovery write-off, a scrap or reversal is found here, 待审批, before it changes the book), posted, reversed, or
 * rejected with the approver's reason — and those of another store naming this one (a transfer on its way here), each
 * opening the document; newest business time first, the time it shows (D22). In-transit quantities count in their own
 * 在途 column, apart from stock on hand (D8: 在库 is what can be issued).
 */
export default function DocumentsPage() {
  const { storeId, setStoreId, options } = useStoreChoice();
  const [status, setStatus] = useState<Status | undefined>();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [storeId, status, reset]);
  const [{ data, fetching }] = useQuery({
    query: DocumentsQuery,
    variables: { filter: { storeId: storeId ?? '', status: status ? [status] : null }, ...pages.variables },
    pause: !storeId,
    requestPolicy: 'cache-and-network',
  });
  useEffect(() => remember(page, data?.documents.pageInfo.endCursor), [data, page, remember]);
  const docs = (data?.documents.edges ?? []).map((e) => e.node);
  const here = storeId ?? '';
  return (
    <Card
      title="单据"
      extra={
        <Space wrap>
          <Select<Status>
            id="documents-status"
            aria-label="单据状态"
            style={{ width: 140 }}
            placeholder="全部状态"
            allowClear
            value={status}
            onChange={(v) => setStatus(v ?? undefined)}
            options={optionsOf(DOCUMENT_STATUS)}
          />
          <Select style={{ width: 220 }} value={storeId} onChange={setStoreId} options={options} aria-label="仓库" />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        在库：本库实有库存的增减。在途：已由发出库发运、尚未收货的调拨物资，不计入本库在库；收货时由在途转入在库。待审批的单据经审批通过后才记账，已驳回的不记账。
      </Typography.Paragraph>
      <Table<Doc>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={docs}
        pagination={tablePagination(pages, data?.documents.totalCount, {
          query: DocumentsQuery,
          variables: { filter: { storeId: storeId ?? '', status: status ? [status] : null } },
        })}
        scroll={{ x: 1000 }}
        columns={[
          { title: '业务时间', render: (_, d) => formatDateTime(d.occurredAt) },
          {
            title: '单据号',
            render: (_, d) => (
              <Space direction="vertical" size={0}>
                <Link to={`/documents/${d.id}`}>{d.number}</Link>
                <CorrectionLink doc={d} />
              </Space>
            ),
          },
          { title: '类型', render: (_, d) => typeHere(d, here) },
          {
            title: '物资',
            render: (_, d) => {
              const changes = changesHere(d, here);
              return perItem(changes, (c) => c.item, `等 ${changes.length} 种`);
            },
          },
          { title: '在库', align: 'right', render: (_, d) => perItem(changesHere(d, here), (c) => booked(d, signed(c.onHand, c.unit)), '') },
          { title: '在途', align: 'right', render: (_, d) => perItem(changesHere(d, here), (c) => booked(d, signed(c.inTransit, c.unit)), '') },
          { title: '对方仓库', render: (_, d) => (d.store?.id === here ? d.counterpartStore?.name : d.store?.name) ?? '—' },
          {
            title: '状态',
            render: (_, d) => {
              // Sweep 24c F9 follow-up (D22, D24): a request its requester withdrew is 已撤回 — by whom, when, why — not 已驳回.
              const withdrawal = d.status === 'REJECTED' && d.approval?.withdrawn ? d.approval : null;
              const reason = d.status === 'REJECTED' && !withdrawal ? d.approval?.reason : null;
              return (
                <Space direction="vertical" size={0}>
                  <Tag color={withdrawal ? 'default' : STATUS_COLOUR[d.status]}>{withdrawal ? '已撤回' : labelOf(DOCUMENT_STATUS, d.status)}</Tag>
                  {withdrawal && (
                    <Typography.Text type="secondary" className="document-withdrawal" style={{ maxWidth: 240 }}>
                      {withdrawal.withdrawnBy?.displayName} {formatDateTime(withdrawal.withdrawnAt)} 撤回：{withdrawal.withdrawReason}
                    </Typography.Text>
                  )}
                  {reason && (
                    <Typography.Text type="secondary" className="document-rejection-reason" style={{ maxWidth: 240 }}>
                      驳回理由：{reason}
                    </Typography.Text>
                  )}
                </Space>
              );
            },
          },
          { title: '', render: (_, d) => <PrintButton size="small" path={`/paperwork/documents/${d.id}.html`} /> },
        ]}
      />
    </Card>
  );
}
