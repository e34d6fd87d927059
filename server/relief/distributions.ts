import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { distributions, incidents, stores } from '../../drizzle/schema/index.ts';
import { assertMayPost, distributionsInScope } from '../auth/policy.ts';
import { badInput, forbidden, notFound } from '../errors.ts';
import { idempotencyKeySchema, itemsFor, occurredAtOf, quantitySchema, storeForPosting } from '../inventory/common.ts';
import { chinaDateOf, pickUnexpired } from '../inventory/expiry.ts';
import { lockOutbound, outboundEntries } from '../inventory/issues.ts';
import { postDocument } from '../inventory/posting.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { idSchema, uuidArg, validate } from '../validation.ts';
import { pointOfIncident } from './points.ts';
import { assertIncidentOpen } from '../dispatch/incidents.ts';
import { allowanceOf, effectiveStandard, householdKey, ID_NUMBER, maskIdNumber } from './rules.ts';
import { standardsAbove, toStandard } from './standards.ts';
import type { ServiceContext } from '../context.ts';

// D29 发放到人: at a 安置点, stock is handed to households against the relief standard; each distribution posts an ISSUE
// from the point's stock (FEFO, expired stock frozen: D8, D26) and records who received it — only the data needed.

export type DistributionRow = typeof distributions.$inferSelect;

const distributeSchema = z.object({
  storeId: idSchema,
  incidentId: idSchema,
  household: z.object({
    headName: z.string().trim().min(1, '须填写户主姓名').max(64),
    size: z.number().int('家庭人口须为整数').min(1, '家庭人口至少 1 人').max(50, '家庭人口过多'),
    idNumber: z.string().trim().regex(ID_NUMBER, '身份证号码应为 18 位（末位可为 X）或 15 位').nullish(),
    address: z.string().trim().max(200).nullish(),
  }),
  lines: z
    .array(z.object({ itemId: idSchema, quantity: quantitySchema }))
    .min(1, '至少一行')
    .max(100),
  signatureRef: z.string().trim().min(1).max(128).nullish(),
  overrideReason: z.string().trim().min(1, '超标准发放须说明原因').max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
});

/** distributeRelief: the point's managers (or headquarters in scope) hand stock to a household, within the standard. */
export async function distributeRelief(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  assertMayPost(user);
  const v = validate(distributeSchema, input);
  // A keeper managing the point sees no region as a whole: the point (in their stores) is what authorizes them.
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, v.incidentId));
  if (!incident) throw notFound('input.incidentId', '事件', v.incidentId);
  const point = await pointOfIncident(db, v.storeId, incident);
  await storeForPosting(db, user, point.id, 'input.storeId');
  assertIncidentOpen(incident);
  const itemMap = await itemsFor(db, v.lines);
  const seen = new Set<string>();
  v.lines.forEach((l, i) => {
    if (seen.has(l.itemId)) throw badInput(`input.lines.${i}.itemId`, '同一物资只能出现一行');
    seen.add(l.itemId);
  });
  if (!v.household.idNumber && !v.household.address) throw badInput('input.household.idNumber', '须填写身份证号码或住址，以便识别同一户');
  const masked = v.household.idNumber ? maskIdNumber(v.household.idNumber) : null;
  const key = householdKey(v.household.headName, masked, v.household.address ?? null);
  const standards = (await standardsAbove(db, point.regionCode)).map(toStandard);
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  // The full ID number is used to mask and is never stored, not even inside the idempotency hash.
  const hashed = { ...v, household: { ...v.household, idNumber: masked } };
  return postDocument(db, {
    kind: 'distributeRelief',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: hashed,
    clock,
    occurredAt,
    build: async (tx) => {
      // One household at a time: two distributions to it cannot both pass the standard check.
      await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext(${`${incident.id}|${key}`}))`);
      const before = await receivedByHousehold(tx, incident.id, key);
      v.lines.forEach((l, i) => {
        const standard = effectiveStandard(standards, point.regionCode, l.itemId);
        if (!standard) return;
        const allowance = allowanceOf(standard, v.household.size);
        const already = before.get(l.itemId) ?? 0;
        if (already + l.quantity > allowance && !v.overrideReason) {
          const item = itemMap.get(l.itemId)!;
          throw badInput(
            `input.lines.${i}.quantity`,
            `超出救助标准：「${item.name}」每户可领 ${allowance}${item.unit}（${v.household.size} 人），已领 ${already}，本次 ${l.quantity}；确需超标准发放须填写原因（overrideReason）`,
            { allowance, already, requested: l.quantity, itemId: l.itemId },
          );
        }
      });
      const lines = v.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity }));
      const locked = await lockOutbound(tx, point.id, lines);
      const picks = pickUnexpired(point.id, lines, locked, chinaDateOf(occurredAt));
      return {
        type: 'ISSUE',
        storeId: point.id,
        // The ledger names no person: personal data stays in the distribution record, shown only to those who need it.
        recipient: '受灾群众（按户发放）',
        reasonCode: 'RELIEF',
        incidentId: incident.id,
        locked,
        ...outboundEntries(point.id, picks, 'RELIEF'),
        afterPost: async (t, posted) => {
          await t.insert(distributions).values({
            documentId: posted.id,
            storeId: point.id,
            incidentId: incident.id,
            headName: v.household.headName,
            householdSize: v.household.size,
            idNumberMasked: masked,
            address: v.household.address ?? null,
            householdKey: key,
            distributedBy: user.id,
            distributedAt: occurredAt,
            signatureRef: v.signatureRef ?? null,
            overrideReason: v.overrideReason ?? null,
          });
        },
      };
    },
  });
}

/** Per item, what a household has received in an incident (reversed distributions do not count). */
async function receivedByHousehold(db: Db, incidentId: string, key: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ item_id: string; quantity: number }>(
    db,
    sql`SELECT dl.item_id, -sum(dl.quantity)::int AS quantity
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN document_lines dl ON dl.document_id = d.document_id
         WHERE d.incident_id = ${incidentId}::uuid AND d.household_key = ${key} AND doc.status = 'POSTED'
         GROUP BY dl.item_id`,
  );
  return new Map(rows.map((r) => [String(r.item_id), Number(r.quantity)]));
}

export async function getDistribution(db: Db, id: string): Promise<DistributionRow> {
  const [row] = await db.select().from(distributions).where(eq(distributions.documentId, id));
  if (!row) throw notFound('id', '发放记录', id);
  return row;
}

/** distributions(filter): by incident and/or 安置点, newest first, only those the principal may see (auditors see none: personal data, D29). */
export async function listDistributions(ctx: ServiceContext, filter: { incidentId?: string | null; storeId?: string | null }, page: PageArgs) {
  const { db, actor: user } = ctx;
  if (user.role === 'AUDITOR') throw forbidden('群众发放记录（含个人信息）');
  const req = pageRequest(page, ['timestamp', 'uuid']);
  const where: (SQL | undefined)[] = [distributionsInScope(user, distributions.storeId, stores.regionCode)];
  if (filter.incidentId) where.push(eq(distributions.incidentId, uuidArg(filter.incidentId, 'filter.incidentId', '事件')));
  if (filter.storeId) where.push(eq(distributions.storeId, uuidArg(filter.storeId, 'filter.storeId', '安置点')));
  const [afterAt, afterId] = (req.after ?? []).map(String);
  const after = req.after ? sql`(${distributions.distributedAt}, ${distributions.documentId}) < (${afterAt}::timestamptz, ${afterId}::uuid)` : undefined;
  const rows = (
    await db
      .select({ d: distributions })
      .from(distributions)
      .innerJoin(stores, eq(stores.id, distributions.storeId))
      .where(and(...where, after))
      .orderBy(desc(distributions.distributedAt), desc(distributions.documentId))
      .limit(req.limit + 1)
  ).map((r) => r.d);
  return toPage(
    rows,
    req,
    (d) => [d.distributedAt.toISOString(), d.documentId],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(distributions)
        .innerJoin(stores, eq(stores.id, distributions.storeId))
        .where(and(...where));
      return r.n;
    },
  );
}
