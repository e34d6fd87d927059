import { graphql, type ResultOf } from '../graphql/graphql';

export const PlanFields = graphql(`
  fragment PlanFields on DispatchPlan {
    id
    status
    totalQuantity
    maxEtaHours
    meetsDeadline
    deadlineHours
    emergency
    approvalDueAt
    requestedBy {
      id
    }
    destinations {
      index
      name
      location {
        lat
        lng
      }
    }
    lines {
      destination {
        index
        name
        location {
          lat
          lng
        }
      }
      item {
        id
        name
        unit
      }
      source {
        kind
        name
        store {
          location {
            lat
            lng
          }
        }
      }
      batchNo
      quantity
      distanceKm
      etaHours
      meetsDeadline
      arrivesAt
      hoursSinceIncident
      meetsBasicNeedsTarget
      tier
      reason
    }
    shortages {
      destination {
        name
      }
      item {
        name
        unit
      }
      requested
      planned
      missing
    }
  }
`);

export type Plan = ResultOf<typeof PlanFields>;
