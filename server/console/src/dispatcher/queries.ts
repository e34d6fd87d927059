import { graphql } from '../graphql/graphql';

export const MapLayersQuery = graphql(`
  query MapLayers($regionCode: String) {
    stores(regionCode: $regionCode, first: 500) {
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
    incidents(regionCode: $regionCode, first: 100) {
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

export const ItemStockQuery = graphql(`
  query ItemStockByStore($filter: StockFilter!) {
    stock(filter: $filter, first: 500) {
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
