import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { createAgreement } from '../support/agreements.ts';
import { useTestApp } from '../support/harness.ts';
import { QUILT, receive } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// D6, D9 (sweep 18a F16): a company's spot check (抽查) that finds less than it holds for us is announced. An agreement
// reserve below its commitment is a WARNING (the planner already calls off only what was counted); an entrusted store
// (企业代储) below the government's stock on the books is CRITICAL — public property missing, to be counted by a stocktake
// (D27). It stands until a later check finds it whole. Not to keepers. Today is 2026-07-20.

const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message regionCode store { id } item { id } quantity } }`;
const ENTRUSTED_STORE = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

describe('AGREEMENT_CHECK_SHORT alerts (D6, D9)', () => {
  const t = useTestApp();
  const shortOf = async (as: string, r?: string) => (ok(await t.gql(ALERTS, { r }, as)).alerts as any[]).filter((a) => a.kind === 'AGREEMENT_CHECK_SHORT');
  const check = (agreementId: string, checkedOn: string, countedQuantity: number) =>
    t.gql(
      `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
      { i: { agreementId, checkedOn, findings: '抽查', lines: [{ itemId: QUILT, countedQuantity }] } },
      'admin',
    );
  let agreement = '';
  let entrusted = '';

  beforeAll(async () => {
    agreement = await createAgreement(t, {
      companyName: '新乡市惠民百货配送有限公司',
      regionCode: '410700',
      storeId: AGREEMENT_STORE,
      contractNo: 'XY-2026-001',
      lines: [{ itemId: QUILT, quantity: 3000, unitPrice: '158.00', responseHours: 6 }],
    });
    ok(await check(agreement, '2026-06-15', 2600));
    entrusted = await createAgreement(t, {
      mode: 'ENTRUSTED',
      companyName: '新乡县中原物流仓储有限公司',
      regionCode: '410721',
      storeId: ENTRUSTED_STORE,
      lines: [{ itemId: QUILT, quantity: 1000 }],
    });
    // The government's 棉被 kept there: 1,600 on the books.
    await receive(t, 'admin', ENTRUSTED_STORE, [{ itemId: QUILT, quantity: 1600, batchNo: 'ACS-DC-1', expiryDate: '2031-01-01', unitPrice: '150.00' }]);
  });

  it('D6: an agreement counted 2,600 of its 3,000 棉被 is a WARNING to the region’s dispatcher and auditor, not to a keeper nor to 晋城', async () => {
    const alerts = await shortOf('dispatcher', '410700');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'WARNING', regionCode: '410700000000', item: { id: QUILT }, quantity: 400, store: { id: AGREEMENT_STORE } });
    expect(alerts[0].message).toBe(
      '协议储备抽查不足：新乡市惠民百货配送有限公司（合同 XY-2026-001） 棉被 约定储备 3,000 床，2026-06-15 抽查实有 2,600 床，短少 400 床：可调用量按实有计，请督促企业补足',
    );
    expect(await shortOf('auditor')).toHaveLength(1);
    expect(await shortOf('keeper')).toEqual([]);
    expect(await shortOf('jincheng')).toEqual([]);
  });

  it('D6, D9: an entrusted store counted below the government’s book is CRITICAL and asks for a stocktake; a later whole count ends it', async () => {
    ok(await check(entrusted, '2026-07-18', 700));
    const [alert] = (await shortOf('dispatcher', '410721')).filter((a) => a.store?.id === ENTRUSTED_STORE);
    expect(alert).toMatchObject({ severity: 'CRITICAL', regionCode: '410721000000', item: { id: QUILT }, quantity: 900 });
    expect(alert.message).toContain('政府所有账面 1,600 床，2026-07-18 抽查实有 700 床，短少 900 床');
    expect(alert.message).toContain('请组织盘点');
    ok(await check(entrusted, '2026-07-19', 1600));
    expect((await shortOf('dispatcher', '410721')).filter((a) => a.store?.id === ENTRUSTED_STORE)).toEqual([]);
  });

  it('D6: a later check finding the commitment whole ends the agreement’s alert; a new short check is announced again under a new key', async () => {
    const before = (await shortOf('dispatcher', '410700'))[0].key;
    ok(await check(agreement, '2026-07-19', 3000));
    expect(await shortOf('dispatcher', '410700')).toEqual([]);
    ok(await check(agreement, '2026-07-20', 2999));
    const [again] = await shortOf('dispatcher', '410700');
    expect(again.quantity).toBe(1);
    expect(again.key).not.toBe(before);
  });
});
