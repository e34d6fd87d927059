import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { OPERATION } from '../../server/console/src/common/labels.ts';
import { clickModalOk, clickOpenOption, clickStill, clickText, pickOption } from '../support/browser.ts';
import { clickRowButton, openAgreementForm, useConsoleFlows, waitForFieldError } from '../support/console-flows.ts';

// What an administrator records in the console and the audit log names (sweep 10b): an entrusted agreement (D6: 企业代储,
// the company's 代储库) of several items, an item's recovery rule (D12), and every operation in Chinese (D22's log).
const { open, api } = useConsoleFlows();

const ZHONGYUAN = '新乡县中原物流仓储有限公司'; // operates 新乡县救灾物资代储库（七里营）; the demo entrusts it 棉被 to 2027-12-31

describe('the administrator records agreements and catalog rules in the console', () => {
  it('D6: admin records an entrusted agreement of two items in the company’s 代储库; a refused line is shown at that line; it is listed', async () => {
    const { page } = await open('admin');
    await openAgreementForm(page, { mode: '企业代储', region: '新乡县' });
    await clickModalOk(page);
    await waitForFieldError(page, '企业代储须指定代储库');
    // Picking the store names its operator as the company (the agreement is with it).
    await pickOption(page, 'agreement_storeId', '七里营');
    await page.waitForFunction((v) => document.querySelector<HTMLInputElement>('#agreement_companyName')?.value === v, {}, ZHONGYUAN);
    await typePeriod(page, '2026-01-01', '2027-12-31');

    await pickOption(page, 'agreement_lines_0_itemId', '折叠床');
    await page.type('#agreement_lines_0_quantity', '200');
    await clickText(page, 'button', '添加品种');
    await pickOption(page, 'agreement_lines_1_itemId', '棉被');
    await page.type('#agreement_lines_1_quantity', '300');
    await clickModalOk(page);
    // The store's 棉被 is already entrusted for these dates: the API's refusal lands under the second line's item.
    await page.waitForSelector(
      '::-p-xpath(//div[contains(@class, "ant-form-item") and .//*[@id="agreement_lines_1_itemId"]]//div[contains(@class, "ant-form-item-explain-error") and contains(., "已由")])',
    );
    await pickOption(page, 'agreement_lines_1_itemId', '棉大衣');
    await clickModalOk(page);
    await page.waitForFunction(() => !document.querySelector('#agreement_mode'));

    await page.waitForSelector(
      `::-p-xpath(//tr[contains(., "${ZHONGYUAN}") and contains(., "企业代储") and contains(., "七里营") and contains(., "折叠床 200") and contains(., "棉大衣 300")])`,
    );
  });

  it('D12: admin creates a tent recovered within 6 months of use, then makes it always recovered; the list and the API say so', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '物资目录');
    await clickText(page, 'button', '新增物资');
    await page.waitForSelector('#item_code', { visible: true });
    await page.type('#item_code', 'E2E-TENT-D12');
    await page.type('#item_name', 'E2E救灾帐篷');
    await page.type('#item_unit', '顶');
    // A new item is consumed unless said otherwise (the API's default), shown as such.
    await page.waitForSelector(
      '::-p-xpath(//div[contains(@class, "ant-modal")]//span[contains(@class, "ant-select-selection-item") and contains(., "不回收（消耗品）")])',
    );
    await clickStill(page, '#item_recovery_kind');
    await clickOpenOption(page, '限期内使用则回收');
    await clickModalOk(page);
    await waitForFieldError(page, '请填写回收月数');
    await page.type('#item_recovery_months', '6');
    await clickModalOk(page);
    await page.waitForFunction(() => !document.querySelector('#item_code'));
    expect(await ruleOf('E2E-TENT-D12')).toEqual({ recoveryKind: 'WITHIN_MONTHS', recoveryMonths: 6 });
    await page.waitForSelector('::-p-xpath(//tr[contains(., "E2E-TENT-D12") and contains(., "使用未满 6 个月须回收")])');

    // Edited, the form shows the rule it has.
    await clickRowButton(page, 'E2E-TENT-D12', '编辑');
    await page.waitForSelector('#itemEdit_recovery_months', { visible: true });
    expect(await page.$eval('#itemEdit_recovery_months', (e) => (e as HTMLInputElement).value)).toBe('6');
    await clickStill(page, '#itemEdit_recovery_kind');
    await clickOpenOption(page, '必须回收');
    await clickModalOk(page);
    await page.waitForFunction(() => !document.querySelector('#itemEdit_name'));
    expect(await ruleOf('E2E-TENT-D12')).toEqual({ recoveryKind: 'ALWAYS', recoveryMonths: null });
    await page.waitForSelector('::-p-xpath(//tr[contains(., "E2E-TENT-D12") and contains(., "必须回收")])');
  });

  it('D22: the audit log names every operation of the API in Chinese (修改密码, 退出登录 among them)', () => {
    const schema = readFileSync(new URL('../../server/console/src/graphql/schema.graphql', import.meta.url), 'utf8');
    // The fields of type Mutation, their descriptions left out.
    const mutation = /^type Mutation \{\n([\s\S]*?)\n\}/m.exec(schema)![1].replace(/"""[\s\S]*?"""/g, '');
    const operations = [...mutation.matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]);
    expect(operations).toContain('changePassword');
    expect(operations.filter((o) => !(o in OPERATION))).toEqual([]);
  });

  async function ruleOf(code: string) {
    const { categories } = await (await api('admin'))(`query { categories { items { code recoveryKind recoveryMonths } } }`);
    const item = (categories as { items: { code: string; recoveryKind: string; recoveryMonths: number | null }[] }[])
      .flatMap((c) => c.items)
      .find((i) => i.code === code);
    return item && { recoveryKind: item.recoveryKind, recoveryMonths: item.recoveryMonths };
  }
});

/** Types the agreement's validity (sweep 20b F2: two date pickers): the start, Enter, the end, Enter. */
async function typePeriod(page: Page, from: string, to: string) {
  for (const [id, date] of [
    ['#agreement_validFrom', from],
    ['#agreement_validTo', to],
  ]) {
    await clickStill(page, id);
    await page.keyboard.type(date);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)'));
  }
}
