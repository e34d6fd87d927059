import { useState } from 'react';
import { Button, DatePicker, Form, Input, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { CombinedError, useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { FormAlerts } from '../common/FormAlerts';
import { FormDialog } from '../common/FormDialog';
import { errorMessages } from '../common/api-errors';
import { formatDateTime, formatQuantity, newIdempotencyKey } from '../common/format';
import { unitPriceRule } from '../common/money-rule';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

const PlanCallOffsQuery = graphql(`
  query PlanCallOffs($id: ID!) {
    dispatchPlan(id: $id) {
      id
      callOffs {
        id
        status
        quantity
        deliveredQuantity
        issuedAt
        deliveredAt
        cancelledAt
        cancelReason
        item {
          id
          name
          unit
        }
        company {
          name
        }
        agreement {
          id
          mode
          contractNo
          lines {
            item {
              id
            }
            unitPrice
          }
        }
      }
    }
  }
`);

const Confirm = graphql(`
  mutation ConfirmCallOffDelivery($input: CallOffDeliveryInput!) {
    confirmCallOffDelivery(input: $input) {
      id
      number
    }
  }
`);

const Cancel = graphql(`
  mutation CancelCallOff($callOffId: ID!, $reason: String!) {
    cancelCallOff(callOffId: $callOffId, reason: $reason) {
      id
      status
    }
  }
`);

type CallOffRow = NonNullable<ResultOf<typeof PlanCallOffsQuery>['dispatchPlan']>['callOffs'][number];

const STATUS: Record<string, { text: string; color: string }> = {
  ISSUED: { text: '待到货', color: 'orange' },
  DELIVERED: { text: '已到货', color: 'green' },
  CANCELLED: { text: '已取消', color: 'default' },
};

/** The agreement's price for the call-off's item (D17: the contract price); null where it names none or is not visible. */
const agreedPrice = (c: CallOffRow) => c.agreement?.lines.find((l) => l.item.id === c.item.id)?.unitPrice ?? null;

/**
 * An executed plan's call-offs (调用单, D17): what an agreement or capacity company was ordered to deliver for its
 * 协议储备/产能储备 lines. Until each is delivered or cancelled the plan stays executing and its incident cannot be
 * closed (sweep 19a F12): 确认到货 books what the company delivered at the 安置点 (less than called off releases the
 * rest), 取消调用 (with a reason) releases it all. The API decides who may — D14, D24: the plan's sole emergency approver
 * does not confirm a delivery until the written approval is recorded — and says why not.
 */
export function PlanCallOffs({ planId, onChanged }: { planId: string; onChanged: () => void }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PlanCallOffsQuery, variables: { id: planId } });
  const [confirming, setConfirming] = useState<CallOffRow>();
  const [cancelling, setCancelling] = useState<CallOffRow>();
  // An agreement of another region is not readable (FORBIDDEN at its field): the call-offs still are.
  const plan = data?.dispatchPlan;
  const callOffs = plan?.callOffs ?? [];
  if (!callOffs.length) return error && !plan ? <FormAlerts messages={errorMessages(error)} /> : null;
  const closed = (done: boolean) => {
    setConfirming(undefined);
    setCancelling(undefined);
    // Refreshed however the dialog closed: a refusal (delivered or cancelled meanwhile) means the list was stale.
    refetch({ requestPolicy: 'network-only' });
    if (done) onChanged();
  };
  return (
    <>
      <Typography.Title level={5}>协议企业调用单</Typography.Title>
      <Table<CallOffRow>
        size="small"
        loading={fetching}
        rowKey="id"
        data-testid="call-offs"
        dataSource={callOffs}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: '企业', render: (_, c) => c.company.name + (c.agreement?.contractNo ? `（合同 ${c.agreement.contractNo}）` : '') },
          { title: '物资', render: (_, c) => c.item.name },
          {
            title: '调用数量',
            render: (_, c) =>
              formatQuantity(c.quantity, c.item.unit) +
              (c.deliveredQuantity !== null && c.deliveredQuantity !== undefined ? `，实收 ${formatQuantity(c.deliveredQuantity, c.item.unit)}` : ''),
          },
          { title: '下单时间', render: (_, c) => formatDateTime(c.issuedAt) },
          {
            title: '状态',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <Tag color={STATUS[c.status]?.color} data-testid="call-off-status">
                  {STATUS[c.status]?.text ?? c.status}
                  {c.deliveredAt && ` ${formatDateTime(c.deliveredAt)}`}
                </Tag>
                {c.cancelReason && <Typography.Text type="secondary">取消原因：{c.cancelReason}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: '',
            render: (_, c) =>
              c.status === 'ISSUED' && (
                <Space>
                  <Button size="small" onClick={() => setConfirming(c)}>
                    确认到货
                  </Button>
                  <Button danger size="small" onClick={() => setCancelling(c)}>
                    取消调用
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      {confirming && <ConfirmDeliveryModal callOff={confirming} onClose={closed} />}
      {cancelling && <CancelCallOffModal callOff={cancelling} onClose={closed} />}
    </>
  );
}

interface DeliveryValues {
  quantity: number;
  batchNo?: string;
  productionDate?: Dayjs;
  expiryDate?: Dayjs;
  unitPrice?: string;
}

/**
 * The API's errors at receiveStock's line (input.lines.0.batchNo …) name this form's one line's fields: the delivery
 * is booked as a receipt of one line (D6, D17).
 */
function atDeliveryFields(error: CombinedError): CombinedError {
  const strip = (field: unknown) => (typeof field === 'string' ? field.replace(/^input\.lines\.0\./, 'input.') : field);
  return new CombinedError({
    networkError: error.networkError,
    graphQLErrors: error.graphQLErrors.map((e) => {
      const issues = e.extensions?.issues;
      return {
        message: e.message,
        extensions: {
          ...e.extensions,
          field: strip(e.extensions?.field),
          ...(Array.isArray(issues) ? { issues: issues.map((i: Record<string, unknown>) => ({ ...i, field: strip(i?.field) })) } : {}),
        },
      };
    }),
  });
}

/** 确认到货 (D6, D17): what the company delivered becomes stock at the 安置点, at the agreement's price. */
function ConfirmDeliveryModal({ callOff, onClose }: { callOff: CallOffRow; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<DeliveryValues>();
  const [key] = useState(newIdempotencyKey);
  const [, confirm] = useMutation(Confirm);
  const price = agreedPrice(callOff);
  const unit = callOff.item.unit;
  return (
    <FormDialog
      form={form}
      name="confirmCallOff"
      title={`确认到货：${callOff.company.name} ${callOff.item.name}`}
      okText="确认到货"
      cancelText="返回"
      initialValues={{ quantity: callOff.quantity }}
      intro={
        <p data-testid="call-off-confirm-intro">
          {callOff.company.name} 调用 {callOff.item.name} {formatQuantity(callOff.quantity, unit)}，确认后按{price ? `协议单价 ${price} 元` : '所填单价'}
          在安置点入库， 并形成应付企业的款项；实收少于调用数量的，其余不再调用。确认后不能撤回。
        </p>
      }
      submit={async (v) => {
        const { error } = await confirm({
          input: {
            callOffId: callOff.id,
            idempotencyKey: key,
            quantity: v.quantity,
            batchNo: v.batchNo?.trim() || null,
            productionDate: v.productionDate?.format('YYYY-MM-DD') ?? null,
            expiryDate: v.expiryDate?.format('YYYY-MM-DD') ?? null,
            ...(price ? {} : { unitPrice: v.unitPrice?.trim() || null }),
          },
        });
        return {
          error: error && atDeliveryFields(error),
          success: `${callOff.company.name} ${callOff.item.name} ${formatQuantity(v.quantity, unit)} 已确认到货入库`,
        };
      }}
      onClose={onClose}
    >
      <Form.Item
        name="quantity"
        label={`实收数量（${unit}）`}
        rules={[
          ...quantityRules('quantity', '请填写实收数量'),
          {
            validator: async (_, value?: number) => {
              if (value && value > callOff.quantity) throw new Error(`实收数量不能超过调用数量 ${callOff.quantity}`);
            },
          },
        ]}
      >
        <QuantityInput />
      </Form.Item>
      <Form.Item name="batchNo" label="批号">
        <Input maxLength={64} />
      </Form.Item>
      <Form.Item name="productionDate" label="生产日期">
        <DatePicker />
      </Form.Item>
      <Form.Item name="expiryDate" label="有效期至">
        <DatePicker />
      </Form.Item>
      {!price && (
        // The agreement names no price for the item (a capacity holder's, or not readable here): the delivery's is typed.
        <Form.Item name="unitPrice" label="单价（元）" rules={[unitPriceRule]}>
          <Input />
        </Form.Item>
      )}
    </FormDialog>
  );
}

/** 取消调用 (D17): the company will not (or need not) deliver; the call-off no longer claims its reserve. */
function CancelCallOffModal({ callOff, onClose }: { callOff: CallOffRow; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [, cancel] = useMutation(Cancel);
  return (
    <FormDialog
      form={form}
      name="cancelCallOff"
      title={`取消调用：${callOff.company.name} ${callOff.item.name}`}
      okText="取消调用"
      cancelText="返回"
      danger
      intro={
        <p>
          取消后不再向{callOff.company.name}调用 {callOff.item.name} {formatQuantity(callOff.quantity, callOff.item.unit)}
          ，协议储备随即释放；安置点还缺的物资须另行安排。取消后不能恢复。
        </p>
      }
      submit={async ({ reason }) => {
        const { error } = await cancel({ callOffId: callOff.id, reason: reason.trim() });
        // The API names the reason as `reason` and the call-off as `callOffId` (not a field here: the form's alert).
        return { error, success: `已取消向${callOff.company.name}调用 ${callOff.item.name}` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label="取消原因" rules={[{ required: true, whitespace: true, message: '请填写取消原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
