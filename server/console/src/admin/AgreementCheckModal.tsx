import { DatePicker, Form, Input, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, todayInChina } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

const RecordCheck = graphql(`
  mutation RecordAgreementCheck($input: AgreementCheckInput!) {
    recordAgreementCheck(input: $input) {
      id
      checkedOn
    }
  }
`);

/** What the modal needs of an agreement (the page's query gives it). */
export interface CheckedAgreement {
  id: string;
  validFrom: string;
  contractNo?: string | null;
  company: { name: string };
  lines: { item: { id: string; name: string; unit: string }; quantity?: number | null; lastCheckedQuantity?: number | null }[];
}

interface Values {
  checkedOn: Dayjs;
  findings?: string;
  lines: { countedQuantity?: number | null }[];
}

/**
 * 记录抽查 (D6): the date, the quantity found at the company per item of the agreement (an item not counted is left
 * empty) and what was found. An agreement line then counts for min(committed, counted) until the next check.
 */
export function AgreementCheckModal({ agreement, onClose }: { agreement: CheckedAgreement; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [, record] = useMutation(RecordCheck);
  const today = todayInChina();

  const submit = async (v: Values) => {
    const counted = agreement.lines
      .map((l, i) => ({ itemId: l.item.id, countedQuantity: v.lines[i]?.countedQuantity, i }))
      .filter((l): l is { itemId: string; countedQuantity: number; i: number } => typeof l.countedQuantity === 'number');
    if (!counted.length) {
      form.setFields([{ name: ['lines', 0, 'countedQuantity'], errors: ['请至少填写一个品种的实存数量'] }]);
      return undefined;
    }
    const checkedOn = v.checkedOn.format('YYYY-MM-DD');
    const { error } = await record({
      input: {
        agreementId: agreement.id,
        checkedOn,
        findings: v.findings?.trim() || null,
        lines: counted.map(({ itemId, countedQuantity }) => ({ itemId, countedQuantity })),
      },
    });
    return { error, mapping: { rows: { list: 'lines', keys: counted.map(({ i }) => i) } }, success: `抽查已记录（${checkedOn}）` };
  };

  return (
    <FormDialog
      form={form}
      name="agreementCheck"
      width={720}
      title={`记录抽查：${agreement.company.name}${agreement.contractNo ? `（${agreement.contractNo}）` : ''}`}
      okText="保存"
      initialValues={{ checkedOn: dayjs(today), lines: agreement.lines.map(() => ({})) }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item
        name="checkedOn"
        label="抽查日期"
        rules={[
          { required: true, message: '请选择抽查日期' },
          // Not after today (China time) nor before the agreement starts: the API refuses both. Sweep 20b F2: said at
          // the field — days disabled in the picker made a typed one vanish, and today was recorded instead.
          {
            validator: (_, d?: Dayjs) =>
              d && d.format('YYYY-MM-DD') > today
                ? Promise.reject(new Error('抽查日期不能晚于今天'))
                : d && d.format('YYYY-MM-DD') < agreement.validFrom
                  ? Promise.reject(new Error(`抽查日期不能早于协议开始日期（${agreement.validFrom}）`))
                  : Promise.resolve(),
          },
        ]}
      >
        <DatePicker allowClear={false} />
      </Form.Item>
      <Table
        size="small"
        pagination={false}
        rowKey={(l) => l.item.id}
        dataSource={agreement.lines}
        columns={[
          { title: '物资', render: (_, l) => l.item.name },
          {
            title: '协议数量',
            align: 'right',
            render: (_, l) => (l.quantity === null || l.quantity === undefined ? '—' : formatQuantity(l.quantity, l.item.unit)),
          },
          { title: '上次抽查', align: 'right', render: (_, l) => l.lastCheckedQuantity ?? '—' },
          {
            title: '实存数量',
            render: (_, _l, i) => (
              <Form.Item name={['lines', i, 'countedQuantity']} style={{ margin: 0 }} rules={quantityRules('atLeastZero')}>
                <QuantityInput placeholder="未抽查" style={{ width: 120 }} />
              </Form.Item>
            ),
          },
        ]}
      />
      <Form.Item name="findings" label="抽查结果与发现的问题" style={{ marginTop: 12 }}>
        <Input.TextArea rows={3} maxLength={2000} placeholder="如：实存少于协议数量，已书面通知企业补足" />
      </Form.Item>
    </FormDialog>
  );
}
