import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import { Modal } from '../common/Modal';
import { Link } from 'react-router-dom';
import { useClient, useMutation, useQuery, type Client, type CombinedError, type OperationResult } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatDateTime, formatMoney } from '../common/format';
import { APPROVAL_KIND, APPROVAL_STATUS, labelOf, optionsOf, PLAN_STATUS } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { numberPlans, planLabel } from './plan';

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
          document {
            id
            number
            reverses {
              id
              number
            }
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
          withdrawn
          withdrawnAt
          withdrawReason
          withdrawnBy {
            displayName
          }
          plan {
            id
            number
            status
            requestedBy {
              id
            }
            incident {
              id
              plans {
                id
                status
                requestedAt
              }
            }
          }
        }
      }
    }
  }
`);

// Sweep 19a F8: an approval the queue still showed as pending, as it stands now — who closed it, when and why.
const ApprovalStateQuery = graphql(`
  query ApprovalState($filter: ApprovalFilter!, $first: Int, $after: String) {
    approvals(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          reason
          decidedAt
          requestedBy {
            displayName
          }
          decidedBy {
            id
            displayName
          }
          withdrawn
          withdrawnAt
          withdrawReason
          withdrawnBy {
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
 * D24 (sweep 19a F3): the plan an approval decides, named as the incident page names it — 方案 N with its 调拨令 number
 * (DL-…) — so that two plans of one incident are two rows the approver can tell apart; null for an approval of no plan,
 * or of a plan the reader may not read (a consent asked of another region).
 */
function planOf(a: Approval): string | null {
  if (!a.plan?.id) return null;
  const { numbered } = numberPlans(a.plan.incident.plans.filter((p): p is typeof p & { id: string } => Boolean(p.id)));
  const no = numbered.find((p) => p.id === a.plan?.id)?.no;
  return no ? planLabel({ no, number: a.plan.number }) : (a.plan.number ?? null);
}

/** The plan statuses in which each kind of plan approval is still to be decided: D24 before approval, D25 before execution, D14 after. */
const PLAN_STATUS_EXPECTED: Readonly<Record<string, readonly string[]>> = {
  DISPATCH_PLAN: ['PROPOSED'],
  CROSS_REGION_USE: ['PROPOSED', 'APPROVED'],
  EMERGENCY_WRITTEN_APPROVAL: ['APPROVED', 'EXECUTING', 'COMPLETED'],
};

/** A pending approval whose plan has moved on (cancelled, approved meanwhile): said on its row, before 批准 refuses. */
function planMovedOn(a: Approval): string | null {
  const expected = PLAN_STATUS_EXPECTED[a.kind];
  if (a.status !== 'PENDING' || !a.plan || !expected || expected.includes(a.plan.status)) return null;
  return `方案${labelOf(PLAN_STATUS, a.plan.status)}`;
}

/** Sweep 24c F9 follow-up (D22, D24): who withdrew a withdrawn request, when and why; null for any other approval. */
const withdrawalOf = (a: Approval): string | null =>
  a.withdrawn ? `${a.withdrawnBy?.displayName ?? ''} ${formatDateTime(a.withdrawnAt)} 撤回，原因：${a.withdrawReason ?? ''}` : null;

/** What an approval decides, as its row and dialog say it: the plan (方案 N（DL-…）) or order number first. */
function subjectOf(a: Approval): string {
  const plan = planOf(a);
  return plan ? `${plan} ${a.summary}` : a.order ? `${a.order.number} ${a.summary}` : a.summary;
}

/** Why a decision was refused as no longer pending: `own` — the very decision asked, already recorded as this user's. */
interface Closed {
  text: string;
  own: boolean;
}

/**
 * Sweep 19a F8: why an approval the queue offered is no longer pending — read from the API (its newest requests first,
 * page after page until found): closed with its cancelled or rejected plan (D14, D24: withdrawPlanApprovals' reason),
 * or with its outbound order withdrawn (sweep 21a N1), or decided by someone else meanwhile. Null when it cannot be read.
 * Sweep 23c F6: decided by this very user the way they ask now — a retry whose first request went through while its
 * answer was lost — is their decision done (`own`), not a refusal naming themselves.
 */
async function closedBecause(
  client: Client,
  a: Approval,
  regionCode: string | undefined,
  asked: { userId: string; decision: 'APPROVE' | 'REJECT' },
): Promise<Closed | null> {
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const result: OperationResult<ResultOf<typeof ApprovalStateQuery>> = await client
      .query(ApprovalStateQuery, { filter: { regionCode, kind: a.kind }, first: 500, after }, { requestPolicy: 'network-only' })
      .toPromise();
    const found = result.data?.approvals.edges.find((e) => e.node.id === a.id)?.node;
    if (found) {
      if (found.status === 'PENDING') return null;
      // A withdrawal decides nothing (withdrawApprovals: no decider on record); who closed the plan is withdrawnBy
      // (sweep 25c F2, F6: a consent closed with a rejected plan names the plan's approver, not its requester).
      const who = found.withdrawnBy?.displayName ?? found.decidedBy?.displayName ?? found.requestedBy.displayName;
      const when = formatDateTime(found.decidedAt);
      const withdrawn = /^调拨方案已(取消|驳回)：([\s\S]*)$/.exec(found.reason ?? '');
      const refusal = (text: string): Closed => ({ text, own: false });
      if (withdrawn)
        return refusal(`该审批已关闭：调拨方案已于 ${when} 被${who}${withdrawn[1]}，${withdrawn[1] === '取消' ? '原因' : '理由'}：${withdrawn[2]}`);
      // Sweep 21a N1, 24c F9: withdrawn by whoever filed it — an outbound order by its store (closeOutboundOrder while
      // pending), a document by its requester (withdrawApproval) — as the API says it (Approval.withdrawn).
      if (found.withdrawn) {
        const what = a.kind === 'OUTBOUND_ORDER' ? '出库申请' : '申请';
        return refusal(
          `该审批已关闭：${what}已于 ${formatDateTime(found.withdrawnAt)} 被${found.withdrawnBy?.displayName ?? who}撤回，原因：${found.withdrawReason ?? ''}`,
        );
      }
      const approved = found.status === 'APPROVED';
      if (found.decidedBy?.id === asked.userId && approved === (asked.decision === 'APPROVE')) {
        const verb = approved ? '批准' : '驳回';
        return { text: `您的${verb}已生效（已于 ${when} ${verb}，重复的提交未再办理）`, own: true };
      }
      if (approved) return refusal(`该审批已由${who}于 ${when} 批准${found.reason ? `（${found.reason}）` : ''}，不能重复审批`);
      return refusal(`该审批已由${who}于 ${when} 驳回${found.reason ? `，理由：${found.reason}` : ''}，不能重复审批`);
    }
    const info = result.data?.approvals.pageInfo;
    if (result.error || !info?.hasNextPage || !info.endCursor) return null;
    after = info.endCursor;
  }
  return null;
}

/** The API refused the decision because the approval is no longer pending (INVALID_STATE at input.approvalId). */
const alreadyClosed = (error: CombinedError) =>
  error.graphQLErrors.some((e) => e.extensions?.code === 'INVALID_STATE' && e.extensions.field === 'input.approvalId');

/**
 * D27: what is approved only with a reference (文号) — a stocktake, write-off or scrap, and D14's written approval — as
 * decideApproval requires it; a rejection needs a reason instead. A reversal (D22, D24) may carry one.
 */
const NEEDS_REFERENCE: ReadonlySet<string> = new Set(['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'EMERGENCY_WRITTEN_APPROVAL']);

function DecideModal({
  approval,
  decision,
  onClose,
  onRefused,
}: {
  approval: Approval;
  decision: 'APPROVE' | 'REJECT';
  onClose: (done: boolean) => void;
  /** The API refused: the queue is read again (sweep 19a F8: a row closed meanwhile stayed, offering 批准 and 驳回). */
  onRefused: () => void;
}) {
  const [form] = Form.useForm<{ approvalRef?: string; reason?: string }>();
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, decide] = useMutation(Decide);
  const { message } = App.useApp();
  const client = useClient();
  const user = useUser();
  const submit = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    const result = await decide({ input: { approvalId: approval.id, decision, ...v } });
    if (result.error) {
      const messages = showFieldErrors(form, result.error);
      // Sweep 19a F8: 「该审批已有决定」 read as if a colleague had decided it; closed with its cancelled plan, it says so.
      const why = alreadyClosed(result.error) ? await closedBecause(client, approval, user.region?.code, { userId: user.id, decision }) : null;
      // Sweep 23c F6: the user's own decision, recorded by a first request whose answer was lost: done, the queue read again.
      if (why?.own) {
        void message.success(why.text);
        return onClose(true);
      }
      onRefused();
      return setAlerts(why ? [why.text] : messages);
    }
    void message.success(decision === 'APPROVE' ? '已批准' : '已驳回');
    onClose(true);
  };
  return (
    <Modal
      open
      title={`${decision === 'APPROVE' ? '批准' : '驳回'}：${subjectOf(approval)}`}
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
        <Select<Status>
          allowClear
          placeholder="全部状态"
          aria-label="审批状态"
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={optionsOf(APPROVAL_STATUS)}
        />
      }
    >
      <Table<Approval>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.approvals.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.approvals.totalCount, {
          query: ApprovalsQuery,
          variables: { filter: { regionCode: user.region?.code, status } },
        })}
        // L15: at 1024 px 批准/驳回 sat past the window's edge of a table scrolled sideways: the actions keep to the
        // right edge, the long texts end in … (whole on hover), 事项 takes the width left, and where that is too little
        // the other columns scroll under the actions.
        scroll={{ x: 1080 }}
        columns={[
          { title: '类型', width: 100, render: (_, a) => labelOf(APPROVAL_KIND, a.kind) },
          // An outbound order by the number its requester was given (console sweep 2, L1), a plan as 方案 N with its 调拨令
          // number (sweep 19a F3, D24: two plans of one incident were identical rows); other kinds name theirs in the summary.
          {
            title: '事项',
            ellipsis: { showTitle: false },
            render: (_, a) => {
              const movedOn = planMovedOn(a);
              return (
                <Tooltip title={a.withdrawn ? `${subjectOf(a)}（${withdrawalOf(a)}）` : subjectOf(a)} placement="topLeft">
                  {movedOn && (
                    <Tag color="orange" data-testid="plan-moved-on">
                      {movedOn}
                    </Tag>
                  )}
                  <span data-testid="approval-subject">{subjectOf(a)}</span>
                  {a.withdrawn && <span data-testid="approval-withdrawal">（{withdrawalOf(a)}）</span>}
                  {/* Sweep 24c F5: the document decided (and, a 冲销单, what it reverses), to open before deciding. */}
                  {a.document && (
                    <span data-testid="approval-document">
                      {' '}
                      <Link to={`/documents/${a.document.id}`}>{a.document.number}</Link>
                      {a.document.reverses && (
                        <>
                          {' 冲销 '}
                          <Link to={`/documents/${a.document.reverses.id}`}>{a.document.reverses.number}</Link>
                        </>
                      )}
                    </span>
                  )}
                </Tooltip>
              );
            },
          },
          { title: '仓库/区划', width: 120, ellipsis: true, render: (_, a) => a.store?.name ?? a.region?.name ?? '—' },
          { title: '金额', width: 116, align: 'right', render: (_, a) => formatMoney(a.value) },
          { title: '申请人', width: 84, ellipsis: true, render: (_, a) => a.requestedBy.displayName },
          { title: '申请时间', width: 148, render: (_, a) => formatDateTime(a.requestedAt) },
          { title: '期限', width: 148, render: (_, a) => formatDateTime(a.dueAt) },
          {
            title: '状态',
            width: 76,
            // Sweep 24c F9 follow-up: a request withdrawn by whoever filed it is 已撤回 (who, when, why on the row), not 已驳回.
            render: (_, a) =>
              a.withdrawn ? (
                <Tooltip title={withdrawalOf(a)}>
                  <Tag data-testid="approval-withdrawn">已撤回</Tag>
                </Tooltip>
              ) : (
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
              a.requestedBy.id !== user.id &&
              // D24 (sweep 19a F15): nor the written approval of a plan one requested, whoever approved it in the emergency.
              !(a.kind === 'EMERGENCY_WRITTEN_APPROVAL' && a.plan?.requestedBy?.id === user.id) && (
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
          onRefused={() => refetch({ requestPolicy: 'network-only' })}
          onClose={(done) => {
            setDeciding(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
