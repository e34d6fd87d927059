import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { agreementRaw } from '../support/agreements.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { QUILT } from '../support/ledger.ts';
import { refusal, waitingForLocks } from '../support/lock-waits.ts';

// Sweep 12c C2 under concurrency (PostgreSQL only, D21/D22/D31): an agreement dated in a month that a close in flight
// is closing waits for the close, and is then refused as one sent a moment later is — the month is not closed under it.

const t = useTestApp({ poolMax: 12 });

beforeAll(async () => {
  await t.token('admin'); // signed in before the test holds a lock (a login is a mutation too)
});

describe('C2 (D22, D31): createAgreement against a close of its month in flight', () => {
  it('an agreement in force from a June day, sent while June is being closed, waits and is refused PERIOD_CLOSED (input.validFrom)', async () => {
    const input = (validFrom: string) => ({
      mode: 'AGREEMENT',
      companyName: '卫辉市并发月结测试商贸有限公司',
      regionCode: '410781',
      validFrom,
      validTo: '2026-12-31',
      annualFee: '365.00',
      lines: [{ itemId: QUILT, quantity: 10, unitPrice: '150.00', responseHours: 8 }],
    });
    let answer: Promise<GqlResult> | undefined;
    // Held: June's close, as closePeriod writes it (its period_closes row), not yet committed.
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO period_closes (month, cutoff, closed_by, closed_at)
                           SELECT '2026-06-01', '2026-07-01T00:00:00+08:00', id, now() FROM users WHERE username = 'admin'`);
      answer = agreementRaw(t, input('2026-06-10'));
      await waitingForLocks(t.database.db, 1);
    });
    const raced = await answer!;
    const later = await agreementRaw(t, input('2026-06-11'));
    const words = (d: string) => `协议起始日期 ${d} 在已月结的期间内（已结账至 2026-06），已结月份的协议储备价值和费用不能再变动：最早可填 2026-07-01`;
    expect(refusal(raced)).toEqual({ code: 'BAD_USER_INPUT', message: words('2026-06-10'), field: 'input.validFrom' });
    expect(refusal(later)).toEqual({ code: 'BAD_USER_INPUT', message: words('2026-06-11'), field: 'input.validFrom' });
    const [n] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM agreements a JOIN organizations o ON o.id = a.company_org_id WHERE o.name = '卫辉市并发月结测试商贸有限公司'`,
    );
    expect(Number(n.n)).toBe(0);
  });
});
