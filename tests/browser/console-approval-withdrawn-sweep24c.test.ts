import { describe, expect, it } from 'vitest';
import { clickModalOk, clickOpenOption, clickStill, clickText, waitForText } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 24c F9 follow-up (D22, D24), in the console: a request withdrawn by its requester reads 已撤回 — who withdrew
// it, when and why (Approval.withdrawn …) — on the document page, in the 单据 list and in the approvals queue, not
// 已驳回 with the reason 「申请人已撤回：…」 and no one who rejected it.
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const KEEPER_NAME = '卫辉市储备库库管员';

/** A donation receipt posted by the keeper and a reversal of it requested by the keeper (pending), through the API. */
async function pendingReversal(key: string) {
  const keeper = await api('keeper');
  const { receiveStock } = await keeper(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`, {
    input: { storeId: WEIHUI, source: 'DONATION', sourceName: 'E2E撤回显示捐赠方', idempotencyKey: key, lines: [{ itemId: itemId('LIV-006'), quantity: 3 }] },
  });
  const { reverseDocument } = await keeper(
    `mutation($id: ID!, $key: String!) { reverseDocument(documentId: $id, reason: "E2E数量录错", idempotencyKey: $key) { id number approval { id } } }`,
    { id: receiveStock.id, key: `${key}-cx` },
  );
  const withdraw = (reason: string) =>
    keeper(`mutation($id: ID!, $r: String!) { withdrawApproval(approvalId: $id, reason: $r) { id } }`, { id: reverseDocument.approval.id, r: reason });
  return { reversal: reverseDocument as { id: string; number: string; approval: { id: string } }, withdraw };
}

/** The text of the table row naming `text`, once it shows. */
const rowText = async (page: Awaited<ReturnType<typeof open>>['page'], text: string) => {
  const row = await page.waitForSelector(`::-p-xpath(//tr[contains(@class, "ant-table-row") and contains(., ${JSON.stringify(text)})])`, { visible: true });
  return (await row!.evaluate((r) => r.textContent ?? '')).replace(/\s+/g, ' ');
};

describe('sweep 24c F9 follow-up: a withdrawn request reads 已撤回 in the console', () => {
  it('D22, D24: the document page and the 单据 list say 已撤回, by whom, when and why — no 驳回理由', async () => {
    const { reversal, withdraw } = await pendingReversal('e2e-24c-withdrawn-doc');
    await withdraw('E2E录重了');
    const { page } = await open('keeper');
    await page.goto(new URL(`/documents/${reversal.id}`, page.url()).href, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '撤回原因');
    const facts = await page.$$eval('.ant-descriptions-item-label', (ls) =>
      ls.map((l) => [l.textContent ?? '', l.nextElementSibling?.textContent ?? l.parentElement?.nextElementSibling?.textContent ?? '']),
    );
    const fact = (label: string) => facts.find(([k]) => k === label)?.[1];
    expect(fact('状态')).toBe('已撤回');
    expect(fact('撤回人')).toMatch(new RegExp(`^${KEEPER_NAME} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}`));
    expect(fact('撤回原因')).toBe('E2E录重了');
    expect(fact('驳回理由')).toBeUndefined();
    expect(fact('驳回人')).toBeUndefined();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('申请人已撤回：');
    await waitForText(page, '（冲销已撤回，原单未冲销）');

    await page.click('.ant-menu a[href="/keeper/documents"]');
    const row = await rowText(page, reversal.number);
    expect(row).toContain('已撤回');
    expect(row).toMatch(new RegExp(`${KEEPER_NAME} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 撤回：E2E录重了`));
    expect(row).toContain('（已撤回，未冲销）');
    expect(row).not.toContain('已驳回');
    expect(row).not.toContain('驳回理由');
  });

  it('D24: the approver’s 批准 on a request withdrawn meanwhile says who withdrew it and why; the closed ones list it as 已撤回', async () => {
    const { reversal, withdraw } = await pendingReversal('e2e-24c-withdrawn-queue');
    const { page } = await open('director');
    await clickText(page, 'a', '审批');
    await rowText(page, reversal.number);
    await withdraw('E2E不再冲销');
    await clickRowButton(page, reversal.number, '批准');
    await clickModalOk(page);
    const alert = await page.waitForFunction(() => document.querySelector('.ant-modal [role="alert"]')?.textContent || null);
    expect(await alert.jsonValue()).toMatch(new RegExp(`^该审批已关闭：申请已于 .+ 被${KEEPER_NAME}撤回，原因：E2E不再冲销$`));
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal'));
    // 已驳回 in the status filter lists what was closed unapproved; the withdrawn one says so.
    await clickStill(page, '.ant-card-extra .ant-select');
    await clickOpenOption(page, '已驳回');
    const row = await rowText(page, reversal.number);
    expect(row).toContain('已撤回');
    expect(row).toMatch(new RegExp(`${KEEPER_NAME} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 撤回，原因：E2E不再冲销`));
    expect(row).not.toContain('已驳回');
  });
});
