import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { refusal, waitingForLocks } from '../support/lock-waits.ts';

// Sweep 11b B2 under concurrency (PostgreSQL only): two stores of one region may not share a name, and two requests
// at once are answered as a request sent a moment later is — the check is made under a lock on the region's names.

const t = useTestApp({ poolMax: 12 });

beforeAll(async () => {
  await t.token('admin'); // signed in before the test holds a lock (a login is a mutation too)
});

describe('B2 (D2): one name per region, also for two createStore at once', () => {
  it('two stores of one name (the second with a zero-width space) at once — one store, the other refused as a later one is (input.name)', async () => {
    const CREATE = `mutation($input: CreateStoreInput!) { createStore(input: $input) { id code } }`;
    const operator = '新乡市惠民百货配送有限公司'; // a registered company: each request locks its row (createStore: operatorId)
    const input = (code: string, name: string) => ({
      code,
      name,
      regionCode: '410781',
      kind: 'ENTRUSTED',
      location: { lat: 35.398, lng: 114.064 },
      operatorName: operator,
    });
    let answers: Promise<GqlResult[]> | undefined;
    // Held: the requests wait at the operator's row, where without the lock on the names both had found the name free.
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM organizations WHERE name = ${operator} FOR UPDATE`);
      answers = Promise.all([
        t.gql(CREATE, { input: input('S-NAME-RACE-1', '卫辉市并发同名代储库') }, 'admin'),
        t.gql(CREATE, { input: input('S-NAME-RACE-2', '卫辉市并发\u200b同名代储库') }, 'admin'),
      ]);
      await waitingForLocks(t.database.db, 2);
    });
    const both = await answers!;
    const created = both.filter((r) => r.data?.createStore);
    expect(created).toHaveLength(1);
    const refused = both.find((r) => r.errors)!;
    const later = await t.gql(CREATE, { input: input('S-NAME-RACE-3', '卫辉市并发同名代储库') }, 'admin');
    const winner = created[0].data.createStore.code;
    expect(refusal(later)).toEqual({
      code: 'BAD_USER_INPUT',
      message: `本区划已有同名仓库「卫辉市并发同名代储库」（代码 ${winner}）：同一区划的仓库名称不能相同，请换一个名称（如加上地点）`,
      field: 'input.name',
    });
    expect(refusal(refused)).toEqual(refusal(later));
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores WHERE code LIKE 'S-NAME-RACE-%'`);
    expect(Number(n.n)).toBe(1);
  });
});
