import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickOpenOption, clickStill, clickText, logIn, openWatchedPage } from '../support/browser.ts';
import { clickRowButton, openAgreementForm, pickRegion, retype, useConsoleFlows, waitForFieldError, waitForMessage } from '../support/console-flows.ts';

// Sweep 20b, the administrator setting up a county. F6 (D24): 编辑用户 sent every field as it was when the dialog
// opened — a user disabled in another tab was enabled again by a change of name. F1 (D1, D2, D31): no screen loaded a
// county's townships, edited a store, or took a store's contact, phone and capacity; regions were typed as codes. F2: a
// date typed outside what the picker allowed was replaced without a word; 新建协议, 编辑用户, 救助标准 said nothing.
const { t, open, api } = useConsoleFlows();

/** The error shown in the form item of the field `id`, once there is one containing `text`. */
async function fieldErrorWith(page: Page, id: string, text: string) {
  await page.waitForSelector(
    `::-p-xpath(//div[contains(@class, "ant-form-item") and .//*[@id=${JSON.stringify(id)}]]//div[contains(@class, "ant-form-item-explain-error") and contains(., ${JSON.stringify(text)})])`,
  );
}

const dialogGone = (page: Page, id: string) => page.waitForFunction((s) => !document.getElementById(s), {}, id);

async function findUser(page: Page, username: string) {
  await clickText(page, 'a', '用户');
  await page.waitForSelector('input[placeholder="用户名或姓名"]', { visible: true });
  await page.type('input[placeholder="用户名或姓名"]', username);
  await page.keyboard.press('Enter');
  // The search's answer, not the first page that may list the user too (a click on a row being replaced is lost).
  await page.waitForFunction(
    (name) => {
      const rows = [...document.querySelectorAll('tr.ant-table-row')];
      return rows.length > 0 && rows.every((r) => r.textContent?.includes(name)) && !document.querySelector('.ant-table-wrapper .ant-spin-spinning');
    },
    {},
    username,
  );
}

describe('sweep 20b: the administrator’s screens', () => {
  it('F6 (D24): a name changed in a tab opened before another tab disabled the user does not enable them again — the dialog says the user changed, then saves the name alone', async () => {
    const admin = await api('admin');
    const { stores } = await admin(`{ stores(kind: GOVERNMENT, first: 2) { edges { node { id } } } }`);
    const { createUser } = await admin(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username: 'e2e20b_keeper', displayName: '县库库管员', password: 'KeepPass#2026', role: 'KEEPER', storeIds: stores.edges.map((e: any) => e.node.id) },
    });
    const userNow = async () => {
      const { users } = await admin(`{ users(search: "e2e20b_keeper") { edges { node { id displayName active stores { id } } } } }`);
      return users.edges.map((e: any) => e.node).find((u: any) => u.id === createUser.id);
    };
    const NAME = '#edit-e2e20b_keeper_displayName';

    // Tab A opens the dialog; tab B (a second login) disables the user meanwhile.
    const { page: a } = await open('admin');
    await findUser(a, 'e2e20b_keeper');
    await clickRowButton(a, 'e2e20b_keeper', '编辑');
    await a.waitForSelector(NAME, { visible: true });

    const b = await openWatchedPage(t);
    try {
      await logIn(t, b, 'admin');
      await findUser(b.page, 'e2e20b_keeper');
      await clickRowButton(b.page, 'e2e20b_keeper', '编辑');
      await clickStill(b.page, '#edit-e2e20b_keeper_active');
      await clickOpenOption(b.page, '停用');
      await clickModalOk(b.page);
      await dialogGone(b.page, 'edit-e2e20b_keeper_active');
      expect((await userNow()).active).toBe(false);
      expect(b.problems).toEqual([]);
    } finally {
      await b.page.close();
    }

    // Tab A changes the name only: the user stays disabled.
    await retype(a, NAME, '县库库管员（改名）');
    await clickModalOk(a);
    await a.waitForFunction(() => !document.getElementById('edit-e2e20b_keeper_displayName') || document.body.innerText.includes('已被修改'));
    expect((await userNow()).active).toBe(false);
    // The dialog says so and now shows the user as they are (停用), the name typed kept.
    await a.waitForSelector('::-p-xpath(//div[contains(@class,"ant-alert") and contains(., "该用户在您打开此窗口后已被修改（状态）")])');
    await a.waitForSelector('::-p-xpath(//div[contains(@class,"ant-modal")]//span[contains(@class,"ant-select-selection-item") and contains(., "停用")])');
    expect(await a.$eval(NAME, (e) => (e as HTMLInputElement).value)).toBe('县库库管员（改名）');
    // Saved again knowingly: the name alone is sent (F2: and said).
    await clickModalOk(a);
    await waitForMessage(a, '用户「e2e20b_keeper」已保存');
    const after = await userNow();
    expect(after).toMatchObject({ displayName: '县库库管员（改名）', active: false });
    expect(after.stores).toHaveLength(2);
  });

  it('F1 (D1, D2): admin loads 获嘉县’s townships, creates a township store with its contact, phone and capacity, and edits its contact alone', async () => {
    const admin = await api('admin');
    const { page } = await open('admin');
    await clickText(page, 'a', '仓库');
    await clickText(page, 'button', '加载下级区划');
    await pickRegion(page, 'code', ['河南省', '新乡市', '获嘉县']);
    await clickModalOk(page);
    await waitForMessage(page, '「获嘉县」下级区划已加载：新增');
    const { regions } = await admin(`{ regions(parentCode: "410724") { code name } }`);
    const township = regions.find((r: any) => r.code === '410724101000');
    expect(township).toBeDefined();

    await clickText(page, 'button', '新建仓库');
    await page.waitForSelector('#code', { visible: true });
    await page.type('#code', 'E2E20B-ZJ');
    await page.type('#name', `E2E${township.name}储备点`);
    await pickRegion(page, 'regionCode', ['河南省', '新乡市', '获嘉县', township.name]);
    await page.type('#location_lat', '35.26');
    await page.type('#location_lng', '113.66');
    await page.type('#contactName', '张三');
    await page.type('#contactPhone', '0373-4501234');
    await page.type('#capacityM3', '800');
    await clickModalOk(page);
    await waitForMessage(page, '已保存');
    const storeNow = async () => {
      const { stores } = await admin(`{ stores(search: "E2E20B-ZJ") { edges { node { name region { code } contactName contactPhone capacityM3 } } } }`);
      return stores.edges[0].node;
    };
    expect(await storeNow()).toMatchObject({ region: { code: '410724101000' }, contactName: '张三', contactPhone: '0373-4501234', capacityM3: 800 });
    await page.waitForSelector('::-p-xpath(//tr[contains(., "E2E20B-ZJ") and contains(., "张三 0373-4501234")])');

    await clickRowButton(page, 'E2E20B-ZJ', '编辑');
    await retype(page, '#edit-store-E2E20B-ZJ_contactName', '李四');
    await clickModalOk(page);
    await waitForMessage(page, `仓库「E2E${township.name}储备点」已保存`);
    expect(await storeNow()).toMatchObject({ region: { code: '410724101000' }, contactName: '李四', contactPhone: '0373-4501234', capacityM3: 800 });
  });

  it('F1 (D31): a store with ledger history moved to another county is refused at 所属区划, and keeps its region', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '仓库');
    await page.waitForSelector('#store-search', { visible: true });
    await page.type('#store-search', 'S-410700-01');
    await page.keyboard.press('Enter');
    await clickRowButton(page, 'S-410700-01', '编辑');
    // The region it is in shows by name, its tree opened from there.
    await page.waitForSelector('::-p-xpath(//div[contains(@class,"ant-modal")]//span[contains(@class,"ant-select-selection-item") and contains(., "新乡市")])');
    await pickRegion(page, 'edit-store-S-410700-01_regionCode', ['河南省', '新乡市', '新乡县']);
    await clickModalOk(page);
    await fieldErrorWith(page, 'edit-store-S-410700-01_regionCode', '已有库存账目，不能改变所属区划');
    const { stores } = await (await api('admin'))(`{ stores(search: "S-410700-01") { edges { node { region { code } } } } }`);
    expect(stores.edges[0].node.region.code).toBe('410700000000');
  });

  it('F2: an agreement’s end typed before its start is refused at the field and nothing is saved; a future 抽查日期 is refused at the field; a new agreement is said saved', async () => {
    const admin = await api('admin');
    const count = async () => (await admin(`{ agreements(first: 200) { totalCount } }`)).agreements.totalCount as number;
    const before = await count();
    const { page } = await open('admin');
    await openAgreementForm(page);
    await page.type('#agreement_companyName', 'E2E20B日期企业');
    await clickStill(page, '[id="agreement_regionCode"]');
    await page.type('[id="agreement_regionCode"]', '获嘉县');
    await clickOpenOption(page, '获嘉县');
    await clickStill(page, '[id="agreement_lines_0_itemId"]');
    await page.type('[id="agreement_lines_0_itemId"]', '毛毯');
    await clickOpenOption(page, '毛毯');
    await page.type('#agreement_lines_0_quantity', '10');
    await page.type('#agreement_lines_0_unitPrice', '50');
    await page.type('#agreement_lines_0_responseHours', '6');
    for (const [id, date] of [
      ['#agreement_validFrom', '2027-12-31'],
      ['#agreement_validTo', '2027-01-01'],
    ]) {
      await clickStill(page, id);
      await page.keyboard.type(date);
      await page.keyboard.press('Enter');
    }
    await clickModalOk(page);
    await waitForFieldError(page, '结束日期不能早于开始日期');
    expect(await page.$eval('#agreement_validTo', (e) => (e as HTMLInputElement).value)).toBe('2027-01-01');
    expect(await count()).toBe(before);

    await retype(page, '#agreement_validTo', '2028-12-31');
    await page.keyboard.press('Enter');
    await clickModalOk(page);
    await waitForMessage(page, '与「E2E20B日期企业」的协议已保存');
    expect(await count()).toBe(before + 1);

    // 记录抽查 (the demo's entrusted 棉被): a day after today typed is refused at 抽查日期, not replaced by today.
    await clickRowButton(page, '新乡县中原物流仓储有限公司', '记录抽查');
    await page.waitForSelector('#agreementCheck_checkedOn', { visible: true });
    await retype(page, '#agreementCheck_checkedOn', '2099-01-01');
    await page.keyboard.press('Enter');
    await clickModalOk(page);
    await waitForFieldError(page, '抽查日期不能晚于今天');
  });
});
