import { graphql, type ResultOf } from '../graphql/graphql';

export const TransferFields = graphql(`
  fragment TransferFields on Transfer {
    id
    number
    status
    dispatchPlanId
    shippedAt
    fromStore {
      name
    }
    toStore {
      name
    }
    lines {
      item {
        name
        unit
      }
      batch {
        id
        batchNo
      }
      shipped
      received
      inTransit
      pendingWriteOff
      lost
    }
  }
`);

export type TransferRow = ResultOf<typeof TransferFields>;
