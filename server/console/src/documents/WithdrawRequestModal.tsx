import { App, Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';

const Withdraw = graphql(`
  mutation WithdrawApproval($approvalId: ID!, $reason: String!) {
    withdrawApproval(approvalId: $approvalId, reason: $reason) {
      id
      status
      reason
    }
  }
`);

/**
 * Sweep 24c F9: the requester withdraws (撤回) their own request still awaiting approval — a 冲销单, a 盘点单 with
 * differences, a 报废单 or 核销单 — with a reason; what it held is released and the approver's queue no longer offers it.
 * One decided since the page was read is not withdrawn: the dialog gives way to what the API says (by whom, when).
 */
export function WithdrawRequestModal({ approvalId, title, onClose }: { approvalId: string; title: string; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [, withdraw] = useMutation(Withdraw);
  const { modal } = App.useApp();
  return (
    <FormDialog
      form={form}
      name="withdraw"
      title={`撤回申请：${title}`}
      okText="撤回申请"
      danger
      intro={<p>撤回后该申请不再等待审批，单据不入账，审批期间冻结的库存随即释放。</p>}
      submit={async ({ reason }) => {
        const { error } = await withdraw({ approvalId, reason });
        const decided = error?.graphQLErrors.find((e) => e.extensions?.code === 'INVALID_STATE');
        if (decided) {
          void modal.warning({ title: '未撤回', content: decided.message, okText: '知道了' });
          onClose(true);
          return undefined;
        }
        return { error, success: `${title} 已撤回` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label="撤回原因" rules={[{ required: true, whitespace: true, message: '请填写撤回原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
