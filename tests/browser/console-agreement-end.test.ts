import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, clickText } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// Sweep 18a F8 (D6, D22): an administrator ends an agreement early (提前终止) in the console — the last day it binds and
// why; the list then shows it ended, with the contract's end and the reason, and offers no second end.
const { open, api } = useConsoleFlows();

const COMPANY = '卫辉市帐篷厂（提前终止）';

describe('the administrator ends an agreement early in the console', () => {
  it('D6, D22: 提前终止 asks for the reason, ends the agreement from the day chosen and the list says so', async () => {
    const as = await api('admin');
    const { createAgreement } = await as(`mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`, {
      i: {
        mode: 'AGREEMENT',
        companyName: COMPANY,
        regionCode: '410781',
        validFrom: '2026-01-01',
        validTo: '2030-12-31',
        lines: [{ itemId: itemId('LIV-013'), quantity: 10, unitPrice: '260.00', responseHours: 6 }],
      },
    });
    const { page } = await open('admin');
    await clickText(page, 'a', '协议储备');
    await clickRowButton(page, COMPANY, '提前终止');
    await clickModalOk(page);
    await page.waitForSelector('::-p-xpath(//div[contains(@class, "ant-form-item-explain-error") and contains(., "请填写终止原因")])');
    await page.type('#agreementEnd_reason', '企业停产，双方协商提前解除');
    await clickModalOk(page);
    await waitForMessage(page, '协议已提前终止');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., "${COMPANY}") and contains(., "提前终止，原至 2030-12-31：企业停产，双方协商提前解除")])`);
    expect(await page.$$(`::-p-xpath(//tr[contains(., "${COMPANY}")]//button[contains(., "提前终止")])`)).toHaveLength(0);
    const { agreement } = await as(`query($id: ID!) { agreement(id: $id) { endReason contractValidTo } }`, { id: createAgreement.id });
    expect(agreement).toEqual({ endReason: '企业停产，双方协商提前解除', contractValidTo: '2030-12-31' });
  });

  it('sweep 22b F2 (D6, D22): a voided agreement reads 已作废 and 已终止 in the list, not 未生效', async () => {
    const as = await api('admin');
    const VOID = '卫辉市帐篷厂（22b 作废）';
    const { createAgreement } = await as(`mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`, {
      i: {
        mode: 'AGREEMENT',
        companyName: VOID,
        regionCode: '410781',
        validFrom: '2030-01-01',
        validTo: '2030-12-31',
        lines: [{ itemId: itemId('LIV-013'), quantity: 10, unitPrice: '260.00', responseHours: 6 }],
      },
    });
    const { endAgreement } = await as(`mutation($i: EndAgreementInput!) { endAgreement(input: $i) { status } }`, {
      i: { agreementId: createAgreement.id, endOn: '2029-12-31', reason: '录入有误，作废' },
    });
    expect(endAgreement).toEqual({ status: 'ENDED' });
    const { page } = await open('admin');
    await clickText(page, 'a', '协议储备');
    const row = `::-p-xpath(//tr[contains(@class, "ant-table-row") and contains(., "${VOID}")])`;
    await page.waitForSelector(row);
    const text = await page.$eval(row, (tr) => tr.textContent ?? '');
    expect(text).toContain('2030-01-01 至 （已作废）');
    expect(text).toContain('已终止');
    expect(text).not.toContain('未生效');
  });
});
