import { CombinedError } from '@urql/core';
import type { FormInstance } from 'antd';
import { describe, expect, it } from 'vitest';
import { showFieldErrors } from '../../server/console/src/common/api-errors.ts';

/** The part of an Ant Design form showFieldErrors uses: which fields it shows, and their errors. */
function fakeForm(fields: string[]) {
  const errors = new Map<string, string[]>();
  const form = {
    getFieldInstance: (name: (string | number)[]) => (fields.includes(name.join('.')) ? {} : undefined),
    getFieldError: (name: (string | number)[]) => errors.get(name.join('.')) ?? [],
    setFields: (entries: { name: (string | number)[]; errors: string[] }[]) => {
      for (const { name, errors: list } of entries) errors.set(name.join('.'), list);
    },
  };
  return { form: form as unknown as FormInstance, errors };
}

const refusal = (extensions: Record<string, unknown>, message = 'input.contractNo：请填写合同编号') =>
  new CombinedError({ graphQLErrors: [{ message, extensions: { code: 'BAD_USER_INPUT', ...extensions } }] });

describe('console: the API refusals shown next to the form fields', () => {
  it('every issue of a refused input goes next to its own field; one that names no field of the form comes back for the alert', () => {
    const { form, errors } = fakeForm(['contractNo', 'lines.0.quantity']);
    const unplaced = showFieldErrors(
      form,
      refusal({
        field: 'input.contractNo',
        issues: [
          { field: 'input.contractNo', message: '请填写合同编号' },
          { field: 'input.lines.0.quantity', message: '数量须为正整数' },
          { field: 'input.sourceOrgId', message: '单位不存在' },
        ],
      }),
    );
    expect(errors.get('contractNo')).toEqual(['请填写合同编号']);
    expect(errors.get('lines.0.quantity')).toEqual(['数量须为正整数']);
    expect(unplaced).toEqual(['单位不存在']);
  });

  it('a form that posts only its filled rows gets each refusal on its own row (the API numbers the rows it was sent)', () => {
    const { form, errors } = fakeForm(['counts.b-7.reason', 'lines.2.good']);
    showFieldErrors(form, refusal({ field: 'input.counts.1.reason' }, 'input.counts.1.reason：请选择差异原因'), {
      rows: { list: 'counts', keys: ['b-3', 'b-7'] },
    });
    expect(errors.get('counts.b-7.reason')).toEqual(['请选择差异原因']);
    showFieldErrors(form, refusal({ field: 'input.lines.0.good', issues: [{ field: 'input.lines.0.good', message: '超出待回收数量' }] }), {
      rows: { list: 'lines', keys: [2] },
    });
    expect(errors.get('lines.2.good')).toEqual(['超出待回收数量']);
  });

  it('an error without issues is shown by its field, without the path in front of its message; the next answer clears it', () => {
    const { form, errors } = fakeForm(['contractNo']);
    expect(showFieldErrors(form, refusal({ field: 'input.contractNo' }))).toEqual([]);
    expect(errors.get('contractNo')).toEqual(['请填写合同编号']);
    expect(showFieldErrors(form, refusal({}, '库存不足'))).toEqual(['库存不足']);
    expect(errors.get('contractNo')).toEqual([]);
  });
});
