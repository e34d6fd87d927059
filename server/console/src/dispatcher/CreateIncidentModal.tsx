import { useMemo, useState } from 'react';
import { DatePicker, Form, Input, InputNumber, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery } from 'urql';
import { useNavigate } from 'react-router-dom';
import { useUser } from '../app/session';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { newIdempotencyKey, ZONE } from '../common/format';
import { INCIDENT_TYPE, optionsOf } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

const CreateIncident = graphql(`
  mutation CreateIncident($input: IncidentInput!) {
    createIncident(input: $input) {
      id
    }
  }
`);

/**
 * Sweep 22c F2: where an incident may be opened without a click on the map — the dispatcher's region and the regions
 * directly under it (an administrator, with no region: the counties), with their centres for the coordinates.
 */
const IncidentRegionsQuery = graphql(`
  query IncidentRegions($parentCode: String, $level: RegionLevel) {
    regions(parentCode: $parentCode, level: $level) {
      code
      name
      location {
        lat
        lng
      }
    }
  }
`);

export interface IncidentRegion {
  code: string;
  name: string;
  location?: { lat: number; lng: number } | null;
}

interface Values {
  name: string;
  type: keyof typeof INCIDENT_TYPE;
  regionCode: string;
  /** Typed (or the region's centre) when the dialog was opened by its button rather than by a click on the map. */
  location?: { lat?: number | null; lng?: number | null };
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

/**
 * 新建事件 where the dispatcher clicked on the map (the region defaults to the nearest store's), or — opened by the
 * 新建事件 button, without a click (sweep 22c F2: no keyboard or screen-reader path led here) — at the 纬度/经度 typed,
 * which the chosen region's centre fills in until the dispatcher types their own (the API requires a location, and
 * refuses one far from the region).
 */
export function CreateIncidentModal({
  at,
  regions: given = [],
  onClose,
}: {
  at?: { lat: number; lng: number; regionCode?: string };
  regions?: IncidentRegion[];
  onClose: () => void;
}) {
  const user = useUser();
  const [form] = Form.useForm<Values>();
  const [, create] = useMutation(CreateIncident);
  // Sweep 23c F3: one key per opening of the dialog, as 入库 keeps one per form: 创建 again after a lost answer gets
  // the incident already created, never a second one.
  const [key] = useState(newIdempotencyKey);
  const navigate = useNavigate();
  const [{ data: listed }] = useQuery({
    query: IncidentRegionsQuery,
    variables: user.region ? { parentCode: user.region.code } : { level: 'COUNTY' },
  });
  // The user's own region, the map's (those with stores), and those under the user's; each once.
  const regions = useMemo(() => {
    const all = new Map<string, IncidentRegion>();
    for (const r of [...(user.region ? [user.region] : []), ...given, ...(listed?.regions ?? [])]) {
      const known = all.get(r.code);
      all.set(r.code, { ...r, location: r.location ?? known?.location });
    }
    return [...all.values()];
  }, [given, user.region, listed]);
  const initialRegion = at?.regionCode ?? user.region?.code;
  const centre = (code?: string) => regions.find((r) => r.code === code)?.location ?? undefined;
  // A region chosen fills in its centre, unless coordinates were typed.
  const regionChosen = (code: string) => {
    const c = centre(code);
    if (!at && c && !form.isFieldTouched(['location', 'lat']) && !form.isFieldTouched(['location', 'lng'])) {
      form.setFieldValue('location', { lat: c.lat, lng: c.lng });
    }
  };
  const submit = async ({ occurredAt, location, ...v }: Values) => {
    // D28: the 10-hour clock runs from when the disaster happened, which may be well before it is entered here.
    const { data, error } = await create({
      input: {
        ...v,
        occurredAt: occurredAt ? toDateTime(occurredAt) : undefined,
        location: at ? { lat: at.lat, lng: at.lng } : { lat: Number(location?.lat), lng: Number(location?.lng) },
        idempotencyKey: key,
      },
    });
    if (data) navigate(`/dispatch/incidents/${data.createIncident.id}`);
    return { error };
  };
  return (
    <FormDialog
      form={form}
      title={at ? `新建事件（${at.lat.toFixed(4)}, ${at.lng.toFixed(4)}）` : '新建事件'}
      okText="创建"
      initialValues={{ type: 'FLOOD', regionCode: initialRegion, occurredAt: chinaNow(), location: at ? undefined : centre(initialRegion) }}
      onValuesChange={(changed: Partial<Values>) => changed.regionCode && regionChosen(changed.regionCode)}
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
      {!at && (
        // What was typed is kept and checked by the API (我国境内, and near the region chosen), not clamped here.
        <Space wrap align="start">
          <Form.Item
            name={['location', 'lat']}
            label="纬度"
            extra="选定区划即填入其中心；可改为灾害地点的经纬度"
            rules={[{ required: true, message: '请填写纬度' }]}
          >
            <InputNumber step={0.001} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name={['location', 'lng']} label="经度" rules={[{ required: true, message: '请填写经度' }]}>
            <InputNumber step={0.001} style={{ width: 200 }} />
          </Form.Item>
        </Space>
      )}
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
