import { DatePicker, Form, Input } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { todayInChina } from '../common/format';

const EndAgreement = graphql(`
  mutation EndAgreement($input: EndAgreementInput!) {
    endAgreement(input: $input) {
      id
      validTo
      endedAt
      endReason
    }
  }
`);

/** What the dialog needs of an agreement (the page's query gives it). */
export interface EndedAgreement {
  id: string;
  validFrom: string;
  validTo: string;
  contractNo?: string | null;
  company: { name: string };
}

interface Values {
  endOn: Dayjs;
  reason: string;
}

/**
 * 提前终止 (D6, D22, sweep 18a F8): the last day the agreement binds and why. From the day after, it is neither planned
 * nor valued nor charged; the day before it starts voids one entered in error. The API refuses a day in a closed month,
 * and an agreement an approved plan or an issued call-off still claims.
 */
export function AgreementEndModal({ agreement, onClose }: { agreement: EndedAgreement; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [, end] = useMutation(EndAgreement);
  const today = todayInChina();
  const dayBefore = dayjs(agreement.validFrom).subtract(1, 'day').format('YYYY-MM-DD');
  const submit = async (v: Values) => {
    const endOn = v.endOn.format('YYYY-MM-DD');
    const { error } = await end({ input: { agreementId: agreement.id, endOn, reason: v.reason.trim() } });
    return { error, success: endOn === dayBefore ? '协议已作废' : `协议已提前终止，有效至 ${endOn}` };
  };
  return (
    <FormDialog
      form={form}
      name="agreementEnd"
      danger
      title={`提前终止：${agreement.company.name}${agreement.contractNo ? `（${agreement.contractNo}）` : ''}`}
      okText="终止协议"
      intro={`协议在终止日当天仍有效，次日起不再调用、不再计入协议储备价值和费用；终止日选在起始日前一天（${dayBefore}）即作废（录入有误）。终止后不能撤销。`}
      initialValues={{ endOn: dayjs(today < agreement.validTo ? today : dayBefore) }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item name="endOn" label="终止日期（最后有效日）" rules={[{ required: true, message: '请选择终止日期' }]}>
        <DatePicker
          allowClear={false}
          // From the day before it starts (void) to the day before its current end: the API refuses the rest.
          disabledDate={(d) => d.format('YYYY-MM-DD') < dayBefore || d.format('YYYY-MM-DD') >= agreement.validTo}
        />
      </Form.Item>
      <Form.Item name="reason" label="终止原因" rules={[{ required: true, whitespace: true, message: '请填写终止原因' }]}>
        <Input.TextArea rows={3} maxLength={500} placeholder="如：企业停产，双方协商提前解除；或：数量单价录入错误，作废" />
      </Form.Item>
    </FormDialog>
  );
}
