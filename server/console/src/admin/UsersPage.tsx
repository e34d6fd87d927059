import { useEffect, useState } from 'react';
import { Alert, Card, ConfigProvider, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useClient, useMutation, useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { labelOf, optionsOf, ROLE } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { RegionTreeSelect } from '../common/RegionTreeSelect';
import { StoreSelect, type PickedStore } from '../common/StoreSelect';
import { FormModal } from './FormModal';

const UserFields = graphql(`
  fragment UserFields on User {
    id
    username
    displayName
    role
    active
    region {
      code
      name
    }
    stores {
      id
      name
      code
    }
  }
`);

const UsersQuery = graphql(
  `
    query Users($role: Role, $search: String, $first: Int, $after: String) {
      users(role: $role, search: $search, first: $first, after: $after) {
        totalCount
        pageInfo {
          endCursor
        }
        edges {
          node {
            ...UserFields
          }
        }
      }
    }
  `,
  [UserFields],
);

const UpdateUser = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
    }
  }
`);

// One user as they are now (sweep 20b F6): by username — the API reads users by search only — and then by id.
const UserNowQuery = graphql(
  `
    query UserNow($search: String) {
      users(search: $search, first: 50) {
        edges {
          node {
            ...UserFields
          }
        }
      }
    }
  `,
  [UserFields],
);

const CreateUser = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
    }
  }
`);

type User = ResultOf<typeof UsersQuery>['users']['edges'][number]['node'];
type Role = keyof typeof ROLE;
type Input = VariablesOf<typeof CreateUser>['input'];
type UpdateInput = VariablesOf<typeof UpdateUser>['input'];
interface Edit {
  displayName: string;
  role: Role;
  regionCode?: string | null;
  storeIds?: string[];
  active: boolean;
  password?: string;
  /** EditUser: the user the fields started from (sweep 20b F6). */
  base?: Edit;
}

/**
 * Role and scope: a region for dispatchers, auditors and regional administrators; stores for keepers (安置点 among
 * them). Only the field of the chosen role shows (sweep-3 L6: a keeper's scope is stores, a region is refused).
 * `locked`: one's own account, whose role and scope only another administrator changes (D24).
 */
function ScopeFields({ locked = false, knownStores }: { locked?: boolean; knownStores?: readonly PickedStore[] }) {
  const role = Form.useWatch<Role | undefined>('role', Form.useFormInstance());
  const regional = !!useUser().region;
  return (
    // Disabled through antd's context: StoreSelect (common/) passes no `disabled` of its own.
    <ConfigProvider componentDisabled={locked}>
      <Form.Item name="role" label="角色" rules={[{ required: true }]}>
        <Select options={optionsOf(ROLE)} />
      </Form.Item>
      {role === 'KEEPER' ? (
        <Form.Item name="storeIds" label="仓库（库管员；可多选，含安置点）">
          {/* Sweep 24b F4: the keeper's stores by name from the start (the user row has them), not ids until looked up. */}
          <StoreSelect multiple allowClear known={knownStores} />
        </Form.Item>
      ) : (
        // Sweep 20b F1: picked from the tree, not typed as a code; a regional administrator's users are inside their region.
        <Form.Item name="regionCode" label={regional ? '区划' : '区划（管理员不选为不限区划）'}>
          <RegionTreeSelect allowClear placeholder="选择区划" />
        </Form.Item>
      )}
    </ConfigProvider>
  );
}

/** What a form sends as the scope of its role: stores for a keeper, else a region (none: a system-wide administrator). */
const scopeOf = (role: Role, regionCode: string | null | undefined, storeIds: string[] | null | undefined) =>
  role === 'KEEPER' ? { storeIds: storeIds ?? [] } : { regionCode: regionCode || null, storeIds: [] };

/** An administrator's password is at least 12 characters (the API's rule; README ADMIN_PASSWORD). */
const ADMIN_PASSWORD_MIN = 12;

/**
 * 重置密码, or — sweep-3 M2 — the new password a promotion to 管理员 requires: the password a user kept from a lesser
 * role may be shorter than an administrator's, so one is set in the same save.
 */
function PasswordField({ currentRole }: { currentRole: Role }) {
  const role = Form.useWatch<Role | undefined>('role', Form.useFormInstance());
  const promoting = role === 'ADMIN' && currentRole !== 'ADMIN';
  const min = role === 'ADMIN' ? ADMIN_PASSWORD_MIN : 8;
  return (
    <Form.Item
      name="password"
      label={promoting ? `新密码（提升为管理员须设置，至少 ${ADMIN_PASSWORD_MIN} 位）` : '重置密码（留空不变）'}
      rules={[
        { required: promoting, message: `提升为管理员须同时设置不少于 ${ADMIN_PASSWORD_MIN} 位的新密码` },
        { min, message: role === 'ADMIN' ? `管理员密码至少 ${ADMIN_PASSWORD_MIN} 位` : `密码至少 ${min} 位` },
      ]}
    >
      <Input.Password autoComplete="new-password" />
    </Form.Item>
  );
}

/** The dialog's fields as a user has them. */
const editOf = (u: User): Edit => ({
  displayName: u.displayName,
  role: u.role,
  regionCode: u.region?.code ?? null,
  storeIds: u.stores.map((s) => s.id),
  active: u.active,
});

const sameStores = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) =>
  [...(a ?? [])].sort().join() === [...(b ?? [])].sort().join();

/** Which of the dialog's fields differ between two states of the user (the scope by the role's kind of scope). */
function differing(a: Edit, b: Edit): (keyof Edit)[] {
  const fields: (keyof Edit)[] = [];
  if (a.displayName !== b.displayName) fields.push('displayName');
  if (a.role !== b.role) fields.push('role');
  if ((a.regionCode || null) !== (b.regionCode || null)) fields.push('regionCode');
  if (!sameStores(a.storeIds, b.storeIds)) fields.push('storeIds');
  if (a.active !== b.active) fields.push('active');
  return fields;
}

/**
 * Sweep 20b F6 (D24): what the dialog sends is what was changed in it, nothing else — a field sent as it was when the
 * dialog opened undid whatever another administrator (or tab) had changed since (a user just disabled was enabled
 * again by a change of name; a store just taken from a keeper came back). A new role brings its scope with it.
 */
function changesOf(base: Edit, v: Edit): UpdateInput {
  const changed = differing(base, v);
  const input: UpdateInput = {};
  if (changed.includes('displayName')) input.displayName = v.displayName;
  if (changed.includes('active')) input.active = v.active;
  if (changed.includes('role')) input.role = v.role;
  if (v.role === 'KEEPER') {
    if (changed.includes('role') || changed.includes('storeIds')) input.storeIds = v.storeIds ?? [];
  } else if (changed.includes('role') || changed.includes('regionCode')) input.regionCode = v.regionCode || null;
  if (v.password) input.password = v.password;
  return input;
}

const FIELD_NAMES: Record<keyof Edit, string> = {
  displayName: '姓名',
  role: '角色',
  regionCode: '区划',
  storeIds: '仓库',
  active: '状态',
  password: '密码',
  base: '',
};

/**
 * 编辑: name, role and scope (a keeper's stores — a 安置点 among them — or a region), 启用/停用, a new password. On one's
 * own account only the name: D24 keeps one's own role and scope for another administrator, one does not deactivate
 * oneself, and one's own password is changed with the current one (修改密码 at the top, sweep 7c M4) — the API refuses
 * all three (不相容岗位分离 / 不能停用自己的账号 / 须输入原密码); the form spares the round trip (L13).
 * Sweep 20b F6 (D24): only what was changed is sent, and the user is read again first — changed by someone else since
 * the dialog opened, nothing is saved: the fields not touched here show what the user is now, those changed here keep
 * what was typed, and the administrator is told what changed and saves again knowingly.
 */
function EditUser({ user, onDone }: { user: User; onDone: () => void }) {
  const [, update] = useMutation(UpdateUser);
  const client = useClient();
  const own = useUser().id === user.id;
  return (
    <FormModal<Edit>
      edit
      name={`edit-${user.username}`}
      title={`编辑用户：${user.username}`}
      // `base`, kept in the form (never shown): the user as the form first showed them, or as last read again — what
      // the changes are counted from. In the form, it is always what the fields started from.
      initialValues={{ ...editOf(user), base: editOf(user) }}
      submit={async ({ base = editOf(user), ...v }, form) => {
        const { data } = await client.query(UserNowQuery, { search: user.username }, { requestPolicy: 'network-only' }).toPromise();
        const fresh = data?.users.edges.map((e) => e.node).find((u) => u.id === user.id);
        const now = fresh ? editOf(fresh) : base;
        const moved = differing(base, now);
        if (moved.length) {
          // The fields not touched here follow the user as they are now; those changed here keep what was typed.
          const untouched = moved.filter((f) => !differing(base, v).includes(f));
          form.setFieldsValue(Object.fromEntries(untouched.map((f) => [f, now[f]])));
          form.setFieldValue('base', now);
          onDone();
          return {
            refused: [
              `该用户在您打开此窗口后已被修改（${moved.map((f) => FIELD_NAMES[f]).join('、')}），窗口已按最新情况更新，您的修改尚未保存。请核对后再点「保存」。`,
            ],
          };
        }
        const input = own ? (v.displayName !== base.displayName ? { displayName: v.displayName } : {}) : changesOf(base, v);
        // Nothing changed: nothing to send (the API would refuse an empty change), the dialog closes as saved.
        if (!Object.keys(input).length) return {};
        return update({ id: user.id, input });
      }}
      success={() => `用户「${user.username}」已保存`}
      onDone={onDone}
    >
      {own && (
        <Alert
          className="form-alert"
          type="info"
          showIcon
          data-testid="own-account-note"
          message="这是您自己的账号：角色、权限范围和状态须由另一位管理员更改（不相容岗位分离），这里只能改姓名；修改自己的密码请用右上角「修改密码」（须输入原密码）。"
        />
      )}
      <Form.Item name="displayName" label="姓名" rules={[{ required: true }]}>
        <Input />
      </Form.Item>
      <ScopeFields locked={own} knownStores={user.stores} />
      <Form.Item name="active" label="状态">
        <Select
          disabled={own}
          options={[
            { value: true, label: '启用' },
            { value: false, label: '停用' },
          ]}
        />
      </Form.Item>
      {!own && <PasswordField currentRole={user.role} />}
    </FormModal>
  );
}

/**
 * 用户: the accounts an administrator manages, with role and scope; a new account (a region for dispatchers and
 * auditors, stores for keepers); changing one (EditUser).
 */
export default function UsersPage() {
  const [role, setRole] = useState<Role>();
  const [search, setSearch] = useState<string>();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [role, search, reset]);
  const [{ data, fetching }, refetch] = useQuery({ query: UsersQuery, variables: { role, search, ...pages.variables } });
  useEffect(() => remember(page, data?.users.pageInfo.endCursor), [data, page, remember]);
  const [, create] = useMutation(CreateUser);
  return (
    <Card
      title="用户"
      extra={
        <FormModal<Input>
          title="新建用户"
          initialValues={{ role: 'KEEPER' }}
          // Sweep 23c: the dialog's key — 保存 again after a lost answer gets the user created, not 「用户名已存在」.
          submit={({ regionCode, storeIds, ...input }, _form, idempotencyKey) =>
            create({ input: { ...input, ...scopeOf(input.role, regionCode, storeIds), idempotencyKey } })
          }
          success={(input) => `用户「${input.username}」已创建`}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
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
          <ScopeFields />
        </FormModal>
      }
    >
      <Space wrap className="form-alert">
        <Input.Search placeholder="用户名或姓名" allowClear onSearch={(v) => setSearch(v || undefined)} style={{ width: 220 }} />
        <Select<Role> allowClear placeholder="全部角色" style={{ width: 140 }} value={role} onChange={setRole} options={optionsOf(ROLE)} />
      </Space>
      <Table<User>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.users.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.users.totalCount, { query: UsersQuery, variables: { role, search } })}
        columns={[
          { title: '用户名', render: (_, u) => u.username },
          { title: '姓名', render: (_, u) => u.displayName },
          { title: '角色', render: (_, u) => labelOf(ROLE, u.role) },
          { title: '权限范围', render: (_, u) => u.region?.name ?? (u.stores.map((s) => s.name).join('、') || '全部') },
          { title: '状态', render: (_, u) => (u.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
          { title: '操作', render: (_, u) => <EditUser user={u} onDone={() => refetch({ requestPolicy: 'network-only' })} /> },
        ]}
      />
    </Card>
  );
}
