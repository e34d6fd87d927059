import { describe, expect, it } from 'vitest';
import { clickModalOk, clickStill, clickText, pickOption, waitForStillness, waitForText } from '../support/browser.ts';
import { useConsoleFlows, waitForFieldError, waitForMessage } from '../support/console-flows.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 3: 修改密码 beside 退出 for every signed-in user (L9: the old password proves it; the user's other sessions end,
// this tab goes on), and the administrator's 用户 form: a promotion to 管理员 asks for an administrator's new password
// in the same save (M2), and only the scope field of the chosen role shows (L6: a keeper's scope is stores).
const { t, open, api, apiAnswers } = useConsoleFlows();

const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { role } } }`;

/** Logs in through the API (no token): the answer, errors included. */
async function loginAnswer(username: string, password: string) {
  const res = await fetch(`${t.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: LOGIN, variables: { u: username, p: password } }),
  });
  return (await res.json()) as { data?: { login: { user: { role: string } } }; errors?: { extensions: { code: string } }[] };
}

describe('passwords in the console', () => {
  it('L9: a keeper changes their own password with 修改密码: a wrong old one is shown at its field; then the tab stays signed in and the other session ends', async () => {
    const admin = await api('admin');
    const { stores } = await admin(`query { stores(regionCode: "410781", level: COUNTY) { edges { node { id } } } }`);
    await admin(CREATE, {
      i: { username: 'e2e-self', displayName: 'E2E自改密码', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [stores.edges[0].node.id] },
    });
    const other = await apiAnswers('e2e-self'); // the same user on another device
    expect((await other('{ me { username } }')).data?.me.username).toBe('e2e-self');

    const { page } = await open('e2e-self');
    await clickStill(page, '.shell-password');
    await page.waitForSelector('#change-password_oldPassword');
    await waitForStillness(page);
    await page.type('#change-password_oldPassword', 'Not-The-Password-1');
    await page.type('#change-password_newPassword', 'E2E-New-Password-1');
    await page.type('#change-password_confirm', 'E2E-New-Password-1');
    await clickModalOk(page);
    await waitForFieldError(page, '原密码不正确');

    await clickStill(page, '#change-password_oldPassword');
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.type('#change-password_oldPassword', TEST_PASSWORD);
    await clickModalOk(page);
    await waitForMessage(page, '密码已修改');

    // This tab goes on with the token the change answered, also after a reload; the other device's session ended.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="current-user"]');
    expect((await other('{ me { username } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await loginAnswer('e2e-self', TEST_PASSWORD)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await loginAnswer('e2e-self', 'E2E-New-Password-1')).data?.login.user.role).toBe('KEEPER');
  });

  it('M2, L6: the administrator promoting an auditor to 管理员 is asked for a 12-character new password; a keeper shows stores, no region', async () => {
    const admin = await api('admin');
    await admin(CREATE, { i: { username: 'e2e-promote', displayName: 'E2E待提升', password: 'Abcd@123', role: 'AUDITOR', regionCode: '410781' } });

    const { page } = await open('admin');
    await clickText(page, 'a', '用户');
    await page.waitForSelector('::-p-xpath(//tr[contains(., "e2e-promote")])');
    await page.click('::-p-xpath(//tr[contains(., "e2e-promote")]//button[contains(., "编辑")])');
    await page.waitForSelector('#edit-e2e-promote_regionCode');
    expect(await page.$('#edit-e2e-promote_storeIds')).toBeNull();

    // 库管员: the stores field replaces the region's.
    await pickOption(page, 'edit-e2e-promote_role', '库管员');
    await page.waitForSelector('#edit-e2e-promote_storeIds');
    expect(await page.$('#edit-e2e-promote_regionCode')).toBeNull();

    // 管理员: the region again, and the password is now required.
    await pickOption(page, 'edit-e2e-promote_role', '管理员');
    await page.waitForSelector('#edit-e2e-promote_regionCode');
    await waitForText(page, '提升为管理员须设置');
    await clickModalOk(page);
    await waitForFieldError(page, '提升为管理员须同时设置不少于 12 位的新密码');
    await page.type('#edit-e2e-promote_password', 'Abcd@1234');
    await waitForFieldError(page, '管理员密码至少 12 位');
    await page.type('#edit-e2e-promote_password', '567');
    await clickModalOk(page);
    await page.waitForSelector('::-p-xpath(//tr[contains(., "e2e-promote") and contains(., "管理员")])');

    expect((await loginAnswer('e2e-promote', 'Abcd@123')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await loginAnswer('e2e-promote', 'Abcd@1234567')).data?.login.user.role).toBe('ADMIN');
  });
});
