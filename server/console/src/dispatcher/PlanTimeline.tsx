import { Descriptions, Typography } from 'antd';
import { formatDateTime } from '../common/format';
import type { Plan } from './plan';

type Times = Pick<Plan, 'requestedAt' | 'approvedAt' | 'executedAt' | 'completedAt' | 'cancelledAt' | 'emergency'>;

const hoursFrom = (from: string, to: string) => ((Date.parse(to) - Date.parse(from)) / 3_600_000).toFixed(1);

/**
 * Sweep 25c F9 (D16, D28): how fast the plan went — when it was requested, approved, executed (shipped) and completed
 * (or cancelled), in China time, each step with the hours since the one before and since the disaster, so that the
 * director reads "hours from request to approval to shipment to arrival" on the page (the API's DispatchPlan times).
 * A step not reached yet shows —.
 */
export function PlanTimeline({ plan, occurredAt }: { plan: Times; occurredAt: string }) {
  const steps: { key: string; label: string; at: string | null | undefined }[] = [
    { key: 'requested', label: '申请', at: plan.requestedAt },
    { key: 'approved', label: plan.emergency ? '紧急批准' : '批准', at: plan.approvedAt },
    { key: 'executed', label: '执行发运', at: plan.executedAt },
    plan.cancelledAt && !plan.completedAt
      ? { key: 'cancelled', label: '取消/结束', at: plan.cancelledAt }
      : { key: 'completed', label: '完成（全部到达）', at: plan.completedAt },
  ];
  let previous: { label: string; at: string } | undefined;
  return (
    <Descriptions size="small" column={{ xs: 1, md: 4 }} data-testid="plan-timeline" className="form-alert">
      {steps.map((s) => {
        const since = previous;
        if (s.at) previous = { label: s.label, at: s.at };
        return (
          <Descriptions.Item key={s.key} label={s.label}>
            <span data-testid={`plan-${s.key}-at`}>
              {s.at ? (
                <>
                  {formatDateTime(s.at)}
                  <br />
                  <Typography.Text type="secondary">
                    {since ? `${since.label}后 ${hoursFrom(since.at, s.at)} 小时，` : ''}灾后 {hoursFrom(occurredAt, s.at)} 小时
                  </Typography.Text>
                </>
              ) : (
                '—'
              )}
            </span>
          </Descriptions.Item>
        );
      })}
    </Descriptions>
  );
}
