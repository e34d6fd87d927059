import type { FormInstance } from 'antd';
import type { CombinedError } from 'urql';

/** A form field's name path from the API's `extensions.field` ("input.lines.0.quantity" → ['lines', 0, 'quantity']). */
export function fieldPath(field: string): (string | number)[] {
  const parts = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return parts[0] === 'input' ? parts.slice(1) : parts;
}

const NETWORK = '无法连接服务器，请检查网络后重试';

/**
 * Sweep 23c F6: a mutation whose answer was lost — the connection failed or no answer came in time (app/client.ts) —
 * may have reached the server and been carried out. `keyed`: it sent an idempotency key, so sending it again from the
 * same form answers the first result instead of doing it twice.
 */
export class OutcomeUnknown extends Error {
  constructor(readonly keyed: boolean) {
    super(
      keyed
        ? '未收到服务器的答复（网络中断或超时），操作可能已经完成。可以直接重试：本次提交带有同一幂等键，已完成的不会重复办理；也可先到相应列表查看结果'
        : '未收到服务器的答复（网络中断或超时），操作可能已经完成。请先刷新页面，到相应列表查看是否已经生效，再决定是否重试，以免重复办理',
    );
    this.name = 'OutcomeUnknown';
  }
}

/** What a network failure says: a mutation's outcome unknown (OutcomeUnknown), else a read that did not reach the server. */
const networkMessage = (error: CombinedError) => (error.networkError instanceof OutcomeUnknown ? error.networkError.message : NETWORK);

/**
 * Sweep 23c (retries): what IDEMPOTENCY_CONFLICT means in the console. A form keeps one idempotency key per opening
 * (until it succeeds), and the server holds a key only for a request it carried out: so the key conflicts only when an
 * earlier submission of this same form took effect while its answer was lost (OutcomeUnknown), and the form was then
 * changed and sent again. The server's words (「幂等键 … 已用于内容不同的另一请求…换用新的幂等键」) speak of a key the user
 * never sees; this says what happened and what to do.
 */
export const IDEMPOTENCY_CONFLICT_MESSAGE =
  '上次提交已经生效（当时未收到服务器的答复），之后表单内容有改动，这次没有再办理。请先刷新列表，查看上次提交是否已创建或已办理，再决定是否重新提交（需要时请关闭后重新打开表单填写）';

type ApiError = CombinedError['graphQLErrors'][number];

/** An error's message for the user: the server's, except where the console knows better what it means here. */
const messageOf = (e: ApiError) => (e.extensions?.code === 'IDEMPOTENCY_CONFLICT' ? IDEMPOTENCY_CONFLICT_MESSAGE : e.message);

/** The Chinese messages of an API error (the server writes them for the user; a network failure gets ours). */
export function errorMessages(error: CombinedError): string[] {
  if (error.networkError && !error.graphQLErrors.length) return [networkMessage(error)];
  return error.graphQLErrors.map(messageOf);
}

/** How the API's fields map to a form's. */
export interface FieldMapping {
  /** Renames the first part (the API's validTo is the form's date range). */
  aliases?: Record<string, string>;
  /**
   * A form that posts only some rows of a list (those filled in): the API numbers the rows it was sent, the form keys
   * its own (its row index, or a batch id); `keys` holds the form's key of each row posted, in order.
   */
  rows?: { list: string; keys: readonly (string | number)[] };
}

/**
 * The form field an API field names: the field itself, else the nearest enclosing one shown in the form
 * ("regionCodes.1" → the regions select), where `aliases` may rename the first part (the API's validTo is the form's
 * date range).
 */
function formField(form: FormInstance, field: string, { aliases = {}, rows }: FieldMapping): (string | number)[] | undefined {
  const path = fieldPath(field);
  if (typeof path[0] === 'string' && aliases[path[0]]) path[0] = aliases[path[0]];
  if (rows && path[0] === rows.list && typeof path[1] === 'number') path[1] = rows.keys[path[1]] ?? path[1];
  for (let n = path.length; n > 0; n--) if (form.getFieldInstance(path.slice(0, n))) return path.slice(0, n);
  return undefined;
}

/** The fields each form last showed the API's errors on (cleared at its next submission's answer). */
const placed = new WeakMap<FormInstance, (string | number)[][]>();

/**
 * Shows each error next to the form field it names (extensions.field); answers the messages that name no field
 * shown in this form, for the form's own alert.
 */
export function showFieldErrors(form: FormInstance, error: CombinedError, mapping: FieldMapping = {}): string[] {
  // The API's verdict on this submission replaces that on the last one: a field corrected since shows no old error.
  form.setFields((placed.get(form) ?? []).map((name) => ({ name, errors: [] })));
  const names: (string | number)[][] = [];
  placed.set(form, names);
  const unplaced: string[] = [];
  if (error.networkError && !error.graphQLErrors.length) return [networkMessage(error)];
  for (const { field, message } of error.graphQLErrors.flatMap(fieldMessages)) {
    const name = field ? formField(form, field, mapping) : undefined;
    if (name) {
      const messages = [...(names.some((n) => n.join('.') === name.join('.')) ? form.getFieldError(name) : []), message];
      form.setFields([{ name, errors: messages }]);
      names.push(name);
    } else unplaced.push(message); // extensions.field is for placing it; a keeper reads the message, not the path
  }
  return unplaced;
}

interface FieldMessage {
  field?: string;
  message: string;
}

/**
 * What an error says about which field: every issue of a refused input (`extensions.issues`, each naming its field),
 * else the error itself — its message without the field's path the API puts in front of some ("input.reference：…").
 */
function fieldMessages(e: ApiError): FieldMessage[] {
  // Its field (input.idempotencyKey) is no field of a form: said above the form.
  if (e.extensions?.code === 'IDEMPOTENCY_CONFLICT') return [{ message: IDEMPOTENCY_CONFLICT_MESSAGE }];
  const issues = e.extensions?.issues;
  const isFieldMessage = (i: unknown): i is FieldMessage =>
    typeof (i as FieldMessage | null)?.field === 'string' && typeof (i as FieldMessage | null)?.message === 'string';
  if (Array.isArray(issues) && issues.length && issues.every(isFieldMessage)) return issues;
  const field = typeof e.extensions?.field === 'string' ? e.extensions.field : undefined;
  return [{ field, message: field ? e.message.replace(`${field}：`, '') : e.message }];
}
