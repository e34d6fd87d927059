import { DatePicker, Form, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation } from 'urql';
import { useNavigate } from 'react-router-dom';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { ZONE } from '../common/format';
import { INCIDENT_TYPE, optionsOf } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

const CreateIncident = graphql(`
  mutation CreateIncident($input: IncidentInput!) {
    createIncident(input: $input) {
      id
    }
  }
`);

interface Values {
  name: string;
  type: keyof typeof INCIDENT_TYPE;
  regionCode: string;
  /** China wall-clock time (the picker shows China time whatever the browser's zone). */
  occurredAt?: Dayjs | null;
  affectedPopulation?: number;
  responseLevel?: number;
}

/** The API's response levels 1–4 (Ⅰ–Ⅳ级; 一级 is the highest), chosen from a list: a typed 0 or 5 became 1 or 4. */
export const RESPONSE_LEVEL: Record<number, string> = { 1: '一级（Ⅰ级）', 2: '二级（Ⅱ级）', 3: '三级（Ⅲ级）', 4: '四级（Ⅳ级）' };

const WALL_CLOCK = 'YYYY-MM-DD HH:mm:ss';

/** Now in China, as a wall-clock value for the picker. */
const chinaNow = () => dayjs(dayjs().tz(ZONE).format(WALL_CLOCK));

/** A China wall-clock value from the picker as the API's DateTime (ISO 8601 with the +08:00 offset). */
const toDateTime = (wall: Dayjs) => dayjs.tz(wall.format(WALL_CLOCK), ZONE).format();

/** 新建事件 where the dispatcher clicked on the map; the region defaults to the nearest store's. */
export function CreateIncidentModal({
  at,
  regions,
  onClose,
}: {
  at: { lat: number; lng: number; regionCode?: string };
  regions: { code: string; name: string }[];
  onClose: () => void;
}) {
  const [form] = Form.useForm<Values>();
  const [, create] = useMutation(CreateIncident);
  const navigate = useNavigate();
  const submit = async ({ occurredAt, ...v }: Values) => {
    // D28: the 10-hour clock runs from when the disaster happened, which may be well before it is entered here.
    const { data, error } = await create({
      input: { ...v, occurredAt: occurredAt ? toDateTime(occurredAt) : undefined, location: { lat: at.lat, lng: at.lng } },
    });
    if (data) navigate(`/dispatch/incidents/${data.createIncident.id}`);
    return { error };
  };
  return (
    <FormDialog
      form={form}
      title={`新建事件（${at.lat.toFixed(4)}, ${at.lng.toFixed(4)}）`}
      okText="创建"
      initialValues={{ type: 'FLOOD', regionCode: at.regionCode, occurredAt: chinaNow() }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item name="name" label="事件名称" rules={[{ required: true, message: '请输入事件名称' }]}>
        <Input placeholder="如：卫辉市洪涝" />
      </Form.Item>
      <Form.Item name="type" label="类型" rules={[{ required: true }]}>
        <Select options={optionsOf(INCIDENT_TYPE)} />
      </Form.Item>
      <Form.Item name="regionCode" label="所在区划" rules={[{ required: true, message: '请选择区划' }]}>
        <Select showSearch optionFilterProp="label" options={regions.map((r) => ({ value: r.code, label: r.name }))} />
      </Form.Item>
      <Form.Item
        name="occurredAt"
        label="发生时间（北京时间）"
        extra="灾后 10 小时内基本生活得到救助，时限从发生时间起算；留空即为现在"
        rules={[
          {
            validator: (_, value: Dayjs | null | undefined) =>
              value && value.isAfter(chinaNow(), 'minute') ? Promise.reject(new Error('发生时间不能晚于当前时间')) : Promise.resolve(),
          },
        ]}
      >
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          style={{ width: '100%' }}
          // In the modal's own layer: a popup in a layer of its own would open before that layer is in the page.
          getPopupContainer={(trigger) => trigger.parentElement ?? document.body}
        />
      </Form.Item>
      {/* What was typed is kept and checked under the field (a typed −5 or 1500.7 was sent as 0 or 1501). */}
      <Form.Item name="affectedPopulation" label="受灾人口" rules={quantityRules('population')}>
        <QuantityInput style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="responseLevel" label="响应级别">
        <Select allowClear placeholder="未启动响应可不选" options={Object.entries(RESPONSE_LEVEL).map(([level, label]) => ({ value: Number(level), label }))} />
      </Form.Item>
    </FormDialog>
  );
}
