import { forwardRef, type Ref } from 'react';
import { Select, type RefSelectProps } from 'antd';
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
function StoreSelectInner(
  {
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
  },
  ref: Ref<RefSelectProps>,
) {
  const [{ data, fetching }] = useQuery({ query: StoresQuery, variables: { regionCode: regionCode ?? null } });
  return (
    <Select
      ref={ref}
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

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const StoreSelect = forwardRef(StoreSelectInner);
