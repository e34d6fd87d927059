import type { Context, ServiceContext } from '../server/context.ts';
import type { PostedDocument } from '../server/inventory/posting.ts';

// Small helpers shared by the schema files.

/** A related row that must exist (foreign keys guarantee it); a missing one is an internal error, masked. */
export async function must<T>(p: Promise<T | null | undefined>): Promise<T> {
  const v = await p;
  if (v === null || v === undefined) throw new Error('related row missing');
  return v;
}

/** GraphQL ID arguments as strings, null kept. */
export const idOrNull = (v: string | number | null | undefined) => (v === null || v === undefined ? null : String(v));

/** The document a posting wrote (its row primes the loader) or replayed. */
export async function postedDocument(ctx: Context, posting: Promise<PostedDocument>) {
  const posted = await posting;
  if (posted.document) ctx.loaders.document.prime(posted.documentId, posted.document);
  return must(ctx.loaders.document.load(posted.documentId));
}

/** The service boundary: what a service receives from a resolver (root fields require a signed-in user). */
export const serviceContext = (ctx: Context): ServiceContext => ({
  db: ctx.db,
  actor: ctx.user!,
  clock: ctx.clock,
  reference: ctx.reference,
  audit: ctx.audit,
});
