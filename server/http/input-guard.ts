import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// Text PostgreSQL cannot store — a NUL character, or half of a UTF-16 surrogate pair — is refused at the edge, in the
// query text and in every variable, before it reaches a resolver: it would otherwise fail deep in a statement (and on
// the embedded database, wedge the connection). One place, for every operation and argument.

// eslint-disable-next-line no-control-regex -- NUL is matched on purpose: PostgreSQL text cannot store it.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_WALK = 100_000;

/** The path of the first unstorable string in a JSON value, or null. Iterative: deep nesting cannot overflow. */
export function unstorableTextPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let seen = 0; stack.length && seen < MAX_WALK; seen++) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path || '(value)';
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`]));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) return `${path}.${k.replace(UNSTORABLE, '?')}`;
        stack.push([x, path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}

const refusal = (where: string) =>
  new GraphQLError(`输入含有无法保存的字符（空字符或不成对的代理字符）：${where}`, {
    extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
  });

/** The first string literal of a parsed document whose value (escapes decoded: "\\u0000") cannot be stored. */
function unstorableLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      if (UNSTORABLE.test(node.value)) {
        found = node.value;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function inputGuard(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' && UNSTORABLE.test(params.query)) throw refusal('query');
      const path = unstorableTextPath(params.variables ?? null);
      if (path) throw refusal(`variables.${path}`);
    },
    // A literal may spell the character as an escape, which only the parser decodes.
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result && typeof result === 'object' && 'kind' in result && unstorableLiteral(result as DocumentNode) !== null) {
          replaceParseResult(refusal('query'));
        }
      };
    },
  };
}
