import { inArray } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { agreements, stores } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { isInSubtree } from '../regions/codes.ts';
import { agreementsValidOn, coveringAgreement, usedUnder } from '../authority/joint-reserves.ts';

// D25 跨区域调用: a plan may use stock of the requester's own jurisdiction; a 联储 partner's within the agreement
// (its items, its maximum quantities, while valid); any other jurisdiction's only once that jurisdiction consents.
// A reserve is the jurisdiction's that holds it: a store's stock its store's region, an agreement or capacity reserve
// (D6, D17) the region of the agreement — the government that contracted it — wherever the company is.

export interface ConsentLine {
  itemId: string;
  /** A store line's source store. */
  storeId: string | null;
  /** An agreement or capacity line's agreement. */
  agreementId: string | null;
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
  const storeIds = [...new Set(lines.flatMap((l) => (l.storeId ? [l.storeId] : [])))];
  const agreementIds = [...new Set(lines.flatMap((l) => (l.agreementId ? [l.agreementId] : [])))];
  const [storeRows, agreementRows] = await Promise.all([
    storeIds.length ? db.select({ id: stores.id, regionCode: stores.regionCode }).from(stores).where(inArray(stores.id, storeIds)) : [],
    agreementIds.length ? db.select({ id: agreements.id, regionCode: agreements.regionCode }).from(agreements).where(inArray(agreements.id, agreementIds)) : [],
  ]);
  const regionOf = new Map([...storeRows, ...agreementRows].map((r) => [r.id, r.regionCode]));
  const joint = await agreementsValidOn(db, today);
  const used = await usedUnder(
    db,
    joint.map((a) => a.id),
  );
  return lines.map((l) => {
    const region = regionOf.get((l.storeId ?? l.agreementId)!);
    if (!region) throw new Error(`consentOfLines: no region for source ${l.storeId ?? l.agreementId}`);
    if (isInSubtree(region, own)) return none;
    const covering = coveringAgreement(joint, own, region, l.itemId);
    const max = covering?.lines.find((x) => x.itemId === l.itemId)?.maxQuantity;
    const key = `${covering?.id}|${l.itemId}`;
    if (covering && (max === undefined || (used.get(key) ?? 0) + l.quantity <= max)) {
      used.set(key, (used.get(key) ?? 0) + l.quantity);
      return { needsConsent: false, jointAgreementId: covering.id, consentRegion: null };
    }
    return { needsConsent: true, jointAgreementId: null, consentRegion: jurisdictionOf(region) };
  });
}
