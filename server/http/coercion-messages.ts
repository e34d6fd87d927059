// API.md errors: a value GraphQL itself refuses — a quantity past 32 bits, text where a number belongs, a required
// field left out — is answered in the user's words like every other refusal, and names the input field it concerns
// (extensions.field, "input.lines.0.quantity") so that a form can show it next to that field. graphql-js words these
// refusals in English, in a few fixed shapes; they are recognised here, in one place, with the request's, the syntax's
// and the validation rules' refusals (graphql-messages.ts); what is recognised nowhere gets a plain Chinese sentence.

import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import { BREAK, GraphQLError, Kind, parse, visit, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { fieldInWords, withFieldWords } from '../field-words.ts';
import { requestRefusal } from './graphql-messages.ts';
import { isSecretField } from '../audit/log.ts';
import { BALANCE_MAX, LINE_QUANTITY_MAX } from '../inventory/common.ts';
import { MAX_PAGE_SIZE } from '../pagination.ts';

const INT_MAX = 2_147_483_647;

/**
 * Sweep 22c F4: the most a quantity field takes (quantitySchema, the quota's, agreement's and joint reserve's at most
 * LINE_QUANTITY_MAX; a count, countedQuantitySchema, what a balance holds; a recovery count, relief/recovery.ts). A
 * number past GraphQL's Int in such a field is said as the console says it (「数量过大（最多 100,000,000）」), not as
 * the Int's range, half of which (the negatives) no quantity takes.
 */
const QUANTITY_MAX: Readonly<Record<string, number>> = {
  quantity: LINE_QUANTITY_MAX,
  maxQuantity: LINE_QUANTITY_MAX,
  dailyCapacity: LINE_QUANTITY_MAX,
  countedQuantity: BALANCE_MAX,
  good: 10_000_000,
  damaged: 10_000_000,
  lost: 10_000_000,
};

const grouped = (n: number) => n.toLocaleString('en-US');

/**
 * A whole number past GraphQL's Int (±2,147,483,647) in `field`, in the field's terms: a quantity's limit, the page
 * size's, or else the positive range every other Int input takes (none takes a negative number).
 */
function outOfIntRange(printed: string, field: string | null): string {
  const negative = printed.trim().startsWith('-');
  if (negative) return '不能为负数';
  const leaf = field?.split('.').at(-1) ?? '';
  if (QUANTITY_MAX[leaf]) return `数量过大（最多 ${grouped(QUANTITY_MAX[leaf])}）`;
  if (leaf === 'first') return `每页条数须为 0 到 ${MAX_PAGE_SIZE} 之间的整数`;
  return `数值过大（最多 ${grouped(INT_MAX)}）`;
}

/**
 * One of graphql-js's value refusals (the part after the variable and path), in Chinese; null when unknown. The refused
 * value is quoted back (「须为整数：1.5」) unless `quote` is false: a password or an ID number sent as a number is not
 * repeated in the answer, nor in the audit row that keeps the answer's message (D29, isSecretField).
 */
function valueRefusal(message: string, quote = true, field: string | null = null): string | null {
  // A whole variable's refusal names the type first: "Expected type Int; Int cannot represent …".
  const text = message.replace(/^Expected type [^;"]+; /, '');
  const saying = (words: string, value: string) => (quote ? `${words}：${value}` : words);
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^Int cannot represent non 32-bit signed integer value: (.*)$/s, (m) => outOfIntRange(m[1], field)],
    [/^Int cannot represent non-integer value: (.*)$/s, (m) => saying('须为整数', m[1])],
    [/^Float cannot represent non numeric value: (.*)$/s, (m) => saying('须为数字', m[1])],
    [/^String cannot represent a non string value: (.*)$/s, (m) => saying('须为文本', m[1])],
    [/^Boolean cannot represent a non boolean value: (.*)$/s, (m) => saying('须为 true 或 false', m[1])],
    [/^ID cannot represent value: (.*)$/s, (m) => saying('编号格式错误', m[1])],
    [/^Expected non-nullable type "[^"]*" not to be null\.$/, () => '不能为空'],
    // Sweep 22c F4: the field in words goes in front (「仓库：缺少必填项」, withFieldWords); its identifier only when
    // it has no words.
    [/^Field "(?:[^".]*\.)?([^"]+)" of required type "[^"]*" was not provided\.$/, (m) => (field && fieldInWords(field) ? '缺少必填项' : `缺少必填项 ${m[1]}`)],
    [/^Field "([^"]+)" is not defined by type "[^"]*"\..*$/s, (m) => `没有 ${m[1]} 这一项`],
    [/^Value "([^"]*)" does not exist in "[^"]*" enum\..*$/s, (m) => saying('不是可选的取值', m[1])],
    // Sweep 21c F4: an enum written in the query as a string ("PURCHASE"), a number or a list — its values are names,
    // written bare (source: PURCHASE); in a variable, JSON text ("PURCHASE") is right and a number is not.
    [/^Enum "[^"]*" cannot represent non-enum value: (.*)\.(?:\s*Did you mean .*\?)?$/s, (m) => enumLiteral(m[1], quote)],
    [/^Enum "[^"]*" cannot represent non-string value: (.*)\.(?:\s*Did you mean .*\?)?$/s, (m) => saying('须为可选的取值之一（写作文本）', m[1])],
    // A null where the argument or field is required: graphql-js names the type ("StockFilter!"), a keeper the field.
    [/^Expected value of type "[^"]*!", found null\.$/, () => '不能为空'],
    [/^Expected type "[^"]*" to be an object\.$/, () => '须为一组字段（对象）'],
    // A scalar of ours (Money, Date …) refused the value with its own message, already in Chinese (in a variable,
    // or written in the query itself).
    [/^Expected type "[^"]*"\. (.*[\u4e00-\u9fff].*)$/s, (m) => m[1]],
    [/^Expected value of type "[^"]*", found .*?; (.*[\u4e00-\u9fff].*)$/s, (m) => m[1]],
    [/^Expected value of type "([^"]*)", found (.*)\.$/s, (m) => saying(`不是 ${m[1]} 可接受的值`, m[2])],
    [/^Expected type "?([^".]*)"?\..*$/s, (m) => `不是 ${m[1]} 可接受的值`],
  ];
  for (const [pattern, say] of rules) {
    const m = pattern.exec(text);
    if (m) return say(m);
  }
  return null;
}

/**
 * An enum's value written as something else than its bare name (sweep 21c F4): the values are names written without
 * quotes. A quoted name is shown as it should be written ("PURCHASE" → PURCHASE) — not said to be one of the values:
 * production tells no names (disclosure.ts), and `"PURCHSE"` is a typo all the same.
 */
function enumLiteral(printed: string, quote: boolean): string {
  const name = /^"([_A-Za-z][_0-9A-Za-z]*)"$/.exec(printed)?.[1];
  if (name && quote) return `须为可选的取值之一，直接写出、不加引号：写作 ${name}，而不是 "${name}"`;
  return quote ? `须为可选的取值之一，直接写出、不加引号：${printed}` : '须为可选的取值之一，直接写出、不加引号';
}

/** "input.lines[0].quantity" → "input.lines.0.quantity", the API's way of naming a field. */
export const fieldOf = (path: string) => path.replace(/\[(\d+)\]/g, '.$1');

/**
 * Where each variable of a document is used, named as the API names fields: `issueStock(input: $i)` gives i →
 * "input", `receiveStock(input: { lines: $l })` gives l → "input.lines". A field is named by the argument, never by
 * whatever the client called its variable. The first use counts; a variable inside a list keeps its own name. The
 * document's text, not graphql's Source: graphql may be loaded twice, and the other copy's Source is not one here.
 * `maxTokens` bounds the reading of a document not yet parsed under the query limits (input-guard.ts).
 */
export function variableFields(source: string, maxTokens?: number): Map<string, string> {
  const fields = new Map<string, string>();
  let document;
  try {
    document = parse(source, { noLocation: true, ...(maxTokens ? { maxTokens } : {}) });
  } catch {
    return fields;
  }
  visit(document, {
    Variable(node, _key, parent, _path, ancestors) {
      if (fields.has(node.name.value)) return;
      const names: string[] = [];
      const above = [...ancestors, parent];
      for (let i = above.length - 1; i >= 0; i--) {
        const n = above[i];
        if (!n || Array.isArray(n) || !('kind' in n)) continue; // the arrays of nodes between them
        if (n.kind === Kind.OBJECT_FIELD) names.unshift(n.name.value);
        else if (n.kind === Kind.ARGUMENT) {
          names.unshift(n.name.value);
          break;
        } else if (n.kind !== Kind.OBJECT) return; // a list, or a variable definition's default
      }
      if (names.length) fields.set(node.name.value, names.join('.'));
    },
  });
  return fields;
}

/**
 * The input field a value written in the query itself was given for, named as variableFields names a variable's:
 * the refused value at `position` (the refusal's offset in the document) in `receiveStock(input: { lines: [{ unitPrice:
 * "0.105" }] })` gives "input.lines.0.unitPrice"; an input object's unknown field names that object, as a variable's
 * refusal does. Null when no argument's value is found there.
 */
export function literalField(source: string, position: number): string | null {
  const document = parsedWithLocations(source);
  if (!document) return null;
  let field: string | null = null;
  visit(document, {
    enter(node, _key, parent, path, ancestors) {
      if (node.loc?.start !== position || !(VALUE_KINDS.has(node.kind) || node.kind === Kind.OBJECT_FIELD)) return;
      // above[i] holds the node or array at path[i]; below(i) is that node or array.
      const above = [...ancestors, parent];
      const below = (i: number) => (i === path.length - 1 ? node : above[i + 1]);
      const names: string[] = [];
      for (let i = path.length - 1; i >= 0; i--) {
        const n = below(i);
        const container = above[i];
        if (Array.isArray(container)) {
          // An item of a list value: its index.
          const list = above[i - 1];
          if (list && !Array.isArray(list) && 'kind' in list && list.kind === Kind.LIST) names.unshift(String(path[i]));
        }
        if (!n || Array.isArray(n) || !('kind' in n)) continue;
        if (n.kind === Kind.OBJECT_FIELD && n !== node) names.unshift(n.name.value);
        else if (n.kind === Kind.ARGUMENT) {
          names.unshift(n.name.value);
          field = names.join('.');
          break;
        } else if (n.kind === Kind.VARIABLE_DEFINITION) break; // a variable's default: not an argument
      }
      return BREAK;
    },
  });
  return field;
}

/** The last document read for literalField: a refused document's several values are named from one parse. */
let lastParsed: { source: string; document: DocumentNode | null } | null = null;

function parsedWithLocations(source: string): DocumentNode | null {
  if (lastParsed?.source !== source) {
    let document: DocumentNode | null;
    try {
      document = parse(source);
    } catch {
      document = null;
    }
    lastParsed = { source, document };
  }
  return lastParsed.document;
}

const VALUE_KINDS: ReadonlySet<string> = new Set([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

/** What a refusal of GraphQL's that is recognised nowhere says (it never carries graphql-js's English, nor a stack). */
export const UNRECOGNISED_REFUSAL = '请求无法执行：查询语句不符合接口定义';

const CHINESE = /[\u4e00-\u9fff]/;

/**
 * GraphQL's own refusal (a value, the request, its syntax, a validation rule) in Chinese only, with the input field it
 * names when it names one; null for a message already in Chinese (the edge's own). `fieldOfVariable` names the
 * argument a variable was passed as (variableFields); `fieldOfLiteral` the field a value written in the query was
 * given for (literalField), so that both name it alike.
 */
export function refusalInChinese(
  message: string,
  fieldOfVariable: (name: string) => string = (name) => name,
  fieldOfLiteral: () => string | null = () => null,
): { message: string; field?: string } | null {
  const variable = /^Variable "\$([^"]+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s.exec(message);
  if (variable) {
    const [, name, at, rest] = variable;
    // "at" starts with the variable's name: "i.lines[0].quantity".
    const path = fieldOfVariable(name) + (at ? at.slice(name.length) : '');
    const missing = /^Field "([^"]+)" of required type/.exec(rest);
    const field = fieldOf(missing ? `${path}.${missing[1]}` : path);
    const said = valueRefusal(rest, !isSecretField(field), field);
    return { message: said ? withFieldWords(field, said) : UNRECOGNISED_REFUSAL, field };
  }
  const whole = /^Variable "\$([^"]+)" (?:of non-null type "[^"]*" must not be null|of required type "[^"]*" was not provided)\.$/.exec(message);
  if (whole) {
    const field = fieldOfVariable(whole[1]);
    return { message: `缺少参数 ${field}，或其值为空`, field };
  }
  // The same refusals of a value written in the query itself (no variable), then the request's and the query's.
  if (valueRefusal(message)) {
    const at = fieldOfLiteral();
    // Written in the query, a missing field is named with its type: "ReceiptLineInput.quantity".
    const missing = /^Field "(?:[^".]*\.)?([^"]+)" of required type/.exec(message);
    const field = at && fieldOf(missing ? `${at}.${missing[1]}` : at);
    // A value of no known field is not quoted: it might be anyone's secret.
    const value = valueRefusal(message, field !== null && !isSecretField(field), field)!;
    return field ? { message: inWords(field, value), field } : { message: value };
  }
  const said = requestRefusal(message);
  if (said) return { message: said };
  // Chinese in what the message quotes (a value the client wrote: "政府") does not make graphql-js's sentence Chinese.
  return CHINESE.test(message.replace(/"(?:[^"\\]|\\.)*"/g, '')) ? null : { message: UNRECOGNISED_REFUSAL };
}

/**
 * A literal's refusal with its place in words (withFieldWords); an argument of its own that has no words (`input`, the
 * whole input object) is named as the argument it is (「参数 input：不能为空」), as a variable's is.
 */
const inWords = (field: string, message: string) => (fieldInWords(field) || field.includes('.') ? withFieldWords(field, message) : `参数 ${field}：${message}`);

/**
 * graphql-jit (compiled queries) refuses a variable in its own way: without the document's source, which variableFields
 * needs; without the path inside an input object ("filter.from" comes out as "filter"); and with a custom scalar's
 * own refusal as the cause, whose field is the scalar's name ("DateTime", contract sweep C5, finance #2). Such a
 * refusal is made again here by graphql-js, as a mutation's is, before errors are mapped (errors.ts): a query's
 * refused variable is then named by its argument and path ("asOf", "filter.from"), in the scalar's Chinese words.
 */
export const variableRefusalSources = (): Plugin => ({
  onExecute: ({ args }) => ({
    onExecuteDone: ({ result, setResult }) => {
      const source = args.document.loc?.source;
      if (!source || !('errors' in result) || !result.errors?.some(isSourcelessVariableRefusal)) return;
      const again = variableRefusalsOfGraphqlJs(args);
      setResult({
        ...result,
        errors: again
          ? // The refusal's own words and place; not its cause (the scalar's DomainError, naming the type, not the field).
            again.map((e) => new GraphQLError(e.message, { source, positions: e.positions, extensions: e.extensions }))
          : result.errors.map((e) =>
              isSourcelessVariableRefusal(e) ? new GraphQLError(e.message, { source, extensions: e.extensions, originalError: e.originalError }) : e,
            ),
      });
    },
  }),
});

const isSourcelessVariableRefusal = (e: GraphQLError) => !e.source && e.message.startsWith('Variable "$');

// The copy of graphql-js the schema was built with (compiled-execution.ts): coercion checks the schema's types.
const schemaGraphql = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

/** graphql-js's refusals of the operation's variables; null when it has none (graphql-jit alone refused them). */
function variableRefusalsOfGraphqlJs(args: ExecutionArgs): readonly GraphQLError[] | null {
  const operation = schemaGraphql.getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  const coerced = schemaGraphql.getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  return coerced.errors?.length ? coerced.errors : null;
}
