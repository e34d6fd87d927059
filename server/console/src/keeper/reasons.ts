import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';

const ReasonsQuery = graphql(`
  query StockReasons {
    stockReasons {
      code
      name
      direction
      usages
      purpose
    }
  }
`);

/** The reason codes allowed for one kind of document (ISSUE, STOCKTAKE, SCRAP, TRANSFER, ROTATION), as select options. */
export function useReasonOptions(usage: string, direction?: 'INCREASE' | 'DECREASE') {
  const [{ data }] = useQuery({ query: ReasonsQuery });
  return (data?.stockReasons ?? [])
    .filter((r) => r.usages.includes(usage) && (!direction || r.direction === direction))
    .map((r) => ({ value: r.code, label: r.name, purpose: r.purpose ?? null }));
}
