import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../../server/errors.ts';
import { validate } from '../../server/validation.ts';

// API.md Errors: bad input is refused with a message a keeper understands, in Chinese, naming the field.
const refusal = (schema: z.ZodType, input: unknown) => {
  try {
    validate(schema, input);
  } catch (e) {
    if (e instanceof DomainError) return { field: e.details.field, message: e.message };
  }
  throw new Error('not refused');
};

describe('validation messages are Chinese', () => {
  const line = z.object({
    quantity: z.number().int().positive().max(10_000_000),
    batchNo: z.string().trim().min(1).max(64),
    lines: z.array(z.string()).min(1).max(3),
    purpose: z.enum(['RELIEF', 'DRILL']),
  });
  const good = { quantity: 1, batchNo: 'B-1', lines: ['x'], purpose: 'RELIEF' };

  it.each([
    ['a quantity over the bound', { quantity: 10_000_001 }, 'input.quantity', '不能大于 10000000'],
    ['a fractional quantity', { quantity: 1.5 }, 'input.quantity', '须为整数'],
    ['a zero quantity', { quantity: 0 }, 'input.quantity', '须大于 0'],
    ['a missing quantity', { quantity: undefined }, 'input.quantity', '必填'],
    ['text where a number goes', { quantity: '3' }, 'input.quantity', '须为数字'],
    ['a batch number too long', { batchNo: 'x'.repeat(65) }, 'input.batchNo', '不能超过 64 个字符'],
    ['an empty batch number', { batchNo: '   ' }, 'input.batchNo', '不能为空'],
    ['no lines', { lines: [] }, 'input.lines', '至少填写一项'],
    ['too many lines', { lines: ['a', 'b', 'c', 'd'] }, 'input.lines', '最多 3 项'],
    ['a value outside the list', { purpose: 'PARTY' }, 'input.purpose', '须为以下之一：RELIEF、DRILL'],
  ])('%s → the field and a Chinese message', (_label, change, field, message) => {
    const r = refusal(line, { ...good, ...change });
    expect(r.field).toBe(field);
    // The field in words in front, not its path (extensions.field carries that).
    const words = { 'input.quantity': '数量', 'input.batchNo': '批号', 'input.lines': '明细', 'input.purpose': '用途' }[field];
    expect(r.message).toBe(`${words}：${message}`);
    expect(r.message).not.toMatch(/Too big|Too small|Invalid|expected/);
  });

  it("a schema's own message is kept", () => {
    const r = refusal(z.object({ code: z.string().regex(/^\d+$/, '编码只能是数字') }), { code: 'x' });
    expect(r.message).toBe('编码只能是数字'); // it names the field (编码) already
  });
});
