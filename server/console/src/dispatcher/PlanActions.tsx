import { useState } from 'react';
import { Alert, App, Button, Descriptions, Space, Tag } from 'antd';
import { useMutation, useSubscription } from 'urql';
import { useUser } from '../app/session';
import { graphql } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { formatDateTime, newIdempotencyKey } from '../common/format';
import { labelOf, PLAN_STATUS } from '../common/labels';
import { CancelPlanModal } from './CancelPlanModal';
import { PlanFields, type Plan } from './plan';

const Approve = graphql(
  `
    mutation ApprovePlan($planId: ID!, $emergency: Boolean) {
      approveDispatchPlan(planId: $planId, emergency: $emergency) {
        ...PlanFields
      }
    }
  `,
  [PlanFields],
);

const Execute = graphql(
  `
    mutation ExecutePlan($planId: ID!, $idempotencyKey: String!) {
      executeDispatchPlan(planId: $planId, idempotencyKey: $idempotencyKey) {
        ...PlanFields
      }
    }
  `,
  [PlanFields],
);

const StatusEvents = graphql(`
  subscription PlanStatus($planId: ID!) {
    dispatchPlanStatus(planId: $planId) {
      planId
      status
    }
  }
`);

const STATUS_COLOUR: Record<string, string> = { PROPOSED: 'blue', APPROVED: 'cyan', EXECUTING: 'orange', COMPLETED: 'green', CANCELLED: 'default' };

/** A saved plan's status, live from the subscription (GraphQL over SSE), and what may be done with it next. */
export function PlanActions({ plan, onChanged }: { plan: Plan & { id: string }; onChanged: () => void }) {
  const { message } = App.useApp();
  const user = useUser();
  const [executeKey] = useState(newIdempotencyKey);
  // D24: who requested a plan does not approve it; D14: they may still approve it as an emergency (the written
  // approval then follows from another person).
  const ownPlan = plan.requestedBy?.id === user.id;
  const [approval, approve] = useMutation(Approve);
  const [execution, execute] = useMutation(Execute);
  const [cancelling, setCancelling] = useState(false);
  const [{ data: live }] = useSubscription({ query: StatusEvents, variables: { planId: plan.id } }, (_prev, event) => {
    onChanged();
    return event;
  });
  const status = live?.dispatchPlanStatus.status ?? plan.status;
  const run = async (action: Promise<{ error?: Parameters<typeof errorMessages>[0] }>, done: string) => {
    const result = await action;
    if (result.error) errorMessages(result.error).forEach((m) => void message.error(m));
    else void message.success(done);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label="状态">
          <Tag color={STATUS_COLOUR[status]} data-testid="plan-status">
            {labelOf(PLAN_STATUS, status)}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label="总量">{plan.totalQuantity}</Descriptions.Item>
        <Descriptions.Item label="最长到达">{plan.maxEtaHours.toFixed(1)} 小时</Descriptions.Item>
        {plan.approvalDueAt ? (
          <Descriptions.Item label="书面审批截止">
            {formatDateTime(plan.approvalDueAt)} <WrittenApprovalState written={plan.writtenApproval} />
          </Descriptions.Item>
        ) : (
          // D14: an emergency approval's written approval is due 48 h after execution (API.md approvalDueAt).
          plan.emergency && status === 'APPROVED' && <Descriptions.Item label="书面审批截止">执行后 48 小时内</Descriptions.Item>
        )}
        {plan.cancelReason && (
          // D14: why it was cancelled, rejected (审批驳回：…) or closed short — the dispatcher sees it on the plan.
          <Descriptions.Item label={status === 'CANCELLED' ? '取消原因' : '结束说明'}>
            <span data-testid="plan-cancel-reason">{plan.cancelReason}</span>
          </Descriptions.Item>
        )}
      </Descriptions>
      {status === 'PROPOSED' && ownPlan && (
        <Alert
          type="info"
          showIcon
          data-testid="own-plan-note"
          message="本方案由您提交，须由另一位有权限的调度员或管理员批准（不相容岗位分离）"
          description="对方可在「审批」页批准。情况紧急时可用「紧急批准」先调拨后补手续：书面审批须在 48 小时内由他人补办。"
        />
      )}
      <Space>
        {status === 'PROPOSED' && (
          <>
            {!ownPlan && (
              <Button type="primary" loading={approval.fetching} onClick={() => void run(approve({ planId: plan.id, emergency: false }), '方案已批准')}>
                批准
              </Button>
            )}
            <Button
              danger
              loading={approval.fetching}
              onClick={() => void run(approve({ planId: plan.id, emergency: true }), '已紧急批准，48 小时内补书面审批')}
            >
              紧急批准
            </Button>
          </>
        )}
        {status === 'APPROVED' && (
          <Button
            type="primary"
            loading={execution.fetching}
            onClick={() => void run(execute({ planId: plan.id, idempotencyKey: executeKey }), '方案已执行，物资已发运')}
          >
            执行
          </Button>
        )}
        {(status === 'PROPOSED' || status === 'APPROVED' || status === 'EXECUTING') && (
          <Button danger onClick={() => setCancelling(true)}>
            {status === 'EXECUTING' ? '结束方案' : '取消方案'}
          </Button>
        )}
      </Space>
      {cancelling && (
        <CancelPlanModal
          planId={plan.id}
          executing={status === 'EXECUTING'}
          onClose={(done) => {
            setCancelling(false);
            if (done) onChanged();
          }}
        />
      )}
    </Space>
  );
}

/**
 * D14: where an emergency plan's written approval stands — awaited, overdue, or recorded (with its reference), and
 * whether it was recorded after the 48 h (Approval.decidedLate: no longer overdue, but the record keeps it).
 */
function WrittenApprovalState({ written }: { written: Plan['writtenApproval'] }) {
  if (!written) return null;
  if (written.status === 'PENDING') {
    return written.overdue ? (
      <Tag color="red" data-testid="written-approval">
        已逾期，尚未补办
      </Tag>
    ) : (
      <Tag color="gold" data-testid="written-approval">
        待补办
      </Tag>
    );
  }
  const when = written.decidedAt ? formatDateTime(written.decidedAt) : '';
  if (written.status === 'REJECTED') {
    return (
      <Tag color="red" data-testid="written-approval">
        书面审批未通过 {when}
      </Tag>
    );
  }
  return (
    <Tag color={written.decidedLate ? 'red' : 'green'} data-testid="written-approval">
      {written.decidedLate ? '逾期补办' : '已补办'} {written.approvalRef ?? ''} {when}
    </Tag>
  );
}
