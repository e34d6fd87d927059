import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { download } from '../support/paperwork.ts';
import { createIncident, ok } from '../support/relief.ts';
import { JINCHENG, key, receive, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D15, D24, D25 (sweep 19c F5): the jurisdiction a plan is made for — whose own stock it uses freely, whose consent it
// needs, its LOCAL/UPPER tiers, who approves a plan of others' stock only, and who owes a settlement when it uses
// another level's or region's stock — is fixed when the plan is requested. It was read from the requester's region at
// each step: an administrator who moved the requester between request and execution chose who owed — a 新乡市 plan on
// 卫辉's stock, approved and executed by 新乡's dispatcher, opened a settlement owed by 晋城市; a city dispatcher moved to
// 辉县市 made 辉县 owe 新乡市 and 卫辉市 for the city's plan. A requester moved away keeps no authority over the plan
// (FORBIDDEN, as before); the plan stays its jurisdiction's, approved and executed by its dispatchers.

const t = useTestApp({ resetClock: true, checkLedger: true });

const PLAN = `id status lines { quantity tier needsConsent consent jointAgreementId store { id } }`;
const WEIHUI_CODE = '410781000000';
const XINXIANG_CITY = '410700000000';
const XINXIANG_COUNTY_CODE = '410721000000';
const HUIXIAN_CODE = '410782000000';
const JINCHENG_CITY = '140500000000';
const YUNCHENG_CITY = '140800000000';

let incidentId: string;

const createItem = async (code: string, name: string) =>
  ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name, unit: '床' } },
      'admin',
    ),
  ).createItem.id as string;

const createUser = async (username: string, displayName: string, role: 'DISPATCHER' | 'ADMIN', regionCode: string | null) =>
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username, displayName, password: TEST_PASSWORD, role, regionCode } },
      'admin',
    ),
  ).createUser.id as string;

/** The system administrator moves a user to another region (updateUser regionCode), as in the finding. */
const moveUser = async (id: string, regionCode: string) =>
  expect(
    ok(await t.gql(`mutation($id: ID!, $r: String!) { updateUser(id: $id, input: { regionCode: $r }) { region { code } } }`, { id, r: regionCode }, 'admin'))
      .updateUser,
  ).toEqual({ region: { code: regionCode } });

/** requestDispatch of `quantity` of `item` for a new 安置点 in 汲水镇 (卫辉市) of `incident`, as `as`. */
const request = async (as: string, item: string, quantity: number, incident = incidentId) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      {
        i: {
          incidentId: incident,
          deadlineHours: 48,
          destinations: [
            { name: `汲水镇辖区测试安置点${item.slice(0, 4)}`, regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: item, quantity }] },
          ],
        },
      },
      as,
    ),
  ).requestDispatch;

const approveRaw = (planId: string, as: string, emergency = false) =>
  t.gql(`mutation($p: ID!, $e: Boolean) { approveDispatchPlan(planId: $p, emergency: $e) { ${PLAN} } }`, { p: planId, e: emergency }, as);
const executeRaw = (planId: string, as: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, as);

/** The settlements a plan's execution opened: who owes whom how much, largest first. */
const settlementsOf = async (planId: string) =>
  ok(await t.gql(`query { settlements { owedTo { code } owedBy { code } quantity value status planId } }`, {}, 'admin'))
    .settlements.filter((s: any) => s.planId === planId)
    .map((s: any) => ({ owedTo: s.owedTo.code, owedBy: s.owedBy.code, quantity: s.quantity, value: s.value, status: s.status }))
    .sort((a: any, b: any) => b.quantity - a.quantity || a.owedTo.localeCompare(b.owedTo));

/** The store lines of a plan as (store, quantity, tier), in a stable order, for comparing two plans. */
const linesOf = (plan: any) =>
  plan.lines
    .map((l: any) => ({ store: l.store?.id ?? null, quantity: l.quantity, tier: l.tier, needsConsent: l.needsConsent }))
    .sort((a: any, b: any) => String(a.store).localeCompare(String(b.store)));

beforeAll(async () => {
  incidentId = await createIncident(t, { name: '卫辉市内涝（辖区固定测试）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } });
});

describe('D15, D25: the jurisdiction that owes a settlement is the one the plan was requested for (sweep 19c F5)', () => {
  it('D25: a 新乡市 plan on 卫辉’s stock (the city’s own), its requester moved to 晋城 — executed by 新乡’s dispatcher, it opens no settlement owed by 晋城 (nor any)', async () => {
    // The finding's u10.py: a city dispatcher's plan for a 卫辉 incident, 毛毯 ×2 from 卫辉市救灾物资储备库 (LOCAL).
    const item = await createItem('LIV-PJF1', '辖区固定测试毛毯');
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 2, batchNo: 'PJF-1', unitPrice: '118.00' }]);
    const requesterId = await createUser('pjf-city0', '调度员甲（调往晋城）', 'DISPATCHER', XINXIANG_CITY);
    const plan = await request('pjf-city0', item, 2);
    expect(plan).toMatchObject({ status: 'PROPOSED', lines: [{ quantity: 2, tier: 'LOCAL', needsConsent: false, store: { id: WEIHUI } }] });

    await moveUser(requesterId, JINCHENG_CITY);
    // D24: the requester moved away keeps no authority over the plan — neither emergency approval, execution nor cancel.
    expect(errorCode(await approveRaw(plan.id, 'pjf-city0', true))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "调走") { id } }`, { p: plan.id }, 'pjf-city0'))).toBe(
      'FORBIDDEN',
    );
    // The plan stays 新乡’s: 新乡’s dispatcher approves and executes it.
    expect(ok(await approveRaw(plan.id, 'dispatcher')).approveDispatchPlan.status).toBe('APPROVED');
    expect(errorCode(await executeRaw(plan.id, 'pjf-city0'))).toBe('FORBIDDEN');
    const executed = ok(await executeRaw(plan.id, 'dispatcher')).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    // D25: stock of the city's own county, for an incident there, by the city's plan: nothing is owed — by 晋城 least of all.
    expect(await settlementsOf(plan.id)).toEqual([]);
    expect(ok(await t.gql(`query { settlements { planId } }`, {}, 'jincheng')).settlements.filter((s: any) => s.planId === plan.id)).toEqual([]);

    // D14: the printed 调拨令 is 新乡’s bureau’s order, not 晋城’s.
    const printed = (await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher')).text;
    expect(printed).toContain('新乡市应急管理局');
    expect(printed).not.toContain('晋城市应急管理局');
  });

  it('D15, D25: a 新乡市 plan, its requester moved to 辉县市 — 辉县 owes nothing; the settlements are those of the same plan not moved (control)', async () => {
    // Two items stocked alike: one for the plan whose requester is moved, one for a control plan of a city dispatcher
    // who stays. 卫辉库 100 (LOCAL), 新乡市库 200 (UPPER), 新乡县库 50 (a county of the city used outside its own area:
    // owed to 新乡县 by the city, D15) — all that is held, for a demand of 350.
    const stocked = async (code: string) => {
      const item = await createItem(code, `辖区固定测试棉帐篷${code}`);
      await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 100, batchNo: `${code}-W`, unitPrice: '2180.00' }]);
      await receive(t, 'admin', XINXIANG, [{ itemId: item, quantity: 200, batchNo: `${code}-X`, unitPrice: '2180.00' }]);
      await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 50, batchNo: `${code}-C`, unitPrice: '2180.00' }]);
      return item;
    };
    const [movedItem, controlItem] = [await stocked('LIV-PJF2'), await stocked('LIV-PJF3')];
    const movedId = await createUser('pjf-city1', '新乡市应急管理局调度员（调往辉县）', 'DISPATCHER', XINXIANG_CITY);
    await createUser('pjf-city2', '新乡市应急管理局调度员（对照）', 'DISPATCHER', XINXIANG_CITY);
    const moved = await request('pjf-city1', movedItem, 350);
    const control = await request('pjf-city2', controlItem, 350);
    expect(linesOf(moved)).toEqual(linesOf(control));
    // D15: the city's own stock, tiers as seen from the city, whose plan it is; nothing needs consent.
    expect(Object.fromEntries(linesOf(moved).map((l: any) => [l.store, [l.quantity, l.tier, l.needsConsent]]))).toEqual({
      [WEIHUI]: [100, 'LOCAL', false],
      [XINXIANG]: [200, 'UPPER', false],
      [XINXIANG_COUNTY]: [50, 'NEIGHBOUR', false],
    });

    await moveUser(movedId, HUIXIAN_CODE);
    for (const plan of [moved, control]) {
      expect(ok(await approveRaw(plan.id, 'dispatcher')).approveDispatchPlan.status).toBe('APPROVED');
      expect(ok(await executeRaw(plan.id, 'dispatcher')).executeDispatchPlan.status).toBe('EXECUTING');
    }
    // D15: only 新乡县's 50 serve outside their own area: owed by the city, whose plan it is — as for the control plan.
    const expected = [{ owedTo: XINXIANG_COUNTY_CODE, owedBy: XINXIANG_CITY, quantity: 50, value: '109000.00', status: 'OPEN' }];
    expect(await settlementsOf(control.id)).toEqual(expected);
    expect(await settlementsOf(moved.id)).toEqual(expected);
  });

  it('D24, D25: a plan of another county’s stock by consent, its requester moved away — approved by the city for 卫辉, owed by 卫辉', async () => {
    const item = await createItem('LIV-PJF4', '辖区固定测试折叠床');
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 10, batchNo: 'PJF-4', unitPrice: '150.00' }]);
    const requesterId = await createUser('pjf-wh2', '调度员乙（调往晋城）', 'DISPATCHER', WEIHUI_CODE);
    const plan = await request('pjf-wh2', item, 10);
    expect(plan.lines).toMatchObject([{ quantity: 10, needsConsent: true, consent: 'PENDING', store: { id: XINXIANG_COUNTY } }]);
    // D25: the consent is asked of 新乡县, whose stock it is, for 卫辉's plan.
    const consent = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
    await moveUser(requesterId, JINCHENG_CITY);
    expect(ok(await decideRaw(t, 'dispatcher', consent, 'APPROVE')).decideApproval.status).toBe('APPROVED');
    // D24: every line is another's stock — approved by someone whose region covers 卫辉, whose plan it is (not 晋城).
    expect(ok(await approveRaw(plan.id, 'director')).approveDispatchPlan.status).toBe('APPROVED');
    expect(ok(await executeRaw(plan.id, 'dispatcher')).executeDispatchPlan.status).toBe('EXECUTING');
    expect(await settlementsOf(plan.id)).toEqual([{ owedTo: XINXIANG_COUNTY_CODE, owedBy: WEIHUI_CODE, quantity: 10, value: '1500.00', status: 'OPEN' }]);
    // D14: 卫辉's order, as printed (a county's plan is its own bureau's).
    const printed = (await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher')).text;
    expect(printed).toContain('卫辉市应急管理局');
    expect(printed).not.toContain('晋城市应急管理局');
  });

  it('D25: a city’s 联储 line, its requester moved to 运城 — decided again for 新乡市 at approval and execution, owed by 新乡市 to 晋城', async () => {
    const item = await createItem('LIV-PJF5', '辖区固定测试联储物资');
    await receive(t, 'admin', JINCHENG, [{ itemId: item, quantity: 30, batchNo: 'PJF-5', unitPrice: '10.00' }]);
    const joint = ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: item, maxQuantity: 100 }] } },
        'admin',
      ),
    ).createJointReserveAgreement.id as string;
    const requesterId = await createUser('pjf-city3', '新乡市应急管理局调度员（调往运城）', 'DISPATCHER', XINXIANG_CITY);
    const plan = await request('pjf-city3', item, 30);
    expect(plan.lines).toMatchObject([{ quantity: 30, needsConsent: false, jointAgreementId: joint, store: { id: JINCHENG } }]);
    await moveUser(requesterId, YUNCHENG_CITY);
    // 运城 is no partner of the agreement: decided for 运城, the line would need 晋城's consent. It is 新乡's plan.
    expect(ok(await approveRaw(plan.id, 'dispatcher')).approveDispatchPlan.status).toBe('APPROVED');
    expect(ok(await executeRaw(plan.id, 'dispatcher')).executeDispatchPlan.status).toBe('EXECUTING');
    expect(await settlementsOf(plan.id)).toEqual([{ owedTo: JINCHENG_CITY, owedBy: XINXIANG_CITY, quantity: 30, value: '300.00', status: 'OPEN' }]);
  });
});

describe('migration 0044: plans requested before keep the jurisdiction they were requested for (D15, D25)', () => {
  const migration = () => readFileSync(new URL('../../drizzle/migrations/0044_plan_jurisdiction.sql', import.meta.url), 'utf8');
  const jurisdictionsOf = async (ids: string[]) =>
    Object.fromEntries(
      (
        await queryRows<{ id: string; jurisdiction_code: string }>(
          t.database.db,
          sql`SELECT id::text, jurisdiction_code FROM dispatch_plans WHERE id IN (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
        )
      ).map((r) => [r.id, r.jurisdiction_code]),
    );

  it('takes the requester’s region from the audit row of the request; without one, the requester’s region now; a system-wide administrator’s, the incident’s city', async () => {
    const item = await createItem('LIV-PJF6', '辖区迁移测试物资');
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 20, batchNo: 'PJF-6', unitPrice: '8.00' }]);
    const audited = await createUser('pjf-mig1', '卫辉市调度员（迁移测试，有审计）', 'DISPATCHER', WEIHUI_CODE);
    const unaudited = await createUser('pjf-mig2', '卫辉市调度员（迁移测试，无审计）', 'DISPATCHER', WEIHUI_CODE);
    const admin = await createUser('pjf-mig3', '系统管理员（迁移测试）', 'ADMIN', null);
    const byAudited = await request('pjf-mig1', item, 1);
    const byUnaudited = await request('pjf-mig2', item, 1);
    const byAdmin = await request('pjf-mig3', item, 1);
    const byCity = await request('dispatcher', item, 1);
    const ids = [byAudited.id, byUnaudited.id, byAdmin.id, byCity.id];
    const before = await jurisdictionsOf(ids);
    expect(before).toEqual({ [byAudited.id]: WEIHUI_CODE, [byUnaudited.id]: WEIHUI_CODE, [byAdmin.id]: XINXIANG_CITY, [byCity.id]: XINXIANG_CITY });

    // Every requester moved since; the second plan's request left no audit row to go by (its time before any of its
    // requester's requestDispatch rows).
    await moveUser(audited, JINCHENG_CITY);
    await moveUser(unaudited, HUIXIAN_CODE);
    // The administrator, system-wide when requesting, since scoped to 晋城: the request was not 晋城's.
    await moveUser(admin, JINCHENG_CITY);
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE dispatch_plans SET requested_at = requested_at - interval '1 second' WHERE id = ${byUnaudited.id}::uuid`);
      // As before this migration: no column.
      await tx.execute(sql`ALTER TABLE dispatch_plans DROP COLUMN jurisdiction_code`);
    });
    for (const statement of migration().split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    expect(await jurisdictionsOf(ids)).toEqual({
      [byAudited.id]: WEIHUI_CODE, // as requested: the audit row's region, not 晋城
      [byUnaudited.id]: HUIXIAN_CODE, // no audit row: the requester's region now
      [byAdmin.id]: XINXIANG_CITY, // requested system-wide (the audit row: no region): the incident's city, not 晋城
      [byCity.id]: XINXIANG_CITY, // a requester who stayed: as requested
    });
    const [column] = await queryRows<{ is_nullable: string }>(
      t.database.db,
      sql`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'dispatch_plans' AND column_name = 'jurisdiction_code'`,
    );
    expect(column.is_nullable).toBe('NO');
    // The plan kept as 卫辉's is 卫辉's still: approved and executed, it owes nothing (its stock is 卫辉's).
    ok(await approveRaw(byAudited.id, 'dispatcher'));
    ok(await executeRaw(byAudited.id, 'dispatcher'));
    expect(await settlementsOf(byAudited.id)).toEqual([]);
  });
});
