import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw } from '../support/agreements.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, JINCHENG, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';

// Sweep 2 findings (findings-sweep2.md) M4, L3, L8, L5, L6:
// - M4 (D6, D17, D21): an agreement reserve (协议储备) states its agreed unit price — a call-off is booked, and the
//   reserve valued, at it; a capacity reserve (产能储备, D6: production, not a price) and an entrusted line (企业代储: its
//   goods are ledger batches at their own cost) may leave it out, but a price given is above 0.
// - L3 (D25): an overlapping 联储 agreement is refused naming the regions of the agreement in force, and the requested
//   pair that overlaps it.
// - L8 (D25): an agreement without lines covers every item, without a maximum quantity — deliberately, and said so.
// - L5 (D30, D27): a recovery count beyond what may be counted says what is on hand and what holds the rest.
// - L6 (D30): the recovery's approval summaries count in the item's own unit.
// The test clock stands at 2026-07-20 10:00 China time.

const t = useTestApp({ resetClock: true, checkLedger: true });

const SINGLE_TENT = itemId('LIV-002'); // 单帐篷, unit 顶
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋: held only by 晋城 in this file
const ENTRUSTED_STORE = storeId('S-410721-02'); // 新乡县代储库, operated by 新乡县中原物流仓储有限公司

const errorOf = (res: GqlResult) => res.errors?.[0] ?? { message: '', extensions: {} as Record<string, unknown> };
const expectRefused = (operation: string, run: () => Promise<GqlResult>, code: string, field: string, message: string) =>
  expectRefusedUnchanged(t, operation, run, code, message, { field });

const AGREEMENT_FIELDS = `id mode lines { item { id } quantity dailyCapacity unitPrice contingentValue }`;
const agreementInput = (over: Record<string, unknown>) => ({
  mode: 'AGREEMENT',
  companyName: '卫辉市扫尾二测试协议企业',
  regionCode: '410781',
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
  annualFee: '1000.00',
  ...over,
});

describe('M4 (D6, D17, D21): an agreement or capacity reserve states its agreed unit price', () => {
  it('D6, D21: an AGREEMENT line without unitPrice → BAD_USER_INPUT at input.lines.0.unitPrice「协议储备须约定协议单价」; nothing is created; audited', async () => {
    const input = agreementInput({ lines: [{ itemId: QUILT, quantity: 5, responseHours: 2 }] });
    await expectRefused('createAgreement', () => agreementRaw(t, input), 'BAD_USER_INPUT', 'input.lines.0.unitPrice', '协议储备须约定协议单价');
    // null is no price either.
    const asNull = agreementInput({ lines: [{ itemId: QUILT, quantity: 5, responseHours: 2, unitPrice: null }] });
    await expectRefused('createAgreement', () => agreementRaw(t, asNull), 'BAD_USER_INPUT', 'input.lines.0.unitPrice', '协议储备须约定协议单价');
  });

  it('D6, D21: an AGREEMENT line priced 0.00 → BAD_USER_INPUT「协议储备的协议单价须大于 0」 (the call-off would be booked at no value)', async () => {
    const input = agreementInput({ lines: [{ itemId: QUILT, quantity: 5, responseHours: 2, unitPrice: '0.00' }] });
    await expectRefused('createAgreement', () => agreementRaw(t, input), 'BAD_USER_INPUT', 'input.lines.0.unitPrice', '协议储备的协议单价须大于 0');
  });

  it('D6, D17: a CAPACITY line may leave its price out (D6 commits production, not a price); one given is above 0', async () => {
    const zero = agreementInput({
      mode: 'CAPACITY',
      companyName: '卫辉市扫尾二测试帐篷厂',
      lines: [{ itemId: SINGLE_TENT, dailyCapacity: 80, leadDays: 1, unitPrice: '0.00' }],
    });
    await expectRefused('createAgreement', () => agreementRaw(t, zero), 'BAD_USER_INPUT', 'input.lines.0.unitPrice', '产能储备的协议单价须大于 0');
    const unpriced = ok(
      await agreementRaw(
        t,
        agreementInput({ mode: 'CAPACITY', companyName: '卫辉市扫尾二无价帐篷厂', lines: [{ itemId: COTTON_TENT, dailyCapacity: 30, leadDays: 2 }] }),
        'admin',
        AGREEMENT_FIELDS,
      ),
    ).createAgreement;
    expect(unpriced).toMatchObject({ mode: 'CAPACITY', lines: [{ dailyCapacity: 30, unitPrice: null }] });
  });

  it('D6, D21: priced, both are recorded — the agreement valued at quantity × price; an ENTRUSTED line may leave the price out', async () => {
    const agreement = ok(
      await agreementRaw(t, agreementInput({ lines: [{ itemId: QUILT, quantity: 5, responseHours: 2, unitPrice: '158.00' }] }), 'admin', AGREEMENT_FIELDS),
    ).createAgreement;
    expect(agreement.lines).toEqual([{ item: { id: QUILT }, quantity: 5, dailyCapacity: null, unitPrice: '158.00', contingentValue: '790.00' }]);
    const capacity = ok(
      await agreementRaw(
        t,
        agreementInput({
          mode: 'CAPACITY',
          companyName: '卫辉市扫尾二测试帐篷厂',
          lines: [{ itemId: SINGLE_TENT, dailyCapacity: 80, leadDays: 1, unitPrice: '960.00' }],
        }),
        'admin',
        AGREEMENT_FIELDS,
      ),
    ).createAgreement;
    expect(capacity).toMatchObject({ mode: 'CAPACITY', lines: [{ dailyCapacity: 80, unitPrice: '960.00' }] });
    // 企业代储: government stock in the company's store, valued by its ledger batches — the line price is optional.
    const entrusted = ok(
      await agreementRaw(
        t,
        agreementInput({
          mode: 'ENTRUSTED',
          companyName: '新乡县中原物流仓储有限公司',
          regionCode: '410721',
          storeId: ENTRUSTED_STORE,
          lines: [{ itemId: QUILT, quantity: 100 }],
        }),
        'admin',
        AGREEMENT_FIELDS,
      ),
    ).createAgreement;
    expect(entrusted).toMatchObject({ mode: 'ENTRUSTED', lines: [{ quantity: 100, unitPrice: null, contingentValue: null }] });
  });
});

const createJoint = (input: Record<string, unknown>) =>
  t.gql(`mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id lines { item { id } } } }`, { i: input }, 'admin');

describe('L3, L8 (D25): 联储 agreements', () => {
  let standing: string;
  beforeAll(async () => {
    // As the demo's: 新乡市 and 晋城市, no lines.
    standing = ok(
      await createJoint({ regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' }),
    ).createJointReserveAgreement.id;
  });

  it('L3, D25: an overlapping agreement is refused naming the regions of the one in force (新乡市与晋城市) and the requested pair that overlaps it', async () => {
    const existing = '新乡市与晋城市之间已有联储协议（2025-01-01 至 2028-12-31，豫晋交界地区应急物资联储联调协议）';
    const advice = '（有效期重叠且涉及相同物资）：请先让其到期，或从其截止日次日起登记新协议';
    const refuse = (regionCodes: string[], message: string) =>
      expectRefused(
        'createJointReserveAgreement',
        () => createJoint({ regionCodes, validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: COTTON_TENT, maxQuantity: 100 }] }),
        'BAD_USER_INPUT',
        'input.validFrom',
        message,
      );
    const province = await refuse(['410000', '140500'], `${existing}，与本次的河南省—晋城市重叠${advice}`);
    expect(errorOf(province).extensions).toMatchObject({
      agreementId: standing,
      regionCodes: ['410700000000', '140500000000'],
      requestedRegionCodes: ['410000000000', '140500000000'],
    });
    await refuse(['410781105000', '140500'], `${existing}，与本次的唐庄镇—晋城市重叠${advice}`);
    // The other way round: each region named on its own side.
    await refuse(
      ['140500', '410781'],
      `晋城市与新乡市之间已有联储协议（2025-01-01 至 2028-12-31，豫晋交界地区应急物资联储联调协议），与本次的晋城市—卫辉市重叠${advice}`,
    );
  });

  it('L8, D25: an agreement without lines covers every item without a maximum quantity — so the API says — and a plan uses a partner’s stock under it without consent', async () => {
    const described = async (type: string, field: string, kind: 'fields' | 'inputFields') =>
      ok(await t.gql(`query($n: String!) { __type(name: $n) { ${kind} { name description } } }`, { n: type }, 'admin')).__type[kind].find(
        (f: { name: string }) => f.name === field,
      ).description as string;
    expect(await described('JointReserveAgreementInput', 'lines', 'inputFields')).toContain('Omitted or empty: every item, without a maximum quantity');
    expect(await described('JointReserveAgreement', 'lines', 'fields')).toContain('Empty: every item, without a maximum quantity');

    await receive(t, 'admin', JINCHENG, [{ itemId: SLEEPING_BAG, quantity: 500, batchNo: 'SW2-JC-SD', expiryDate: '2033-01-01' }]);
    const incidentId = await createIncident(t, { affectedPopulation: 3000 });
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { lines { store { id } quantity needsConsent jointAgreementId } } }`,
        {
          i: {
            incidentId,
            destinations: [
              { name: '扫尾二联储测试安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: SLEEPING_BAG, quantity: 450 }] },
            ],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(plan.lines).toEqual([{ store: { id: JINCHENG }, quantity: 450, needsConsent: false, jointAgreementId: standing }]);
  });
});

describe('L5, L6 (D30, D27): recovery counts', () => {
  let plan: any;
  let point: string;
  let tents: string;
  let quilts: string;
  const recover = (lines: Record<string, unknown>[]) =>
    t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId: plan.id, idempotencyKey: key(), lines } }, 'dispatcher');

  beforeAll(async () => {
    const received = await receive(t, 'admin', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 10, batchNo: 'SW2-WH-MZP', expiryDate: '2033-01-01' },
      { itemId: QUILT, quantity: 4, batchNo: 'SW2-WH-MB', expiryDate: '2031-01-01' },
    ]);
    [tents, quilts] = received.lines.map((l: any) => l.batch.id);
    const incidentId = await createIncident(t, { affectedPopulation: 300 });
    plan = await executedPlan(t, incidentId, [
      {
        name: '扫尾二回收测试安置点',
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        lines: [
          { itemId: COTTON_TENT, quantity: 10 },
          { itemId: QUILT, quantity: 4 },
        ],
      },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
  });

  it('L6, D30: the scrap and write-off awaiting approval count in each item’s unit — 共 3 顶、2 床 and 共 5 顶, not 件', async () => {
    ok(
      await recover([
        { batchId: tents, storeId: point, damaged: 5, lost: 5 },
        { batchId: quilts, storeId: point, damaged: 2 },
      ]),
    );
    const pending = ok(
      await t.gql(`{ approvals(filter: { status: PENDING }, first: 50) { edges { node { kind summary } } } }`, {}, 'admin'),
    ).approvals.edges.map((e: any) => e.node) as { kind: string; summary: string }[];
    const [scrap, writeOff] = ['SCRAP', 'WRITE_OFF'].map((kind) => pending.find((a) => a.kind === kind && a.summary.includes('扫尾二回收测试安置点'))!.summary);
    expect(scrap).toMatch(/ 回收清点破损报废 BF-\d{4}-\d{6}：共 5 顶、2 床$/);
    expect(writeOff).toMatch(/ 回收清点丢失核销 HX-\d{4}-\d{6}：共 5 顶$/);
  });

  it('L5, D30, D27: a count of a batch on hand but held for pending scrap and write-off says what may be counted and what holds the rest; nothing changes; audited', async () => {
    const numbers = await queryRows<{ number: string }>(
      t.database.db,
      sql`SELECT DISTINCT d.number FROM documents d JOIN document_lines l ON l.document_id = d.id
           WHERE d.store_id = ${point}::uuid AND d.status = 'PENDING_APPROVAL' AND l.batch_id = ${tents}::uuid ORDER BY 1`,
    );
    const [scrapNo, writeOffNo] = numbers.map((r) => r.number);
    expect([scrapNo, writeOffNo]).toEqual([expect.stringMatching(/^BF-/), expect.stringMatching(/^HX-/)]);
    const res = await expectRefused(
      'recoverIncidentStock',
      () => recover([{ batchId: tents, storeId: point, good: 1 }]),
      'BAD_USER_INPUT',
      'input.lines.0.good',
      `清点数量 1 超出该安置点该批次可清点的数量 0（现存 10，其中待审批的报废单 ${scrapNo}：5、待审批的核销单 ${writeOffNo}：5）`,
    );
    expect(errorOf(res).extensions).toMatchObject({ batchId: tents, held: 0, requested: 1 });
    // Two of the four quilts are held for the same scrap: a count of three; then one more in a second line of the batch.
    await expectRefused(
      'recoverIncidentStock',
      () => recover([{ batchId: quilts, storeId: point, good: 3 }]),
      'BAD_USER_INPUT',
      'input.lines.0.good',
      `清点数量 3 超出该安置点该批次可清点的数量 2（现存 4，其中待审批的报废单 ${scrapNo}：2）`,
    );
    await expectRefused(
      'recoverIncidentStock',
      () =>
        recover([
          { batchId: quilts, storeId: point, good: 2 },
          { batchId: quilts, lost: 1 },
        ]),
      'BAD_USER_INPUT',
      'input.lines.1.lost',
      `清点数量 1 超出安置点该批次可清点的数量 0（现存 4，其中待审批的报废单 ${scrapNo}：2，本次其他行已清点 2）`,
    );
  });

  it('D27, D9: a stocktake at the 安置点 below what is held names every holder with its quantity — the recovery’s pending write-off too, as the recovery’s own refusal does', async () => {
    const [scrapNo, writeOffNo] = (
      await queryRows<{ number: string }>(
        t.database.db,
        sql`SELECT DISTINCT d.number FROM documents d JOIN document_lines l ON l.document_id = d.id
             WHERE d.store_id = ${point}::uuid AND d.status = 'PENDING_APPROVAL' AND l.batch_id = ${tents}::uuid ORDER BY 1`,
      )
    ).map((r) => r.number);
    const message = `批次 SW2-WH-MZP 已预留 10（待审批的报废单 ${scrapNo}：5、待审批的核销单 ${writeOffNo}：5），实盘 3 低于预留量：待审批的单据请审批、驳回或由申请人撤回，之后再盘`;
    const res = await expectRefused(
      'submitStocktake',
      () =>
        t.gql(
          `mutation($input: StocktakeInput!) { submitStocktake(input: $input) { id } }`,
          { input: { storeId: point, idempotencyKey: key(), counts: [{ batchId: tents, countedQuantity: 3, reason: 'LOST' }] } },
          'admin',
        ),
      'INVALID_STATE',
      'input.counts.0.countedQuantity',
      message,
    );
    expect(errorOf(res).extensions).toMatchObject({ reserved: 10, heldBy: [`待审批的报废单 ${scrapNo}`, `待审批的核销单 ${writeOffNo}`] });
  });

  it('D30: what is not held is counted as before; a batch none of which is at the 安置点 keeps the plain wording', async () => {
    ok(await recover([{ batchId: quilts, storeId: point, good: 2 }]));
    const elsewhere = (await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 3, batchNo: 'SW2-WH-MB-2', expiryDate: '2031-01-01' }])).lines[0].batch.id;
    await expectRefused(
      'recoverIncidentStock',
      () => recover([{ batchId: elsewhere, good: 1 }]),
      'BAD_USER_INPUT',
      'input.lines.0.good',
      '清点数量 1 超出安置点现存的该批次数量 0（只能清点发往本事件且尚在安置点的物资）',
    );
  });
});
