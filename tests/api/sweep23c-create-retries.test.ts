import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 23c (two users, a failing network — the retries): openDistributionPoint, createStore, createUser and
// createAgreement took no idempotency key, so 保存 sent again after a lost answer (the server had acted) was refused as
// a duplicate (「仓库代码已存在」, 「用户名已存在」, 「…已登记」, 「本事件已有安置点…」) though nothing was wrong. Each takes an
// optional idempotencyKey now, handled as createIncident's (API.md's stock-mutation rule): the same key and input answer
// the record first created (audited REPLAYED, no second row); other input is IDEMPOTENCY_CONFLICT naming the first
// record; keys are the caller's, and the scope checks run on every call (another user's same key is their own request).
// D2: a 安置点 is not created by createStore — it is opened for an incident (D29), said in words.

const t = useTestApp({ resetClock: true });

const CONFLICT = (key: string) => `幂等键 ${key} 已用于内容不同的另一请求：若是新的操作，请重新提交（换用新的幂等键）；若是重试，请按原内容提交`;
const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(t.database.db, query))[0].n);
const refusal = (res: GqlResult) => ({ code: errorCode(res), field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message });

/** A second administrator, of 新乡市 (410700), and one of 晋城市 (140500): other users replaying the system admin's keys. */
beforeAll(async () => {
  for (const [username, regionCode] of [
    ['xx-admin-23c', '410700'],
    ['jc-admin-23c', '140500'],
  ]) {
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username, displayName: `${username} 管理员`, password: TEST_PASSWORD, role: 'ADMIN', regionCode } },
        'admin',
      ),
    );
  }
});

describe('sweep 23c (retries, D2): createStore with an idempotency key creates one store however often it is sent', () => {
  const CREATE = `mutation($i: CreateStoreInput!) { createStore(input: $i) { id code name kind } }`;
  const store = (extra: Record<string, unknown> = {}) => ({
    code: 'S-23C-RETRY-01',
    name: '卫辉市重试测试储备点',
    regionCode: '410781',
    kind: 'GOVERNMENT',
    location: { lat: 35.352, lng: 114.128 },
    ...extra,
  });
  const storesCoded = (code: string) => count(sql`SELECT count(*)::int n FROM stores WHERE code = ${code}`);

  it('the same key and input → the store first created, audited REPLAYED (not 「仓库代码已存在」); one store on record', async () => {
    const first = ok(await t.gql(CREATE, { i: store({ idempotencyKey: 'ck-23c-1' }) }, 'admin')).createStore;
    expect(await lastAudit(t, 'createStore')).toMatchObject({ outcome: 'OK' });
    const again = ok(await t.gql(CREATE, { i: store({ idempotencyKey: 'ck-23c-1' }) }, 'admin')).createStore;
    expect(again).toEqual(first);
    expect(await lastAudit(t, 'createStore')).toMatchObject({ outcome: 'REPLAYED' });
    expect(await storesCoded('S-23C-RETRY-01')).toBe(1);
  });

  it('the same key with other input → IDEMPOTENCY_CONFLICT at input.idempotencyKey naming the first store; nothing created', async () => {
    const first = ok(
      await t.gql(CREATE, { i: store({ code: 'S-23C-RETRY-02', name: '卫辉市冲突测试储备点', idempotencyKey: 'ck-23c-2' }) }, 'admin'),
    ).createStore;
    await expectRefusedUnchanged(
      t,
      'createStore',
      () => t.gql(CREATE, { i: store({ code: 'S-23C-RETRY-02', name: '卫辉市冲突测试储备点（改名）', idempotencyKey: 'ck-23c-2' }) }, 'admin'),
      'IDEMPOTENCY_CONFLICT',
      CONFLICT('ck-23c-2'),
      { field: 'input.idempotencyKey', storeId: first.id },
    );
  });

  it('keys are per user, scope checked: another administrator’s same key is refused as their own request would be', async () => {
    const i = store({ code: 'S-23C-RETRY-03', name: '卫辉市两人测试储备点', idempotencyKey: 'ck-23c-3' });
    ok(await t.gql(CREATE, { i }, 'admin'));
    // 新乡's administrator: the code is taken — not the system administrator's store answered as theirs.
    expect(refusal(await t.gql(CREATE, { i }, 'xx-admin-23c'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.code' });
    // 晋城's administrator: 卫辉 is outside their region.
    expect(refusal(await t.gql(CREATE, { i }, 'jc-admin-23c'))).toMatchObject({ code: 'FORBIDDEN', field: 'input.regionCode' });
    expect(await storesCoded('S-23C-RETRY-03')).toBe(1);
    // No key: the second is a duplicate, as before.
    expect(refusal(await t.gql(CREATE, { i: { ...i, idempotencyKey: undefined } }, 'admin'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.code' });
  });

  it('D2, D29: kind DISTRIBUTION_POINT → BAD_USER_INPUT at input.kind saying 安置点 are opened for an incident (openDistributionPoint)', async () => {
    await expectRefusedUnchanged(
      t,
      'createStore',
      () => t.gql(CREATE, { i: store({ code: 'S-23C-AZD', name: '卫辉市误建安置点', kind: 'DISTRIBUTION_POINT' }) }, 'admin'),
      'BAD_USER_INPUT',
      '类型：安置点不能在此新建：安置点须在灾害事件中开设（开设安置点 openDistributionPoint，或事件页「添加安置点」随调拨请求开设），开设时登记所属事件和管理员',
      { field: 'input.kind' },
    );
  });
});

describe('sweep 23c (retries, D24): createUser with an idempotency key creates one user however often it is sent', () => {
  const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { id username displayName role } }`;
  const user = (extra: Record<string, unknown> = {}) => ({
    username: 'retry.23c.1',
    displayName: '重试测试调度员',
    password: 'Retry-23c-Password',
    role: 'DISPATCHER',
    regionCode: '410781',
    ...extra,
  });
  const usersNamed = (username: string) => count(sql`SELECT count(*)::int n FROM users WHERE lower(username) = lower(${username})`);

  it('the same key and input → the user first created, audited REPLAYED (not 「用户名已存在」); one user, one password set', async () => {
    const first = ok(await t.gql(CREATE, { i: user({ idempotencyKey: 'uk-23c-1' }) }, 'admin')).createUser;
    const again = ok(await t.gql(CREATE, { i: user({ idempotencyKey: 'uk-23c-1' }) }, 'admin')).createUser;
    expect(again).toEqual(first);
    expect(await lastAudit(t, 'createUser')).toMatchObject({ outcome: 'REPLAYED' });
    expect(await usersNamed('retry.23c.1')).toBe(1);
    expect(await count(sql`SELECT count(*)::int n FROM password_sets WHERE user_id = ${first.id}::uuid`)).toBe(1);
  });

  it('the same key with another name or another password → IDEMPOTENCY_CONFLICT naming the first user; nothing changed', async () => {
    const first = ok(await t.gql(CREATE, { i: user({ username: 'retry.23c.2', idempotencyKey: 'uk-23c-2' }) }, 'admin')).createUser;
    for (const other of [{ displayName: '重试测试调度员（改）' }, { password: 'Other-23c-Password' }]) {
      await expectRefusedUnchanged(
        t,
        'createUser',
        () => t.gql(CREATE, { i: user({ username: 'retry.23c.2', idempotencyKey: 'uk-23c-2', ...other }) }, 'admin'),
        'IDEMPOTENCY_CONFLICT',
        CONFLICT('uk-23c-2'),
        { field: 'input.idempotencyKey', userId: first.id },
      );
    }
    // The password is compared with the account's hash, never kept in the key's row (README: passwords are never logged).
    const [row] = await queryRows<{ request_hash: string }>(
      t.database.db,
      sql`SELECT request_hash FROM idempotency_keys WHERE kind = 'createUser' AND key = 'uk-23c-2'`,
    );
    expect(row.request_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys are per user, scope checked: another administrator’s same key is refused as their own request would be', async () => {
    const i = user({ username: 'retry.23c.3', idempotencyKey: 'uk-23c-3' });
    ok(await t.gql(CREATE, { i }, 'admin'));
    expect(refusal(await t.gql(CREATE, { i }, 'xx-admin-23c'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.username' });
    expect(refusal(await t.gql(CREATE, { i }, 'jc-admin-23c'))).toMatchObject({ code: 'FORBIDDEN', field: 'input.regionCode' });
    expect(await usersNamed('retry.23c.3')).toBe(1);
  });
});

describe('sweep 23c (retries, D6): createAgreement with an idempotency key records one agreement however often it is sent', () => {
  const CREATE = `mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`;
  const LIGHT = itemId('FLD-009');
  const agreement = (extra: Record<string, unknown> = {}) => ({
    mode: 'AGREEMENT',
    companyName: '卫辉市重试测试照明公司',
    regionCode: '410781',
    validFrom: '2026-08-01',
    validTo: '2027-07-31',
    annualFee: '1000.00',
    lines: [{ itemId: LIGHT, quantity: 50, unitPrice: '6500.00', responseHours: 3 }],
    ...extra,
  });
  const agreementsOf = (company: string) =>
    count(sql`SELECT count(*)::int n FROM agreements a JOIN organizations o ON o.id = a.company_org_id WHERE o.name = ${company}`);

  it('the same key and input → the agreement first recorded, audited REPLAYED (not 「…已登记」); one agreement', async () => {
    const first = ok(await t.gql(CREATE, { i: agreement({ idempotencyKey: 'ak-23c-1' }) }, 'admin')).createAgreement;
    const again = ok(await t.gql(CREATE, { i: agreement({ idempotencyKey: 'ak-23c-1' }) }, 'admin')).createAgreement;
    expect(again).toEqual(first);
    expect(await lastAudit(t, 'createAgreement')).toMatchObject({ outcome: 'REPLAYED' });
    expect(await agreementsOf('卫辉市重试测试照明公司')).toBe(1);
  });

  it('the same key with other input → IDEMPOTENCY_CONFLICT naming the first agreement; nothing recorded', async () => {
    const i = agreement({ companyName: '卫辉市冲突测试照明公司', idempotencyKey: 'ak-23c-2' });
    const first = ok(await t.gql(CREATE, { i }, 'admin')).createAgreement;
    await expectRefusedUnchanged(
      t,
      'createAgreement',
      () => t.gql(CREATE, { i: { ...i, annualFee: '1200.00' } }, 'admin'),
      'IDEMPOTENCY_CONFLICT',
      CONFLICT('ak-23c-2'),
      { field: 'input.idempotencyKey', agreementId: first.id },
    );
  });

  it('keys are per user, scope checked: another administrator’s same key is refused as their own request would be', async () => {
    const i = agreement({ companyName: '卫辉市两人测试照明公司', idempotencyKey: 'ak-23c-3' });
    const first = ok(await t.gql(CREATE, { i }, 'admin')).createAgreement;
    const other = await t.gql(CREATE, { i }, 'xx-admin-23c');
    // Recorded already (sweep 18a F7), naming the first — not answered as theirs.
    expect(refusal(other)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.itemId' });
    expect(other.errors?.[0]?.extensions).toMatchObject({ agreementId: first.id });
    expect(refusal(await t.gql(CREATE, { i }, 'jc-admin-23c'))).toMatchObject({ code: 'FORBIDDEN', field: 'input.regionCode' });
    expect(await agreementsOf('卫辉市两人测试照明公司')).toBe(1);
  });
});

describe('sweep 23c (retries, D29): openDistributionPoint with an idempotency key opens one 安置点 however often it is sent', () => {
  const OPEN = `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id code name kind capacity } }`;
  let incidentId: string;
  const point = (extra: Record<string, unknown> = {}) => ({
    incidentId,
    name: '唐庄镇重试安置点',
    regionCode: '410781100000',
    lat: 35.475,
    lng: 114.012,
    capacity: 300,
    managerIds: [userId('keeper')],
    ...extra,
  });
  const pointsNamed = (name: string) => count(sql`SELECT count(*)::int n FROM stores WHERE incident_id = ${incidentId}::uuid AND name = ${name}`);

  beforeAll(async () => {
    incidentId = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市洪涝（安置点重试）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } } },
        'dispatcher',
      ),
    ).createIncident.id;
  });

  it('the same key and input → the point first opened, audited REPLAYED (not 「本事件已有安置点」); one point, one manager row', async () => {
    const first = ok(await t.gql(OPEN, { i: point({ idempotencyKey: 'pk-23c-1' }) }, 'dispatcher')).openDistributionPoint;
    const again = ok(await t.gql(OPEN, { i: point({ idempotencyKey: 'pk-23c-1' }) }, 'dispatcher')).openDistributionPoint;
    expect(again).toEqual(first);
    expect(await lastAudit(t, 'openDistributionPoint')).toMatchObject({ outcome: 'REPLAYED' });
    expect(await pointsNamed('唐庄镇重试安置点')).toBe(1);
    expect(await count(sql`SELECT count(*)::int n FROM user_stores WHERE store_id = ${first.id}::uuid`)).toBe(1);
  });

  it('the same key with other input → IDEMPOTENCY_CONFLICT naming the first point; nothing opened', async () => {
    const first = ok(await t.gql(OPEN, { i: point({ name: '唐庄镇冲突安置点', idempotencyKey: 'pk-23c-2' }) }, 'dispatcher')).openDistributionPoint;
    await expectRefusedUnchanged(
      t,
      'openDistributionPoint',
      () => t.gql(OPEN, { i: point({ name: '唐庄镇冲突安置点', capacity: 500, idempotencyKey: 'pk-23c-2' }) }, 'dispatcher'),
      'IDEMPOTENCY_CONFLICT',
      CONFLICT('pk-23c-2'),
      { field: 'input.idempotencyKey', storeId: first.id },
    );
  });

  it('keys are per user, scope checked: another dispatcher’s same key is refused as their own request would be', async () => {
    const i = point({ name: '唐庄镇两人安置点', idempotencyKey: 'pk-23c-3' });
    ok(await t.gql(OPEN, { i }, 'dispatcher'));
    // 新乡's other dispatcher: the incident has a point of that name already (D29) — not the first one answered as theirs.
    expect(refusal(await t.gql(OPEN, { i }, 'director'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    // 晋城's dispatcher: the incident is outside their region.
    expect(refusal(await t.gql(OPEN, { i }, 'jincheng'))).toMatchObject({ code: 'FORBIDDEN', field: 'input.incidentId' });
    expect(await pointsNamed('唐庄镇两人安置点')).toBe(1);
  });
});
