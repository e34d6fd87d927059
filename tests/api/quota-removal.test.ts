import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';

// D19 (L9, sweep 3): a quota that no longer applies can be removed — a quota of 0 is no quota, and inputs take
// quantities above 0 (API.md), so before there was no way out of one. By whoever may set it (an administrator, the
// store or region in its scope — DOMAIN "Who uses it"); the reserve-gap line says which quota it measures (quotaId).

const t = useTestApp();
const COAT = itemId('LIV-005'); // 棉大衣

const QUOTA = `mutation($input: QuotaInput!) { upsertQuota(input: $input) { id } }`;
const REMOVE = `mutation($id: ID!) { removeQuota(id: $id) { id quantity item { id } store { id } region { code } } }`;
const gapLines = async (regionCode: string) =>
  ok(await t.gql(`query($r: String!) { reserveGaps(regionCode: $r) { quotaId quota item { id } store { id } region { code } } }`, { r: regionCode }, 'admin'))
    .reserveGaps as { quotaId: string; quota: number; item: { id: string }; store: { id: string } | null; region: { code: string } | null }[];

describe('D19 (L9, sweep 3): removeQuota', () => {
  let storeQuota: string;
  let regionQuota: string;
  let jinchengQuota: string;

  beforeAll(async () => {
    await createRegionalAdmin(t, 'xx-admin', '410700'); // 新乡's administrator
    storeQuota = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 40, storeId: WEIHUI } }, 'xx-admin')).upsertQuota.id;
    regionQuota = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 300, regionCode: '410781' } }, 'xx-admin')).upsertQuota.id;
    jinchengQuota = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 10, storeId: JINCHENG } }, 'admin')).upsertQuota.id;
  });

  it('D19: the gap line names its quota; the region’s administrator removes a store quota and it is gone from the gaps; audited', async () => {
    const line = (await gapLines('410781')).find((l) => l.store?.id === WEIHUI && l.item.id === COAT)!;
    expect(line).toMatchObject({ quotaId: storeQuota, quota: 40 });
    expect(ok(await t.gql(REMOVE, { id: storeQuota }, 'xx-admin')).removeQuota).toEqual({
      id: storeQuota,
      quantity: 40,
      item: { id: COAT },
      store: { id: WEIHUI },
      region: null,
    });
    expect((await gapLines('410781')).map((l) => l.quotaId)).not.toContain(storeQuota);
    expect(await lastAudit(t, 'removeQuota')).toEqual({ outcome: 'OK', message: null });
    // Set again, it is a new quota.
    const again = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 45, storeId: WEIHUI } }, 'xx-admin')).upsertQuota.id;
    expect((await gapLines('410781')).find((l) => l.quotaId === again)).toMatchObject({ quota: 45 });
  });

  it('D19: a region quota is removed the same way', async () => {
    ok(await t.gql(REMOVE, { id: regionQuota }, 'admin'));
    expect((await gapLines('410781')).map((l) => l.quotaId)).not.toContain(regionQuota);
  });

  it('D19: outside the administrator’s scope → FORBIDDEN; a keeper, auditor or dispatcher → FORBIDDEN; nothing removed; audited', async () => {
    await expectRefusedUnchanged(t, 'removeQuota', () => t.gql(REMOVE, { id: jinchengQuota }, 'xx-admin'), 'FORBIDDEN', '无权访问：该仓库超出您的权限范围');
    for (const as of ['keeper', 'auditor', 'dispatcher', 'jincheng']) {
      const res = await t.gql(REMOVE, { id: jinchengQuota }, as);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(await lastAudit(t, 'removeQuota')).toEqual({ outcome: 'FORBIDDEN', message: res.errors![0].message });
    }
    expect((await gapLines('140500')).map((l) => l.quotaId)).toContain(jinchengQuota);
  });

  it('an unknown or malformed id → NOT_FOUND / BAD_USER_INPUT at id; removed twice → NOT_FOUND; nothing changes', async () => {
    await expectRefusedUnchanged(
      t,
      'removeQuota',
      () => t.gql(REMOVE, { id: '00000000-0000-4000-8000-000000000000' }, 'admin'),
      'NOT_FOUND',
      '储备定额不存在', // sweep 22c F4: the id is in extensions.id, not in the message
      { field: 'id' },
    );
    await expectRefusedUnchanged(t, 'removeQuota', () => t.gql(REMOVE, { id: regionQuota }, 'admin'), 'NOT_FOUND', '储备定额不存在', {
      field: 'id',
      id: regionQuota,
    });
    const bad = await t.gql(REMOVE, { id: 'not-an-id' }, 'admin');
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
