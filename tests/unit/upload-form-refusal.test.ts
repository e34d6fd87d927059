import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uploadFormRefusal } from '../../server/paperwork/upload.ts';

// Sweep 3 L4: a multipart form multer refuses is worded in Chinese — no library code (LIMIT_UNEXPECTED_FILE …) reaches
// the user, for every code the installed multer can raise.

/** The error codes multer declares (its multer-error.js message table). */
function multerCodes(): string[] {
  const main = createRequire(import.meta.url).resolve('multer');
  const source = readFileSync(join(dirname(main), 'lib', 'multer-error.js'), 'utf8');
  const table = /var errorMessages = \{([^}]*)\}/.exec(source);
  expect(table, 'multer-error.js has its message table').not.toBeNull();
  return [...table![1].matchAll(/^\s*([A-Z_]+):/gm)].map((m) => m[1]);
}

describe('uploadFormRefusal', () => {
  it('words every multer error code in Chinese, without the code', () => {
    const codes = multerCodes();
    expect(codes).toContain('LIMIT_UNEXPECTED_FILE');
    expect(codes.length).toBeGreaterThanOrEqual(8);
    for (const code of codes.filter((c) => c !== 'LIMIT_FILE_SIZE')) {
      const message = uploadFormRefusal(code);
      expect(message, code).not.toContain(code);
      expect(message, code).not.toMatch(/[A-Z]+_[A-Z_]+/);
      expect(message, code).not.toContain('表单无法读取'); // a word of its own, not the fallback
      expect(message, code).toMatch(/^上传格式错误：\p{Script=Han}.*（一次上传一个文件，字段名 file）$/u);
    }
    expect(uploadFormRefusal('LIMIT_UNEXPECTED_FILE')).toBe('上传格式错误：文件不在字段 file 中，或不止一个文件（一次上传一个文件，字段名 file）');
  });

  it('a code it does not know reads as an unreadable form, not as the code', () => {
    expect(uploadFormRefusal('SOME_FUTURE_CODE')).toBe('上传格式错误：表单无法读取（一次上传一个文件，字段名 file）');
  });
});
