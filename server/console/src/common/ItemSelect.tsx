import { forwardRef, useState, type Ref } from 'react';
import { Select, type RefSelectProps } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { useFieldName } from './field-name';

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
function ItemSelectInner(
  {
    value,
    onChange,
    placeholder = '输入物资名称或代码',
    'aria-label': ariaLabel,
    ...rest
  }: {
    value?: string;
    onChange?: (id: string | undefined) => void;
    placeholder?: string;
    id?: string;
    style?: React.CSSProperties;
    allowClear?: boolean;
    /** Outside a form: 物资 unless given (sweep 22c F1). */
    'aria-label'?: string;
  },
  ref: Ref<RefSelectProps>,
) {
  const name = useFieldName('物资', ariaLabel);
  const [search, setSearch] = useState('');
  const [{ data, fetching }] = useQuery({ query: ItemsQuery, variables: { search: search.trim() || null } });
  const options = (data?.items.edges ?? []).map(({ node }) => ({ value: node.id, label: `${node.name}${node.spec ? `（${node.spec}）` : ''} · ${node.unit}` }));
  return (
    <Select
      ref={ref}
      {...rest}
      aria-label={name}
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

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const ItemSelect = forwardRef(ItemSelectInner);
