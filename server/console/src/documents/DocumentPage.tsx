import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Space, Table } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime, formatMoney, formatQuantity } from '../common/format';
import { DOCUMENT_STATUS, DOCUMENT_TYPE, labelOf, RECEIPT_SOURCE } from '../common/labels';
import { PrintButton } from '../common/PrintButton';
import { ReverseDocumentModal } from './ReverseDocumentModal';
import { WithdrawRequestModal } from './WithdrawRequestModal';
import { useUser } from '../app/session';

const DocumentQuery = graphql(`
  query Document($id: ID!) {
    document(id: $id) {
      id
      number
      type
      status
      occurredAt
      recordedAt
      recipient
      source
      contractNo
      inspectionReportNo
      reference
      approvalRef
      approval {
        id
        status
        requestedBy {
          id
        }
        decidedAt
        approvalRef
        decidedBy {
          displayName
        }
        reason
        withdrawn
        withdrawnAt
        withdrawReason
        withdrawnBy {
          displayName
        }
        order {
          number
        }
      }
      note
      reason {
        name
      }
      store {
        name
      }
      counterpartStore {
        name
      }
      actor {
        displayName
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
      reversible
      pendingReversal {
        id
        number
        recordedAt
        actor {
          displayName
        }
      }
      lines {
        lineNo
        item {
          name
          unit
        }
        batch {
          batchNo
          expiryDate
        }
        quantity
        unitPrice
        value
        bookQuantity
        countedQuantity
        reason {
          name
        }
      }
    }
  }
`);

type Line = NonNullable<ResultOf<typeof DocumentQuery>['document']>['lines'][number];

/**
 * Any stock document; 打印 opens the server's A4 form of it (with signatures and the amount in words). 冲销 (D22) is
 * offered while the API says the user may ask for it (`reversible`); a request awaiting approval is shown (D24).
 */
export default function DocumentPage() {
  const { id = '' } = useParams();
  const [{ data, fetching }, refetch] = useQuery({ query: DocumentQuery, variables: { id } });
  const d = data?.document;
  const [reversing, setReversing] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const me = useUser();
  if (!d) return <Card loading={fetching}>{!fetching && <Empty description="找不到该单据，或您无权查看" />}</Card>;
  const total = d.lines.reduce((sum, l) => sum + Number(l.value), 0).toFixed(2);
  const title = `${labelOf(DOCUMENT_TYPE, d.type)}单 ${d.number}`;
  // Sweep 24c F9 follow-up: withdrawn by its requester (Approval.withdrawn) or rejected by the approver — never both.
  const withdrawal = d.approval?.status === 'REJECTED' && d.approval.withdrawn ? d.approval : null;
  const rejection = d.approval?.status === 'REJECTED' && !d.approval.withdrawn ? d.approval : null;
  return (
    <Card
      title={title}
      extra={
        <Space>
          {d.reversible && (
            <Button danger onClick={() => setReversing(true)}>
              冲销
            </Button>
          )}
          {/* Sweep 24c F9: the requester's own request awaiting approval may be withdrawn. */}
          {d.status === 'PENDING_APPROVAL' && d.approval?.status === 'PENDING' && d.approval.requestedBy.id === me.id && (
            <Button danger onClick={() => setWithdrawing(true)}>
              撤回
            </Button>
          )}
          <PrintButton path={`/paperwork/documents/${d.id}.html`} />
        </Space>
      }
    >
      {d.pendingReversal && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={
            <>
              冲销申请 <Link to={`/documents/${d.pendingReversal.id}`}>{d.pendingReversal.number}</Link> 待审批（{d.pendingReversal.actor.displayName}{' '}
              {formatDateTime(d.pendingReversal.recordedAt)} 提交），批准后本单冲销
            </>
          }
        />
      )}
      <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
        <Descriptions.Item label="仓库">{d.store?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="业务时间">{formatDateTime(d.occurredAt)}</Descriptions.Item>
        {/* Sweep 24c F9 follow-up (D22, D24): a request its requester withdrew reads 已撤回, not 已驳回. */}
        <Descriptions.Item label="状态">{withdrawal ? '已撤回' : labelOf(DOCUMENT_STATUS, d.status)}</Descriptions.Item>
        {d.source && <Descriptions.Item label="来源">{labelOf(RECEIPT_SOURCE, d.source)}</Descriptions.Item>}
        {d.contractNo && <Descriptions.Item label="合同编号">{d.contractNo}</Descriptions.Item>}
        {d.inspectionReportNo && <Descriptions.Item label="验收报告">{d.inspectionReportNo}</Descriptions.Item>}
        {d.recipient && <Descriptions.Item label="领用单位">{d.recipient}</Descriptions.Item>}
        {d.counterpartStore && <Descriptions.Item label="对方仓库">{d.counterpartStore.name}</Descriptions.Item>}
        {d.reason && <Descriptions.Item label="原因">{d.reason.name}</Descriptions.Item>}
        {d.approvalRef && <Descriptions.Item label="批准文号">{d.approvalRef}</Descriptions.Item>}
        {/* D23, D27: the order executed and who approved it, as the printed form names them (the API leaves out what the reader may not see). */}
        {d.approval?.order && <Descriptions.Item label="出库申请">{d.approval.order.number}</Descriptions.Item>}
        {d.approval?.status === 'APPROVED' && d.approval.decidedBy && (
          <Descriptions.Item label="批准人">
            {d.approval.decidedBy.displayName} {formatDateTime(d.approval.decidedAt)}
          </Descriptions.Item>
        )}
        {d.approval?.status === 'APPROVED' && d.approval.approvalRef && d.approval.approvalRef !== d.approvalRef && (
          <Descriptions.Item label="批准文号">{d.approval.approvalRef}</Descriptions.Item>
        )}
        {d.reference && <Descriptions.Item label="凭证号">{d.reference}</Descriptions.Item>}
        <Descriptions.Item label="经办人">{d.actor.displayName}</Descriptions.Item>
        <Descriptions.Item label="录入时间">{formatDateTime(d.recordedAt)}</Descriptions.Item>
        {/* Sweep 24c F6: a rejected request says who rejected it and why, as the 单据 list does. */}
        {rejection?.decidedBy && (
          <Descriptions.Item label="驳回人">
            {rejection.decidedBy.displayName} {formatDateTime(rejection.decidedAt)}
          </Descriptions.Item>
        )}
        {rejection?.reason && <Descriptions.Item label="驳回理由">{rejection.reason}</Descriptions.Item>}
        {withdrawal && (
          <Descriptions.Item label="撤回人">
            {withdrawal.withdrawnBy?.displayName} {formatDateTime(withdrawal.withdrawnAt)}
          </Descriptions.Item>
        )}
        {withdrawal && <Descriptions.Item label="撤回原因">{withdrawal.withdrawReason}</Descriptions.Item>}
        {d.note && (
          <Descriptions.Item label={d.type === 'REVERSAL' ? '冲销原因' : d.type === 'TRANSFER_CANCEL' ? '撤销原因' : '备注'}>{d.note}</Descriptions.Item>
        )}
        {/* D22 (sweep 24c F2): a 调拨撤销单 and the 调拨出库 it undoes are linked as a 冲销单 and its original. */}
        {d.reversedBy && (
          <Descriptions.Item label={d.reversedBy.type === 'TRANSFER_CANCEL' ? '调拨撤销单' : '冲销单'}>
            <Link to={`/documents/${d.reversedBy.id}`}>{d.reversedBy.number}</Link>
            {d.reversedBy.type === 'TRANSFER_CANCEL' && '（已撤销，货物退回调出仓库）'}
          </Descriptions.Item>
        )}
        {d.reverses && (
          <Descriptions.Item label={d.type === 'TRANSFER_CANCEL' ? '原调拨单' : '冲销原单'}>
            <Link to={`/documents/${d.reverses.id}`}>{d.reverses.number}</Link>
            {d.status === 'REJECTED' && (withdrawal ? '（冲销已撤回，原单未冲销）' : '（冲销已驳回，原单未冲销）')}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Table<Line>
        size="small"
        rowKey="lineNo"
        dataSource={d.lines}
        pagination={false}
        style={{ marginTop: 16 }}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={5}>
              合计
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              {formatMoney(total)}
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
        columns={[
          { title: '行', render: (_, l) => l.lineNo },
          { title: '物资', render: (_, l) => l.item.name },
          { title: '批号', render: (_, l) => `${l.batch.batchNo}${l.batch.expiryDate ? `（至 ${l.batch.expiryDate}）` : ''}` },
          {
            title: '数量',
            align: 'right',
            render: (_, l) =>
              `${formatQuantity(l.quantity, l.item.unit)}${l.countedQuantity !== null ? `（账 ${formatQuantity(l.bookQuantity, l.item.unit)} / 实 ${formatQuantity(l.countedQuantity, l.item.unit)}）` : ''}`,
          },
          { title: '单价', align: 'right', render: (_, l) => formatMoney(l.unitPrice) },
          { title: '金额', align: 'right', render: (_, l) => formatMoney(l.value) },
        ]}
      />
      {reversing && (
        <ReverseDocumentModal
          document={d}
          title={title}
          onClose={() => {
            // Refreshed however the modal closed: a refusal (reversed or requested meanwhile) means the page was stale.
            setReversing(false);
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
      {withdrawing && d.approval && (
        <WithdrawRequestModal
          approvalId={d.approval.id}
          title={title}
          onClose={() => {
            setWithdrawing(false);
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
