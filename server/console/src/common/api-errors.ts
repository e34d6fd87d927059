import type { FormInstance } from 'antd';
import type { CombinedError } from 'urql';

/** A form field's name path from the API's `extensions.field` ("input.lines.0.quantity" → ['lines', 0, 'quantity']). */
export function fieldPath(field: string): (string | number)[] {
  const parts = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return parts[0] === 'input' ? parts.slice(1) : parts;
}

const NETWORK = '无法连接服务器，请检查网络后重试';

/** The Chinese messages of an API error (the server writes them for the user; a network failure gets ours). */
export function errorMessages(error: CombinedError): string[] {
  if (error.networkError && !error.graphQLErrors.length) return [NETWORK];
  return error.graphQLErrors.map((e) => e.message);
}

/**
 * Shows each error next to the form field it names (extensions.field); answers the messages that name no field
 * shown in this form, for the form's own alert.
 */
export function showFieldErrors(form: FormInstance, error: CombinedError): string[] {
  const unplaced: string[] = [];
  if (error.networkError && !error.graphQLErrors.length) return [NETWORK];
  for (const e of error.graphQLErrors) {
    const field = typeof e.extensions?.field === 'string' ? e.extensions.field : undefined;
    const name = field ? fieldPath(field) : undefined;
    if (name && name.length && form.getFieldInstance(name)) form.setFields([{ name, errors: [e.message] }]);
    else unplaced.push(e.message);
  }
  return unplaced;
}
