import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { documents } from '../../drizzle/schema/index.ts';
import type { PostedDocument } from '../inventory/posting.ts';

// What every upload shares: the file's hash (audited; the 盘点表's idempotency key — the same file uploaded twice posts
// once, through the posting's own idempotency mechanism; 期初建账 keys on its rows, opening-batches.ts) and the answer
// naming the document it became.

export interface UploadedFile {
  name: string;
  content: Buffer;
}

export const fileHash = (file: UploadedFile) => createHash('sha256').update(file.content).digest('hex');

export interface ImportResult {
  documentId: string;
  number: string;
  type: string;
  status: string;
  lines: number;
  /** True when this file had been posted before: the first document is answered again, nothing is posted. */
  replayed: boolean;
}

export async function importResult(db: Db, posted: PostedDocument, lines: number): Promise<ImportResult> {
  const doc = posted.document ?? (await db.select().from(documents).where(eq(documents.id, posted.documentId)))[0];
  return { documentId: doc.id, number: doc.number, type: doc.type, status: doc.status, lines, replayed: posted.replayed };
}

/**
 * Why multer refused the upload's form, in words (L4: no library code reaches the user): by multer's error code — every
 * code multer 2 raises. The file's size has its own refusal (413); a code this table does not know reads as the form
 * being unreadable.
 */
const FORM_REFUSALS: Record<string, string> = {
  LIMIT_PART_COUNT: '表单的部分过多',
  LIMIT_FILE_COUNT: '文件过多',
  LIMIT_UNEXPECTED_FILE: '文件不在字段 file 中，或不止一个文件',
  LIMIT_FIELD_KEY: '表单字段名过长',
  LIMIT_FIELD_VALUE: '表单字段内容过长',
  LIMIT_FIELD_COUNT: '表单字段过多',
  MISSING_FIELD_NAME: '表单字段缺少名称',
  LIMIT_FIELD_NESTING: '表单字段名无效',
  LIMIT_FIELD_ARRAY_INDEX: '表单字段名无效',
  INVALID_FIELD_NAME: '表单字段名无效',
  STREAM_DESTROYED: '文件未完整上传',
};

/** The refusal of an upload whose multipart form multer refused with `code` (other than the file's size). */
export const uploadFormRefusal = (code: string) => `上传格式错误：${FORM_REFUSALS[code] ?? '表单无法读取'}（一次上传一个文件，字段名 file）`;
