import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';

const Cancel = graphql(`
  mutation CancelPlan($planId: ID!, $reason: String!) {
    cancelDispatchPlan(planId: $planId, reason: $reason) {
      id
      status
    }
  }
`);

/**
 * 取消方案 (D14): a plan not yet executed — waiting for approval, or approved — is withdrawn with a reason; what its
 * approval reserved is released and its pending approvals go with it. 结束事件 asks for it of every plan that will not
 * be executed. 结束方案: an executing plan whose undone shipments (撤销调拨) will not be shipped again is closed short,
 * once nothing of it is on its way (the API says so otherwise).
 */
export function CancelPlanModal({ planId, executing, onClose }: { planId: string; executing: boolean; onClose: (done: boolean) => void }) {
  const verb = executing ? '结束' : '取消';
  const [form] = Form.useForm<{ reason: string }>();
  const [, cancel] = useMutation(Cancel);
  return (
    <FormDialog
      form={form}
      name="cancelPlan"
      title={`${verb}调拨方案`}
      okText={`${verb}方案`}
      cancelText="返回"
      danger
      intro={
        <p>
          {executing
            ? '结束后已撤销的调拨不再补发，在途短少的物资也不再补发；在途的调拨须先收货或撤销，短少须先核销审批。'
            : '取消后方案不再执行，批准时预留的库存随之释放，待办的审批一并撤回。'}
        </p>
      }
      submit={async ({ reason }) => {
        const { error } = await cancel({ planId, reason: reason.trim() });
        return { error, success: `调拨方案已${verb}` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label={`${verb}原因`} rules={[{ required: true, whitespace: true, message: `请填写${verb}原因` }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
