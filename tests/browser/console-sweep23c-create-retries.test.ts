import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, pickOption } from '../support/browser.ts';
import { pickRegion, retype, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// Sweep 23c (retries), in the console: the administrator's 新建 dialogs (仓库, 用户, 协议 — admin/FormModal) send one
// idempotency key per opening. 保存 again after a lost answer (the server created it, the connection dropped) gets the
// record created — not 「仓库代码已存在」, and no second one; a form changed after a lost answer and sent again is told
// that the first submission took effect and to look at the list first (IDEMPOTENCY_CONFLICT in the user's words, not
// the server's 「幂等键 … 换用新的幂等键」).
const { open, api } = useConsoleFlows();

/** The page's fetch, for the next `count` requests of `mutation`: they reach the server, and the connection fails once it has answered. */
async function loseAnswers(page: Page, mutation: string, count: number) {
  await page.evaluate(
    (name: string, n: number) => {
      const real = window.fetch.bind(window);
      let left = n;
      window.fetch = async (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        if (!body.includes(name) || left === 0) return real(input, init);
        left -= 1;
        await (await real(input, init)).text();
        throw new TypeError('Failed to fetch');
      };
    },
    mutation,
    count,
  );
}

const alertWith = (page: Page, text: string, timeout = 60_000) =>
  page.waitForFunction((s) => [...document.querySelectorAll('.ant-modal .form-alert')].some((e) => e.textContent?.includes(s)), { timeout }, text);

describe('console sweep 23c: 新建 dialogs whose answer is lost', () => {
  it('新建仓库 (D2): 保存 again after a lost answer saves the one store — not 「仓库代码已存在」', async () => {
    const admin = await api('admin');
    const code = `E2E23C-${randomUUID().slice(0, 6).toUpperCase()}`;
    const coded = async () =>
      (
        (await admin(`query($s: String) { stores(search: $s) { edges { node { id code } } } }`, { s: code })).stores.edges as { node: { code: string } }[]
      ).filter((e) => e.node.code === code);
    const { page } = await open('admin');
    await clickText(page, 'a', '仓库');
    await clickText(page, 'button', '新建仓库');
    await page.waitForSelector('#code', { visible: true });
    await page.type('#code', code);
    await page.type('#name', `E2E重试储备点${code.slice(-6)}`);
    await pickRegion(page, 'regionCode', ['河南省', '新乡市', '卫辉市']);
    await page.type('#location_lat', '35.40');
    await page.type('#location_lng', '114.06');
    await loseAnswers(page, 'createStore', 1);

    await clickModalOk(page);
    await alertWith(page, '操作可能已经完成');
    expect(await coded()).toHaveLength(1);

    await clickModalOk(page);
    await waitForMessage(page, '已保存');
    expect(await page.$('.ant-modal #code')).toBeNull();
    expect(await coded()).toHaveLength(1);
  });

  it('新建用户 (D24): changed after a lost answer and sent again → 「上次提交已经生效…请先刷新列表查看…」; one user, as first sent', async () => {
    const admin = await api('admin');
    const username = `e2e23c_${randomUUID().slice(0, 6)}`;
    const { page } = await open('admin');
    await clickText(page, 'a', '用户');
    await clickText(page, 'button', '新建用户');
    await page.waitForSelector('#username', { visible: true });
    await page.type('#username', username);
    await page.type('#displayName', 'E2E重试库管员');
    await page.type('#password', 'e2e-password-23c');
    await pickOption(page, 'storeIds', '卫辉');
    await loseAnswers(page, 'createUser', 1);

    await clickModalOk(page);
    await alertWith(page, '操作可能已经完成');
    await retype(page, '#displayName', 'E2E重试库管员（改）');
    await clickModalOk(page);
    await alertWith(page, '上次提交已经生效');
    await alertWith(page, '请先刷新列表');
    const text = await page.$eval('.ant-modal .form-alert', (e) => e.textContent ?? '');
    expect(text).not.toContain('幂等键');

    const { users } = await admin(`query($s: String) { users(search: $s) { edges { node { username displayName } } } }`, { s: username });
    expect(users.edges.map((e: { node: unknown }) => e.node)).toEqual([{ username, displayName: 'E2E重试库管员' }]);
  });
});
