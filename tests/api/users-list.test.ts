import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';

// The console's 用户 screen lists the users an administrator manages (same scope as updateUser).
const t = useTestApp();

const LIST = `query($role: Role, $search: String, $first: Int, $after: String) {
  users(role: $role, search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { username role region { code } stores { code } } }
  }
}`;

describe('users list', () => {
  it('gives an administrator every user by username, filtered by role or name, page by page', async () => {
    const all = await t.gql(LIST, { first: 2 }, 'admin');
    expect(all.errors).toBeUndefined();
    const names = all.data.users.edges.map((e: any) => e.node.username);
    expect(names).toEqual([...names].sort());
    expect(all.data.users.totalCount).toBeGreaterThanOrEqual(4);
    expect(all.data.users.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(LIST, { first: 2, after: all.data.users.pageInfo.endCursor }, 'admin');
    expect(next.data.users.edges.map((e: any) => e.node.username)[0] > names[1]).toBe(true);

    const keepers = await t.gql(LIST, { role: 'KEEPER' }, 'admin');
    expect(keepers.data.users.edges.map((e: any) => e.node.username)).toContain('keeper');
    expect(keepers.data.users.edges.every((e: any) => e.node.role === 'KEEPER')).toBe(true);
    const found = await t.gql(LIST, { search: '审计' }, 'admin');
    expect(found.data.users.edges.map((e: any) => e.node.username)).toEqual(['auditor']);
  });

  it('gives a regional administrator only the users scoped inside the region (and keepers of its stores)', async () => {
    const created = await t.gql(
      `mutation { createUser(input: { username: "admin-xx", displayName: "新乡市管理员", password: "Regional-2026", role: ADMIN, regionCode: "410700000000" }) { id } }`,
      {},
      'admin',
    );
    expect(created.errors).toBeUndefined();
    const login = await t.gql(`mutation { login(username: "admin-xx", password: "Regional-2026") { token } }`);
    const res = await (
      await import('supertest')
    )
      .default(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${login.data.login.token}`)
      .send({ query: LIST, variables: { first: 100 } });
    const names = res.body.data.users.edges.map((e: any) => e.node.username);
    // 新乡市's dispatcher and auditor, the keeper of 卫辉市's store, and the regional administrator itself; not the system administrator.
    expect(names).toEqual(expect.arrayContaining(['admin-xx', 'auditor', 'dispatcher', 'keeper']));
    expect(names).not.toContain('admin');
  });

  it('is for administrators only; bad input names its argument', async () => {
    for (const who of ['dispatcher', 'auditor', 'keeper']) {
      const res = await t.gql(LIST, {}, who);
      expect(res.errors?.[0].extensions.code, who).toBe('FORBIDDEN');
    }
    const long = await t.gql(LIST, { search: 'x'.repeat(65) }, 'admin');
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
  });
});
