import { Alert, App, Button, Card, DatePicker, Form, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { formatDateTime, ZONE } from '../common/format';

const PeriodClosesQuery = graphql(`
  query PeriodCloses {
    periodCloses {
      month
      cutoff
      closedAt
    }
  }
`);

const ClosePeriod = graphql(`
  mutation ClosePeriod($month: String!) {
    closePeriod(month: $month) {
      month
    }
  }
`);

type Close = ResultOf<typeof PeriodClosesQuery>['periodCloses'][number];

const nextMonth = (month: string) => dayjs(`${month}-01`).add(1, 'month').format('YYYY-MM');

/**
 * 月结 (D21, D22): the months closed, newest first, and — for a system-wide administrator, the only one the API lets
 * close — closing the next one. Afterwards every entry dated in it (or before) is refused: corrections are posted in
 * the open period.
 */
export default function PeriodClosePage() {
  const user = useUser();
  const mayClose = user.role === 'ADMIN' && !user.region;
  const [{ data, fetching }, refetch] = useQuery({ query: PeriodClosesQuery });
  const closes = data?.periodCloses ?? [];
  const current = dayjs().tz(ZONE).format('YYYY-MM');
  const last = closes[0]?.month;
  // Months close in order and only once over: the next one after the last close (else last month), if it has ended.
  const suggested = last ? nextMonth(last) : dayjs().tz(ZONE).subtract(1, 'month').format('YYYY-MM');
  return (
    <Card title="月结">
      <Alert
        className="form-alert"
        type="info"
        showIcon
        message="月结后，业务时间在该月及以前的入库、出库、调拨、盘点等一律不能再入账；更正须以冲销单据在未结账的期间登记。"
        description={mayClose ? '月份须按顺序结账，只能结已经结束的月份。' : '月结由系统管理员办理；此处列出已月结的月份。'}
      />
      {mayClose && data && (
        <CloseForm
          suggested={suggested < current ? suggested : undefined}
          last={last}
          current={current}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
        />
      )}
      <Table<Close>
        size="small"
        loading={fetching}
        rowKey="month"
        dataSource={closes}
        pagination={{ pageSize: 24, showSizeChanger: false }}
        locale={{ emptyText: '尚未月结' }}
        columns={[
          { title: '月份', render: (_, c) => c.month },
          { title: '截止时间（此前的业务不再入账）', render: (_, c) => formatDateTime(c.cutoff) },
          { title: '月结时间', render: (_, c) => formatDateTime(c.closedAt) },
        ]}
      />
    </Card>
  );
}

/** The month picker and 月结 button, with a confirmation that says what closing means; the API's refusals in Chinese. */
function CloseForm({ suggested, last, current, onDone }: { suggested?: string; last?: string; current: string; onDone: () => void }) {
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<{ month?: Dayjs }>();
  const [{ fetching }, close] = useMutation(ClosePeriod);

  const submit = (month: string) => async () => {
    form.setFields([{ name: 'month', errors: [] }]);
    const result = await close({ month });
    if (result.error) {
      // The form has one field: a refusal naming none (already closed, out of order) is about the month too.
      const unplaced = showFieldErrors(form, result.error);
      if (unplaced.length) form.setFields([{ name: 'month', errors: unplaced }]);
      return;
    }
    void message.success(`${month} 已月结`);
    form.setFieldsValue({ month: nextMonth(month) < current ? dayjs(`${nextMonth(month)}-01`) : undefined });
    onDone();
  };

  const confirm = async () => {
    const { month: picked } = await form.validateFields();
    const month = picked!.format('YYYY-MM');
    modal.confirm({
      title: `月结 ${month}？`,
      content: (
        <>
          <p>
            月结后，业务时间在 {month} 及以前（北京时间 {nextMonth(month)}-01 0:00 之前）的入库、出库、调拨、盘点等过账将被拒绝，包括补登。
          </p>
          <p>月结不能撤销。</p>
        </>
      ),
      okText: '确认月结',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: submit(month),
    });
  };

  return (
    <Form form={form} name="periodClose" layout="inline" className="form-alert" initialValues={{ month: suggested ? dayjs(`${suggested}-01`) : undefined }}>
      <Form.Item name="month" label="月份" rules={[{ required: true, message: '请选择要月结的月份' }]}>
        <DatePicker
          picker="month"
          format="YYYY-MM"
          placeholder="选择月份"
          // Not a month that has not ended, nor one already closed (the API refuses both).
          disabledDate={(d) => d.format('YYYY-MM') >= current || (last !== undefined && d.format('YYYY-MM') <= last)}
        />
      </Form.Item>
      <Form.Item>
        <Button type="primary" danger loading={fetching} onClick={() => void confirm().catch(() => {})}>
          月结
        </Button>
      </Form.Item>
    </Form>
  );
}
