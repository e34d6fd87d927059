import type { Db } from '../drizzle/client.ts';
import type { Clock } from '../server/clock.ts';
import { createAgreement, recordAgreementCheck } from '../server/reserves/agreements.ts';
import { upsertQuota } from '../server/reserves/quotas.ts';
import { createJointReserveAgreement } from '../server/authority/joint-reserves.ts';
import { loadPrincipal } from '../server/users/service.ts';
import { storeId, userId } from './demo.ts';
import { itemId } from './reference.ts';

// Demo quotas (with gaps) and agreements of all three modes (D6, D19), so that a new user sees them.
export async function seedDemoReserves(db: Db, clock: Clock): Promise<void> {
  const admin = (await loadPrincipal(db, userId('admin')))!;
  const quotas: [target: { storeId?: string; regionCode?: string }, item: string, quantity: number][] = [
    [{ storeId: storeId('S-410781-01') }, 'LIV-001', 300], // 卫辉市 county store: tents below quota
    [{ storeId: storeId('S-410781-01') }, 'LIV-004', 2000],
    [{ storeId: storeId('S-410781-01') }, 'FLD-009', 400],
    [{ storeId: storeId('S-410781100-01') }, 'FLD-001', 5000], // 唐庄镇
    [{ regionCode: '410781' }, 'FLD-001', 60000], // 卫辉市 as a whole
    [{ regionCode: '410700' }, 'LIV-001', 3000], // 新乡市 as a whole
    [{ regionCode: '410700' }, 'LIV-004', 12000],
    [{ regionCode: '410700' }, 'FLD-012', 20], // 冲锋舟
  ];
  for (const [target, code, quantity] of quotas) await upsertQuota({ db, actor: admin, clock }, { ...target, itemId: itemId(code), quantity });

  // D20, D25: 新乡市 and 晋城市 share their reserves under a standing 联储 agreement (every item).
  await createJointReserveAgreement(
    { db, actor: admin, clock },
    { regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' },
  );

  const agreement = await createAgreement(
    { db, actor: admin, clock },
    {
      mode: 'AGREEMENT',
      companyName: '新乡市惠民百货配送有限公司',
      regionCode: '410700',
      storeId: storeId('S-410711-02'),
      contractNo: 'XY-2026-001',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      annualFee: '30000.00',
      lines: [
        { itemId: itemId('LIV-004'), quantity: 3000, unitPrice: '158.00', responseHours: 6 },
        { itemId: itemId('LIV-001'), quantity: 500, unitPrice: '2180.00', responseHours: 8 },
      ],
    },
  );
  await recordAgreementCheck(
    { db, actor: admin, clock },
    {
      agreementId: agreement.id,
      checkedOn: '2026-06-15',
      findings: '棉被实存 2600 床，少于协议 3000 床，已书面通知企业补足',
      lines: [
        { itemId: itemId('LIV-004'), countedQuantity: 2600 },
        { itemId: itemId('LIV-001'), countedQuantity: 500 },
      ],
    },
  );
  await createAgreement(
    { db, actor: admin, clock },
    {
      mode: 'AGREEMENT',
      companyName: '卫辉市应急物资协议储备企业联合体',
      regionCode: '410781',
      validFrom: '2025-03-01',
      validTo: '2027-02-28',
      annualFee: '12000.00',
      lines: [{ itemId: itemId('FLD-001'), quantity: 20000, unitPrice: '1.10', responseHours: 4 }],
    },
  );
  await createAgreement(
    { db, actor: admin, clock },
    {
      mode: 'ENTRUSTED',
      companyName: '新乡县中原物流仓储有限公司',
      regionCode: '410721',
      storeId: storeId('S-410721-02'),
      validFrom: '2025-01-01',
      validTo: '2027-12-31',
      annualFee: '45000.00',
      lines: [{ itemId: itemId('LIV-004'), quantity: 1000 }],
    },
  );
  await createAgreement(
    { db, actor: admin, clock },
    {
      mode: 'CAPACITY',
      companyName: '新乡市新星帐篷制造有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2028-12-31',
      annualFee: '8000.00',
      lines: [
        { itemId: itemId('LIV-001'), dailyCapacity: 300, leadDays: 2, unitPrice: '2100.00' },
        { itemId: itemId('LIV-002'), dailyCapacity: 800, leadDays: 1, unitPrice: '960.00' },
      ],
    },
  );
}
