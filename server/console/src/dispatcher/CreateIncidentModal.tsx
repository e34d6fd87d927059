import { useState } from 'react';
import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { useMutation } from 'urql';
import { useNavigate } from 'react-router-dom';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { INCIDENT_TYPE, optionsOf } from '../common/labels';

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
  affectedPopulation?: number;
  responseLevel?: number;
}

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
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, create] = useMutation(CreateIncident);
  const navigate = useNavigate();
  const submit = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    const result = await create({ input: { ...v, location: { lat: at.lat, lng: at.lng } } });
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else if (result.data) navigate(`/dispatch/incidents/${result.data.createIncident.id}`);
  };
  return (
    <Modal
      open
      title={`新建事件（${at.lat.toFixed(4)}, ${at.lng.toFixed(4)}）`}
      okText="创建"
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={onClose}
    >
      <FormAlerts messages={alerts} />
      <Form form={form} layout="vertical" initialValues={{ type: 'FLOOD', regionCode: at.regionCode }}>
        <Form.Item name="name" label="事件名称" rules={[{ required: true, message: '请输入事件名称' }]}>
          <Input placeholder="如：卫辉市洪涝" />
        </Form.Item>
        <Form.Item name="type" label="类型" rules={[{ required: true }]}>
          <Select options={optionsOf(INCIDENT_TYPE)} />
        </Form.Item>
        <Form.Item name="regionCode" label="所在区划" rules={[{ required: true, message: '请选择区划' }]}>
          <Select showSearch optionFilterProp="label" options={regions.map((r) => ({ value: r.code, label: r.name }))} />
        </Form.Item>
        <Form.Item name="affectedPopulation" label="受灾人口">
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="responseLevel" label="响应级别（1–4）">
          <InputNumber min={1} max={4} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
