import { inArray } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { isInSubtree } from '../regions/codes.ts';
import { agreementsValidOn, coveringAgreement, usedUnder } from '../authority/joint-reserves.ts';

// D25 跨区域调用: a plan may use stock of the requester's own jurisdiction; a 联储 partner's within the agreement
// (its items, its maximum quantities, while valid); any other jurisdiction's only once that jurisdiction consents.

export interface ConsentLine {
  itemId: string;
  storeId: string | null;
  quantity: number;
}

export interface ConsentDecision {
  needsConsent: boolean;
  jointAgreementId: string | null;
  /** The jurisdiction (city) whose dispatchers consent, for lines that need it. */
  consentRegion: string | null;
}

/** The city-level jurisdiction of a region code (its dispatchers decide for its stores). */
export const jurisdictionOf = (code: string) => `${code.slice(0, 4)}00000000`;

export async function consentOfLines(db: Db, user: Principal, today: string, lines: readonly ConsentLine[]): Promise<ConsentDecision[]> {
  const none: ConsentDecision = { needsConsent: false, jointAgreementId: null, consentRegion: null };
  // A system-wide administrator has authority everywhere.
  if (user.regionCode === null) return lines.map(() => none);
  const own = user.regionCode;
  const ids = [...new Set(lines.flatMap((l) => (l.storeId ? [l.storeId] : [])))];
  const rows = ids.length ? await db.select({ id: stores.id, regionCode: stores.regionCode }).from(stores).where(inArray(stores.id, ids)) : [];
  const regionOf = new Map(rows.map((r) => [r.id, r.regionCode]));
  const agreements = await agreementsValidOn(db, today);
  const used = await usedUnder(
    db,
    agreements.map((a) => a.id),
  );
  return lines.map((l) => {
    const region = l.storeId ? regionOf.get(l.storeId) : undefined;
    if (!region || isInSubtree(region, own)) return none;
    const agreement = coveringAgreement(agreements, own, region, l.itemId);
    const max = agreement?.lines.find((x) => x.itemId === l.itemId)?.maxQuantity;
    const key = `${agreement?.id}|${l.itemId}`;
    if (agreement && (max === undefined || (used.get(key) ?? 0) + l.quantity <= max)) {
      used.set(key, (used.get(key) ?? 0) + l.quantity);
      return { needsConsent: false, jointAgreementId: agreement.id, consentRegion: null };
    }
    return { needsConsent: true, jointAgreementId: null, consentRegion: jurisdictionOf(region) };
  });
}
