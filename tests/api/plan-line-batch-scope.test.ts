import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';
import { download } from '../support/paperwork.ts';

// Finding H2 (findings-sweep.md), D20: a dispatcher sees another jurisdiction's stock as quantity per store and item —
// no prices, batches or documents. A plan line from a store outside the reader's scope has `batch` null, and so its
// `batchNo` (the same decision: the policy's readableOrNull), on every path to the plan (suggestDispatchPlan,
// requestDispatch, dispatchPlan, incident.plans); the printed 调拨令 leaves its batch, unit price and amount out, and
// its total counts only what the reader may see, so the hidden amounts cannot be had by subtraction. The same holds for
// another region's agreement reserve (its price is the agreement's, which the reader may not read). An administrator
// without a region sees everything.

const t = useTestApp();

const SUMMER_QUILT = itemId('LIV-008'); // 夏凉被: no stock anywhere in the demo data; only 运城's agreement below holds it
const YC_AGREEMENT_PRICE = '87.65';
const TANGZHUANG_POINT = { name: '唐庄镇安置点', regionCode: '410781105000', lat: 35.45, lng: 113.97 };
/** 6000 棉帐篷 (more than 新乡 and 晋城 hold: 运城 and farther stores are drawn on too) and 10 夏凉被 from 运城's agreement. */
const REQUEST = (incidentId: string) => ({
  incidentId,
  destinations: [
    {
      ...TANGZHUANG_POINT,
      lines: [
        { itemId: COTTON_TENT, quantity: 6000 },
        { itemId: SUMMER_QUILT, quantity: 10 },
      ],
    },
  ],
});
const LINE_FIELDS = `lines { store { id name region { code } } source { kind name region { code } } batchNo batch { batchNo unitPrice } quantity }`;
/** As the administrator reads them: with the agreement (and its prices) of an agreement or capacity line. */
const ADMIN_LINE_FIELDS = `lines { item { id } store { id name region { code } } source { kind name region { code } agreement { lines { item { id } unitPrice } } }
  batchNo batch { batchNo unitPrice } quantity }`;

type Line = {
  store: { id: string; name: string; region: { code: string } } | null;
  source: { kind: string; name: string; region: { code: string } };
  batchNo: string | null;
  batch: { batchNo: string; unitPrice: string } | null;
  quantity: number;
};
type AdminLine = Line & {
  item: { id: string };
  source: { agreement: { lines: { item: { id: string }; unitPrice: string | null }[] } | null };
};

/** The unit price the 调拨令 prints for a line: its batch's, or its agreement's for the item (none agreed: 0.00). */
const priceOf = (l: AdminLine) => l.batch?.unitPrice ?? l.source.agreement?.lines.find((a) => a.item.id === l.item.id)?.unitPrice ?? '0.00';

/** 新乡市 (410700) is the demo dispatcher's region. */
const inScope = (code: string) => code.startsWith('4107');
const storeLines = (lines: Line[]) => lines.filter((l) => l.store !== null);

/** D20: out of scope, batchNo is null like batch; in scope, batchNo is the batch's number. */
function expectScopedBatchNumbers(lines: Line[]) {
  const outside = storeLines(lines).filter((l) => !inScope(l.store!.region.code));
  const inside = storeLines(lines).filter((l) => inScope(l.store!.region.code));
  expect(outside.map((l) => l.store!.name)).toEqual(expect.arrayContaining(['晋城市救灾物资储备库', '运城市救灾物资储备库']));
  expect(inside.length).toBeGreaterThan(0);
  for (const l of outside) expect([l.store!.name, l.batchNo, l.batch]).toEqual([l.store!.name, null, null]);
  for (const l of inside) {
    expect(l.batchNo, l.store!.name).toEqual(expect.any(String));
    expect(l.batch?.batchNo).toBe(l.batchNo);
  }
}

/** The text of each table row's cells (as paperwork-print.test.ts reads the server's HTML back). */
function tableRows(html: string, part: 'tbody' | 'tfoot'): string[][] {
  const body = new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
}

const fen = (money: string) => {
  const [yuan, cents = '0'] = money.split('.');
  return BigInt(yuan) * 100n + BigInt(cents.padEnd(2, '0'));
};
const yuan = (f: bigint) => `${f / 100n}.${String(f % 100n).padStart(2, '0')}`;

describe('H2 (D20): the batch, price and amount of another jurisdiction’s plan line', () => {
  let incidentId: string;
  let planId: string;
  /** The persisted plan's lines as the unscoped administrator sees them: every batch and price. */
  let adminLines: AdminLine[];

  beforeAll(async () => {
    // The demo stock (晋城's JC-MZP-2110, 运城's YC-MZP-2108 …) and reserves (the 新乡–晋城 联储 agreement).
    await seedDemoStock(t.database.db, t.clock);
    await seedDemoReserves(t.database.db, t.clock);
    incidentId = await createIncident(t, { name: '卫辉市“7·20”洪涝灾害', affectedPopulation: 20000 });
    ok(
      await t.gql(
        `mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`,
        {
          i: {
            mode: 'AGREEMENT',
            companyName: '运城市河东被服有限公司',
            regionCode: '140800', // 运城: no 联储 with 新乡
            validFrom: '2026-01-01',
            validTo: '2027-12-31',
            lines: [{ itemId: SUMMER_QUILT, quantity: 10, responseHours: 6, unitPrice: YC_AGREEMENT_PRICE }],
          },
        },
        'admin',
      ),
    );
  });

  it('D20: suggestDispatchPlan as 新乡’s dispatcher — batchNo null for 晋城’s and 运城’s store lines, as batch is; present for 新乡’s own', async () => {
    const res = await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${LINE_FIELDS} } }`, { i: REQUEST(incidentId) }, 'dispatcher');
    expect(res.errors).toBeUndefined(); // hidden, not refused: no FORBIDDEN in a plan the dispatcher may see
    expectScopedBatchNumbers(res.data.suggestDispatchPlan.lines);
  });

  it('D20: requestDispatch, dispatchPlan(id) and incident.plans show the persisted plan’s lines the same way', async () => {
    const requested = ok(
      await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id status ${LINE_FIELDS} } }`, { i: REQUEST(incidentId) }, 'dispatcher'),
    ).requestDispatch;
    expect(requested.status).toBe('PROPOSED');
    planId = requested.id;
    expectScopedBatchNumbers(requested.lines);
    const byId = ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { ${LINE_FIELDS} } }`, { id: planId }, 'dispatcher')).dispatchPlan;
    expectScopedBatchNumbers(byId.lines);
    const plans = ok(await t.gql(`query($id: ID!) { incident(id: $id) { plans { id ${LINE_FIELDS} } } }`, { id: incidentId }, 'dispatcher')).incident.plans;
    expectScopedBatchNumbers(plans.find((p: { id: string }) => p.id === planId).lines);

    // The administrator without a region sees every line's batch and its number.
    adminLines = ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { ${ADMIN_LINE_FIELDS} } }`, { id: planId }, 'admin')).dispatchPlan.lines;
    expect(adminLines).toHaveLength(requested.lines.length);
    for (const l of storeLines(adminLines)) {
      expect(l.batchNo).toEqual(expect.any(String));
      expect(l.batch?.batchNo).toBe(l.batchNo);
    }
    expect(storeLines(adminLines).map((l) => l.batchNo)).toEqual(expect.arrayContaining(['JC-MZP-2110', 'YC-MZP-2108']));
    const yuncheng = adminLines.filter((l) => l.source.kind === 'AGREEMENT' && l.source.region.code.startsWith('1408'));
    expect(yuncheng.map(priceOf)).toEqual([YC_AGREEMENT_PRICE]);
  });

  it('D20: the 调拨令 printed for 新乡’s dispatcher leaves out the batch, unit price and amount of lines from outside 新乡; its total counts only the rest', async () => {
    const res = await download(t, `/paperwork/dispatch-plans/${planId}.html`, 'dispatcher');
    expect(res.status).toBe(200);
    const html = res.text;
    const rows = tableRows(html, 'tbody');
    expect(rows).toHaveLength(adminLines.length);
    let visible = 0n;
    let all = 0n;
    rows.forEach((r, i) => {
      const l = adminLines[i];
      const region = l.store ? l.store.region.code : l.source.region.code;
      const price = priceOf(l);
      const amount = fen(price) * BigInt(l.quantity);
      all += amount;
      expect(Number(r[7])).toBe(l.quantity); // D20: quantity per store and item is shown
      if (inScope(region)) {
        visible += amount;
        expect([r[6], r[8], r[9]]).toEqual([l.batchNo ?? '', yuan(fen(price)), yuan(amount)]);
        return;
      }
      // Another jurisdiction's store or agreement: named, with its quantity — no batch, price or amount.
      expect(r[5]).toContain(l.source.name);
      expect([r[6], r[8], r[9]]).toEqual([l.store ? '—' : '', '—', '—']);
      if (l.batchNo) expect(html).not.toContain(l.batchNo);
    });
    expect(visible).toBeLessThan(all);
    // The total is that of the lines shown: with it, the hidden amounts cannot be had by subtraction.
    expect(tableRows(html, 'tfoot')[0][9]).toBe(yuan(visible));
    expect(html).toContain(`￥<strong class="amount">${yuan(visible)}</strong>`);
    expect(html).not.toContain(yuan(all));
    for (const hidden of ['JC-MZP-2110', 'YC-MZP-2108', '654000.00', '566800.00', YC_AGREEMENT_PRICE, '876.50']) expect(html).not.toContain(hidden);
    // The page says so, in words, for those who sign it.
    expect(html).toMatch(/<dt>外地储备<\/dt><dd>[^<]*不列批号、单价和金额[^<]*<\/dd>/);
  });

  it('the administrator without a region prints every line with its batch, unit price and amount, and the whole total', async () => {
    const html = (await download(t, `/paperwork/dispatch-plans/${planId}.html`, 'admin')).text;
    const rows = tableRows(html, 'tbody');
    let all = 0n;
    rows.forEach((r, i) => {
      const l = adminLines[i];
      const price = priceOf(l);
      all += fen(price) * BigInt(l.quantity);
      expect([r[6], r[8], r[9]]).toEqual([l.batchNo ?? '', yuan(fen(price)), yuan(fen(price) * BigInt(l.quantity))]);
    });
    expect(tableRows(html, 'tfoot')[0][9]).toBe(yuan(all));
    for (const shown of ['JC-MZP-2110', 'YC-MZP-2108', YC_AGREEMENT_PRICE, '876.50']) expect(html).toContain(shown);
    expect(html).not.toContain('<dt>外地储备</dt>');
  });
});
