import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// Sweep 21c F5: an operationName that names no operation of the document is told so. yoga refuses every operation it
// cannot choose with one sentence ("Could not determine what operation to execute.", graphql-messages.ts: said of
// several operations and no name), which told a client with one operation `A` and operationName `Z` to name one of
// several (and a document of fragments only, too). Refused here in graphql-js's own words for it, which
// graphql-messages.ts says in Chinese (「查询中没有名为 Z 的操作…」).

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const MAX_SHOWN = 64;

/** The refusal: graphql-js's words for a name (cut); text that is no GraphQL name is not repeated. */
const unknown = (name: string) =>
  NAME.test(name) ? `Unknown operation named "${name.slice(0, MAX_SHOWN)}".` : 'operationName 不是有效的操作名（应为查询中某个操作的名称）';

const refusal = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export function unknownOperationName(): Plugin {
  return {
    // After parsing (cached documents too), before yoga chooses the operation. Thrown, not put in place of the parse
    // result: yoga's parser cache keeps a result by the query text alone, and the same text with another name is fine.
    onParse:
      ({ context }) =>
      ({ result }) => {
        if (!result || result instanceof Error) return;
        const name = (context as { params?: { operationName?: unknown } }).params?.operationName;
        const operations = (result as DocumentNode).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
        // No operation at all (fragments only): graphql-js's words for that, not "several".
        if (!operations.length) throw refusal('Must provide an operation.');
        if (typeof name !== 'string' || !name || operations.some((d) => d.name?.value === name)) return;
        throw refusal(unknown(name));
      },
  };
}
