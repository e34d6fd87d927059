import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickOpenOption, clickStill, rowByHeading, waitForText } from '../support/browser.ts';
import { logInOverPage, openStocktakeAt, SESSION_ENDED_DIALOG as dialog, useConsoleFlows } from '../support/console-flows.ts';

// Two of the keeper's 盘点 screen's answers, in the console:
// - The 盘点表 upload (plain HTTP, with the session token) refused for the session — 退出 on another device, the account
//   disabled — opens the login over the page and says why, as a GraphQL refusal does (sweep 23c F4; the upload answers
//   401 { error: { code, message, reason } } by server/auth/session-refusal.ts): it showed a bare 请先登录.
// - D9, D27: a count refused for being below what is reserved (a document awaiting approval holds it) reads the book
//   again — 账面 and 预留 — keeps the counts typed and says what is reserved, as a refusal for a moved book does (sweep
//   23c): the page showed no 预留 and kept the book it had read.
const { open, api, current } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const COAT = itemId('LIV-005'); // 棉大衣

const setActive = async (username: string, active: boolean) =>
  (await api('admin'))(`mutation($id: ID!, $a: Boolean!) { updateUser(id: $id, input: { active: $a }) { active } }`, { id: userId(username), a: active });

/** The upload's 401 is logged by Chrome as a console error: expected here, each one once. */
function expectRefusedLoads(n: number) {
  const problems = current()!.problems;
  for (let i = 0; i < n; i++) {
    const refused = problems.findIndex((p) => p.includes('status of 401'));
    expect(refused).toBeGreaterThanOrEqual(0);
    problems.splice(refused, 1);
  }
}

describe('console: the 盘点 screen’s file upload and a count below what is reserved', () => {
  it('sweep 23c F4: the 盘点表 upload with the session ended (退出 elsewhere, then the account disabled) asks the login over the page, saying why', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'upload-session-')), '盘点表.xlsx');
    await writeFile(file, 'not read: the session is refused first');
    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/stocktake"]');
    await page.waitForSelector('input[type="file"]');
    const upload = async () => {
      const input = await page.waitForSelector('input[type="file"]');
      await input!.uploadFile(file);
      await input!.dispose();
    };

    // 退出 on another device ends this tab's session too.
    await (
      await api('keeper')
    )(`mutation { logout }`);
    await upload();
    await page.waitForSelector(dialog, { visible: true });
    await waitForText(page, '登录已过期或已退出，请重新登录');
    const text = () => page.evaluate(() => document.body.innerText);
    expect(await text()).not.toContain('请先登录');
    expect(await text()).not.toContain('停用');
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/stocktake');
    await logInOverPage(page, 'keeper');
    await page.waitForSelector(dialog, { hidden: true });

    // Disabled by the administrator: told so (请联系管理员), not 登录已过期.
    await setActive('keeper', false);
    try {
      await upload();
      await page.waitForSelector(dialog, { visible: true });
      await waitForText(page, '您的账号已被管理员停用，请联系管理员');
      expect(await text()).not.toContain('请先登录');
      expect(await text()).not.toContain('登录已过期');
    } finally {
      await setActive('keeper', true);
    }
    await logInOverPage(page, 'keeper');
    await page.waitForSelector(dialog, { hidden: true });
    expect(await page.evaluate(() => location.pathname)).toBe('/keeper/stocktake');
    expectRefusedLoads(2);
  });

  it('D9, D27: a count below what a pending 冲销单 reserves reads 账面 and 预留 again, keeps the count and says what is reserved', async () => {
    const keeper = await api('keeper');
    const batchNo = `E2E-RES-${randomUUID().slice(0, 6)}`;
    const { receiveStock } = await keeper(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, {
      i: {
        storeId: WEIHUI,
        source: 'DONATION',
        sourceName: 'E2E盘点预留捐赠方',
        idempotencyKey: randomUUID(),
        lines: [{ itemId: COAT, quantity: 7, batchNo, expiryDate: '2031-06-30' }],
      },
    });
    const { page } = await open('keeper');
    const counted = await openStocktakeAt(page, keeper, WEIHUI, batchNo);
    expect(await rowByHeading(page, batchNo)).toMatchObject({ 账面: '7 件', 预留: '—' });
    await page.type(counted, '3');
    await clickStill(page, `[aria-label="差异原因 批号 ${batchNo}"]`);
    await clickOpenOption(page, '丢失');
    // Meanwhile the receipt's reversal is requested (D22): awaiting its second person, it holds the 7 (D27).
    const { reverseDocument } = await keeper(
      `mutation($id: ID!, $key: String!) { reverseDocument(documentId: $id, reason: "E2E预留盘点", idempotencyKey: $key) { number } }`,
      { id: receiveStock.id, key: randomUUID() },
    );

    await page.click('::-p-xpath(//button[contains(translate(normalize-space(.), " ", ""), "提交盘点")])');
    await waitForText(page, `批号 ${batchNo} 已预留 7 件（待审批的冲销单 ${reverseDocument.number}），实盘 3 件低于预留量`);
    await waitForText(page, '账面和预留已刷新，录入的实盘数量保留');
    await page.waitForFunction(
      (b) => [...document.querySelectorAll('tr')].some((r) => r.textContent?.includes(b) && r.textContent.includes('7 件7 件')),
      {},
      batchNo,
    );
    expect(await rowByHeading(page, batchNo)).toMatchObject({ 账面: '7 件', 预留: '7 件' });
    expect(await page.$eval(counted, (e) => (e as HTMLInputElement).value)).toBe('3');
    // Nothing was posted.
    const { stock } = await keeper(`query($s: ID!) { stock(filter: { storeId: $s }, first: 500) { edges { node { batch { batchNo } onHand reserved } } } }`, {
      s: WEIHUI,
    });
    expect(stock.edges.find((e: any) => e.node.batch.batchNo === batchNo)?.node).toMatchObject({ onHand: 7, reserved: 7 });
  });
});
