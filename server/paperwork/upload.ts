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
