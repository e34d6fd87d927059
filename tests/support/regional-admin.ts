import type { TestApp } from './harness.ts';
import { ok } from './ledger-ops.ts';
import { TEST_PASSWORD } from './template.ts';

/**
 * An administrator scoped to a region (`regionCode`, 6 or 12 digits), created by the system administrator `admin`; the
 * tests then act as `username`. DOMAIN "Who uses it": administrators keep stores, users, agreements and quotas —
 * a regional one inside its region only — so tests of those scope rules use one (dispatchers set none, D6, D19).
 */
export async function createRegionalAdmin(t: TestApp, username: string, regionCode: string, displayName = `${username}（区域管理员）`): Promise<string> {
  const res = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName, password: TEST_PASSWORD, role: 'ADMIN', regionCode } },
    'admin',
  );
  return ok(res).createUser.id;
}
