import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { fieldOf, literalField, variableFields } from './coercion-messages.ts';

// Text PostgreSQL cannot store — a NUL character, or half of a UTF-16 surrogate pair — is refused at the edge, in the
// query text and in every variable, before it reaches a resolver: it would otherwise fail deep in a statement (and on
// the embedded database, wedge the connection). So are bidirectional controls and the other control characters (below).
// One place, for every operation and argument.

// eslint-disable-next-line no-control-regex -- NUL is matched on purpose: PostgreSQL text cannot store it.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F marks,
// U+061C) make text display reversed or reordered: "WH-\u202eMB" prints as another batch number. Chinese text, with
// its emoji and their joiners, needs none of them: refused in every string, as the characters above.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
// The other control characters — C0 but tab and line breaks, DEL, C1 — are no text anyone types: a bell or an escape
// in a store's name rings or garbles the terminal that prints the audit log, and the spreadsheet or A4 form shows a box.
// Tab, LF and CR stay: a note or a finding may run over several lines.
// eslint-disable-next-line no-control-regex -- control characters are matched on purpose.
const OTHER_CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const MAX_WALK = 100_000;

/** What is wrong with a string, in words, or null when it may be stored. */
function unacceptable(text: string): string | null {
  if (UNSTORABLE.test(text)) return '输入含有无法保存的字符（空字符或不成对的代理字符）';
  if (BIDI_CONTROL.test(text)) return '输入含有改变文字显示方向的控制字符（如 U+202E，会使文字颠倒或错乱显示），请删除后重新输入';
  const control = OTHER_CONTROL.exec(text);
  if (control) return `输入含有不可见的控制字符（U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}），请删除后重新输入`;
  return null;
}

/** A string's fault with the path it was found at. */
type Fault = { path: string; reason: string };

/** The first string in a JSON value that cannot be accepted, with its path, or null. Iterative: deep nesting cannot overflow. */
function unacceptableText(value: unknown): Fault | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let seen = 0; stack.length && seen < MAX_WALK; seen++) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unacceptable(v);
      if (reason) return { path: path || '(value)', reason };
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`]));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const reason = unacceptable(k);
        if (reason)
          return {
            path: `${path}.${k.replace(UNSTORABLE, '?').replace(new RegExp(BIDI_CONTROL, 'g'), '?').replace(new RegExp(OTHER_CONTROL, 'g'), '?')}`,
            reason,
          };
        stack.push([x, path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}

const refusal = (where: string, reason: string) =>
  new GraphQLError(`${reason}：${where}`, {
    extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
  });

/**
 * The input field a refused variable's string was given for, named as every other refusal names it (sweep 11b B3):
 * `createStore(input: $i)` with the character at `i.name` is "input.name", not the client's own variable name. The
 * document is read only for a refusal, and no further than the query limits read it (limits.ts: maxTokens); a variable
 * the document does not use keeps its path among the variables.
 */
function variableField(query: unknown, path: string, maxTokens: number): string {
  const [, name, rest] = /^([^.[]+)(.*)$/s.exec(path) ?? [];
  const argument = typeof query === 'string' && name ? variableFields(query, maxTokens).get(name) : undefined;
  return argument ? fieldOf(argument + rest) : `variables.${path}`;
}

/**
 * The first string literal of a parsed document that cannot be accepted (escapes decoded: "\\u0000", "\\u202e"), with
 * the input field it was written for (literalField: "input.name"), or "query" where it is no argument's value.
 */
function unacceptableLiteral(document: DocumentNode, source: string | undefined): Fault | null {
  let found: Fault | null = null;
  visit(document, {
    StringValue(node) {
      const reason = unacceptable(node.value);
      if (!reason) return undefined;
      const at = source !== undefined && node.loc ? literalField(source, node.loc.start) : null;
      found = { path: at ? fieldOf(at) : 'query', reason };
      return BREAK;
    },
  });
  return found;
}

/** `maxTokens`: the query limits' (limits.ts), which bound how far a refused request's document is read for its field. */
export function inputGuard(maxTokens: number): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' && (UNSTORABLE.test(params.query) || OTHER_CONTROL.test(params.query))) {
        throw refusal('query', unacceptable(params.query)!);
      }
      const fault = unacceptableText(params.variables ?? null);
      if (fault) throw refusal(variableField(params.query, fault.path, maxTokens), fault.reason);
    },
    // A literal may spell the character as an escape, which only the parser decodes.
    onParse({ params }) {
      return ({ result, replaceParseResult }) => {
        const source = typeof params.source === 'string' ? params.source : params.source?.body;
        const fault = result && typeof result === 'object' && 'kind' in result ? unacceptableLiteral(result as DocumentNode, source) : null;
        if (fault) replaceParseResult(refusal(fault.path, fault.reason));
      };
    },
  };
}
