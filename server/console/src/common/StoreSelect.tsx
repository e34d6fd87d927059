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

const DestinationsQuery = graphql(`
  query TransferDestinationOptions($fromStoreId: ID!) {
    transferDestinations(fromStoreId: $fromStoreId, first: 500) {
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

/**
 * Picks one of the stores the user may see (in a region subtree when given), or, with `transferFrom`, one of the
 * stores a transfer from that store may go to (a keeper sees the other stores of the city only here).
 */
function StoreSelectInner(
  {
    value,
    onChange,
    regionCode,
    transferFrom,
    multiple,
    ...rest
  }: {
    value?: string | string[];
    /** An id; with `multiple`, the ids. */
    onChange?: ((id: string) => void) | ((ids: string[]) => void);
    /** Several stores (a keeper's). */
    multiple?: boolean;
    regionCode?: string;
    transferFrom?: string;
    id?: string;
    style?: React.CSSProperties;
    placeholder?: string;
    allowClear?: boolean;
  },
  ref: Ref<RefSelectProps>,
) {
  const [stores] = useQuery({ query: StoresQuery, variables: { regionCode: regionCode ?? null }, pause: !!transferFrom });
  const [destinations] = useQuery({ query: DestinationsQuery, variables: { fromStoreId: transferFrom ?? '' }, pause: !transferFrom });
  const edges = (transferFrom ? destinations.data?.transferDestinations : stores.data?.stores)?.edges ?? [];
  return (
    <Select
      ref={ref}
      {...rest}
      showSearch
      mode={multiple ? 'multiple' : undefined}
      optionFilterProp="label"
      value={value}
      onChange={onChange as ((v: string | string[]) => void) | undefined}
      loading={stores.fetching || destinations.fetching}
      options={edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.code}）` }))}
    />
  );
}

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const StoreSelect = forwardRef(StoreSelectInner);
