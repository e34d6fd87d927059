import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { createIncident, ok } from '../support/relief.ts';
import { key, receive, TANGZHUANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { decideRaw } from '../support/authority.ts';

// D25 跨区域调用 (sweep 13b F7): "a per-plan consent given by a dispatcher of the source region". A 卫辉市 dispatcher's
// plan using 新乡县's stock asked 新乡市 for consent: 新乡县's own dispatcher neither saw the request nor could decide it
// (FORBIDDEN), yet the settlement was owed to 新乡县. Consent is asked of the source's own region: its dispatchers decide,
// and those above whose region covers it (the city's); no one else. D24: never the requester.

const t = useTestApp({ resetClock: true, checkLedger: true });

const HUIXIAN = storeId('S-410782-01'); // 辉县市, a third county of 新乡市
const PLAN = `id status lines { quantity needsConsent consent store { id } }`;
let incidentId: string;

const createItem = async (code: string, name: string) =>
  ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name, unit: '件' } },
      'admin',
    ),
  ).createItem.id as string;

const createDispatcher = async (username: string, displayName: string, regionCode: string) =>
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username, displayName, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode } },
      'admin',
    ),
  );

/** A plan of `quantity` of `item` for a 安置点 in 卫辉市, requested by 卫辉's dispatcher. */
const request = async (item: string, quantity: number) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      {
        i: {
          incidentId,
          deadlineHours: 48,
          destinations: [{ name: '汲水镇同意测试安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [{ itemId: item, quantity }] }],
        },
      },
      'wh-d',
    ),
  ).requestDispatch;

interface Consent {
  id: string;
  status: string;
  region: { code: string };
}

/** The plan's consent requests, as `as` lists them (approvals), by region. */
const consentsOf = async (planId: string, as = 'admin', mine?: 'TO_DECIDE'): Promise<Consent[]> => {
  const res = await t.gql(
    `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { id subjectId status region { code } } } } }`,
    { f: { kind: 'CROSS_REGION_USE', ...(mine ? { mine } : {}) } },
    as,
  );
  return ok(res)
    .approvals.edges.map((e: any) => e.node)
    .filter((a: any) => a.subjectId === planId)
    .map(({ id, status, region }: any) => ({ id, status, region }))
    .sort((a: Consent, b: Consent) => a.region.code.localeCompare(b.region.code));
};

beforeAll(async () => {
  await createDispatcher('wh-d', '卫辉市应急管理局调度员', '410781000000');
  await createDispatcher('xxc-d', '新乡县应急管理局调度员', '410721000000');
  await createDispatcher('hx-d', '辉县市应急管理局调度员', '410782000000');
  incidentId = await createIncident(t, { name: '卫辉市内涝（同意测试）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } });
});

describe('D25: consent to use a county’s stock is asked of that county (sweep 13b F7)', () => {
  let item: string;
  beforeAll(async () => {
    item = await createItem('LIV-CNS1', '同意测试物资');
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 30, batchNo: 'CNS-1', unitPrice: '8.00' }]);
  });

  it('新乡县’s own dispatcher sees and decides it; a third county’s neither sees nor may decide it; D24: not the requester', async () => {
    const plan = await request(item, 10);
    expect(plan.lines).toMatchObject([{ quantity: 10, needsConsent: true, consent: 'PENDING', store: { id: XINXIANG_COUNTY } }]);
    const [consent] = await consentsOf(plan.id);
    expect(consent).toMatchObject({ status: 'PENDING', region: { code: '410721000000' } });
    // Who lists it: the county asked, and the city above it; not 辉县市, whose stock it is not.
    expect(await consentsOf(plan.id, 'xxc-d', 'TO_DECIDE')).toEqual([consent]);
    expect(await consentsOf(plan.id, 'director', 'TO_DECIDE')).toEqual([consent]);
    expect(await consentsOf(plan.id, 'hx-d')).toEqual([]);
    // D24: the requester reads what they asked for, but it is not theirs to decide.
    expect(await consentsOf(plan.id, 'wh-d')).toEqual([consent]);
    expect(await consentsOf(plan.id, 'wh-d', 'TO_DECIDE')).toEqual([]);
    expect(errorCode(await decideRaw(t, 'hx-d', consent.id, 'APPROVE'))).toBe('FORBIDDEN');
    expect(errorCode(await decideRaw(t, 'wh-d', consent.id, 'APPROVE'))).toBe('FORBIDDEN');
    expect(ok(await decideRaw(t, 'xxc-d', consent.id, 'APPROVE')).decideApproval).toMatchObject({ status: 'APPROVED', decidedBy: { username: 'xxc-d' } });

    // Consented, approved and executed: the settlement is owed to 新乡县 by 卫辉市, as before.
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    const done = ok(
      await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: plan.id, k: key() }, 'wh-d'),
    ).executeDispatchPlan;
    expect(done.lines).toMatchObject([{ quantity: 10, consent: 'APPROVED' }]);
    const settlements = ok(await t.gql(`query { settlements { owedTo { code } owedBy { code } quantity plan { id } } }`, {}, 'admin')).settlements;
    expect(settlements.filter((s: any) => s.plan?.id === plan.id)).toEqual([
      { owedTo: { code: '410721000000' }, owedBy: { code: '410781000000' }, quantity: 10, plan: { id: plan.id } },
    ]);
  });

  it('the city’s dispatcher, whose region covers the county, may decide it too; a refusal by a third county changes nothing', async () => {
    const plan = await request(item, 5);
    const [consent] = await consentsOf(plan.id);
    expect(errorCode(await decideRaw(t, 'hx-d', consent.id, 'REJECT'))).toBe('FORBIDDEN');
    expect(await consentsOf(plan.id)).toEqual([{ ...consent, status: 'PENDING' }]);
    expect(ok(await decideRaw(t, 'director', consent.id, 'APPROVE')).decideApproval).toMatchObject({ status: 'APPROVED', decidedBy: { username: 'director' } });
  });
});

describe('D25: a township’s stock — asked of the township, decided by the county above it too', () => {
  it('新乡县’s plan using 汲水镇’s store: 卫辉市’s dispatcher, whose county holds the township, decides; 辉县市’s may not', async () => {
    const item = await createItem('LIV-CNS4', '同意测试物资（乡镇）');
    await receive(t, 'admin', TANGZHUANG, [{ itemId: item, quantity: 6, batchNo: 'CNS-4', unitPrice: '8.00' }]);
    const incident = await createIncident(t, { name: '新乡县内涝（同意测试）', type: 'FLOOD', regionCode: '410721', location: { lat: 35.19, lng: 113.8 } });
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
        {
          i: {
            incidentId: incident,
            deadlineHours: 48,
            destinations: [{ name: '翟坡镇同意测试安置点', regionCode: '410721101000', lat: 35.215, lng: 113.82, lines: [{ itemId: item, quantity: 6 }] }],
          },
        },
        'xxc-d',
      ),
    ).requestDispatch;
    expect(plan.lines).toMatchObject([{ quantity: 6, needsConsent: true, store: { id: TANGZHUANG } }]);
    const [consent] = await consentsOf(plan.id);
    expect(consent.region.code).toBe('410781100000');
    expect(await consentsOf(plan.id, 'hx-d')).toEqual([]);
    expect(errorCode(await decideRaw(t, 'hx-d', consent.id, 'APPROVE'))).toBe('FORBIDDEN');
    expect(await consentsOf(plan.id, 'wh-d', 'TO_DECIDE')).toEqual([consent]);
    expect(ok(await decideRaw(t, 'wh-d', consent.id, 'APPROVE')).decideApproval).toMatchObject({ status: 'APPROVED', decidedBy: { username: 'wh-d' } });
  });
});

describe('migration 0034: a pending consent asked of the city is asked of the source’s own region', () => {
  const migration = readFileSync(new URL('../../drizzle/migrations/0034_consent_asked_of_source_region.sql', import.meta.url), 'utf8');
  const regionsOf = async (ids: string[]) =>
    (
      await queryRows<{ id: string; region_code: string }>(
        t.database.db,
        sql`SELECT id::text, region_code FROM approvals WHERE id IN (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )}) ORDER BY region_code, id`,
      )
    ).map((r) => r.region_code);

  it('narrows each pending request to the region holding its lines (their common region when two counties’), leaves decided ones', async () => {
    const item = await createItem('LIV-CNS2', '同意迁移测试物资');
    const countyOnly = await createItem('LIV-CNS3', '同意迁移测试物资（新乡县）');
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 10, batchNo: 'CNS-2A', unitPrice: '8.00' }]);
    await receive(t, 'admin', HUIXIAN, [{ itemId: item, quantity: 10, batchNo: 'CNS-2B', unitPrice: '8.00' }]);
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: countyOnly, quantity: 5, batchNo: 'CNS-3', unitPrice: '8.00' }]);
    // Two counties' stock: one request of each county (they were one request of 新乡市 before).
    const two = await request(item, 20);
    expect(two.lines.map((l: any) => l.needsConsent)).toEqual([true, true]);
    const [county, huixian] = await consentsOf(two.id);
    expect([county.region.code, huixian.region.code]).toEqual(['410721000000', '410782000000']);
    // A third plan's request, decided (in the describe above: approved by 新乡县), and one asked of the city before.
    const one = await request(countyOnly, 1);
    const [single] = await consentsOf(one.id);
    const decided = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id::text FROM approvals WHERE kind = 'CROSS_REGION_USE' AND status = 'APPROVED' AND region_code = '410721000000' LIMIT 1`,
    );
    const asBefore = [single.id, county.id, decided[0].id];
    // As the old code stored them: every request asked of 新乡市; 两县 as one request covering both lines.
    await t.database.db.transaction(async (tx) => {
      await tx.execute(
        sql`UPDATE approvals SET region_code = '410700000000' WHERE id IN (${sql.join(
          asBefore.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
      await tx.execute(
        sql`UPDATE approvals SET payload = (SELECT jsonb_build_object('lineNos', jsonb_agg(line_no ORDER BY line_no)) FROM dispatch_lines WHERE plan_id = ${two.id}::uuid)
             WHERE id = ${county.id}::uuid`,
      );
      await tx.execute(sql`DELETE FROM approvals WHERE id = ${huixian.id}::uuid`);
    });
    expect(await regionsOf(asBefore)).toEqual(['410700000000', '410700000000', '410700000000']);

    for (const statement of migration.split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    // The single-county request is 新乡县's again, decidable by its dispatcher; the two-county one stays with the city
    // (both counties' common region); the decided one keeps the region it was decided in.
    expect(await regionsOf([single.id])).toEqual(['410721000000']);
    expect(await regionsOf([county.id, decided[0].id])).toEqual(['410700000000', '410700000000']);
    expect(await consentsOf(one.id, 'xxc-d', 'TO_DECIDE')).toEqual([{ ...single, region: { code: '410721000000' } }]);
    expect(ok(await decideRaw(t, 'xxc-d', single.id, 'REJECT')).decideApproval).toMatchObject({ status: 'REJECTED', decidedBy: { username: 'xxc-d' } });
  });
});
