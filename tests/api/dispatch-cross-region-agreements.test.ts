import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { key, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D25 跨区域调用 for agreement and capacity reserves (D6, D17): a reserve is the region's whose agreement it is. Another
// jurisdiction's is used as its store stock is — under a 联储 agreement covering it, else only with that region's
// consent (CROSS_REGION_USE); each use leaves a settlement owed. A refused line is not planned: the plan shows it
// missing and leaves it out of its totals. The dispatcher sees whose reserve the plan uses (company, region), no prices.

const t = useTestApp({ resetClock: true, checkLedger: true });

const BOAT = itemId('FLD-012'); // 冲锋舟: 运城's agreement, no 联储 with 新乡
const BED = itemId('LIV-010'); // 折叠床: 晋城's agreement, under the 新乡–晋城 联储 agreement
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋: 运城's agreement, consent refused
const TENT = itemId('LIV-001'); // 棉帐篷: 卫辉 store stock and 运城 store stock, consent refused
const YUNCHENG_STORE = storeId('S-140800-01'); // 运城市救灾物资储备库

const PLAN = `id status totalQuantity maxEtaHours meetsDeadline
  lines { tier quantity etaHours needsConsent consent jointAgreementId store { id } transfer { id } source { kind name region { code } } }
  shortages { item { id } requested planned missing }
  callOffs { id status quantity item { id } company { name } region { code } }`;

let incidentId: string;

const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const planById = async (planId: string, fields = PLAN) =>
  ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${fields} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const settlementsOf = async (planId: string) =>
  ok(
    await t.gql(`query { settlements { owedTo { code } owedBy { code } item { id } quantity value status plan { id } } }`, {}, 'dispatcher'),
  ).settlements.filter((s: any) => s.plan?.id === planId);
/** The settlement a plan's use of another region's reserve leaves: OPEN, owed by 新乡市 (the dispatcher's region). */
const owedByXinxiang = (planId: string, use: { owedTo: string; item: string; quantity: number; value: string }) => ({
  owedTo: { code: use.owedTo },
  owedBy: { code: '410700000000' },
  item: { id: use.item },
  quantity: use.quantity,
  value: use.value,
  status: 'OPEN',
  plan: { id: planId },
});

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市“7·20”洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
});

describe("another jurisdiction's agreement reserve (D25, D17)", () => {
  it("D25: 运城's agreement reserve (no 联储 with 新乡) needs 运城's consent; execution waits for it; the call-off leaves a settlement owed to 运城", async () => {
    const agreementId = await createAgreement(t, {
      companyName: '运城市黄河船舶有限公司',
      regionCode: '140800',
      lines: [{ itemId: BOAT, quantity: 10, responseHours: 3, unitPrice: '50000.00' }],
    });
    const plan = await requestPlan(t, incidentId, BOAT, 12, PLAN);
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]).toMatchObject({
      tier: 'AGREEMENT',
      quantity: 10,
      needsConsent: true,
      consent: 'PENDING',
      jointAgreementId: null,
      source: { kind: 'AGREEMENT', name: '运城市黄河船舶有限公司', region: { code: '140800000000' } },
    });
    expect(plan.shortages).toEqual([{ item: { id: BOAT }, requested: 12, planned: 10, missing: 2 }]);
    const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');

    ok(await approve(plan.id));
    const early = await execute(plan.id);
    expect(errorCode(early)).toBe('INVALID_STATE');
    expect((await planById(plan.id)).callOffs).toEqual([]);

    // The consent is 运城's to give: not the 新乡 dispatchers' (the requester, and another who does not see it).
    expect(errorCode(await decideRaw(t, 'dispatcher', consentId, 'APPROVE'))).toBe('FORBIDDEN');
    expect(errorCode(await decideRaw(t, 'director', consentId, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'admin', consentId, 'APPROVE'));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    expect(executed.callOffs).toEqual([
      {
        id: expect.any(String),
        status: 'ISSUED',
        quantity: 10,
        item: { id: BOAT },
        company: { name: '运城市黄河船舶有限公司' },
        region: { code: '140800000000' },
      },
    ]);
    expect(await settlementsOf(plan.id)).toEqual([owedByXinxiang(plan.id, { owedTo: '140800000000', item: BOAT, quantity: 10, value: '500000.00' })]);
    // D20: the agreement itself (prices, quantities, fee) stays 运城's: FORBIDDEN through the plan, both ways.
    for (const fields of ['callOffs { agreement { id } }', 'lines { source { agreement { lines { unitPrice } } } }']) {
      expect(errorCode(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${fields} } }`, { p: plan.id }, 'dispatcher'))).toBe('FORBIDDEN');
    }
    expect(ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { callOffs { agreement { id } } } }`, { p: plan.id }, 'admin')).dispatchPlan).toEqual({
      callOffs: [{ agreement: { id: agreementId } }],
    });
  });

  it('D25, D20: 晋城’s agreement reserve under the 新乡–晋城 联储 agreement needs no consent up to its maximum, and leaves a settlement owed to 晋城', async () => {
    const joint = ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: BED, maxQuantity: 30 }] } },
        'admin',
      ),
    ).createJointReserveAgreement.id;
    await createAgreement(t, {
      companyName: '晋城市太行家具有限公司',
      regionCode: '140500',
      lines: [{ itemId: BED, quantity: 50, responseHours: 4, unitPrice: '300.00' }],
    });

    const plan = await requestPlan(t, incidentId, BED, 20, PLAN);
    expect(plan.lines).toEqual([
      expect.objectContaining({
        tier: 'AGREEMENT',
        quantity: 20,
        needsConsent: false,
        consent: null,
        jointAgreementId: joint,
        source: expect.objectContaining({ region: { code: '140500000000' } }),
      }),
    ]);
    ok(await approve(plan.id));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.callOffs).toMatchObject([
      { status: 'ISSUED', quantity: 20, company: { name: '晋城市太行家具有限公司' }, region: { code: '140500000000' } },
    ]);
    expect(await settlementsOf(plan.id)).toEqual([owedByXinxiang(plan.id, { owedTo: '140500000000', item: BED, quantity: 20, value: '6000.00' })]);

    // The agreement's maximum counts what was used: 20 more would pass 30 — the 10 it still covers are planned under
    // it, the 10 beyond need 晋城's consent (sweeps 15a F12, 15b F6: split, not the whole line).
    const beyond = await requestPlan(t, incidentId, BED, 20, PLAN);
    expect(beyond.lines).toEqual([
      expect.objectContaining({ tier: 'AGREEMENT', quantity: 10, needsConsent: false, consent: null, jointAgreementId: joint }),
      expect.objectContaining({ tier: 'AGREEMENT', quantity: 10, needsConsent: true, consent: 'PENDING', jointAgreementId: null }),
    ]);
  });
});

describe('a refused consent (D25): the refused lines are not planned', () => {
  it('D25: 运城 refuses its agreement reserve — no call-off, no settlement; the plan shows it missing and leaves it out of its totals', async () => {
    await createAgreement(t, {
      companyName: '运城市河东被服有限公司',
      regionCode: '140800',
      lines: [{ itemId: SLEEPING_BAG, quantity: 30, responseHours: 6, unitPrice: '100.00' }],
    });
    const plan = await requestPlan(t, incidentId, SLEEPING_BAG, 30, PLAN);
    expect(plan.lines).toMatchObject([{ tier: 'AGREEMENT', quantity: 30, needsConsent: true, consent: 'PENDING' }]);
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE'), 'REJECT'));
    const refused = await planById(plan.id);
    expect(refused.lines).toMatchObject([{ quantity: 30, consent: 'REJECTED' }]);
    // Nothing of the refused line comes, before execution too (sweep 8b F2: it showed true for both until then).
    const flags = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { lines { arrivesInFull meetsBasicNeedsTarget } } }`, { p: plan.id }, 'dispatcher'))
      .dispatchPlan.lines;
    expect(flags).toEqual([{ arrivesInFull: false, meetsBasicNeedsTarget: false }]);
    expect(refused).toMatchObject({ totalQuantity: 0, maxEtaHours: 0, meetsDeadline: false });
    expect(refused.shortages).toEqual([{ item: { id: SLEEPING_BAG }, requested: 30, planned: 0, missing: 30 }]);
    // D14: with nothing left to ship the plan is not approved (nor executed as if it shipped): it is cancelled.
    expect(errorCode(await approve(plan.id))).toBe('INVALID_STATE');
    expect(errorCode(await execute(plan.id))).toBe('INVALID_STATE');
    expect((await planById(plan.id)).callOffs).toEqual([]);
    expect(await settlementsOf(plan.id)).toEqual([]);
  });

  it("D25: 运城 refuses its store stock — only 卫辉's ships; shortages show requested, planned and missing; totals and the latest ETA exclude the refused line", async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TENT, quantity: 60, batchNo: 'CRA-MZP-WH', expiryDate: '2032-01-01', unitPrice: '2000.00' }]);
    await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: TENT, quantity: 110, batchNo: 'CRA-MZP-YC', expiryDate: '2032-01-01', unitPrice: '2000.00' }]);
    const plan = await requestPlan(t, incidentId, TENT, 170, PLAN);
    const local = plan.lines.find((l: any) => l.store.id === WEIHUI);
    const refused = plan.lines.find((l: any) => l.store.id === YUNCHENG_STORE);
    expect(local).toMatchObject({ quantity: 60, needsConsent: false });
    expect(refused).toMatchObject({ quantity: 110, needsConsent: true, consent: 'PENDING' });
    expect(refused.etaHours).toBeGreaterThan(local.etaHours);
    expect(plan).toMatchObject({ totalQuantity: 170, maxEtaHours: refused.etaHours, shortages: [] });

    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE'), 'REJECT'));
    const expected = {
      totalQuantity: 60,
      maxEtaHours: local.etaHours,
      shortages: [{ item: { id: TENT }, requested: 170, planned: 60, missing: 110 }],
    };
    expect(await planById(plan.id)).toMatchObject(expected); // already before approval
    ok(await approve(plan.id));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed).toMatchObject(expected);
    expect(executed.lines.find((l: any) => l.store.id === YUNCHENG_STORE)).toMatchObject({ consent: 'REJECTED', transfer: null });
    expect(executed.lines.find((l: any) => l.store.id === WEIHUI).transfer).not.toBeNull();
    expect((await stockAt(t, YUNCHENG_STORE, TENT))[0]).toMatchObject({ onHand: 110, reserved: 0 });
    const balance = ok(
      await t.gql(`query($id: ID!) { incident(id: $id) { balance { item { id } requested planned shipped } } }`, { id: incidentId }, 'dispatcher'),
    );
    expect(balance.incident.balance.find((b: any) => b.item.id === TENT)).toMatchObject({ requested: 170, planned: 60, shipped: 60 });
  });

  it('D25 (sweep 20a F7; was 17b F12): consent is per plan — a later plan of the incident asks the refusing jurisdiction again, after the region’s own sources, saying it refused before; another incident asks as ever', async () => {
    const suggest = async (incident: string, quantity: number) =>
      ok(
        await t.gql(
          `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { quantity needsConsent reason store { id } source { kind name } } shortages { missing } } }`,
          {
            i: {
              incidentId: incident,
              deadlineHours: 48,
              destinations: [{ name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: TENT, quantity }] }],
            },
          },
          'dispatcher',
        ),
      ).suggestDispatchPlan;
    const REFUSED_BEFORE = '该辖区曾在本事件中拒绝调用此物资，本方案再次征求同意';
    // 运城 refused its 棉帐篷 to an earlier plan of this incident (the test above): a new plan asks again (sweep 20a F7:
    // the refusal answered that plan; 17b F12 hid the 110 for the rest of the incident, a bare shortage).
    const asked = await suggest(incidentId, 110);
    expect(asked.lines).toEqual([expect.objectContaining({ quantity: 110, needsConsent: true, store: { id: YUNCHENG_STORE } })]);
    expect(asked.lines[0].reason).toContain(REFUSED_BEFORE);
    expect(asked.shortages).toEqual([]);
    // A source of 新乡's own comes first (17b F12: the region's own before what needs consent); 运城 is asked for the rest.
    await createAgreement(t, {
      companyName: '卫辉市帐篷厂（拒绝后）',
      regionCode: '410781',
      lines: [{ itemId: TENT, quantity: 40, responseHours: 6, unitPrice: '1900.00' }],
    });
    const again = await suggest(incidentId, 110);
    expect(again.lines).toEqual([
      expect.objectContaining({ quantity: 40, needsConsent: false, store: null, source: { kind: 'AGREEMENT', name: '卫辉市帐篷厂（拒绝后）' } }),
      expect.objectContaining({ quantity: 70, needsConsent: true, store: { id: YUNCHENG_STORE } }),
    ]);
    expect(again.lines[0].reason).not.toContain(REFUSED_BEFORE);
    expect(again.lines[1].reason).toContain(REFUSED_BEFORE);
    expect(again.shortages).toEqual([]);
    // Another incident's plan asks 运城 without the words — and a request closed because its plan was cancelled was
    // withdrawn, not refused: nor does it bring them.
    const other = await createIncident(
      t,
      { name: '卫辉市山洪（另一事件）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
      'admin',
    );
    const withdrawn = await requestPlan(t, other, TENT, 110, PLAN);
    expect(withdrawn.lines).toContainEqual(expect.objectContaining({ needsConsent: true, consent: 'PENDING', store: { id: YUNCHENG_STORE } }));
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求变更") { id } }`, { p: withdrawn.id }, 'dispatcher'));
    const elsewhere = await suggest(other, 110);
    expect(elsewhere.lines).toEqual([
      expect.objectContaining({ quantity: 40, needsConsent: false }),
      expect.objectContaining({ quantity: 70, needsConsent: true, store: { id: YUNCHENG_STORE } }),
    ]);
    expect(elsewhere.lines[1].reason).not.toContain(REFUSED_BEFORE);
  });
});

describe('migration 0038: requests closed with their plan before it are marked withdrawn, refusals are not', () => {
  it('D25: a cancelled plan’s consent request (stored without the mark) is withdrawn after 0038; a refusal stays a refusal', async () => {
    const migration = readFileSync(new URL('../../drizzle/migrations/0038_withdrawn_consents.sql', import.meta.url), 'utf8');
    const incident = await createIncident(
      t,
      { name: '卫辉市内涝（迁移0038）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
      'admin',
    );
    const cancelled = await requestPlan(t, incident, TENT, 100, PLAN); // 40 of 卫辉's agreement, 60 asked of 运城
    const withdrawnId = await pendingApprovalOf(t, cancelled.id, 'CROSS_REGION_USE');
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求变更") { id } }`, { p: cancelled.id }, 'dispatcher'));
    const refused = await requestPlan(t, incident, TENT, 100, PLAN);
    const refusedId = await pendingApprovalOf(t, refused.id, 'CROSS_REGION_USE');
    ok(await decideRaw(t, 'admin', refusedId, 'REJECT', { reason: '本区自用' }));
    const marks = async () =>
      queryRows<{ id: string; withdrawn: string | null }>(
        t.database.db,
        sql`SELECT id::text, payload->>'withdrawn' AS withdrawn FROM approvals WHERE id IN (${withdrawnId}::uuid, ${refusedId}::uuid) ORDER BY id`,
      );
    const expected = [
      { id: withdrawnId, withdrawn: 'true' },
      { id: refusedId, withdrawn: null },
    ].sort((a, b) => a.id.localeCompare(b.id));
    expect(await marks()).toEqual(expected);
    // As code before 0038 stored them: no mark.
    await t.database.db.execute(sql`UPDATE approvals SET payload = payload - 'withdrawn' WHERE id = ${withdrawnId}::uuid`);
    for (const statement of migration.split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    expect(await marks()).toEqual(expected);
  });
});
