import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';

// House style 5 (no N+1), D3, D25, D30: OutstandingRecoveryLine.recoveryStores — the stores a recovery count may name
// for a line's good stock — read each line's facts (its batch and owner, the settled debts of D25) and its candidate
// stores line by line: about five statements per line awaiting recovery, 200 for an incident with 40 such lines. Now
// the lines of one read are answered together — their facts and candidate stores in a constant number of statements,
// the rule (takesRecovery) applied to each line in memory — and each line's answer is what it was. Likewise a recovery
// counting losses read each batch's settled debts (recoveryLossDeciders) batch by batch, two or three statements each.

const t = useTestApp({ checkLedger: true });
const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: always recovered (D12); held only where this file puts it
const POINT = { regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

const READ = (recoveryStores: boolean) =>
  `query($i: ID!) { outstandingRecovery(incidentId: $i) { batch { id } shippedFrom { id } ${recoveryStores ? 'recoveryStores { id }' : ''} } }`;

/** The statements one read sends (logged in and warmed up first), with its lines. */
async function statements(incidentId: string, recoveryStores: boolean, as = 'dispatcher') {
  ok(await t.gql(READ(recoveryStores), { i: incidentId }, as));
  t.database.stats.statements = 0;
  const lines = ok(await t.gql(READ(recoveryStores), { i: incidentId }, as)).outstandingRecovery as any[];
  return { n: t.database.stats.statements, lines };
}

const organizationId = async (name: string) =>
  (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE name = ${name}`))[0].id;

/**
 * An incident whose 安置点 received `n` command tents from 卫辉市救灾物资储备库, one batch each (so n lines awaiting
 * recovery): every third batch owned by 新乡市人民政府 (D3: owner ≠ holder), the rest by 卫辉市's government.
 */
async function incidentWithLines(n: number, tag: string): Promise<{ incidentId: string; cityOwned: Set<string>; plan: any }> {
  const city = await organizationId('新乡市人民政府');
  const received = await receive(
    t,
    'admin',
    WEIHUI,
    Array.from({ length: n }, (_, i) => ({
      itemId: COMMAND_TENT,
      quantity: 1,
      batchNo: `RSS-${tag}-${String(i).padStart(2, '0')}`,
      expiryDate: `2034-01-${String(i + 1).padStart(2, '0')}`,
      unitPrice: '1000.00',
      ...(i % 3 === 0 ? { ownerOrgId: city } : {}),
    })),
  );
  const cityOwned = new Set<string>(received.lines.filter((_: any, i: number) => i % 3 === 0).map((l: any) => l.batch.id));
  const incidentId = await createIncident(t, { name: `卫辉市洪涝（回收去向语句数 ${tag}）`, affectedPopulation: 500 });
  const plan = await executedPlan(t, incidentId, [{ name: `回收去向语句数测试安置点 ${tag}`, ...POINT, lines: [{ itemId: COMMAND_TENT, quantity: n }] }]);
  expect(plan.lines).toHaveLength(n);
  await receiveAll(t, plan);
  return { incidentId, cityOwned, plan };
}

describe('House style 5, D30: recoveryStores of every line awaiting recovery costs the same statements for 3 lines as for 15', () => {
  let small: Awaited<ReturnType<typeof incidentWithLines>>;
  let large: Awaited<ReturnType<typeof incidentWithLines>>;

  beforeAll(async () => {
    // 新乡市人民政府 is registered on its first receipt (a quilt, which D12 never recovers).
    await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 1, batchNo: 'RSS-XX-MB', expiryDate: '2031-01-01' }]);
    small = await incidentWithLines(3, 'S');
    large = await incidentWithLines(15, 'L');
  });

  it('D3, D30: each line lists the store it came from first, and 新乡市’s store only for the city’s batches (the rule per line, read together)', async () => {
    const { lines } = await statements(large.incidentId, true);
    expect(lines).toHaveLength(15);
    const listed = (city: boolean) => lines.filter((l) => large.cityOwned.has(l.batch.id) === city).map((l) => l.recoveryStores.map((s: any) => s.id));
    for (const ids of [...listed(true), ...listed(false)]) {
      expect(ids[0]).toBe(WEIHUI);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(lines.every((l) => l.shippedFrom?.id === WEIHUI)).toBe(true);
    // The same facts, the same answer: every city-owned line lists what the first does, and so does every county-owned one.
    const [city, county] = [listed(true), listed(false)];
    expect(city).toHaveLength(5);
    for (const ids of city) expect(ids).toEqual(city[0]);
    for (const ids of county) expect(ids).toEqual(county[0]);
    expect(city[0]).toContain(XINXIANG);
    expect(county[0]).not.toContain(XINXIANG);
    // Nor do the city's goods go to 卫辉市's other reserve stores: only to the store of origin and the owner's region's.
    for (const id of county[0].slice(1)) expect(city[0]).not.toContain(id);
  });

  it('house style 5: 3 lines and 15 lines → the same statements, at most 5 more than the read without recoveryStores', async () => {
    const withoutSmall = await statements(small.incidentId, false);
    const withoutLarge = await statements(large.incidentId, false);
    const withSmall = await statements(small.incidentId, true);
    const withLarge = await statements(large.incidentId, true);
    expect(withSmall.lines).toHaveLength(3);
    expect(withLarge.lines).toHaveLength(15);
    expect(withoutLarge.n).toBe(withoutSmall.n);
    // The lines' batches and owners, their plan lines and call-off lines, the settlements of those, the candidate stores.
    expect(withLarge.n).toBe(withSmall.n);
    expect(withLarge.n - withoutLarge.n).toBeLessThanOrEqual(5);
  });

  it('D30: an auditor posts nowhere — no store listed, and no statement spent on it', async () => {
    const without = await statements(large.incidentId, false, 'auditor');
    const withStores = await statements(large.incidentId, true, 'auditor');
    expect(withStores.lines.every((l: any) => l.recoveryStores.length === 0)).toBe(true);
    expect(withStores.n).toBe(without.n);
  });

  // Last: the count below accounts for every line (damaged, awaiting approval), so nothing awaits recovery after it.
  it('D3, D24, D27, house style 5: a recovery counting every line damaged costs the same statements for 3 batches as for 15, each side deciding its own', async () => {
    const recoverDamaged = async (x: typeof small) => {
      const point = x.plan.lines[0].destination.store.id;
      const lines = x.plan.lines.map((l: any) => ({ batchId: l.batch.id, storeId: point, damaged: 1 }));
      await t.token('dispatcher');
      t.database.stats.statements = 0;
      ok(
        await t.gql(
          `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
          { i: { planId: x.plan.id, idempotencyKey: key(), lines } },
          'dispatcher',
        ),
      );
      const n = t.database.stats.statements;
      // recoveryLossDeciders (sweep 20c F9): one scrap per deciding side — 卫辉市's goods on 卫辉市's approval (the store
      // they came from), the city's (the plan's jurisdiction) on the 安置点's own.
      const scraps = await queryRows<{ region: string; store: string | null; batches: number }>(
        t.database.db,
        sql`SELECT a.region_code AS region, a.store_id::text AS store, count(*)::int AS batches
              FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN approvals a ON a.subject_id = d.id
             WHERE d.store_id = ${point}::uuid AND d.type = 'SCRAP' GROUP BY a.region_code, a.store_id ORDER BY a.region_code`,
      );
      return { n, scraps, point };
    };
    const three = await recoverDamaged(small);
    const fifteen = await recoverDamaged(large);
    const sides = (x: typeof three, county: number, city: number) => [
      { region: '410781000000', store: WEIHUI, batches: county },
      { region: POINT.regionCode, store: x.point, batches: city },
    ];
    expect(three.scraps).toEqual(sides(three, 2, 1));
    expect(fifteen.scraps).toEqual(sides(fifteen, 10, 5));
    expect(fifteen.n).toBe(three.n);
  });
});
