import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useMutation, useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatDateTime, formatMoney } from '../common/format';
import { APPROVAL_KIND, APPROVAL_STATUS, labelOf, optionsOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';

const ApprovalsQuery = graphql(`
  query Approvals($filter: ApprovalFilter!, $first: Int, $after: String) {
    approvals(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          kind
          status
          summary
          order {
            number
          }
          value
          dueAt
          requestedAt
          approvalRef
          reason
          store {
            name
          }
          region {
            name
          }
          requestedBy {
            id
            displayName
          }
          decidedBy {
            displayName
          }
        }
      }
    }
  }
`);

const Decide = graphql(`
  mutation DecideApproval($input: DecideApprovalInput!) {
    decideApproval(input: $input) {
      id
      status
    }
  }
`);

type Approval = ResultOf<typeof ApprovalsQuery>['approvals']['edges'][number]['node'];
type Status = keyof typeof APPROVAL_STATUS;

/**
 * D27: what is approved only with a reference (文号) — a stocktake, write-off or scrap, and D14's written approval — as
 * decideApproval requires it; a rejection needs a reason instead. A reversal (D22, D24) may carry one.
 */
const NEEDS_REFERENCE: ReadonlySet<string> = new Set(['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'EMERGENCY_WRITTEN_APPROVAL']);

function DecideModal({ approval, decision, onClose }: { approval: Approval; decision: 'APPROVE' | 'REJECT'; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ approvalRef?: string; reason?: string }>();
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, decide] = useMutation(Decide);
  const { message } = App.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    const result = await decide({ input: { approvalId: approval.id, decision, ...v } });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(decision === 'APPROVE' ? '已批准' : '已驳回');
    onClose(true);
  };
  return (
    <Modal
      open
      title={`${decision === 'APPROVE' ? '批准' : '驳回'}：${approval.summary}`}
      okText="确定"
      confirmLoading={fetching}
      maskClosable={false}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form form={form} layout="vertical">
        {decision === 'APPROVE' && (
          <Form.Item
            name="approvalRef"
            label="批准文号"
            rules={[{ required: NEEDS_REFERENCE.has(approval.kind), whitespace: true, message: '请填写批准文号' }]}
          >
            <Input />
          </Form.Item>
        )}
        <Form.Item name="reason" label={decision === 'APPROVE' ? '意见' : '驳回理由'} rules={[{ required: decision === 'REJECT', message: '请填写驳回理由' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 审批: what the dispatcher may decide in the region — outbound orders, plans, write-offs (D23–D27); never their own requests (D24). */
export default function ApprovalsPage() {
  const user = useUser();
  const [status, setStatus] = useState<Status | undefined>('PENDING');
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [status, reset]);
  const [{ data, fetching }, refetch] = useQuery({
    query: ApprovalsQuery,
    variables: { filter: { regionCode: user.region?.code, status }, ...pages.variables },
  });
  useEffect(() => remember(page, data?.approvals.pageInfo.endCursor), [data, page, remember]);
  const [deciding, setDeciding] = useState<{ approval: Approval; decision: 'APPROVE' | 'REJECT' }>();
  return (
    <Card
      title="审批"
      extra={
        <Select<Status> allowClear placeholder="全部状态" style={{ width: 140 }} value={status} onChange={setStatus} options={optionsOf(APPROVAL_STATUS)} />
      }
    >
      <Table<Approval>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.approvals.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.approvals.totalCount)}
        // L15: at 1024 px 批准/驳回 sat past the window's edge of a table scrolled sideways: the actions keep to the
        // right edge, the long texts end in … (whole on hover), 事项 takes the width left, and where that is too little
        // the other columns scroll under the actions.
        scroll={{ x: 1080 }}
        columns={[
          { title: '类型', width: 100, render: (_, a) => labelOf(APPROVAL_KIND, a.kind) },
          // An outbound order by the number its requester was given (console sweep 2, L1); other kinds name theirs in the summary.
          { title: '事项', ellipsis: true, render: (_, a) => (a.order ? `${a.order.number} ${a.summary}` : a.summary) },
          { title: '仓库/区划', width: 120, ellipsis: true, render: (_, a) => a.store?.name ?? a.region?.name ?? '—' },
          { title: '金额', width: 116, align: 'right', render: (_, a) => formatMoney(a.value) },
          { title: '申请人', width: 84, ellipsis: true, render: (_, a) => a.requestedBy.displayName },
          { title: '申请时间', width: 148, render: (_, a) => formatDateTime(a.requestedAt) },
          { title: '期限', width: 148, render: (_, a) => formatDateTime(a.dueAt) },
          {
            title: '状态',
            width: 76,
            render: (_, a) => (
              <Tag color={a.status === 'APPROVED' ? 'green' : a.status === 'REJECTED' ? 'red' : 'blue'}>{labelOf(APPROVAL_STATUS, a.status)}</Tag>
            ),
          },
          {
            title: '操作',
            key: 'actions',
            width: 136,
            fixed: 'right',
            render: (_, a) =>
              a.status === 'PENDING' &&
              a.requestedBy.id !== user.id && (
                <Space size={4}>
                  <Button size="small" type="primary" onClick={() => setDeciding({ approval: a, decision: 'APPROVE' })}>
                    批准
                  </Button>
                  <Button size="small" danger onClick={() => setDeciding({ approval: a, decision: 'REJECT' })}>
                    驳回
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      {deciding && (
        <DecideModal
          {...deciding}
          onClose={(done) => {
            setDeciding(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
