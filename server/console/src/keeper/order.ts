import { graphql, type ResultOf } from '../graphql/graphql';

export const OrderFields = graphql(`
  fragment OrderFields on OutboundOrder {
    id
    number
    status
    purpose
    store {
      id
    }
    recipient
    toStore {
      name
    }
    requestedBy {
      id
      displayName
    }
    lines {
      item {
        id
        name
        unit
      }
      batch {
        id
        batchNo
      }
      quantity
      executedQuantity
    }
  }
`);

export type Order = ResultOf<typeof OrderFields>;
