import { describe, expect, it } from 'vitest';
import { clickText, pickOption, screenshot } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 22c F7 (D22): 审计日志 named the stores, items and incidents an entry touched by ids cut to 8 characters
// (「8c49741a…」): the auditor could not tell what was touched. The page now shows them by name and code, from the API's
// AuditEntry.references — in a 对象 column and in the entry's expanded input — the id on hover. Fails on a console
// error or a foreign request, as every flow.
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01');

describe('sweep 22c F7: the audit log names what an entry touched', () => {
  it('an outbound order request reads 卫辉市救灾物资储备库（S-410781-01） as its 对象, and its input names the store and the item, not cut ids', async () => {
    const keeper = await api('keeper');
    await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { number } }`, {
      i: {
        storeId: WEIHUI,
        purpose: 'RELIEF',
        recipient: 'F7审计对象领用单位',
        idempotencyKey: 'e2e-22c-f7-audit',
        lines: [{ itemId: itemId('LIV-004'), quantity: 1 }],
      },
    });

    const { page } = await open('auditor');
    await page.setViewport({ width: 1366, height: 768 });
    await clickText(page, 'a', '审计日志');
    await pickOption(page, 'audit-operation', '申请出库', '申请出库');
    const row = '//tr[contains(@class, "ant-table-row") and contains(., "申请出库") and contains(., "成功")]';
    await page.waitForSelector(`::-p-xpath(${row})`);
    const subject = await page.$eval(`::-p-xpath((${row})[1]//*[@data-testid="audit-subject"])`, (e) => e.textContent ?? '');
    expect(subject).toBe('卫辉市救灾物资储备库（S-410781-01）');

    await page.click(`::-p-xpath((${row})[1]//button[contains(@class, "ant-table-row-expand-icon")])`);
    const input = await (await page.waitForSelector('[data-testid="audit-input"]', { visible: true }))!.evaluate((e) => (e as HTMLElement).innerText);
    expect(input).toContain('卫辉市救灾物资储备库（S-410781-01）');
    expect(input).toContain('棉被（LIV-004）');
    expect(input).toContain('F7审计对象领用单位');
    // No id cut to its first 8 characters is left for the store or the item.
    expect(input).not.toContain(`${WEIHUI.slice(0, 8)}…`);
    expect(input).not.toContain(`${itemId('LIV-004').slice(0, 8)}…`);
    // The id stays, on hover.
    const titles = await page.$$eval('[data-testid="audit-input"] [data-testid="audit-reference"]', (spans) => spans.map((s) => s.getAttribute('title')));
    expect(titles).toEqual(expect.arrayContaining([WEIHUI, itemId('LIV-004')]));
    await screenshot(page, 'sweep22c-f7-audit-references');
  });
});
