import { Card, Form, Input, Select, Typography } from 'antd';
import { useMutation } from 'urql';
import { graphql, type VariablesOf } from '../graphql/graphql';
import { optionsOf, ROLE } from '../common/labels';
import { StoreSelect } from '../common/StoreSelect';
import { FormModal } from './FormModal';

const CreateUser = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      username
    }
  }
`);

type Input = VariablesOf<typeof CreateUser>['input'];

/** 用户: create an account with its role and scope (a region for dispatchers and auditors, stores for keepers). */
export default function UsersPage() {
  const [{ data }, create] = useMutation(CreateUser);
  return (
    <Card
      title="用户"
      extra={
        <FormModal<Input & { storeId?: string }>
          title="新建用户"
          initialValues={{ role: 'KEEPER' }}
          submit={({ storeId, ...input }) => create({ input: { ...input, storeIds: storeId ? [storeId] : undefined } })}
          onDone={() => {}}
        >
          <Form.Item name="username" label="用户名" rules={[{ required: true }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label="初始密码" rules={[{ required: true }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="role" label="角色" rules={[{ required: true }]}>
            <Select options={optionsOf(ROLE)} />
          </Form.Item>
          <Form.Item name="regionCode" label="区划代码（调度员、审计员）">
            <Input />
          </Form.Item>
          <Form.Item name="storeId" label="仓库（库管员）">
            <StoreSelect allowClear />
          </Form.Item>
        </FormModal>
      }
    >
      <Typography.Paragraph>新建账号并指定角色与权限范围：调度员、审计员按区划，库管员按仓库。</Typography.Paragraph>
      {data && <Typography.Paragraph type="success">已创建用户 {data.createUser.username}。</Typography.Paragraph>}
    </Card>
  );
}
