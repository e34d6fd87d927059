import { beforeAll, describe, expect, it } from 'vitest';
import { userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement as createAgreementService, recordAgreementCheck as recordAgreementCheckService } from '../../server/reserves/agreements.ts';
import { removeQuota as removeQuotaService, upsertQuota as upsertQuotaService } from '../../server/reserves/quotas.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { createAgreement } from '../support/agreements.ts';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';

// DOMAIN "Who uses it": the administrator keeps "users, stores, catalog, agreements, quotas"; the dispatcher opens
// incidents, requests and approves dispatches — and plans with the quotas (D19) and agreements (D6), which it reads but
// does not set (an outside sweep found `dispatcher` and `director` setting quotas and creating agreements). An
// administrator sets them within its scope: a regional one inside its region. Refusals change nothing and are audited (D22).

const t = useTestApp();
const STOVE = itemId('LIV-014'); // 取暖炉: no demo quota or agreement names it
const TARP = itemId('LIV-016'); // 苫布
/** What the API answers a role the mutation is not for, as it answers keepers and auditors. */
const NOT_FOR_ROLE = '无权访问：该操作超出您的权限范围';
// Both 新乡's dispatchers (DISPATCHER, region 410700): the one who requests and the one who approves (D24).
const DISPATCHERS = ['dispatcher', 'director'] as const;

const QUOTA = `mutation($i: QuotaInput!) { upsertQuota(input: $i) { id quantity } }`;
const REMOVE = `mutation($id: ID!) { removeQuota(id: $id) { id } }`;
const AGREEMENT = `mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`;
const CHECK = `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`;
const checkInput = (agreementId: string, countedQuantity = 3) => ({ agreementId, checkedOn: '2026-07-10', lines: [{ itemId: STOVE, countedQuantity }] });
const agreementInput = (contractNo: string) => ({
  mode: 'AGREEMENT',
  companyName: '卫辉市暖通设备有限公司',
  regionCode: '410781',
  contractNo,
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
  lines: [{ itemId: STOVE, quantity: 20, unitPrice: '350.00', responseHours: 6 }],
});

/** The quota lines of 卫辉 as `as` reads them (dispatchers still read: they plan with them). */
const quotasOf = async (as: string) =>
  (ok(await t.gql(`{ reserveGaps(regionCode: "410781") { quotaId quota item { id } store { id } } }`, {}, as)).reserveGaps as any[]).filter(
    (l) => l.item.id === STOVE || l.item.id === TARP,
  );
/** The agreement's spot checks as `as` reads them. */
const checksOf = async (agreementId: string, as: string) =>
  ok(await t.gql(`query($id: ID!) { agreement(id: $id) { checks { checkedOn } } }`, { id: agreementId }, as)).agreement.checks;

let quotaId: string;
let agreementId: string;

beforeAll(async () => {
  await createRegionalAdmin(t, 'xx-admin', '410700'); // 新乡's administrator
  quotaId = ok(await t.gql(QUOTA, { i: { storeId: WEIHUI, itemId: TARP, quantity: 20 } }, 'admin')).upsertQuota.id;
  agreementId = await createAgreement(t, agreementInput('WH-NT-2026-01'));
  // Signed in beforehand: a refusal's "nothing changes" counts every table (sessions among them).
  for (const as of [...DISPATCHERS, 'jincheng', 'xx-admin']) await t.token(as);
});

describe('D6, D19: quotas and agreements are set by administrators; a dispatcher is refused, even in its own region', () => {
  it.each(DISPATCHERS)('D19: upsertQuota by %s (新乡) → FORBIDDEN — a new store or region quota, or a new quantity; nothing changes; audited', async (as) => {
    const before = await quotasOf(as);
    for (const i of [
      { storeId: WEIHUI, itemId: STOVE, quantity: 10 },
      { regionCode: '410781', itemId: STOVE, quantity: 40 },
      { storeId: WEIHUI, itemId: TARP, quantity: 5 }, // the administrator's quota of 20, lowered
    ]) {
      await expectRefusedUnchanged(t, 'upsertQuota', () => t.gql(QUOTA, { i }, as), 'FORBIDDEN', NOT_FOR_ROLE);
    }
    expect(await quotasOf(as)).toEqual(before);
    expect(before).toEqual([expect.objectContaining({ quotaId, quota: 20 })]);
  });

  it.each(DISPATCHERS)('D19: removeQuota by %s (新乡) of a 卫辉 quota → FORBIDDEN; the quota stays; audited', async (as) => {
    await expectRefusedUnchanged(t, 'removeQuota', () => t.gql(REMOVE, { id: quotaId }, as), 'FORBIDDEN', NOT_FOR_ROLE);
    expect((await quotasOf(as)).map((l) => l.quotaId)).toEqual([quotaId]);
  });

  it.each(DISPATCHERS)('D6: createAgreement by %s (新乡) in 卫辉 → FORBIDDEN; no agreement; audited', async (as) => {
    await expectRefusedUnchanged(t, 'createAgreement', () => t.gql(AGREEMENT, { i: agreementInput(`WH-NT-${as}`) }, as), 'FORBIDDEN', NOT_FOR_ROLE);
  });

  it.each(DISPATCHERS)('D6: recordAgreementCheck by %s (新乡) of a 卫辉 agreement → FORBIDDEN; no check; audited', async (as) => {
    await expectRefusedUnchanged(t, 'recordAgreementCheck', () => t.gql(CHECK, { i: checkInput(agreementId) }, as), 'FORBIDDEN', NOT_FOR_ROLE);
    expect(await checksOf(agreementId, as)).toEqual([]);
  });

  it('D6, D19: 晋城’s dispatcher in 晋城 → FORBIDDEN the same way', async () => {
    await expectRefusedUnchanged(
      t,
      'upsertQuota',
      () => t.gql(QUOTA, { i: { storeId: JINCHENG, itemId: STOVE, quantity: 10 } }, 'jincheng'),
      'FORBIDDEN',
      NOT_FOR_ROLE,
    );
    const jinchengAgreement = { ...agreementInput('JC-NT-2026-01'), regionCode: '140500', companyName: '晋城市暖通设备有限公司' };
    await expectRefusedUnchanged(t, 'createAgreement', () => t.gql(AGREEMENT, { i: jinchengAgreement }, 'jincheng'), 'FORBIDDEN', NOT_FOR_ROLE);
  });

  it('D6, D19: the service refuses a dispatcher too (seeds and scripts call it without the API), naming what it refused', async () => {
    const dispatcher = (await loadPrincipal(t.database.db, userId('dispatcher')))!;
    const ctx = { db: t.database.db, actor: dispatcher, clock: t.clock };
    const refusal = { code: 'FORBIDDEN', message: '无权访问：储备定额与协议管理（仅管理员可办理）超出您的权限范围' };
    await expect(upsertQuotaService(ctx, { storeId: WEIHUI, itemId: STOVE, quantity: 10 })).rejects.toMatchObject(refusal);
    await expect(removeQuotaService(ctx, quotaId)).rejects.toMatchObject(refusal);
    await expect(createAgreementService(ctx, agreementInput('WH-NT-SVC'))).rejects.toMatchObject(refusal);
    await expect(recordAgreementCheckService(ctx, checkInput(agreementId))).rejects.toMatchObject(refusal);
    expect(await quotasOf('admin')).toEqual([expect.objectContaining({ quotaId, quota: 20 })]);
    expect(await checksOf(agreementId, 'admin')).toEqual([]);
  });
});

describe('D6, D19: an administrator still sets them — the system-wide one, and a regional one inside its region', () => {
  it('新乡’s administrator sets and removes a 卫辉 quota, records an agreement and a spot check; each audited OK', async () => {
    const quota = ok(await t.gql(QUOTA, { i: { regionCode: '410781', itemId: STOVE, quantity: 40 } }, 'xx-admin')).upsertQuota;
    expect(quota.quantity).toBe(40);
    const agreement = ok(await t.gql(AGREEMENT, { i: agreementInput('WH-NT-2026-02') }, 'xx-admin')).createAgreement.id;
    expect(await lastAudit(t, 'createAgreement')).toEqual({ outcome: 'OK', message: null });
    ok(await t.gql(CHECK, { i: checkInput(agreement, 18) }, 'xx-admin'));
    expect(await checksOf(agreement, 'dispatcher')).toEqual([{ checkedOn: '2026-07-10' }]);
    ok(await t.gql(REMOVE, { id: quota.id }, 'xx-admin'));
    expect(await lastAudit(t, 'removeQuota')).toEqual({ outcome: 'OK', message: null });
    // Outside 新乡 its scope still refuses it.
    const res = await t.gql(QUOTA, { i: { storeId: JINCHENG, itemId: STOVE, quantity: 10 } }, 'xx-admin');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.storeId' });
  });

  it('the system-wide administrator changes the quota the dispatchers were refused, and checks the agreement', async () => {
    expect(ok(await t.gql(QUOTA, { i: { storeId: WEIHUI, itemId: TARP, quantity: 5 } }, 'admin')).upsertQuota).toEqual({ id: quotaId, quantity: 5 });
    ok(await t.gql(CHECK, { i: checkInput(agreementId, 20) }, 'admin'));
    expect(await lastAudit(t, 'recordAgreementCheck')).toEqual({ outcome: 'OK', message: null });
  });
});
