import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { valuationOf } from '../support/finance.ts';
import { type TestApp, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';

// Sweep 12c C2 (D21, D22, D31; README "closed months' values never change"): a closed month's valuation holds its
// agreement part too. The ledger refuses postings dated in a closed month (PERIOD_CLOSED); an agreement in force from
// a day of a closed month, or a spot check dated in one, would move that month's contingentAgreementValue and
// feesAccrued after the close, so they are refused alike — BAD_USER_INPUT, reason PERIOD_CLOSED, naming the field and
// the earliest date allowed (the first day after the close). Dates from then on are taken.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const REGION = '410781'; // 卫辉市
const COMPANY = '卫辉市月结测试商贸有限公司';
const JUNE_END = '2026-06-30T24:00:00+08:00'; // June's cutoff, the closed month's end
const IN_CLOSED = ['2026-03-15T12:00:00+08:00', '2026-06-30T12:00:00+08:00', JUNE_END];

/** The agreement part of the valuation at each instant of the closed month. */
const agreementPart = (t: TestApp) =>
  Promise.all(
    IN_CLOSED.map(async (asOf) => {
      const v = await valuationOf(t, 'auditor', { asOf, regionCode: REGION });
      return { asOf, contingent: v.contingentAgreementValue, fees: v.feesAccrued, snapshotMonth: v.snapshotMonth };
    }),
  );

const agreementInput = (validFrom: string) => ({
  mode: 'AGREEMENT',
  companyName: COMPANY,
  regionCode: REGION,
  validFrom,
  validTo: '2026-12-31',
  annualFee: '365.00',
  // A supplementary contract beside the one in force (same company and item): told apart by its number (sweep 18a F7).
  contractNo: 'WH-SUPPL-2026-07',
  lines: [{ itemId: QUILT, quantity: 100, unitPrice: '150.00', responseHours: 8 }],
});
const checkRaw = (agreementId: string, checkedOn: string) =>
  t.gql(
    `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id checkedOn } }`,
    { i: { agreementId, checkedOn, lines: [{ itemId: QUILT, countedQuantity: 10 }], findings: '补录抽查' } },
    'admin',
  );

let agreementId: string;
let closed: Awaited<ReturnType<typeof agreementPart>>;

beforeAll(async () => {
  // In force all year, 500 quilts at 20.00, a fee of 36,500.00 a year: it is in June's figures.
  agreementId = await createAgreement(t, {
    companyName: COMPANY,
    regionCode: REGION,
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    annualFee: '36500.00',
    lines: [{ itemId: QUILT, quantity: 500, unitPrice: '20.00', responseHours: 6 }],
  });
  ok(await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`, {}, 'admin'));
  closed = await agreementPart(t);
  expect(closed.at(-1)).toEqual({ asOf: JUNE_END, contingent: '10000.00', fees: '18100.00', snapshotMonth: '2026-06' }); // 181 days × 100.00
});

describe('a closed month keeps its agreement value and fees (sweep 12c C2, D21/D22/D31)', () => {
  it('D22, D31: an agreement in force from a day of a closed month is BAD_USER_INPUT PERIOD_CLOSED on input.validFrom, saying the earliest date, and changes nothing', async () => {
    for (const validFrom of ['2026-02-01', '2026-06-30', '2025-01-01']) {
      await expectRefusedUnchanged(
        t,
        'createAgreement',
        () => agreementRaw(t, agreementInput(validFrom)),
        'BAD_USER_INPUT',
        `协议起始日期 ${validFrom} 在已月结的期间内（已结账至 2026-06），已结月份的协议储备价值和费用不能再变动：最早可填 2026-07-01`,
        { field: 'input.validFrom', reason: 'PERIOD_CLOSED', closedMonth: '2026-06', earliestDate: '2026-07-01' },
      );
    }
    expect(await agreementPart(t)).toEqual(closed);
  });

  it('D22, D31: a spot check dated in a closed month is BAD_USER_INPUT PERIOD_CLOSED on input.checkedOn, and changes nothing', async () => {
    for (const checkedOn of ['2026-05-01', '2026-06-30']) {
      await expectRefusedUnchanged(
        t,
        'recordAgreementCheck',
        () => checkRaw(agreementId, checkedOn),
        'BAD_USER_INPUT',
        `抽查日期 ${checkedOn} 在已月结的期间内（已结账至 2026-06），已结月份的协议储备价值不能再变动：最早可填 2026-07-01`,
        { field: 'input.checkedOn', reason: 'PERIOD_CLOSED', closedMonth: '2026-06', earliestDate: '2026-07-01' },
      );
    }
    expect(await agreementPart(t)).toEqual(closed);
  });

  it('D6, D21: from the first day after the close, agreements and checks are taken and count from their date on', async () => {
    const before = await valuationOf(t, 'auditor', { regionCode: REGION });
    ok(await agreementRaw(t, agreementInput('2026-07-01')));
    expect(ok(await checkRaw(agreementId, '2026-07-01')).recordAgreementCheck.checkedOn).toBe('2026-07-01');
    const now = await valuationOf(t, 'auditor', { regionCode: REGION });
    // 500 × 20.00 counted down to 10 (−9,800.00), and 100 × 150.00 more; 19 days of 365.00 a year.
    expect(Number(now.contingentAgreementValue) - Number(before.contingentAgreementValue)).toBe(-9800 + 15000);
    expect(Number(now.feesAccrued) - Number(before.feesAccrued)).toBe(19);
    // June's fees and contingent value stay as closed — at its last instant, its cutoff, too: an agreement or check
    // dated 1 July counts from July on (the contingent part reads the day in force at the instant, as the ledger does).
    expect(await agreementPart(t)).toEqual(closed);
  });
});
