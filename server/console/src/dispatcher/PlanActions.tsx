import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Descriptions, Space, Tag } from 'antd';
import { useClient, useMutation } from 'urql';
import { useSession, useUser } from '../app/session';
import { graphql } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { formatDateTime, newIdempotencyKey } from '../common/format';
import { labelOf, PLAN_STATUS } from '../common/labels';
import { CancelPlanModal } from './CancelPlanModal';
import { consentState, PlanFields, plannedLines, quantitiesByUnit, type Plan } from './plan';

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

const RequestWritten = graphql(
  `
    mutation RequestWrittenApproval($planId: ID!) {
      requestWrittenApproval(planId: $planId) {
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

// Whether the session goes on, asked when the live status ends. Not the shell's Me: its refusal would reach the shell's `me` too.
const SessionCheck = graphql(`
  query PlanStreamSession {
    me {
      id
    }
  }
`);

const STATUS_COLOUR: Record<string, string> = { PROPOSED: 'blue', APPROVED: 'cyan', EXECUTING: 'orange', COMPLETED: 'green', CANCELLED: 'default' };

/**
 * A saved plan's status, live from the subscription (GraphQL over SSE), and what may be done with it next. `label` names
 * the plan (方案 N with its 调拨令 number) in the confirmations. `onChanged` follows an action taken here; `onStatus` a
 * change heard on the subscription (another person's approval), which must not move the page to this plan: the
 * subscription first tells the status it opens on, and a page showing this plan only until the one just submitted has
 * loaded was taken back to it (sweep 16b F14).
 */
export function PlanActions({ plan, label, onChanged, onStatus }: { plan: Plan & { id: string }; label: string; onChanged: () => void; onStatus: () => void }) {
  const { message, modal } = App.useApp();
  const user = useUser();
  const [executeKey] = useState(newIdempotencyKey);
  // D24: who requested a plan does not approve it; D14: they may still approve it as an emergency (the written
  // approval then follows from another person).
  const ownPlan = plan.requestedBy?.id === user.id;
  const [approval, approve] = useMutation(Approve);
  const [execution, execute] = useMutation(Execute);
  const [cancelling, setCancelling] = useState(false);
  const [resubmission, resubmit] = useMutation(RequestWritten);
  // Sweep 19a F17 (D14): a rejected written approval is submitted again by the emergency approver (or the plan's
  // requester, as the API allows); the plan's goods have already gone out, so it cannot simply lapse.
  const mayResubmit = plan.writtenApproval?.status === 'REJECTED' && (plan.approvedBy?.id === user.id || plan.requestedBy?.id === user.id);
  const { live, streamEnd, reconnect } = useLiveStatus(plan, onStatus);
  const status = live ?? plan.status;
  const run = async (action: Promise<{ error?: Parameters<typeof errorMessages>[0] }>, done: string) => {
    const result = await action;
    if (result.error) errorMessages(result.error).forEach((m) => void message.error(m));
    else void message.success(done);
  };
  // Sweep 16b F15: 紧急批准 and 执行 are not undone by a second click, so each asks first, naming the plan and what follows.
  const confirmEmergency = () =>
    void modal.confirm({
      title: `紧急批准${label}？`,
      content: (
        <span data-testid="emergency-confirm">
          紧急情况下先调拨后补手续（D14）：批准后即可执行发运，书面审批须在执行后 48 小时内由另一位有权限的人员补办，逾期将列入预警。
        </span>
      ),
      okText: '紧急批准',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: () => run(approve({ planId: plan.id, emergency: true }), `${label}已紧急批准，48 小时内须由他人补办书面审批`),
    });
  const confirmResubmit = () =>
    void modal.confirm({
      title: `重新提交${label}的书面审批？`,
      content: (
        <span data-testid="resubmit-confirm">
          上次被驳回：{plan.writtenApproval?.reason ?? '（未说明原因）'}。请先按驳回意见补齐材料；重新提交后由另一位有权限的人员在「审批」页补办书面审批。
        </span>
      ),
      okText: '重新提交',
      cancelText: '取消',
      onOk: async () => {
        const result = await resubmit({ planId: plan.id });
        if (result.error) errorMessages(result.error).forEach((m) => void message.error(m));
        else {
          void message.success(`${label}的书面审批已重新提交`);
          onChanged();
        }
      },
    });
  // D25 (sweep 19a F13): what is carried out — not the lines another jurisdiction refused; while one is still asked,
  // execution is refused (the API's words), so it is not offered.
  const planned = plannedLines(plan.lines);
  const waiting = plan.lines.filter((l) => consentState(l) === 'PENDING');
  const refused = plan.lines.length - planned.length;
  const fromStores = planned.filter((l) => l.source.kind === 'STORE');
  const callOffs = planned.filter((l) => l.source.kind !== 'STORE');
  const confirmExecute = () =>
    void modal.confirm({
      title: `执行${label}？`,
      content: (
        <span data-testid="execute-confirm">
          {[
            fromStores.length > 0 && `将按 ${fromStores.length} 行从仓库发运 ${quantitiesByUnit(fromStores)}，库存随即扣减`,
            callOffs.length > 0 && `按 ${callOffs.length} 行向协议企业下达调用 ${quantitiesByUnit(callOffs)}（由企业送达安置点）`,
            refused > 0 && `未获同意的 ${refused} 行不调运`,
          ]
            .filter(Boolean)
            .join('；')}
          。{fromStores.length > 0 && '已发运的物资只能由调度撤销调拨退回。'}
        </span>
      ),
      okText: '执行',
      cancelText: '取消',
      onOk: () => run(execute({ planId: plan.id, idempotencyKey: executeKey }), `${label}已执行，物资已发运`),
    });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label="状态">
          <Tag color={STATUS_COLOUR[status]} data-testid="plan-status">
            {labelOf(PLAN_STATUS, status)}
          </Tag>
        </Descriptions.Item>
        {/* Sweep 16b F7: 500 床 and 100 顶 are not 「总量 600」. */}
        <Descriptions.Item label="数量">
          {/* Sweep 19a F13 (D25): the API's totalQuantity — a refused line is not counted. */}
          <span data-testid="plan-quantities">{quantitiesByUnit(planned)}</span>
        </Descriptions.Item>
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
      {plan.writtenApproval?.status === 'REJECTED' && (
        // Sweep 19a F17 (D14): why the written approval was rejected, and what is to be done about it.
        <Alert
          type="error"
          showIcon
          data-testid="written-approval-rejected"
          message={`书面审批被驳回：${plan.writtenApproval.reason ?? '（未说明原因）'}`}
          description={mayResubmit ? '物资已先行调拨，请按驳回意见补齐后重新提交书面审批。' : '物资已先行调拨，须由紧急批准人或方案申请人重新提交书面审批。'}
          action={
            mayResubmit && (
              <Button size="small" loading={resubmission.fetching} onClick={confirmResubmit}>
                重新提交书面审批
              </Button>
            )
          }
        />
      )}
      {status === 'PROPOSED' && ownPlan && (
        <Alert
          type="info"
          showIcon
          data-testid="own-plan-note"
          message="本方案由您提交，须由另一位有权限的调度员或管理员批准（不相容岗位分离）"
          description="对方可在「审批」页批准。情况紧急时可用「紧急批准」先调拨后补手续：书面审批须在 48 小时内由他人补办。"
        />
      )}
      {waiting.length > 0 && (status === 'PROPOSED' || status === 'APPROVED') && (
        // Sweep 19a F13 (D25): said before 执行 is tried, naming whose consent is awaited.
        <Alert
          type="warning"
          showIcon
          data-testid="consent-waiting"
          message={`方案中 ${waiting.length} 行使用其他辖区的储备（${[...new Set(waiting.map((l) => l.source.region.name))].join('、')}），尚待对方同意（跨区域调用），同意或拒绝后才能执行`}
          description="对方辖区在其「审批」页决定；不同意的行不调运，所缺物资列入缺口。"
        />
      )}
      {streamEnd === 'session' && (
        // Sweep 23c F8: the login is asked over the page (app/session.tsx); the status opens again after it.
        <Alert type="warning" showIcon data-testid="plan-live-ended" message="登录已失效，方案状态已停止实时更新：重新登录后恢复" />
      )}
      {streamEnd === 'other' && (
        <Alert
          type="warning"
          showIcon
          data-testid="plan-live-ended"
          message="方案状态已停止实时更新（连接已断开），显示的可能不是最新状态"
          action={
            <Button size="small" onClick={reconnect}>
              重新连接
            </Button>
          }
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
            <Button danger loading={approval.fetching} onClick={confirmEmergency}>
              紧急批准
            </Button>
          </>
        )}
        {status === 'APPROVED' && (
          <Button type="primary" loading={execution.fetching} disabled={waiting.length > 0} onClick={confirmExecute}>
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
 * The plan's status, live from dispatchPlanStatus (D18), and how its stream ended if it did. The API ends the stream
 * when the session ends (logout, a password reset, a deactivation, the token's expiry) — it used to stop without a word
 * and the page went on showing the old status (sweep 23c F8). When it ends, `me` is asked why: a session refused is the
 * login over the page (the exchange in app/client.ts opens it), and the stream opens again once the same user has
 * logged in again (Session.resumed); any other end (the server stopping, the connection lost) says so, with 重新连接.
 * `onStatus` follows a status other than the page's plan (the stream first tells the one it opens on).
 */
function useLiveStatus(plan: { id: string; status: string }, onStatus: () => void) {
  const client = useClient();
  const { resumed } = useSession();
  const [live, setLive] = useState<{ planId: string; status: string } | null>(null);
  // How the stream ended, and at which re-login count (a later one resumes it).
  const [end, setEnd] = useState<{ kind: 'session' | 'other'; resumed: number } | null>(null);
  const resumedNow = useRef(resumed);
  resumedNow.current = resumed;
  // Each opening of the stream (a reconnection opens it again).
  const [opening, setOpening] = useState(0);
  const page = useRef({ status: plan.status, onStatus });
  useEffect(() => {
    page.current = { status: plan.status, onStatus };
  });
  useEffect(() => {
    let closed = false;
    const whyEnded = async () => {
      const at = resumedNow.current;
      const me = await client.query(SessionCheck, {}, { requestPolicy: 'network-only' }).toPromise();
      if (closed) return;
      setEnd({ kind: me.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ? 'session' : 'other', resumed: at });
    };
    let ended = false;
    const stream = client.subscription(StatusEvents, { planId: plan.id }, { requestPolicy: 'network-only' }).subscribe((result) => {
      if (ended) return;
      const event = result.data?.dispatchPlanStatus;
      if (event) {
        setLive({ planId: plan.id, status: event.status });
        setEnd(null);
        // The status it opens on is the one shown: nothing to fetch.
        if (event.status !== page.current.status) page.current.onStatus();
      }
      if (result.error || result.hasNext === false) {
        ended = true;
        void whyEnded();
      }
    });
    return () => {
      closed = true;
      stream.unsubscribe();
    };
  }, [client, plan.id, opening]);
  // The same user logged in again over the page: the stream opens again (its first event tells the status now).
  useEffect(() => {
    if (end?.kind !== 'session' || resumed === end.resumed) return;
    setEnd(null);
    setOpening((n) => n + 1);
  }, [resumed, end]);
  const reconnect = () => {
    setEnd(null);
    setOpening((n) => n + 1);
  };
  return { live: live?.planId === plan.id ? live.status : null, streamEnd: end?.kind ?? null, reconnect };
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
