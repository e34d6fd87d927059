import { useEffect, useRef, useState } from 'react';
import { App, Button, Card, Form, Input, Table } from 'antd';
import { useMutation } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { useAllPages } from '../common/allPages';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { Modal } from '../common/Modal';

const PointsQuery = graphql(`
  query IncidentPoints($incidentId: ID!, $first: Int, $after: String) {
    stores(incidentId: $incidentId, kind: DISTRIBUTION_POINT, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          code
          name
          address
          contactName
          contactPhone
          capacity
          region {
            name
          }
        }
      }
    }
  }
`);

// D29 (sweep 23b): what the dispatcher corrects of a 安置点 — the fields the policy gives them (assertMayEditStore);
// its kind, region, code and place stay the administrators'.
const UpdatePoint = graphql(`
  mutation UpdateDistributionPoint($id: ID!, $input: UpdateStoreInput!) {
    updateStore(id: $id, input: $input) {
      id
      name
      address
      contactName
      contactPhone
    }
  }
`);

type Point = ResultOf<typeof PointsQuery>['stores']['edges'][number]['node'];
interface Values {
  name: string;
  address?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
}

/** An emptied field clears the value (an empty 联系电话 is no malformed number). */
const orNull = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

function EditPointModal({ point, onClose }: { point: Point; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, update] = useMutation(UpdatePoint);
  const { message } = App.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    const result = await update({
      id: point.id,
      input: { name: v.name.trim(), address: orNull(v.address), contactName: orNull(v.contactName), contactPhone: orNull(v.contactPhone) },
    });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`安置点「${result.data?.updateStore.name ?? v.name}」已修改`);
    onClose(true);
  };
  return (
    <Modal
      open
      title={`编辑安置点：${point.name}`}
      okText="保存"
      confirmLoading={fetching}
      maskClosable={false}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        name="point"
        layout="vertical"
        initialValues={{ name: point.name, address: point.address, contactName: point.contactName, contactPhone: point.contactPhone }}
      >
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请输入安置点名称' }]}>
          <Input maxLength={128} />
        </Form.Item>
        <Form.Item name="address" label="地址">
          <Input maxLength={256} />
        </Form.Item>
        <Form.Item name="contactName" label="联系人">
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="contactPhone" label="联系电话">
          <Input maxLength={32} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * The incident's 安置点 (D29) as the dispatcher's region holds them, each with 编辑 (sweep 23b: a wrong address or
 * contact of a point opened for the incident could only be corrected by an administrator).
 */
export function IncidentPoints({ incidentId, plans }: { incidentId: string; plans: string }) {
  const { nodes, fetching, refetch } = useAllPages(PointsQuery, { incidentId }, (d) => d.stores);
  const [editing, setEditing] = useState<Point>();
  // A plan submitted opens the 安置点 it names: read again when the incident's plans change (not on the first draw).
  const seen = useRef(plans);
  useEffect(() => {
    if (seen.current === plans) return;
    seen.current = plans;
    refetch();
  }, [plans, refetch]);
  if (!fetching && !nodes?.length) return null;
  return (
    <Card size="small" title="安置点">
      <Table<Point>
        size="small"
        rowKey="id"
        loading={fetching}
        dataSource={nodes}
        pagination={false}
        columns={[
          { title: '名称', render: (_, p) => p.name },
          { title: '区划', render: (_, p) => p.region.name },
          { title: '地址', render: (_, p) => p.address ?? '—' },
          { title: '联系人', render: (_, p) => p.contactName ?? '—' },
          { title: '联系电话', render: (_, p) => p.contactPhone ?? '—' },
          { title: '容纳人数', align: 'right', render: (_, p) => p.capacity ?? '—' },
          {
            title: '操作',
            key: 'actions',
            width: 80,
            render: (_, p) => (
              <Button size="small" onClick={() => setEditing(p)} aria-label={`编辑 ${p.name}`}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      {editing && (
        <EditPointModal
          point={editing}
          onClose={(done) => {
            setEditing(undefined);
            if (done) refetch();
          }}
        />
      )}
    </Card>
  );
}
