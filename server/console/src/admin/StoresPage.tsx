import { useEffect, useRef, useState } from 'react';
import { Alert, Card, Form, Input, InputNumber, Select, Space, Table } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { labelOf, optionsOf, REGION_LEVEL, STORE_KIND } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { RegionTreeSelect } from '../common/RegionTreeSelect';
import { useUser } from '../app/session';
import { FormModal } from './FormModal';

const StoresQuery = graphql(`
  query AdminStores($regionCode: String, $kind: StoreKind, $search: String, $first: Int, $after: String) {
    stores(regionCode: $regionCode, kind: $kind, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          code
          name
          kind
          level
          address
          contactName
          contactPhone
          capacityM3
          location {
            lat
            lng
          }
          region {
            code
            name
          }
          operator {
            name
          }
        }
      }
    }
  }
`);

const CreateStore = graphql(`
  mutation CreateStore($input: CreateStoreInput!) {
    createStore(input: $input) {
      id
      code
      name
    }
  }
`);

const UpdateStore = graphql(`
  mutation UpdateStore($id: ID!, $input: UpdateStoreInput!) {
    updateStore(id: $id, input: $input) {
      id
    }
  }
`);

const LoadRegionTree = graphql(`
  mutation LoadRegionTree($code: String!) {
    loadRegionTree(code: $code) {
      inserted
      existing
      namesDiffering
      root {
        code
        name
      }
    }
  }
`);

type Store = ResultOf<typeof StoresQuery>['stores']['edges'][number]['node'];
type StoreKind = keyof typeof STORE_KIND;
type StoreInput = VariablesOf<typeof CreateStore>['input'];
type UpdateInput = VariablesOf<typeof UpdateStore>['input'];

/** The fields of 新建仓库 and 编辑仓库 (D2: code, name, kind, region, place, operator, address, contact, capacity). */
function StoreFields({ distributionPoint = false }: { distributionPoint?: boolean }) {
  return (
    <>
      <Form.Item name="code" label="仓库代码" rules={[{ required: true }]}>
        <Input />
      </Form.Item>
      <Form.Item name="name" label="名称" rules={[{ required: true }]}>
        <Input />
      </Form.Item>
      <Form.Item name="kind" label="类型" rules={[{ required: true }]}>
        {/* A 安置点 comes with its incident (requestDispatch), never from here, and stays one (updateStore, D30). */}
        <Select disabled={distributionPoint} options={optionsOf(STORE_KIND).filter((o) => distributionPoint || o.value !== 'DISTRIBUTION_POINT')} />
      </Form.Item>
      {/* Sweep 20b F1: picked from the tree; a township missing from it is added by 加载下级区划. */}
      <Form.Item name="regionCode" label="所属区划" rules={[{ required: true, message: '请选择所属区划' }]}>
        <RegionTreeSelect placeholder="选择区划（展开省、市、县、乡镇）" />
      </Form.Item>
      <Space>
        <Form.Item name={['location', 'lat']} label="纬度" rules={[{ required: true }]}>
          <InputNumber step={0.001} />
        </Form.Item>
        <Form.Item name={['location', 'lng']} label="经度" rules={[{ required: true }]}>
          <InputNumber step={0.001} />
        </Form.Item>
      </Space>
      {/* Sweep 23b F4: a 安置点 is neither a 代储库 nor a 协议储备库 — it has no operating company to name. */}
      {!distributionPoint && (
        <Form.Item name="operatorName" label="运营企业（代储库、协议储备库必填）">
          <Input />
        </Form.Item>
      )}
      <Form.Item name="address" label="地址">
        <Input />
      </Form.Item>
      <Space>
        <Form.Item name="contactName" label="联系人">
          <Input />
        </Form.Item>
        <Form.Item name="contactPhone" label="联系电话">
          <Input />
        </Form.Item>
      </Space>
      <Form.Item name="capacityM3" label="库容（立方米）">
        <InputNumber min={0} precision={0} style={{ width: 160 }} />
      </Form.Item>
    </>
  );
}

/** A text field as the API takes it: cleared is none (null), not an empty string (a phone number "" is refused). */
const textOf = (v: string | null | undefined) => (v?.trim() ? v : null);

/** The form's values of a store. */
const formOf = (s: Store): StoreInput => ({
  code: s.code,
  name: s.name,
  kind: s.kind,
  regionCode: s.region.code,
  location: { lat: s.location.lat, lng: s.location.lng },
  operatorName: s.operator?.name ?? null,
  address: s.address ?? null,
  contactName: s.contactName ?? null,
  contactPhone: s.contactPhone ?? null,
  capacityM3: s.capacityM3 ?? null,
});

/**
 * 编辑仓库 (sweep 20b F1; D2, D31): name, code, kind, region, place, operator, address, contact and capacity. Only what
 * was changed is sent (as 编辑用户, sweep 20b F6: a field sent as it was would undo another's change). The server's
 * refusals show at their fields: a store with ledger history keeps its region and kind (D31), a 安置点 stays one.
 */
function EditStore({ store }: { store: Store }) {
  const [, update] = useMutation(UpdateStore);
  const start = formOf(store);
  return (
    <FormModal<StoreInput>
      edit
      name={`edit-store-${store.code}`}
      title={`编辑仓库：${store.name}`}
      initialValues={start}
      submit={async (v) => {
        const input: UpdateInput = {};
        for (const key of ['code', 'name', 'kind', 'regionCode'] as const) if (v[key] !== start[key]) input[key] = v[key] as never;
        for (const key of ['operatorName', 'address', 'contactName', 'contactPhone'] as const) {
          if (textOf(v[key]) !== textOf(start[key])) input[key] = textOf(v[key]);
        }
        if (v.location.lat !== start.location.lat || v.location.lng !== start.location.lng) input.location = v.location;
        if ((v.capacityM3 ?? null) !== (start.capacityM3 ?? null)) input.capacityM3 = v.capacityM3 ?? null;
        // Nothing changed: nothing to send (the API would refuse an empty change), the dialog closes as saved.
        if (!Object.keys(input).length) return {};
        return update({ id: store.id, input });
      }}
      success={(v) => `仓库「${v.name}」已保存`}
    >
      <StoreFields distributionPoint={store.kind === 'DISTRIBUTION_POINT'} />
    </FormModal>
  );
}

/**
 * 加载下级区划 (sweep 20b F1, D1): the tree under a region from the official codes — a county's townships, a township's
 * villages — so that a store or user can be placed there. Existing regions are never changed.
 */
function LoadRegions() {
  const [, load] = useMutation(LoadRegionTree);
  // What the load came to, said once the dialog closes.
  const said = useRef<string>(undefined);
  return (
    <FormModal<{ code: string }>
      title="加载下级区划"
      submit={async ({ code }) => {
        const result = await load({ code });
        const r = result.data?.loadRegionTree;
        if (r) {
          const differing = r.namesDiffering.length ? `；名称与国家代码不同（未改动）：${r.namesDiffering.join('、')}` : '';
          said.current = `「${r.root.name}」下级区划已加载：新增 ${r.inserted} 个，已有 ${r.existing} 个${differing}`;
        }
        return result;
      }}
      success={() => said.current ?? '下级区划已加载'}
    >
      <Alert
        className="form-alert"
        type="info"
        showIcon
        message="按国家统计局区划代码加载所选区划的下级（县的乡镇、乡镇的村和社区），加载后即可在其下建仓库、设用户。已有的区划不会改动。"
      />
      <Form.Item name="code" label="区划" rules={[{ required: true, message: '请选择要加载下级的区划' }]}>
        <RegionTreeSelect placeholder="选择区划（如某县）" />
      </Form.Item>
    </FormModal>
  );
}

/** 仓库: every store with its kind, level and operator; found by name or code; a new one with its place on the map. */
export default function StoresPage() {
  const user = useUser();
  const [regionCode, setRegionCode] = useState<string>();
  const [kind, setKind] = useState<StoreKind>();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState<string>();
  // The store just saved: the list is searched for its code and its row marked (L11: it landed on page 6 of 7).
  const [savedId, setSavedId] = useState<string>();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [regionCode, kind, search, reset]);
  const [{ data, fetching }] = useQuery({ query: StoresQuery, variables: { regionCode, kind, search, ...pages.variables } });
  useEffect(() => remember(page, data?.stores.pageInfo.endCursor), [data, page, remember]);
  const [, create] = useMutation(CreateStore);
  const applySearch = (text: string) => {
    setSearchText(text);
    setSearch(text.trim() || undefined);
  };
  return (
    <Card
      title="仓库"
      extra={
        <Space>
          {user.role === 'ADMIN' && <LoadRegions />}
          <FormModal<StoreInput>
            title="新建仓库"
            submit={async (input, _form, idempotencyKey) => {
              const result = await create({
                input: {
                  ...input,
                  contactName: textOf(input.contactName),
                  contactPhone: textOf(input.contactPhone),
                  address: textOf(input.address),
                  operatorName: textOf(input.operatorName),
                  // Sweep 23c: the dialog's key — 保存 again after a lost answer gets the store created, not 「仓库代码已存在」.
                  idempotencyKey,
                },
              });
              const store = result.data?.createStore;
              if (store) {
                // Shown where it can be seen: the filters that might hide it are cleared, the list searched for its code.
                setRegionCode(undefined);
                setKind(undefined);
                applySearch(store.code);
                setSavedId(store.id);
              }
              return result;
            }}
            // The list follows by itself: its variables change to the search, and the new Store makes urql fetch it again.
            success={(input) => `仓库「${input.name}」已保存`}
            initialValues={{ kind: 'GOVERNMENT' }}
          >
            <StoreFields />
          </FormModal>
        </Space>
      }
    >
      <Space wrap className="form-alert">
        <Input.Search
          id="store-search"
          placeholder="名称或代码"
          allowClear
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
          onSearch={applySearch}
          style={{ width: 220 }}
        />
        <RegionTreeSelect
          id="store-region"
          placeholder="全部区划"
          allowClear
          value={regionCode}
          onChange={(code) => setRegionCode(code ?? undefined)}
          style={{ width: 220 }}
        />
        <Select<StoreKind>
          allowClear
          placeholder="全部类型"
          aria-label="仓库类型"
          style={{ width: 140 }}
          value={kind}
          onChange={setKind}
          options={optionsOf(STORE_KIND)}
        />
      </Space>
      <Table<Store>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.stores.edges.map((e) => e.node)}
        rowClassName={(s) => (s.id === savedId ? 'row-saved' : '')}
        pagination={tablePagination(pages, data?.stores.totalCount, { query: StoresQuery, variables: { regionCode, kind, search } })}
        scroll={{ x: 900 }}
        columns={[
          { title: '代码', render: (_, s) => s.code },
          { title: '名称', render: (_, s) => s.name },
          { title: '类型', render: (_, s) => labelOf(STORE_KIND, s.kind) },
          { title: '级别', render: (_, s) => labelOf(REGION_LEVEL, s.level) },
          { title: '区划', render: (_, s) => s.region.name },
          { title: '运营企业', render: (_, s) => s.operator?.name ?? '—' },
          { title: '联系人', render: (_, s) => [s.contactName, s.contactPhone].filter(Boolean).join(' ') || '—' },
          { title: '操作', render: (_, s) => <EditStore store={s} /> },
        ]}
      />
    </Card>
  );
}
