import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickText, waitForText } from '../support/browser.ts';
import { logInOverPage, openReceipt, SESSION_ENDED_DIALOG as dialog, useConsoleFlows } from '../support/console-flows.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 23c, a session that ends while a page is open (the account disabled by an administrator, 退出 on another
// device, the token's expiry):
// - F4: the submit is refused and the login is asked over the page, which stays as it was — the same user logged in
//   again sends what was typed; a disabled account is told so (请联系管理员), not 登录已过期; another user logging in over
//   the page does not inherit it (their home). The API tells the holder of a current token why (extensions.reason),
//   and no one else more than a login says.
// - F8: the plan's live status (dispatchPlanStatus) ending with the session says so, and opens again after the re-login.
// - F5: the browser's 后退 on a typed 入库 asks 「离开本页？」 as a menu link does.
const { t, open, api, apiAnswers } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01');
const QUILT = itemId('LIV-004'); // 棉被

const RECEIPTS = `query($storeId: ID!, $itemId: ID!) {
  movements(filter: { storeId: $storeId, itemId: $itemId, type: RECEIPT }, first: 1) { totalCount }
}`;

const setActive = async (username: string, active: boolean) =>
  (await api('admin'))(`mutation($id: ID!, $a: Boolean!) { updateUser(id: $id, input: { active: $a }) { active } }`, { id: userId(username), a: active });

/** 入库 of 棉被 with its papers and a line, as the sweep typed it. */
async function typeReceipt(page: Page, contractNo: string) {
  await openReceipt(page, '棉被', { contractNo, inspectionReportNo: `YS-${contractNo}` });
  await page.type('#lines_0_quantity', '3');
  await page.type('#lines_0_unitPrice', '150');
  await page.type('#lines_0_batchNo', `B-${contractNo}`);
}

const valueOf = (page: Page, selector: string) => page.$eval(selector, (e) => (e as HTMLInputElement).value);

describe('console: a session that ends under an open page (sweep 23c F4, F5, F8)', () => {
  it('F4: 退出 on another device, then 过账入库 — the login is asked over the page; the same user logged in again posts what was typed', async () => {
    const { page } = await open('keeper');
    const keeper = await api('keeper');
    await typeReceipt(page, 'HT-SE-LOGOUT');
    // 退出 on another device ends every session of the user, this tab's too.
    await keeper(`mutation { logout }`);
    const before = await (await api('keeper'))(RECEIPTS, { storeId: WEIHUI, itemId: QUILT });

    await clickText(page, 'button', '过账入库');
    await page.waitForSelector(dialog, { visible: true });
    await waitForText(page, '登录已过期或已退出，请重新登录');
    expect(await pageText(page)).not.toContain('停用');
    // Old behaviour (pinned by M7 before): the login page, the form gone. Now the page is there behind the dialog.
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/receive');
    expect(await valueOf(page, '#contractNo')).toBe('HT-SE-LOGOUT');
    expect(await valueOf(page, '#lines_0_quantity')).toBe('3');

    await logInOverPage(page, 'keeper');
    await page.waitForSelector(dialog, { hidden: true });
    expect(await valueOf(page, '#contractNo')).toBe('HT-SE-LOGOUT');
    expect(await valueOf(page, '#lines_0_batchNo')).toBe('B-HT-SE-LOGOUT');
    await clickText(page, 'button', '过账入库');
    await waitForText(page, '已过账');
    await waitForText(page, '批号 B-HT-SE-LOGOUT：3');
    const after = await (await api('keeper'))(RECEIPTS, { storeId: WEIHUI, itemId: QUILT });
    expect(after.movements.totalCount).toBe(before.movements.totalCount + 1);
  });

  it('F4: the account disabled by the administrator says so (请联系管理员, not 登录已过期); re-enabled, the same user posts what was typed', async () => {
    const { page } = await open('keeper');
    await typeReceipt(page, 'HT-SE-DISABLED');
    await setActive('keeper', false);
    try {
      await clickText(page, 'button', '过账入库');
      await page.waitForSelector(dialog, { visible: true });
      await waitForText(page, '您的账号已被管理员停用，请联系管理员');
      expect(await pageText(page)).not.toContain('登录已过期');
      expect(await valueOf(page, '#contractNo')).toBe('HT-SE-DISABLED');
      // Logging in while disabled is refused as for anyone (用户名或密码错误): the dialog stays, the page too.
      await logInOverPage(page, 'keeper');
      await waitForText(page, '用户名或密码错误');
      expect(await page.$(dialog)).not.toBeNull();
    } finally {
      await setActive('keeper', true);
    }
    // Re-enabled (a reactivation ends the old sessions: the keeper logs in again) — the page goes on.
    await logInOverPage(page, 'keeper');
    await page.waitForSelector(dialog, { hidden: true });
    expect(await valueOf(page, '#contractNo')).toBe('HT-SE-DISABLED');
    await clickText(page, 'button', '过账入库');
    await waitForText(page, '批号 B-HT-SE-DISABLED：3');
  });

  it('F4: the API says why a token is refused — to the holder of the current session only (extensions.reason; code UNAUTHENTICATED)', async () => {
    const current = await apiAnswers('auditor');
    const ended = await apiAnswers('auditor');
    const before = await current(`{ me { id } }`);
    expect(before.errors).toBeUndefined();
    await setActive('auditor', false);
    try {
      const refused = await current(`{ me { id } }`);
      expect(refused.errors![0]).toMatchObject({
        message: '您的账号已被管理员停用，本次登录已失效，请联系管理员',
        extensions: { code: 'UNAUTHENTICATED', reason: 'ACCOUNT_DISABLED' },
      });
      // A login says no more than for a wrong password (nothing told to someone who cannot sign in as the user).
      const login = await fetch(`${t.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { login(username: "auditor", password: "${TEST_PASSWORD}") { token } }` }),
      });
      const answer = (await login.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(answer.errors[0].message).toBe('用户名或密码错误');
      expect(answer.errors[0].extensions.reason).toBeUndefined();
      // A forged token of the user: the session ended, nothing of the account.
      const res = await fetch(`${t.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const forged = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(forged.errors[0]).toMatchObject({ message: '登录已失效，请重新登录', extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });
    } finally {
      await setActive('auditor', true);
    }
    // A session ended by the reactivation (or a logout) is SESSION_ENDED, whatever became of the account since.
    const stale = await ended(`{ me { id } }`);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    await setActive('auditor', false);
    try {
      const staleDisabled = await ended(`{ me { id } }`);
      expect(staleDisabled.errors![0]).toMatchObject({ message: '登录已失效，请重新登录', extensions: { reason: 'SESSION_ENDED' } });
    } finally {
      await setActive('auditor', true);
    }
  });

  it('F4: another user logging in over the ended page does not inherit it — they start at their own home', async () => {
    const { page } = await open('keeper');
    await typeReceipt(page, 'HT-SE-OTHER');
    await (
      await api('keeper')
    )(`mutation { logout }`);
    await clickText(page, 'button', '过账入库');
    await page.waitForSelector(dialog, { visible: true });
    await logInOverPage(page, 'dispatcher');
    await page.waitForFunction(() => document.querySelector('[data-testid="current-user"]')?.textContent === '新乡市应急管理局调度员');
    await page.waitForFunction(() => location.pathname === '/dispatch/map');
    expect(await page.$('#contractNo')).toBeNull();
    expect(await page.$(dialog)).toBeNull();
  });

  it('F8 (D18): the plan’s live status ending with the session says so; logged in again, it is live again (已批准 meanwhile)', async () => {
    const dispatcher = await api('dispatcher');
    const { incidents } = await dispatcher(`{ incidents(first: 50) { edges { node { id name } } } }`);
    const demo = incidents.edges.map((e: any) => e.node).find((i: any) => i.name === '卫辉市洪涝灾害（演示）');
    const { requestDispatch } = await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
      i: {
        incidentId: demo.id,
        deadlineHours: 48,
        destinations: [{ name: '会话结束安置点', regionCode: '410781100000', lat: 35.41, lng: 114.07, lines: [{ itemId: QUILT, quantity: 5 }] }],
      },
    });
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${demo.id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '待批准');
    // The stream is open (its first event told 待批准) before the session ends.
    await new Promise((r) => setTimeout(r, 1500));

    await setActive('dispatcher', false);
    try {
      // Nothing done on the page: the stream's end is enough to say so (it used to freeze on 待批准 without a word).
      await page.waitForSelector(dialog, { visible: true, timeout: 15_000 });
      await waitForText(page, '您的账号已被管理员停用，请联系管理员');
      await page.waitForSelector('[data-testid="plan-live-ended"]');
      await (
        await api('director')
      )(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: requestDispatch.id });
    } finally {
      await setActive('dispatcher', true);
    }
    await logInOverPage(page, 'dispatcher');
    await page.waitForSelector(dialog, { hidden: true });
    // The stream opens again: its first event is the status now, without a reload.
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已批准', { timeout: 15_000 });
    expect(await page.$('[data-testid="plan-live-ended"]')).toBeNull();
    expect(await page.evaluate(() => location.pathname)).toBe(`/dispatch/incidents/${demo.id}`);
  });

  it('F5: the browser’s 后退 on a typed 入库 asks first; 留在本页 keeps the form, 离开 goes back', async () => {
    const { page } = await open('keeper');
    await typeReceipt(page, 'HT-SE-BACK');
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/receive');

    await page.evaluate(() => history.back());
    await waitForText(page, '离开本页？');
    await waitForText(page, '录入的入库内容尚未过账，离开本页将丢失。');
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/receive');
    await clickText(page, 'button', '留在本页');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-confirm'));
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/receive');
    expect(await valueOf(page, '#contractNo')).toBe('HT-SE-BACK');

    await page.evaluate(() => history.back());
    await waitForText(page, '离开本页？');
    await clickText(page, 'button', '离开');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    expect(await page.$('#contractNo')).toBeNull();
  });
});

const pageText = (page: Page) => page.evaluate(() => document.body.innerText);
