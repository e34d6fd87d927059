import type { Request, Response } from 'express';
import multer from 'multer';
import { retryingConflicts } from '../../drizzle/conflicts.ts';
import type { AppServices, ServiceContext } from '../context.ts';
import { AUDIT_REPLAYED, auditedTransaction, auditRegion, auditSubject, recordAudit } from '../audit/log.ts';
import { bearerRefusal } from '../auth/session-refusal.ts';
import { badInput, DomainError, isDomainError, unauthenticated } from '../errors.ts';
import { MAX_UPLOAD_BYTES } from '../paperwork/sheet-reader.ts';
import { fileHash, uploadFormRefusal, type ImportResult, type UploadedFile } from '../paperwork/upload.ts';
import { authenticate } from '../users/service.ts';
import { domainErrorOf, httpError, MASKED_MESSAGE } from './errors.ts';

// Excel uploads (multipart/form-data, one part named `file`), with the bearer token. Like every mutation (D22), an upload
// runs in one transaction with its audit row, run again after a conflict with a concurrent request; a refusal is
// audited on its own. A file over the size limit is refused while it streams in (413), before anything reads it.

const receiveFile = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 },
  defParamCharset: 'utf8',
}).single('file');

function fileOf(req: Request, res: Response): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      reject(badInput('file', '请以 multipart/form-data 上传文件（字段名 file）'));
      return;
    }
    receiveFile(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        reject(
          error.code === 'LIMIT_FILE_SIZE'
            ? badInput('file', `文件过大：不超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, { maxBytes: MAX_UPLOAD_BYTES })
            : badInput('file', uploadFormRefusal(error.code)),
        );
      } else if (error) reject(badInput('file', '上传内容无法读取'));
      else if (!req.file) reject(badInput('file', '未收到文件（字段名 file）'));
      else resolve({ name: req.file.originalname, content: req.file.buffer });
    });
  });
}

/**
 * One upload at a time per user in this process: reading a workbook takes up to a second of CPU, and eight sent at
 * once by one keeper held the API for everyone (sweep 16a F7). Later ones wait their turn — none is refused, so the
 * same file sent twice at once still answers its document twice — up to MAX_WAITING, beyond which RATE_LIMITED.
 */
const turns = new Map<string, { last: Promise<unknown>; waiting: number }>();
const MAX_WAITING = 4;

export async function inTurn<T>(userId: string, run: () => Promise<T>): Promise<T> {
  const turn = turns.get(userId) ?? { last: Promise.resolve(), waiting: 0 };
  if (turn.waiting >= MAX_WAITING) {
    throw new DomainError('RATE_LIMITED', `您已有 ${turn.waiting} 个文件正在处理，请等其完成后再上传`, { retryAfterSeconds: 5 });
  }
  turn.waiting += 1;
  turns.set(userId, turn);
  const mine = turn.last.then(run, run);
  turn.last = mine.catch(() => undefined);
  try {
    return await mine;
  } finally {
    turn.waiting -= 1;
    if (!turn.waiting) turns.delete(userId);
  }
}

export function uploadRoute(services: AppServices, operation: string, run: (ctx: ServiceContext, req: Request, file: UploadedFile) => Promise<ImportResult>) {
  const { config, database, clock, log } = services;
  const keys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };
  return async (req: Request, res: Response) => {
    const { authorization } = req.headers;
    const user = await authenticate(database.db, keys, authorization).catch(() => null);
    if (!user) {
      // As a download and GraphQL say it (server/auth/session-refusal.ts): the reason a token was refused, to its holder.
      const { status, body } = httpError(unauthenticated(await bearerRefusal(database.db, keys, authorization)), log, { route: req.path, operation });
      res.status(status).json(body);
      return;
    }
    const entry = {
      at: clock.now().toJSDate(),
      userId: user.id,
      username: user.username,
      role: user.role,
      regionCode: await auditRegion(database.db, user),
      subject: auditSubject(operation, { ...req.params }), // D22: the store the file is posted to
      operation,
    };
    let input: Record<string, unknown> = { params: req.params };
    try {
      const file = await fileOf(req, res);
      input = { params: req.params, fileName: file.name, bytes: file.content.length, sha256: fileHash(file) };
      // As a mutation is (audited-mutations.ts): a deadlock or duplicate a concurrent request caused runs it again.
      const result = await inTurn(user.id, () =>
        retryingConflicts(() =>
          auditedTransaction(database.db, { ...entry, input, message: null }, async (tx, audit) => {
            const r = await run({ db: tx, actor: user, clock, audit }, req, file);
            // D22: the same file again replays the first document and changes nothing.
            if (r.replayed) audit.entry.outcome = AUDIT_REPLAYED;
            return r;
          }),
        ),
      );
      res.status(result.replayed ? 200 : 201).json(result);
    } catch (error) {
      const domain = domainErrorOf(error);
      await recordAudit(database.db, { ...entry, input, outcome: domain?.code ?? 'INTERNAL_SERVER_ERROR', message: domain?.message ?? MASKED_MESSAGE }).catch(
        (auditError) => log.error('audit write failed', { operation, error: String(auditError) }),
      );
      const { status, body } = httpError(error, log, { route: req.path, operation });
      res.status(isDomainError(error) && error.details.maxBytes !== undefined ? 413 : status).json(body);
    }
  };
}
