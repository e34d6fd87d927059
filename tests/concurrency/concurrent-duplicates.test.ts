import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import type { Principal } from '../../server/auth/principal.ts';
import { receiveStock } from '../../server/inventory/receipts.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { refusal, waitingForLocks } from '../support/lock-waits.ts';
import { key, QUILT, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';
import { openingSheet } from '../support/paperwork.ts';

// Under concurrency (PostgreSQL only): what a concurrent request makes a transaction fail with — a unique violation
// (23505) on what the request checked a moment before, a deadlock (40P01) — is answered as the same request sent a
// moment later is: the whole transaction runs again (drizzle/conflicts.ts) and its own checks refuse it in the user's
// words, or it goes through. Never 服务器内部错误 (INTERNAL_SERVER_ERROR). Each test holds a lock so that the requests
// meet where they would by chance: between their check and their write.

const t = useTestApp({ poolMax: 12 });
let admin: Principal;

beforeAll(async () => {
  admin = (await loadPrincipal(t.database.db, userId('admin')))!;
  // Signed in before any test holds a lock (a login is a mutation too).
  await t.token('admin');
  await t.token('keeper');
});

describe('a concurrent duplicate is answered as a sequential one', () => {
  it('D2: two createStore with one code at once — one store, the other refused as a later one is (BAD_USER_INPUT at input.code)', async () => {
    const CREATE = `mutation($input: CreateStoreInput!) { createStore(input: $input) { id code } }`;
    const operator = '新乡市惠民百货配送有限公司'; // a registered company: each request locks its row (createStore: operatorId)
    const input = {
      code: 'S-RACE-01',
      name: '卫辉市并发测试代储库',
      regionCode: '410781',
      kind: 'ENTRUSTED',
      location: { lat: 35.398, lng: 114.064 },
      operatorName: operator,
    };
    let answers: Promise<GqlResult[]> | undefined;
    // Held: both requests have found the code free and wait at the operator's row, before their INSERT.
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM organizations WHERE name = ${operator} FOR UPDATE`);
      answers = Promise.all([t.gql(CREATE, { input }, 'admin'), t.gql(CREATE, { input }, 'admin')]);
      await waitingForLocks(t.database.db, 2);
    });
    const both = await answers!;
    expect(both.filter((r) => r.data?.createStore)).toHaveLength(1);
    const refused = both.find((r) => r.errors)!;
    const later = await t.gql(CREATE, { input }, 'admin');
    expect(refusal(later)).toEqual({ code: 'BAD_USER_INPUT', message: '仓库代码已存在：S-RACE-01', field: 'input.code' });
    expect(refusal(refused)).toEqual(refusal(later));
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores WHERE code = 'S-RACE-01'`);
    expect(Number(n.n)).toBe(1);
  });

  it('D22, D24: two reverseDocument of one document at once — one pending reversal, the other refused as a later one is', async () => {
    const AGREEMENT_STORE = storeId('S-410711-02'); // the company's own stock leaves its agreement store without an order
    const SLEEPING_BAG = itemId('LIV-007');
    const received = await receive(t, 'admin', AGREEMENT_STORE, [{ itemId: SLEEPING_BAG, quantity: 20, batchNo: 'RACE-REV-1', expiryDate: '2034-01-01' }]);
    const batchId = received.lines[0].batch.id as string;
    // An issue: its reversal puts the stock back, so nothing but the reversal's own checks can refuse a second one.
    const issued = ok(
      await t.gql(
        `mutation($input: IssueStockInput!) { issueStock(input: $input) { id } }`,
        {
          input: {
            storeId: AGREEMENT_STORE,
            recipient: '某村',
            reason: 'RELIEF',
            idempotencyKey: key(),
            lines: [{ itemId: SLEEPING_BAG, batchId, quantity: 5 }],
          },
        },
        'admin',
      ),
    ).issueStock;
    await expectOnePendingReversal(issued.id, AGREEMENT_STORE, batchId);
  });

  it('D22, D24: two reverseDocument of one receipt at once — the second is told of the pending reversal, not of a shortfall', async () => {
    // A receipt's reversal takes the stock out again: the first, pending, holds it (D27), and the second, which waited for
    // the same balance row, read that hold as 库存不足 (helper report, 2026-12-04).
    const received = await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 20, batchNo: 'RACE-REV-2', expiryDate: '2034-01-01' }]);
    await expectOnePendingReversal(received.id, XINXIANG, received.lines[0].batch.id as string);
  });

  /**
   * Two reversals of `documentId` requested while its balance row (`storeId`, `batchId`) is held: both have found no
   * reversal and wait for the row, before their INSERT. One is pending; the other is refused as a later request is.
   */
  async function expectOnePendingReversal(documentId: string, storeId: string, batchId: string) {
    let answers: Promise<GqlResult[]> | undefined;
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT 1 FROM balances WHERE store_id = ${storeId}::uuid AND batch_id = ${batchId}::uuid FOR UPDATE`);
      answers = Promise.all([reverseRaw(t, 'admin', documentId, key(), false), reverseRaw(t, 'admin', documentId, key(), false)]);
      await waitingForLocks(t.database.db, 2);
    });
    const both = await answers!;
    expect(both.filter((r) => r.data?.reverseDocument)).toHaveLength(1);
    const refused = both.find((r) => r.errors)!;
    const later = await reverseRaw(t, 'admin', documentId, key(), false);
    expect(refusal(later)).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('正在审批中，不能重复申请') });
    expect(refusal(refused)).toEqual(refusal(later));
  }
});

describe('an upload deadlocked by a concurrent request runs again', () => {
  const row = (batchNo: string) => ['LIV-004', null, null, batchNo, '2026-01-05', '2031-12-31', 10, 158, '县级资金', null];
  const purchase = (batchNo: string) => ({
    storeId: XINXIANG,
    source: 'PURCHASE',
    contractNo: 'HT-RACE-1',
    inspectionReportNo: 'YS-RACE-1',
    idempotencyKey: randomUUID(),
    lines: [{ itemId: QUILT, quantity: 5, batchNo, unitPrice: '158.00', productionDate: '2026-01-05', expiryDate: '2031-12-31' }],
  });

  it('D7: a 期初建账 upload and a receipt that create the same new batches in the other order — the upload posts (201), not 500', async () => {
    const file = await openingSheet([row('RACE-DL-1'), row('RACE-DL-2')]);
    let upload: Promise<request.Response> | undefined;
    const rolledBack = new Error('the receipt rolls back');
    // A receipt elsewhere (新乡市) creating RACE-DL-2 and then RACE-DL-1, as the upload creates RACE-DL-1 and then
    // RACE-DL-2: each waits for the other's batch. The receipt waits long before it looks for a deadlock, so the upload
    // is the one PostgreSQL rolls back (40P01).
    await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL deadlock_timeout = '10s'`);
        await receiveStock({ db: tx, actor: admin, clock: t.clock }, purchase('RACE-DL-2'));
        upload = request(t.app)
          .post(`/paperwork/opening-balances/${WEIHUI}`)
          .set('authorization', `Bearer ${await t.token('keeper')}`)
          .attach('file', file, '卫辉期初.xlsx')
          .then((res) => res);
        await waitingForLocks(t.database.db, 1);
        await receiveStock({ db: tx, actor: admin, clock: t.clock }, purchase('RACE-DL-1'));
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
    const res = await upload!;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const batches = await queryRows<{ batch_no: string }>(
      t.database.db,
      sql`SELECT b.batch_no FROM document_lines l JOIN batches b ON b.id = l.batch_id WHERE l.document_id = ${res.body.documentId}::uuid ORDER BY b.batch_no`,
    );
    expect(batches.map((b) => b.batch_no)).toEqual(['RACE-DL-1', 'RACE-DL-2']);
  });
});
