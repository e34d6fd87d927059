import { useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { FUNDING_SOURCE, RESERVE_MODE } from '../common/labels';

const NamesQuery = graphql(`
  query ValuationNames($regionCode: String) {
    categories {
      code
      name
      items {
        id
        name
      }
    }
    stores(regionCode: $regionCode, first: 500) {
      edges {
        node {
          id
          name
          region {
            code
            name
          }
        }
      }
    }
  }
`);

/** Names for valuation group keys (store ids, category codes, item ids, region codes, enums); unknown keys stay as they are. */
export function useGroupNames(regionCode: string | null) {
  const [{ data }] = useQuery({ query: NamesQuery, variables: { regionCode } });
  return useMemo(() => {
    const names = new Map<string, string>(Object.entries({ ...RESERVE_MODE, ...FUNDING_SOURCE }));
    for (const c of data?.categories ?? []) {
      names.set(c.code, c.name);
      for (const i of c.items) names.set(i.id, i.name);
    }
    for (const { node } of data?.stores.edges ?? []) {
      names.set(node.id, node.name);
      names.set(node.region.code, node.region.name);
    }
    return (key: string) => names.get(key) ?? key;
  }, [data]);
}
