import { describe, expect, it } from 'vitest';
import { useConsoleFlows } from '../support/console-flows.ts';

// 退出 ends the session on the server, not only in the tab: a token copied before it (from a shared duty-room PC, a
// proxy log, a screenshot) is refused afterwards. Nobody sees more than their scope — nor for longer than they are signed in.
const { t, open } = useConsoleFlows();

describe('退出 in a real browser', () => {
  it('the keeper signs out: the console shows the login page and the token it held is UNAUTHENTICATED on the API', async () => {
    const { page } = await open('keeper');
    const token = await page.evaluate(() => sessionStorage.getItem('reserves.token'));
    expect(token).toBeTruthy();
    const me = async () =>
      (await (
        await fetch(`${t.origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { username } }' }),
        })
      ).json()) as { data?: { me: { username: string } }; errors?: { extensions: { code: string } }[] };
    expect((await me()).data?.me.username).toBe('keeper');

    await page.click('.shell-logout');
    await page.waitForSelector('#username');
    expect(await page.evaluate(() => sessionStorage.getItem('reserves.token'))).toBeNull();
    await expect.poll(async () => (await me()).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
