import { useState } from 'react';
import { Select } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';

const ItemsQuery = graphql(`
  query ItemOptions($search: String) {
    items(search: $search, first: 30) {
      edges {
        node {
          id
          code
          name
          spec
          unit
        }
      }
    }
  }
`);

/** Picks a catalog item by name or code, searched on the server as the user types. */
export function ItemSelect({
  value,
  onChange,
  placeholder = '输入物资名称或代码',
  ...rest
}: {
  value?: string;
  onChange?: (id: string | undefined) => void;
  placeholder?: string;
  id?: string;
  style?: React.CSSProperties;
  allowClear?: boolean;
}) {
  const [search, setSearch] = useState('');
  const [{ data, fetching }] = useQuery({ query: ItemsQuery, variables: { search: search.trim() || null } });
  const options = (data?.items.edges ?? []).map(({ node }) => ({ value: node.id, label: `${node.name}${node.spec ? `（${node.spec}）` : ''} · ${node.unit}` }));
  return (
    <Select
      {...rest}
      showSearch
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      filterOption={false}
      onSearch={(s) => setSearch(s.slice(0, 64))}
      loading={fetching}
      options={options}
      notFoundContent={fetching ? '查询中…' : '没有匹配的物资'}
    />
  );
}
