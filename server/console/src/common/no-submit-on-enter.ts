import type { KeyboardEvent } from 'react';

/**
 * D7, D22, D29: a form that posts to the ledger (a receipt, a distribution) or files a request posts only from its
 * button. Enter in a field would submit it (the browser's implicit submission), and Enter is how the date picker takes
 * a typed date: 有效期至 posted a receipt before 生产日期, 资金来源 and 批号 were filled in, and a posted document is put
 * right only by a 冲销 that a second person approves. The field still gets its Enter first (the picker takes the date,
 * a select its option); only the submission is stopped. In a text area Enter is a new line, and Enter on the focused
 * submit button still submits. Put on the Form: `onKeyDown={noSubmitOnEnter}`.
 */
export const noSubmitOnEnter = (e: KeyboardEvent<HTMLFormElement>) => {
  if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
};
