import { useEffect, useState } from 'react';
import { Card, Form, Input, InputNumber, Select, Space, Table } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { labelOf, optionsOf, REGION_LEVEL, STORE_KIND } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
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
          region {
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

type Store = ResultOf<typeof StoresQuery>['stores']['edges'][number]['node'];
type StoreKind = keyof typeof STORE_KIND;

/** 仓库: every store with its kind, level and operator; found by name or code; a new one with its place on the map. */
export default function StoresPage() {
  const [regionText, setRegionText] = useState('');
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
        <FormModal<VariablesOf<typeof CreateStore>['input']>
          title="新建仓库"
          submit={async (input) => {
            const result = await create({ input });
            const store = result.data?.createStore;
            if (store) {
              // Shown where it can be seen: the filters that might hide it are cleared, the list searched for its code.
              setRegionText('');
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
          <Form.Item name="code" label="仓库代码" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="name" label="名称" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="kind" label="类型" rules={[{ required: true }]}>
            {/* A 安置点 comes with its incident (requestDispatch), never from here. */}
            <Select options={optionsOf(STORE_KIND).filter((o) => o.value !== 'DISTRIBUTION_POINT')} />
          </Form.Item>
          <Form.Item name="regionCode" label="区划代码" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Space>
            <Form.Item name={['location', 'lat']} label="纬度" rules={[{ required: true }]}>
              <InputNumber step={0.001} />
            </Form.Item>
            <Form.Item name={['location', 'lng']} label="经度" rules={[{ required: true }]}>
              <InputNumber step={0.001} />
            </Form.Item>
          </Space>
          <Form.Item name="operatorName" label="运营企业（代储库、协议储备库必填）">
            <Input />
          </Form.Item>
          <Form.Item name="address" label="地址">
            <Input />
          </Form.Item>
        </FormModal>
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
        <Input.Search
          placeholder="区划代码"
          allowClear
          value={regionText}
          onChange={(e) => setRegionText(e.target.value)}
          onSearch={(v) => setRegionCode(v.trim() || undefined)}
          style={{ width: 200 }}
        />
        <Select<StoreKind> allowClear placeholder="全部类型" style={{ width: 140 }} value={kind} onChange={setKind} options={optionsOf(STORE_KIND)} />
      </Space>
      <Table<Store>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.stores.edges.map((e) => e.node)}
        rowClassName={(s) => (s.id === savedId ? 'row-saved' : '')}
        pagination={tablePagination(pages, data?.stores.totalCount)}
        scroll={{ x: 900 }}
        columns={[
          { title: '代码', render: (_, s) => s.code },
          { title: '名称', render: (_, s) => s.name },
          { title: '类型', render: (_, s) => labelOf(STORE_KIND, s.kind) },
          { title: '级别', render: (_, s) => labelOf(REGION_LEVEL, s.level) },
          { title: '区划', render: (_, s) => s.region.name },
          { title: '运营企业', render: (_, s) => s.operator?.name ?? '—' },
          { title: '联系人', render: (_, s) => [s.contactName, s.contactPhone].filter(Boolean).join(' ') || '—' },
        ]}
      />
    </Card>
  );
}
