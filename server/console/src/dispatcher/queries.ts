import { graphql } from '../graphql/graphql';

// The map's layers are read whole, page after page (common/allPages.ts; sweep 18b F3: a fixed first: N left the stores,
// incidents or stock lines beyond N off the map without a word).
export const MapStoresQuery = graphql(`
  query MapStores($regionCode: String, $first: Int, $after: String) {
    stores(regionCode: $regionCode, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          kind
          level
          location {
            lat
            lng
          }
          region {
            code
            name
          }
        }
      }
    }
  }
`);

export const MapIncidentsQuery = graphql(`
  query MapIncidents($regionCode: String, $first: Int, $after: String) {
    incidents(regionCode: $regionCode, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          type
          occurredAt
          closedAt
          location {
            lat
            lng
          }
          region {
            name
          }
        }
      }
    }
  }
`);

/** The unit of the item the map is coloured by, for its tooltips' 「可用 1,300 床」 (sweep 22c F6). */
export const MapItemUnitQuery = graphql(`
  query MapItemUnit($id: ID!) {
    item(id: $id) {
      id
      unit
    }
  }
`);

export const ItemStockQuery = graphql(`
  query ItemStockByStore($filter: StockFilter!, $first: Int, $after: String) {
    stock(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          store {
            id
          }
          available
        }
      }
    }
  }
`);
