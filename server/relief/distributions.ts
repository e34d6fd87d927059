import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { distributions, documents, stores } from '../../drizzle/schema/index.ts';
import { assertMayPost, assertMaySeeHouseholds, distributionsInScope, maySeeHouseholdRecords } from '../auth/policy.ts';
import { policyLookupsThrough } from '../auth/lookups.ts';
import { createLoaders } from '../loaders.ts';
import { badInput, forbidden, notFound } from '../errors.ts';
import { idempotencyKeySchema, itemsFor, occurredAtOf, quantitySchema, quantityText, storeForPosting } from '../inventory/common.ts';
import { pickUnexpiredAt } from '../inventory/expiry.ts';
import { lockOutbound, outboundEntries } from '../inventory/issues.ts';
import { postDocument } from '../inventory/posting.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { idSchema, nameKey, readableText, validate } from '../validation.ts';
import { pointOfIncident } from './points.ts';
import { getStoreInScope } from '../stores/service.ts';
import { assertNotBeforeIncident, referencedIncident, lockOpenIncident } from '../dispatch/incidents.ts';
import {
  addressKey,
  allowanceOf,
  allowanceWithoutStandard,
  effectiveStandard,
  hasRealBirthDate,
  headNameOf,
  householdKey,
  HOUSEHOLD_REGISTERED_ELSEWHERE,
  HOUSEHOLD_SIZE_WITHOUT_REASON,
  ID_NUMBER,
  storedIdNumber,
  type StoredIdNumber,
} from './rules.ts';
import { standardsAbove, toStandard } from './standards.ts';
import { recoveryRuleOf } from './recovery-rules.ts';
import { distributionStands } from './trace.ts';
import type { ServiceContext } from '../context.ts';

// D29 发放到人: at a 安置点, stock is handed to households against the relief standard; each distribution posts an ISSUE
// from the point's stock (FEFO, expired stock frozen: D8, D26) and records who received it — only the data needed.

export type DistributionRow = typeof distributions.$inferSelect;

/**
 * D29, D24: what a distribution beyond the standard records on its issue (documents.details) — per item over the
 * household's allowance, the quantity, what it had before and the allowance, with the household's size — so that the
 * command is told of it (alerts: RELIEF_OVER_STANDARD) as the keeper decided it, whatever standard applies later (D31).
 * No personal data: the household is in the distribution record only.
 */
export interface OverStandard {
  householdSize: number;
  lines: { itemId: string; quantity: number; already: number; allowance: number }[];
}

/**
 * D29 (sweep 25c F4): what a distribution handed out of items for which no relief standard applies at the 安置点 (none
 * set on its region chain, and not equipment D12 always recovers, whose standard is then 0: allowanceWithoutStandard) —
 * per item the quantity and what the household had before, with its size. Nothing limits such a hand-out, so the command
 * is told of it (alerts: RELIEF_WITHOUT_STANDARD) as it was recorded, whatever standard is set later (D31); and its 依据
 * says there was no standard. No personal data, as OverStandard.
 */
export interface WithoutStandard {
  householdSize: number;
  lines: { itemId: string; quantity: number; already: number }[];
}

/**
 * D22, D29 (sweep 14c LOW-9, sweep 25c F4): what a hand-out rests on, for the journal's 依据 and the print — the
 * standard; beyond it the keeper's stated reason, which the command was told of (the reason itself stays in the
 * record); and, for items with no standard at the point, that there was none: 「按救助标准」 is not claimed for them.
 */
export function distributionBasis(overStandard: boolean, withoutStandard: number, lines: number): string {
  if (withoutStandard === lines) return '无救助标准，按实发放到户（已报指挥部）';
  const basis = overStandard ? '超标准发放到户（原因已报指挥部）' : '按救助标准发放到户';
  return withoutStandard ? `${basis}；其中部分物资无救助标准，按实发放（已报指挥部）` : basis;
}

const distributeSchema = z.object({
  storeId: idSchema,
  incidentId: idSchema,
  household: z.object({
    // D29: a look-alike (full-width digits, a zero-width character, a trailing 。 in the address) is the same household,
    // not a fresh allowance: both are kept as read (readableText), the address without trailing punctuation.
    headName: z.string().transform(readableText).pipe(z.string().min(1, '须填写户主姓名').max(64)),
    size: z.number().int('家庭人口须为整数').min(1, '家庭人口至少 1 人').max(50, '家庭人口最多 50 人'),
    // Full-width digits (as an input method types them) are the same number (sweep 7b L8).
    idNumber: z
      .string()
      .transform(readableText)
      .pipe(
        z
          .string()
          .regex(ID_NUMBER, '身份证号码应为 18 位（末位可为 X）或 15 位')
          .refine((id) => !ID_NUMBER.test(id) || hasRealBirthDate(id), '身份证号码中的出生日期不是有效日期，请核对证件'),
      )
      .nullish(),
    address: z
      .string()
      .transform((v) => readableText(v).replace(/[\p{P}\s]+$/u, ''))
      .pipe(z.string().max(200))
      .nullish(),
  }),
  lines: z
    .array(z.object({ itemId: idSchema, quantity: quantitySchema }))
    .min(1, '至少一行')
    .max(100),
  // D29: the number of the head's signed (or thumb-printed) receipt. Optional here, as API.md's nullable field has it (a
  // client may record it later on paper); the console's 发放 form asks for it.
  signatureRef: z.string().trim().min(1).max(128).nullish(),
  overrideReason: z.string().trim().min(1, '不能只填空白；无须超标准发放时不填').max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
});

/** distributeRelief: the point's managers (or headquarters in scope) hand stock to a household, within the standard. */
export async function distributeRelief(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  assertMayPost(user);
  const v = validate(distributeSchema, input);
  // A keeper managing the point sees no region as a whole: the point (in their stores) is what authorizes them.
  // D23, D29: an incident the caller may not read is refused as an unknown one, here, before any check that would name
  // it (its name, whether and when it closed): the same answer, at the same point, as for an id that exists nowhere.
  const incident = await referencedIncident(db, user, v.incidentId);
  // Who may post here is asked before a replay too: the first result names a household (personal data, D29).
  await storeForPosting(db, user, v.storeId, 'input.storeId');
  const itemMap = await itemsFor(db, v.lines);
  const seen = new Set<string>();
  v.lines.forEach((l, i) => {
    if (seen.has(l.itemId)) throw badInput(`input.lines.${i}.itemId`, '同一物资只能出现一行');
    seen.add(l.itemId);
  });
  // D29: one person, one household — the old 15-digit number is matched and keyed as its 18-digit form is, and shown
  // masked as given (sweep 11a F7: the digits on the card in the family's hand).
  const id = v.household.idNumber ? storedIdNumber(v.household.idNumber) : null;
  const masked = id?.masked ?? null;
  // D29 (API.md: idNumber and address are optional): a household given by its head's name and size only is its head
  // within the incident (addressKey(head, null), 「姓名|@」) — an empty address is no address.
  const address = v.household.address || null;
  const key = householdKey(v.household.headName, id, address);
  const household: HouseholdIdentity = {
    id,
    byAddress: address ? addressKey(v.household.headName, address) : null,
    byName: addressKey(v.household.headName, null),
    headName: headNameOf(v.household.headName),
  };
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  // The full ID number is used to mask and fingerprint and is never stored, not even inside the idempotency hash; its
  // two forms are one input there, as they are one household.
  const hashed = { ...v, household: { ...v.household, idNumber: id && `${id.masks[0]}#${id.fingerprint}` } };
  return postDocument(db, {
    kind: 'distributeRelief',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: hashed,
    clock,
    occurredAt,
    // API.md: the same key and input answer the first result (postDocument's claim, before build) whatever happened
    // since — the incident closed, the point changed: a keeper retrying after a timeout must learn the hand-out was
    // recorded, not that it failed. So the checks of the incident and the point are made here, for a new distribution.
    build: async (tx) => {
      // The point must serve the incident before the incident's state is told (D23: the refusal names neither): a point
      // of another incident learns nothing of this one — not that it closed, nor when.
      const point = await pointOfIncident(tx, v.storeId, incident);
      // Taken FOR SHARE: a closeIncident (FOR NO KEY UPDATE) waits for this distribution, or this one sees it closed.
      await lockOpenIncident(tx, incident.id, 'share', 'input.incidentId');
      assertNotBeforeIncident(incident, occurredAt, '发放');
      const standards = (await standardsAbove(tx, point.regionCode)).map(toStandard);
      // One household at a time: two distributions to it cannot both pass the checks below. A household known by ID is
      // also locked under its head and address, which is what a request without the ID number locks; and every request
      // under its head's name alone (D29: what a name-only request locks, and whose records the others count), all in
      // one order: no deadlock.
      // D29 (sweep 23b F8): and the signature reference, in the same order, so that two households' requests naming one
      // slip at once are told apart as one after the other.
      const signature = v.signatureRef ? signatureKey(v.signatureRef) : null;
      const lockKeys = [key, household.byAddress, household.byName, signature && `${SIGNATURE_LOCK}${signature}`].filter((x) => x !== null);
      for (const k of [...new Set(lockKeys)].sort()) await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext(${`${incident.id}|${k}`}))`);
      if (signature) await assertSignatureUnused(tx, incident.id, signature, v.signatureRef!);
      const recorded = await recordedHousehold(tx, incident.id, household);
      // D29 (sweep 12b F4): records at a point the caller may not see are not told by any refusal below — each said that
      // point's registered name (by confirming a guess), size or quantities; the family is still served within its
      // standard, or beyond it with a reason as anywhere (the command is alerted).
      const hidden = !(await maySeeHouseholdRecords(
        user,
        { incidentId: incident.id, storeIds: recorded.points },
        policyLookupsThrough(createLoaders(tx), ctx.reference),
      ));
      const badHousehold = (field: string, message: string, details?: Record<string, unknown>) =>
        hidden ? badInput('input.household', HOUSEHOLD_REGISTERED_ELSEWHERE) : badInput(field, message, details);
      if (!masked && recorded.registeredById && !v.overrideReason)
        throw badHousehold('input.household.idNumber', '该户（同一户主与住址）已凭身份证号码登记领取，须填写身份证号码');
      // D29 (sweep 13a): the head registered by ID number with no address may be this family: served now by name and
      // address it would start a second allowance (3 quilts by ID number, then 2 more by address). As above: the ID
      // number, or a reason (a namesake's family) — the override is reported to the command.
      if (!masked && recorded.registeredByIdWithoutAddress && !v.overrideReason)
        throw badHousehold(
          'input.household.idNumber',
          '该户主姓名已在本事件中凭身份证号码登记领取（未登记住址），无法判断是否同一户：须填写身份证号码；确为同名的另一户须在「超标准发放原因」中说明',
        );
      // D29: a head the incident knows by ID number or address is not served by name alone — that would be a fresh
      // allowance beside the registered one. As for registeredById, the keeper may state why (overrideReason); the request
      // then counts against every household recorded under the head's name.
      if (recorded.registeredElsewhere && !v.overrideReason)
        throw badHousehold('input.household.idNumber', '该户主已在本事件中凭身份证号码或住址登记领取，须填写身份证号码或住址，以便区分同名的不同户');
      // D29: a name other than the one recorded for this ID number is a misspelling, or another person whose number shares
      // what is stored (6 + 4 characters and the fingerprint; records from before the fingerprint have the mask only).
      // Refused, not taken silently: the keeper checks the ID card and states why; either way it counts against this
      // household — safer than starting a fresh allowance for it.
      if (masked && recorded.headNames.size && !recorded.headNames.has(headNameOf(v.household.headName)) && !v.overrideReason)
        throw badHousehold(
          'input.household.headName',
          '该身份证号码在本事件中已登记的户主姓名与本次不同，请核对证件；确需按本次姓名发放须在「超标准发放原因」中说明，仍按同一户计算',
        );
      // D29 (sweep 14c MEDIUM-1): the head and address registered under another ID number — a misread or retyped number,
      // or a namesake's family at the same address — are counted as that household (recordedHousehold: what it drew, its
      // size), as the same number under another name is above: within the standard it is simply served; beyond it, or
      // under another size, the keeper checks the card and, finding another family, says so (overrideReason) — served
      // then, the hand-out beyond the standard reported to the command as any override is (RELIEF_OVER_STANDARD). The
      // refusal names the other number as the API shows it, masked; it is at the number, what the keeper is to check.
      const anotherId = (what: string, orWhat = '') =>
        `该户主与住址已凭另一身份证号码（${recorded.anotherId}）登记领取，按同一户计算：${what}；如确为另一户${orWhat}，请在「超标准发放原因」中说明`;
      // D29: the household's size is the one recorded (first, or as last changed with a reason), not what each request claims.
      if (recorded.size !== null && recorded.size !== v.household.size && !v.overrideReason)
        throw recorded.sizeUnderAnotherId
          ? badHousehold('input.household.idNumber', anotherId(`已登记 ${recorded.size} 人，本次填写 ${v.household.size} 人`, '或人数有变'), {
              recordedSize: recorded.size,
            })
          : badHousehold('input.household.size', `该户已登记 ${recorded.size} 人，本次填写 ${v.household.size} 人；改变人数须在「超标准发放原因」中说明`, {
              recordedSize: recorded.size,
            });
      // D29: a household first recorded larger than a family (集体户 and the like) needs a reason, as a change of size does —
      // its size is what its per-person allowances are counted from.
      if (recorded.size === null && v.household.size > HOUSEHOLD_SIZE_WITHOUT_REASON && !v.overrideReason)
        throw badHousehold(
          'input.household.size',
          `家庭人口 ${v.household.size} 人，超过 ${HOUSEHOLD_SIZE_WITHOUT_REASON} 人（集体户等）须在「超标准发放原因」中说明`,
          { maxWithoutReason: HOUSEHOLD_SIZE_WITHOUT_REASON },
        );
      const before = recorded.received;
      const over: OverStandard['lines'] = [];
      const without: WithoutStandard['lines'] = [];
      v.lines.forEach((l, i) => {
        const item = itemMap.get(l.itemId)!;
        const standard = effectiveStandard(standards, point.regionCode, l.itemId);
        // D12, D29 (sweep 11a F2): equipment always recovered has a standard of 0 unless one is set for it.
        const allowance = standard ? allowanceOf(standard, v.household.size) : allowanceWithoutStandard(recoveryRuleOf(item.recoveryKind, item.recoveryMonths));
        const already = before.get(l.itemId) ?? 0;
        // D29 (sweep 25c F4): no standard limits it — handed out as asked, and the command told (RELIEF_WITHOUT_STANDARD).
        if (allowance === null) {
          without.push({ itemId: l.itemId, quantity: l.quantity, already });
          return;
        }
        if (already + l.quantity <= allowance) return;
        if (!v.overrideReason) {
          const details = { allowance, already, requested: l.quantity, itemId: l.itemId, hasStandard: standard !== null };
          // Sweep 22c F6: each quantity grouped, with its unit (quantityText).
          const amount = (n: number) => quantityText(n, item.unit);
          const beyond = `「${item.name}」每户可领 ${amount(allowance)}（${v.household.size} 人），已领 ${amount(already)}，本次 ${amount(l.quantity)}`;
          if (standard && recorded.anotherId) throw badHousehold('input.household.idNumber', anotherId(`超出救助标准，${beyond}`), { ...details, line: i });
          throw badHousehold(
            `input.lines.${i}.quantity`,
            standard
              ? `超出救助标准：${beyond}；确需超标准发放须填写「超标准发放原因」`
              : `「${item.name}」是按规定须回收的设备，本地区未设救助标准，不作为救助物资发放到户（已领 ${amount(already)}，本次 ${amount(l.quantity)}）；确需发放须填写「超标准发放原因」`,
            details,
          );
        }
        over.push({ itemId: l.itemId, quantity: l.quantity, already, allowance });
      });
      // D24 (no one person moves reserves alone): a hand-out beyond the standard is the keeper's call with a reason, and
      // the command is told of it (alerts: RELIEF_OVER_STANDARD).
      const overStandard: OverStandard | null = over.length ? { householdSize: v.household.size, lines: over } : null;
      const withoutStandard: WithoutStandard | null = without.length ? { householdSize: v.household.size, lines: without } : null;
      const lines = v.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity }));
      const locked = await lockOutbound(tx, point.id, lines);
      // D26: expired stock is frozen; D8, D21: a backdated hand-out picks from what the point held at its date (the
      // input names no batch: a refusal says to check the time).
      const picks = await pickUnexpiredAt(tx, point.id, lines, locked, occurredAt, itemMap, false);
      return {
        type: 'ISSUE',
        storeId: point.id,
        // The ledger names no person: personal data stays in the distribution record, shown only to those who need it.
        recipient: '受灾群众（按户发放）',
        reasonCode: 'RELIEF',
        // D22, D29 (sweep 14c LOW-9, sweep 25c F4): what the hand-out rests on, for the journal's 依据 and the print.
        reference: distributionBasis(overStandard !== null, without.length, v.lines.length),
        incidentId: incident.id,
        details: overStandard || withoutStandard ? { ...(overStandard && { overStandard }), ...(withoutStandard && { withoutStandard }) } : null,
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
            idNumberFingerprint: id?.fingerprint ?? null,
            address,
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

/** The lock of a signature reference beside the households' (keys of another shape: 「姓名|@住址」, ID masks). */
const SIGNATURE_LOCK = 'signature#';

/**
 * A signature reference as a keeper reads it on the slip: width, case and spaces aside (「ＱＳ－０００１」, 「qs-0001」 and
 * 「QS 0001」 are the slip QS-0001).
 */
const signatureKey = (ref: string) => nameKey(ref);

/** The same reading in SQL, of a stored reference: full-width ASCII (U+FF01–U+FF5E) and the ideographic space folded. */
const FULL_WIDTH = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0xff01 + i)).join('') + '\u3000';
const HALF_WIDTH = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('') + ' ';
const storedSignatureKey = (column: SQL) => sql`lower(regexp_replace(translate(${column}, ${FULL_WIDTH}, ${HALF_WIDTH}), ${'\\s+'}, '', 'g'))`;

/**
 * D29 (sweep 23b F8): a signature reference is the number of the one slip a head of household signed for one
 * distribution — a second distribution of the incident under it (another household's, or the same one's again) would be
 * "proved" by a slip that records something else. Refused at the field, naming the distribution that has it; a reversed
 * distribution (entered in error, D22) no longer holds its slip, which the hand-out recorded again may cite.
 */
async function assertSignatureUnused(db: Db, incidentId: string, signature: string, given: string) {
  const [earlier] = await queryRows<{ number: string; point: string; distributed_at: string | Date }>(
    db,
    sql`SELECT doc.number, s.name AS point, d.distributed_at
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN stores s ON s.id = d.store_id
         WHERE d.incident_id = ${incidentId}::uuid AND d.signature_ref IS NOT NULL AND ${distributionStands(sql`doc.status`)}
           AND ${storedSignatureKey(sql`d.signature_ref`)} = ${signature}
         ORDER BY d.distributed_at, doc.number
         LIMIT 1`,
  );
  if (!earlier) return;
  throw badInput(
    'input.signatureRef',
    `签收凭证号「${given}」已用于本事件的发放 ${earlier.number}（${earlier.point}）：一张签收凭证只对应一次发放，请核对凭证上的编号`,
    { distributionNumber: earlier.number },
  );
}

/**
 * A household as a request names it: by ID number (mask and fingerprint) when given; by head and address (its key) when
 * given; and always by its head's name alone (byName, D29: the key of a name-only household) with that name as compared.
 */
interface HouseholdIdentity {
  id: StoredIdNumber | null;
  byAddress: string | null;
  byName: string;
  headName: string;
}

/**
 * What an incident has recorded of a household (reversed distributions do not count): per item what it received, its
 * size (as last recorded), the head's names recorded with its ID number, and — for a request without an ID number —
 * whether the same head and address were registered with one. By ID number the columns are matched, not the key, so
 * records from before the key left out the name still count, and a record from before the fingerprint (0025) counts
 * for every number of its mask, as it did. A household first served by address and later by ID number is one household.
 *
 * D29, by the head's name alone: a request with an ID number or address also counts what its head received by name
 * alone (it may be the same household: served first by name, then with an address, it starts no fresh allowance), that
 * record's size applying when the household has none of its own. A name-only request counts every record under its
 * head's name, and is told whether one of them was made with an ID number or address (registeredElsewhere) — when in
 * doubt, against the allowance. A request with an ID number and an address also counts what its head received at that
 * address under another ID number (sweep 14c MEDIUM-1: anotherId — a misread or retyped number is the same household,
 * unless the keeper states why it is another).
 */
async function recordedHousehold(db: Db, incidentId: string, h: HouseholdIdentity) {
  const spaces = '\\s+';
  const nameOnly = h.id === null && h.byAddress === null;
  const byName = sql`(d.id_number_masked IS NULL AND d.household_key = ${h.byName})`;
  const byAddress = h.byAddress === null ? sql`false` : sql`(d.id_number_masked IS NULL AND d.household_key = ${h.byAddress})`;
  // Either form's mask: the same person's old card and new one (storedIdNumber).
  const byId =
    h.id &&
    sql`(d.id_number_masked IN (${sql.join(
      h.id.masks.map((m) => sql`${m}`),
      sql`, `,
    )}) AND (d.id_number_fingerprint = ${h.id.fingerprint} OR d.id_number_fingerprint IS NULL))`;
  // The head's records however made: by the name as stored, or by an address key under it (「姓名|@住址」).
  const ofHead = sql`(regexp_replace(d.head_name, ${spaces}, '', 'g') = ${h.headName} OR left(d.household_key, char_length(${h.byName}::text)) = ${h.byName})`;
  // The head at the request's address registered with an ID number (head and address compared as addressKey makes them).
  const idAtAddress =
    h.byAddress === null
      ? sql`false`
      : sql`(d.id_number_masked IS NOT NULL AND regexp_replace(d.head_name, ${spaces}, '', 'g') || '|@' || regexp_replace(d.address, ${spaces}, '', 'g') = ${h.byAddress})`;
  // D29 (sweep 14c MEDIUM-1): the head at this address under ANOTHER ID number than the request's — a misread or retyped
  // number, or a namesake's family at the same address. Counted with the household (what it drew, its size when it has none of its
  // own), as the same number under another name is: a retyped number starts no fresh allowance.
  const underAnotherId = byId === null ? sql`false` : sql`(${idAtAddress} AND NOT ${byId})`;
  // The household's own records (closest: their size applies first), then those it is counted with.
  const own = nameOnly ? byName : byId === null ? byAddress : sql`(${byId} OR ${byAddress})`;
  const ofHousehold = nameOnly ? sql`(${byName} OR ${ofHead})` : sql`(${own} OR ${byName} OR ${underAnotherId})`;
  const posted = sql`d.incident_id = ${incidentId}::uuid AND ${distributionStands(sql`doc.status`)}`;
  const received = await queryRows<{ item_id: string; quantity: number }>(
    db,
    sql`SELECT dl.item_id, -sum(dl.quantity)::bigint AS quantity
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN document_lines dl ON dl.document_id = d.document_id
         WHERE ${posted} AND ${ofHousehold}
         GROUP BY dl.item_id`,
  );
  const records = await queryRows<{
    store_id: string;
    head_name: string;
    household_size: number;
    id_number_masked: string | null;
    own: boolean;
    elsewhere: boolean;
    another_id: boolean;
  }>(
    db,
    sql`SELECT d.store_id::text, d.head_name, d.household_size, d.id_number_masked, ${own} AS own, NOT ${byName} AS elsewhere,
               ${underAnotherId} AS another_id
          FROM distributions d JOIN documents doc ON doc.id = d.document_id
         WHERE ${posted} AND ${ofHousehold}
         ORDER BY doc.recorded_at DESC, doc.number DESC`,
  );
  // A request without an ID number but with an address: was its head registered with an ID number — at this address
  // (the same household), or with no address at all (sweep 13a: maybe the same family, served first by ID number alone;
  // the address would start a fresh allowance beside it)?
  const registeredAt =
    h.id === null && h.byAddress !== null
      ? await queryRows<{ store_id: string; without_address: boolean }>(
          db,
          sql`SELECT DISTINCT d.store_id::text, d.address IS NULL AS without_address
                FROM distributions d JOIN documents doc ON doc.id = d.document_id
               WHERE ${posted}
                 AND (${idAtAddress}
                      OR (d.id_number_masked IS NOT NULL AND d.address IS NULL AND regexp_replace(d.head_name, ${spaces}, '', 'g') = ${h.headName}))`,
        )
      : [];
  const isTrue = (b: unknown) => b === true || b === 't';
  const sized = records.find((r) => isTrue(r.own)) ?? records[0];
  const anotherId = records.find((r) => isTrue(r.another_id));
  return {
    /** The points whose records these are (sweep 12b F4: the caller must be one who may see each). */
    points: [...new Set([...records, ...registeredAt].map((r) => String(r.store_id)))],
    received: new Map(received.map((r) => [String(r.item_id), Number(r.quantity)])),
    size: sized ? Number(sized.household_size) : null,
    headNames: new Set(
      records
        .filter((r) => r.id_number_masked !== null && !isTrue(r.another_id) && h.id?.masks.includes(r.id_number_masked))
        .map((r) => headNameOf(r.head_name)),
    ),
    /**
     * D29 (sweep 14c MEDIUM-1): for a request with an ID number and an address, the (masked) number its head was last
     * registered under at this address, when another than the request's — its records are counted here.
     */
    anotherId: anotherId ? String(anotherId.id_number_masked) : null,
    /** Whether the size that applies is one recorded under that other number (the request's own number has none). */
    sizeUnderAnotherId: sized !== undefined && isTrue(sized.another_id),
    registeredById: registeredAt.some((r) => !isTrue(r.without_address)),
    registeredByIdWithoutAddress: registeredAt.some((r) => isTrue(r.without_address)),
    registeredElsewhere: nameOnly && records.some((r) => isTrue(r.elsewhere)),
  };
}

export async function getDistribution(db: Db, id: string): Promise<DistributionRow> {
  const [row] = await db.select().from(distributions).where(eq(distributions.documentId, id));
  if (!row) throw notFound('id', '发放记录', id);
  return row;
}

/** D22: what a distribution's status is in its issue's column (DistributionStatus; a distribution posts at once). */
const DISTRIBUTION_STATUS_OF_DOCUMENT = { POSTED: 'POSTED', REVERSED: 'REVERSED' } as const;

/**
 * distributions(filter): by incident and/or 安置点, newest first, only those the principal may see (auditors see none:
 * personal data, D29). D22 (sweep 23b F5): a reversed distribution is listed, marked (its status), as the batch trace
 * lists it — a correction is a reversing entry, and the record shows both; `status` keeps the list to some statuses
 * (POSTED: the ones that stand).
 */
export async function listDistributions(
  ctx: ServiceContext,
  filter: { incidentId?: string | null; storeId?: string | null; status?: readonly ('POSTED' | 'REVERSED')[] | null },
  page: PageArgs,
) {
  const { db, actor: user } = ctx;
  if (user.role === 'AUDITOR') throw forbidden('群众发放记录（含个人信息）');
  const req = pageRequest(page, 'distributions', ['timestamp', 'uuid']);
  const where: (SQL | undefined)[] = [
    distributionsInScope(user, { storeId: distributions.storeId, regionCode: stores.regionCode, incidentId: distributions.incidentId }),
    filter.status?.length
      ? inArray(
          documents.status,
          filter.status.map((s) => DISTRIBUTION_STATUS_OF_DOCUMENT[s]),
        )
      : undefined,
  ];
  // An id filter answers as the record itself does: unknown NOT_FOUND, out of scope FORBIDDEN — not an empty list.
  if (filter.incidentId) where.push(eq(distributions.incidentId, (await referencedIncident(db, user, filter.incidentId, 'filter.incidentId')).id));
  if (filter.storeId) {
    const store = await getStoreInScope(db, user, filter.storeId, 'filter.storeId');
    // D29 (sweep 12b F1): a 安置点's households are the policy's (maySeeHouseholds), not its store's: a township's
    // dispatcher reads the township's point's ledger, not the names of the county incident's households — FORBIDDEN, as
    // filtering by that incident is.
    if (store.incidentId)
      await assertMaySeeHouseholds(
        user,
        { storeId: store.id, incidentId: store.incidentId },
        policyLookupsThrough(createLoaders(db), ctx.reference),
        'filter.storeId',
      );
    where.push(eq(distributions.storeId, store.id));
  }
  const [afterAt, afterId] = (req.after ?? []).map(String);
  const after = req.after ? sql`(${distributions.distributedAt}, ${distributions.documentId}) < (${afterAt}::timestamptz, ${afterId}::uuid)` : undefined;
  const rows = (
    await db
      .select({ d: distributions })
      .from(distributions)
      .innerJoin(stores, eq(stores.id, distributions.storeId))
      .innerJoin(documents, eq(documents.id, distributions.documentId))
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
        .innerJoin(documents, eq(documents.id, distributions.documentId))
        .where(and(...where));
      return r.n;
    },
  );
}
