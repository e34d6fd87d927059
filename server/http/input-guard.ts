import { BREAK, GraphQLError, parse, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withFieldWords } from '../field-words.ts';
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

// Sweep 21c F3: the place said in words in front (「第 1 行 批号：…」), as every other refusal says it; the path stays in
// extensions.field for a form to show the message at.
const refusal = (where: string, reason: string) =>
  new GraphQLError(withFieldWords(where, reason), {
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

// ---- D22 (sweep 21c F2): a mutation refused here is audited, as every other refusal is

/** Every character refused above, wherever it is in a text. */
const UNACCEPTABLE = new RegExp([UNSTORABLE, BIDI_CONTROL, OTHER_CONTROL].map((r) => r.source).join('|'), 'g');
const REPLACEMENT = '\ufffd';
const MAX_CLEAN_DEPTH = 16;

/** The text with every refused character shown as U+FFFD: what the audit row may keep of it. */
const cleanText = (text: string) => text.replace(UNACCEPTABLE, REPLACEMENT);

/** A JSON value with its texts (and keys) cleaned; deeper than the audit row keeps (audit/log.ts), nothing. */
function cleanValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (!value || typeof value !== 'object') return value;
  if (depth >= MAX_CLEAN_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => cleanValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanValue(v, depth + 1)]));
}

/** The document with its string values cleaned (an escape such as "\\u0000" is decoded by then). */
const cleanDocument = (document: DocumentNode): DocumentNode =>
  visit(document, {
    StringValue(node) {
      const value = cleanText(node.value);
      return value === node.value ? undefined : { ...node, value };
    },
  });

/** The refused request's document, read from its text with the refused characters cleaned; null when it does not parse. */
function cleanDocumentOf(query: unknown, maxTokens: number): DocumentNode | null {
  if (typeof query !== 'string') return null;
  try {
    return cleanDocument(parse(cleanText(query), { noLocation: true, maxTokens }));
  } catch {
    return null;
  }
}

/** A character the query text may not hold as such (a direction control there is refused as a literal's, onParse). */
const RAW = new RegExp(`${UNSTORABLE.source}|${OTHER_CONTROL.source}`);

/**
 * The input field whose string literal holds the character at `index` of the query text (sweep 21c F3: named as a
 * variable's or an escape's is), or null. The text is read with the refused characters cleaned — one UTF-16 unit for
 * one, so every position stays — and no further than the query limits read it.
 */
function rawLiteralField(query: string, index: number, maxTokens: number): string | null {
  const text = cleanText(query);
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens });
  } catch {
    return null;
  }
  let start: number | null = null;
  visit(document, {
    StringValue(node) {
      if (!node.loc || node.loc.start > index || index >= node.loc.end) return undefined;
      start = node.loc.start;
      return BREAK;
    },
  });
  const at = start === null ? null : literalField(text, start);
  return at && fieldOf(at);
}

/** A request the guard refused, for its audit row: the offending characters replaced (U+FFFD), so no input makes the row fail. */
export interface RefusedText {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown>;
  message: string;
}

/** Writes the audit rows of a refused request (audited-mutations.ts: a mutation's, a row per root field; nothing for a query). */
export type RefusedTextAudit = (serverContext: object, refused: RefusedText) => Promise<void>;

interface GuardedRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

const refusedText = (document: DocumentNode, params: GuardedRequest, message: string): RefusedText => ({
  document,
  operationName: typeof params.operationName === 'string' ? params.operationName : null,
  variables:
    params.variables && typeof params.variables === 'object' && !Array.isArray(params.variables)
      ? (cleanValue(params.variables) as Record<string, unknown>)
      : {},
  message,
});

/**
 * `maxTokens`: the query limits' (limits.ts), which bound how far a refused request's document is read for its field.
 * `audit`: writes a refused mutation's audit rows (DESIGN.md The edge: refusals are logged too) — awaited before the
 * refusal is answered, as a resolver's refusal is audited before it is.
 */
export function inputGuard(maxTokens: number, audit?: RefusedTextAudit): Plugin {
  // A literal refused while parsing: audited once the request has its (error) result, which parsing cannot wait for.
  const refusedWhileParsing = new WeakMap<object, RefusedText>();
  const audited = async (serverContext: object, refused: RefusedText | null) => {
    if (audit && refused) await audit(serverContext, refused);
  };
  return {
    async onParams({ params, request, context }) {
      const query = typeof params.query === 'string' ? params.query : undefined;
      const raw = query === undefined ? null : RAW.exec(query);
      let error: GraphQLError;
      if (raw) {
        // Written as such in the query text: named by the argument whose string holds it, else "query".
        error = refusal(rawLiteralField(query!, raw.index, maxTokens) ?? 'query', unacceptable(raw[0])!);
      } else {
        const fault = unacceptableText(params.variables ?? null);
        if (!fault) return;
        error = refusal(variableField(params.query, fault.path, maxTokens), fault.reason);
      }
      const document = audit ? cleanDocumentOf(query, maxTokens) : null;
      // The request's own context is not built yet: who asked is read from the request, as for a refusal by validation.
      await audited({ ...context, request }, document && refusedText(document, params, error.message));
      throw error;
    },
    // A literal may spell the character as an escape, which only the parser decodes. Thrown, not put in place of the
    // parse result: yoga's parser cache would keep it for the text and answer the next such request before this hook
    // could audit it.
    onParse({ params, context }) {
      return ({ result }) => {
        const source = typeof params.source === 'string' ? params.source : params.source?.body;
        const document = result && typeof result === 'object' && 'kind' in result ? (result as DocumentNode) : null;
        const fault = document ? unacceptableLiteral(document, source) : null;
        if (!fault) return;
        const error = refusal(fault.path, fault.reason);
        const request = (context as { params?: GuardedRequest }).params ?? {};
        if (audit) refusedWhileParsing.set(context, refusedText(cleanDocument(document!), request, error.message));
        throw error;
      };
    },
    async onExecutionResult({ context }) {
      const refused = refusedWhileParsing.get(context);
      if (!refused) return;
      refusedWhileParsing.delete(context);
      await audited(context, refused);
    },
  };
}
