import { useState } from 'react';
import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { newIdempotencyKey } from '../common/format';

const Reverse = graphql(`
  mutation ReverseDocument($documentId: ID!, $reason: String!, $idempotencyKey: String!) {
    reverseDocument(documentId: $documentId, reason: $reason, idempotencyKey: $idempotencyKey) {
      id
      number
      status
    }
  }
`);

/**
 * 冲销 (D22): a reversing document with the original's quantities negated, never an edit. It waits for a second
 * person's approval (D24, D27) and posts then; what it would take off the shelf is held meanwhile.
 */
export function ReverseDocumentModal({
  document,
  title,
  onClose,
}: {
  document: { id: string; number: string };
  title: string;
  onClose: (done: boolean) => void;
}) {
  const [form] = Form.useForm<{ reason: string }>();
  const [key] = useState(newIdempotencyKey);
  const [, reverse] = useMutation(Reverse);
  return (
    <FormDialog
      form={form}
      name="reverse"
      title={`冲销：${title}`}
      okText="提交冲销"
      danger
      intro={<p>冲销按原单数量反向记账，原单不作修改；每张单据只能冲销一次。冲销须经另一位有审批权限的人员批准后生效，审批期间将要减少的库存先行冻结。</p>}
      submit={async ({ reason }) => {
        const { data, error } = await reverse({ documentId: document.id, reason: reason.trim(), idempotencyKey: key });
        // The API's refusals of the document itself (already reversed, reversal pending) name documentId: the form's
        // one field is where the user looks.
        if (error) return { error, mapping: { aliases: { documentId: 'reason' } } };
        const r = data!.reverseDocument;
        return { success: r.status === 'PENDING_APPROVAL' ? `冲销申请 ${r.number} 已提交，待审批` : `${document.number} 已冲销（冲销单 ${r.number}）` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label="冲销原因" rules={[{ required: true, whitespace: true, message: '请填写冲销原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
