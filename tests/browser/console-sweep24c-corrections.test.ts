import { describe, expect, it } from 'vitest';
import { clickModalOk, clickText, waitForText } from '../support/browser.ts';
import { useConsoleFlows, waitForMessage } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 24c, in the console: a keeper withdraws (撤回) the 冲销单 they filed by mistake (F9) and reads who closed it
// and why (F6); the 单据 list says which document a correction reverses, and which reversed it, each a link (F5, D22).
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store

/** A donation receipt posted by the keeper, and a reversal of it requested by the keeper: both through the API. */
async function receiptWithReversal(key: string, quantity: number) {
  const keeper = await api('keeper');
  const { receiveStock } = await keeper(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`, {
    input: { storeId: WEIHUI, source: 'DONATION', sourceName: 'E2E更正测试捐赠方', idempotencyKey: key, lines: [{ itemId: itemId('LIV-006'), quantity }] },
  });
  const { reverseDocument } = await keeper(
    `mutation($id: ID!, $key: String!) { reverseDocument(documentId: $id, reason: "E2E数量录错", idempotencyKey: $key) { id number approval { id } } }`,
    { id: receiveStock.id, key: `${key}-cx` },
  );
  return { receipt: receiveStock as { id: string; number: string }, reversal: reverseDocument as { id: string; number: string; approval: { id: string } } };
}

describe('sweep 24c: corrections in the console', () => {
  it('F9, F6 (D24): the keeper withdraws the 冲销单 they filed by mistake from its page; it then shows who closed it and why', async () => {
    const { reversal } = await receiptWithReversal('e2e-24c-withdraw', 5);
    const { page } = await open('keeper');
    await page.goto(new URL(`/documents/${reversal.id}`, page.url()).href, { waitUntil: 'domcontentloaded' });
    await waitForText(page, `冲销单 ${reversal.number}`);
    await clickText(page, 'button', '撤回');
    await page.type('#withdraw_reason', '点错了单据');
    await clickModalOk(page);
    await waitForMessage(page, '已撤回');
    // Sweep 24c F9 follow-up: it reads 已撤回 with its own reason (Approval.withdrawReason), no longer 「申请人已撤回：…」
    // as a 驳回理由.
    await waitForText(page, '撤回原因');
    await waitForText(page, '点错了单据');
    // No second 撤回 once closed; the director's queue no longer offers it (API).
    await page.waitForFunction(() => ![...document.querySelectorAll('button')].some((b) => b.textContent?.replace(/\s/g, '') === '撤回'));
    const director = await api('director');
    const { approvals } = await director(`query { approvals(filter: { status: PENDING, kind: REVERSAL }, first: 100) { edges { node { id } } } }`);
    expect(approvals.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(reversal.approval.id);
  });

  it('F5 (D22): the 单据 list names what a 冲销单 reverses and what reversed a receipt, each a link to the other', async () => {
    const { receipt, reversal } = await receiptWithReversal('e2e-24c-links', 4);
    const director = await api('director');
    await director(`mutation($id: ID!) { decideApproval(input: { approvalId: $id, decision: APPROVE }) { id status } }`, { id: reversal.approval.id });
    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/documents"]');
    await waitForText(page, `冲销 ${receipt.number}`);
    await waitForText(page, `已被 ${reversal.number} 冲销`);
    await page.click(
      `::-p-xpath(//span[contains(@class, "document-correction-link")][contains(., "已被")]//a[normalize-space(.)=${JSON.stringify(reversal.number)}])`,
    );
    await page.waitForFunction((id) => location.pathname === `/documents/${id}`, {}, reversal.id);
    await waitForText(page, `冲销单 ${reversal.number}`);
  });
});
