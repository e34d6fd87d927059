import { describe, expect, it } from 'vitest';
import { clickStill, pickOption, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 19b F6 (D2, D19): 乡镇储备覆盖 shows a township without any 储备点 apart — 无储备点 in its row (and a share of its
// own in the pie, a canvas not read here) — and reads 有储备点的乡镇 n/m off the coverage lines (珲春: 海东街道 has no
// store, 敬信镇 an empty one).
const { open } = useConsoleFlows();

describe('console: townships without a 储备点 shown apart (sweep 19b F6)', () => {
  it('D19: 珲春市 — 海东街道 reads 无储备点, 敬信镇 its one empty store; 有储备点的乡镇 13/14', async () => {
    const { page } = await open('admin');
    await clickStill(page, '.ant-menu a[href="/dispatch/reserves"]');
    await page.waitForFunction(() => location.pathname === '/dispatch/reserves');
    await pickOption(page, 'reserves-region', '珲春', '珲春市');
    await waitForText(page, '有储备点的乡镇 13/14');
    const row = (name: string) =>
      page.$eval(`::-p-xpath(//tr[contains(@class, "ant-table-row") and td[1][normalize-space(.)="${name}"]])`, (r) =>
        [...r.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim()),
      );
    expect((await row('海东街道')).slice(0, 3)).toEqual(['海东街道', '无储备点', expect.stringMatching(/^0\//)]);
    expect((await row('敬信镇')).slice(0, 3)).toEqual(['敬信镇', '1', expect.stringMatching(/^0\//)]);
    expect((await row('近海街道'))[1]).toBe('2');
  });
});
