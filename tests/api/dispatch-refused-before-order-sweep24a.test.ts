import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { createAgreement } from '../support/agreements.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 24a F2 (D25, D15; README "Consent is asked per plan"): a later plan of the incident asks a jurisdiction that
// refused before again — after every source the region may use by itself. The finding, on the demo's shape: after
// 新乡市 refused its 棉帐篷 to 卫辉's plan, 卫辉's next plan for 狮豹头乡 asked the city for 470 (UPPER, on request)
// and left 70 of 晋城's stock, usable under the 新乡–晋城 联储 agreement without consent, unused; requestDispatch took
// all 570 from the city while neighbourStock showed 晋城 170.

const t = useTestApp({ resetClock: true });

const WH_DISP = 'wh24a-disp'; // 卫辉市's dispatcher, the finding's wh_disp
const TAIHANG_STORE = storeId('S-140500-02'); // 晋城市救灾物资代储库（太行物流）: 晋城's, under the 联储 agreement
const HUIXIAN_STORE = storeId('S-410782-01'); // 辉县市应急物资储备库: another county, no 联储 with 卫辉 — asked, never refused
const N = {
  weihui: '卫辉市救灾物资储备库',
  city: '新乡市救灾物资储备库',
  jincheng: '晋城市救灾物资储备库',
  taihang: '晋城市救灾物资代储库（太行物流）',
  huixian: '辉县市应急物资储备库',
  company: '卫辉市24a帐篷协议储备企业',
};
const REFUSED_BEFORE = '该辖区曾在本事件中拒绝调用此物资，本方案再次征求同意';

let incidentId: string;
let point: string;
let itemCount = 0;

interface Line {
  quantity: number;
  tier: string;
  needsConsent: boolean;
  consent: string | null;
  reason: string;
  source: { kind: string; name: string };
}
const LINES = `id lines { quantity tier needsConsent consent reason source { kind name } } shortages { missing }`;

/** A 棉帐篷 of its own for each case, so that the demo's stock and the other cases' plans stay out of it. */
async function newTent(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-24A-F2-${itemCount}`, name: `棉帐篷（24a F2 ${itemCount}）`, unit: '顶' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

const stock = (store: string, item: string, quantity: number) =>
  receive(t, 'admin', store, [{ itemId: item, quantity, batchNo: `24AF2-${key().slice(0, 8)}`, expiryDate: '2032-01-01', unitPrice: '2000.00' }]);

// The incident's 安置点; another incident's plan names a place of its own at 狮豹头乡 (a point is its incident's only).
const input = (incident: string, item: string, quantity: number) => ({
  incidentId: incident,
  deadlineHours: 10,
  destinations: [
    incident === incidentId
      ? { storeId: point, lines: [{ itemId: item, quantity }] }
      : { name: '狮豹头乡村委会安置点', regionCode: '410781201000', lat: 35.56, lng: 113.89, lines: [{ itemId: item, quantity }] },
  ],
});
const suggest = async (item: string, quantity: number, incident = incidentId) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${LINES} } }`, { i: input(incident, item, quantity) }, WH_DISP))
    .suggestDispatchPlan as { lines: Line[]; shortages: { missing: number }[] };
const request = async (item: string, quantity: number) =>
  ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${LINES} } }`, { i: input(incidentId, item, quantity) }, WH_DISP))
    .requestDispatch as { id: string; lines: Line[]; shortages: { missing: number }[] };

/** Per source (store or company) name, the quantity the plan takes from it. */
const takenFrom = (lines: Line[]) => {
  const out: Record<string, number> = {};
  for (const l of lines) out[l.source.name] = (out[l.source.name] ?? 0) + l.quantity;
  return out;
};
const linesOf = (lines: Line[], name: string) => lines.filter((l) => l.source.name === name);

/**
 * The finding's shape for a new tent: the city's store 570 (两批, as XX-MZP-1904 and 2403), 晋城 70 + 100 in its 代储库,
 * 辉县 180. 卫辉 asks the city for 570 (UPPER on request, before 晋城's 联储 stock: sweep 15b F2) and the city refuses.
 */
async function cityRefused(item: string) {
  await stock(XINXIANG, item, 170);
  await stock(XINXIANG, item, 400);
  await stock(JINCHENG, item, 70);
  await stock(TAIHANG_STORE, item, 100);
  await stock(HUIXIAN_STORE, item, 180);
  const first = await request(item, 570);
  expect(takenFrom(first.lines)).toEqual({ [N.city]: 570 });
  expect(first.lines.every((l) => l.needsConsent && l.consent === 'PENDING' && !l.reason.includes(REFUSED_BEFORE))).toBe(true);
  ok(await decideRaw(t, 'director', await pendingApprovalOf(t, first.id, 'CROSS_REGION_USE'), 'REJECT', { reason: '市库棉帐篷已部分借出' }));
}

beforeAll(async () => {
  // The demo's 联储 agreement (seeds/demo-reserves.ts; the tests' database has the demo's users and stores only):
  // 新乡市 and 晋城市, every item, no maximum.
  ok(
    await t.gql(
      `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
      { i: { regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' } },
      'admin',
    ),
  );
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: WH_DISP, displayName: '卫辉市应急管理局调度员（24a）', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410781000000' } },
      'admin',
    ),
  );
  incidentId = await createIncident(
    t,
    { name: '卫辉市狮豹头乡山体滑坡', type: 'OTHER', regionCode: '410781', location: { lat: 35.56, lng: 113.89 }, affectedPopulation: 3000 },
    'admin',
  );
  point = await openPoint(t, incidentId, '狮豹头乡中心小学安置点', { regionCode: '410781201000', lat: 35.56, lng: 113.89 });
});

describe('D25, D15 (sweep 24a F2): a jurisdiction that refused before is asked again only after every source the region may use by itself', () => {
  it('D25: suggestDispatchPlan — 晋城’s 联储 stock (no consent) first, all 170 of it; then the city that refused for the rest, saying so', async () => {
    const tent = await newTent();
    await cityRefused(tent);
    const plan = await suggest(tent, 570);
    // The finding: city 470 (70 + 400), 晋城 70 + 30 — 70 of the 联储 partner's stock left while the city was asked.
    expect(takenFrom(plan.lines)).toEqual({ [N.jincheng]: 70, [N.taihang]: 100, [N.city]: 400 });
    for (const l of [...linesOf(plan.lines, N.jincheng), ...linesOf(plan.lines, N.taihang)]) {
      expect(l).toMatchObject({ tier: 'NEIGHBOUR', needsConsent: false });
      expect(l.reason).toContain('（联储）');
      expect(l.reason).not.toContain(REFUSED_BEFORE);
    }
    for (const l of linesOf(plan.lines, N.city)) {
      expect(l).toMatchObject({ tier: 'UPPER', needsConsent: true });
      expect(l.reason).toContain(REFUSED_BEFORE);
    }
    expect(plan.shortages).toEqual([]);
  });

  it('D25: requestDispatch likewise — 晋城 170 under the agreement, the city 400 asked again (not all 570 of the city)', async () => {
    const tent = await newTent();
    await cityRefused(tent);
    const plan = await request(tent, 570);
    expect(takenFrom(plan.lines)).toEqual({ [N.jincheng]: 70, [N.taihang]: 100, [N.city]: 400 });
    expect(linesOf(plan.lines, N.city).every((l) => l.needsConsent && l.consent === 'PENDING' && l.reason.includes(REFUSED_BEFORE))).toBe(true);
    expect(plan.lines.filter((l) => l.source.name !== N.city).every((l) => !l.needsConsent && l.consent === null)).toBe(true);
  });

  it('D25, D17: the region’s own agreement reserve comes before the city that refused too; the city, still asked when nothing else suffices, before a county that never refused (D15’s order among what needs consent)', async () => {
    const tent = await newTent();
    await cityRefused(tent);
    await createAgreement(t, { companyName: N.company, regionCode: '410781', lines: [{ itemId: tent, quantity: 30, responseHours: 4, unitPrice: '1900.00' }] });
    await stock(WEIHUI, tent, 20);
    // 570: 卫辉's own 20 (LOCAL) and its agreement's 30, 晋城's 170 (联储) — then the city's, asked again, for the rest.
    const plan = await suggest(tent, 570);
    expect(takenFrom(plan.lines)).toEqual({ [N.weihui]: 20, [N.company]: 30, [N.jincheng]: 70, [N.taihang]: 100, [N.city]: 350 });
    expect(new Set(plan.lines.filter((l) => l.needsConsent).map((l) => l.source.name))).toEqual(new Set([N.city]));
    // Beyond all the region may use by itself and all the city holds: the city's whole 570, then 辉县 (another county,
    // needing its consent, never refused) for the last 10 — the refusal does not put the city behind those who did not.
    const more = await suggest(tent, 800);
    expect(takenFrom(more.lines)).toEqual({ [N.weihui]: 20, [N.company]: 30, [N.jincheng]: 70, [N.taihang]: 100, [N.city]: 570, [N.huixian]: 10 });
    expect(linesOf(more.lines, N.huixian).every((l) => l.needsConsent && !l.reason.includes(REFUSED_BEFORE))).toBe(true);
    expect(more.shortages).toEqual([]);
  });

  it('D25: a jurisdiction that did not refuse keeps its place — another incident’s plan asks the city (the level above) before 晋城’s 联储 stock, as before', async () => {
    const tent = await newTent();
    await cityRefused(tent);
    const other = await createIncident(
      t,
      { name: '卫辉市狮豹头乡山洪（另一事件）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.56, lng: 113.89 } },
      'admin',
    );
    const plan = await suggest(tent, 570, other);
    expect(takenFrom(plan.lines)).toEqual({ [N.city]: 570 });
    expect(plan.lines.every((l) => l.needsConsent && !l.reason.includes(REFUSED_BEFORE))).toBe(true);
  });
});
