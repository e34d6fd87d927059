import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../../schema/index.ts';

// The console's typed operations (gql.tada) are checked against this copy of the API's schema; regenerate it with
// `npm run console:schema` after changing the schema (tests/unit/console-schema.test.ts fails while it is stale).
writeFileSync(new URL('../console/src/graphql/schema.graphql', import.meta.url), `${printSchema(schema)}\n`);
