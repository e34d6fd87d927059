import { Select } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';

const StoresQuery = graphql(`
  query StoreOptions($regionCode: String) {
    stores(regionCode: $regionCode, first: 500) {
      edges {
        node {
          id
          name
          code
        }
      }
    }
  }
`);

/** Picks one of the stores the user may see (in a region subtree when given). */
export function StoreSelect({
  value,
  onChange,
  regionCode,
  ...rest
}: {
  value?: string;
  onChange?: (id: string) => void;
  regionCode?: string;
  id?: string;
  style?: React.CSSProperties;
  placeholder?: string;
  allowClear?: boolean;
}) {
  const [{ data, fetching }] = useQuery({ query: StoresQuery, variables: { regionCode: regionCode ?? null } });
  return (
    <Select
      {...rest}
      showSearch
      optionFilterProp="label"
      value={value}
      onChange={onChange}
      loading={fetching}
      options={(data?.stores.edges ?? []).map(({ node }) => ({ value: node.id, label: `${node.name}（${node.code}）` }))}
    />
  );
}
