import { graphql, type ResultOf } from '../graphql/graphql';

export const OrderFields = graphql(`
  fragment OrderFields on OutboundOrder {
    id
    number
    status
    purpose
    store {
      id
      name
    }
    recipient
    toStore {
      id
      name
    }
    closeReason
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
      remainingQuantity
    }
  }
`);

export type Order = ResultOf<typeof OrderFields>;
