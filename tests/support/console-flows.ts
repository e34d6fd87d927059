import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterEach, expect } from 'vitest';
import {
  ARTEFACTS,
  clickOpenOption,
  clickStill,
  clickText,
  clickXpath,
  logIn,
  openWatchedPage,
  pickOption,
  screenshot,
  useConsoleUnderTest,
  waitForStillness,
  type ConsoleUnderTest,
  type WatchedPage,
} from './browser.ts';
import { TEST_PASSWORD } from './template.ts';

// What the console's browser flows share: the console under test with one watched page per test (failing on a console
// error or a request leaving the origin), API callers for set-up beside the browser, and waits on antd's feedback.

/** A GraphQL answer: data, and the errors with their code and details. */
export interface GraphQLAnswer {
  data?: any;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface ConsoleFlows {
  t: ConsoleUnderTest;
  /** A new watched page signed in as `username`; closed, and its problems checked, after the test. */
  open: (username: string) => Promise<WatchedPage>;
  /** The page `open` gave the running test. */
  current: () => WatchedPage | undefined;
  /** A GraphQL caller signed in as `username` (set-up and checks beside the browser); any error fails the test. */
  api: (username: string) => Promise<(query: string, variables?: Record<string, unknown>) => Promise<any>>;
  /** The same, answering the errors too (for refusals the test expects). */
  apiAnswers: (username: string) => Promise<(query: string, variables?: Record<string, unknown>) => Promise<GraphQLAnswer>>;
  /** Approves, through the API as `username`, the newest pending approval of a kind (the second person of D24). */
  approveAs: (username: string, kind: string) => Promise<void>;
}

export function useConsoleFlows(): ConsoleFlows {
  const t = useConsoleUnderTest();
  let current: WatchedPage | undefined;

  afterEach(async (ctx) => {
    const problems = current?.problems ?? [];
    if (current && ctx.task.result?.state === 'fail') await screenshot(current.page, `failed-${ctx.task.name.slice(0, 40)}`);
    await current?.page.close();
    current = undefined;
    expect(problems).toEqual([]);
  });

  const apiAnswers = async (username: string) => {
    const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
      const res = await fetch(`${t.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLAnswer;
    };
    const { data } = await gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: TEST_PASSWORD });
    return (query: string, variables: Record<string, unknown> = {}) => gql(query, variables, data.login.token);
  };
  const api = async (username: string) => {
    const answer = await apiAnswers(username);
    return async (query: string, variables: Record<string, unknown> = {}) => {
      const body = await answer(query, variables);
      expect(body.errors).toBeUndefined();
      return body.data;
    };
  };

  return {
    t,
    current: () => current,
    open: async (username) => {
      current = await openWatchedPage(t);
      await logIn(t, current, username);
      return current;
    },
    api,
    apiAnswers,
    approveAs: async (username, kind) => {
      const as = await api(username);
      const { approvals } = await as(
        `query($kind: ApprovalKind) { approvals(filter: { status: PENDING, kind: $kind }, first: 100) { edges { node { id requestedAt } } } }`,
        { kind },
      );
      const newest = approvals.edges.map((e: any) => e.node).sort((a: any, b: any) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
      await as(`mutation($id: ID!) { decideApproval(input: { approvalId: $id, decision: APPROVE, approvalRef: "新应急〔2026〕1号" }) { status } }`, {
        id: newest.id,
      });
    },
  };
}

/** Opens 入库 and picks the first line's item; with `papers`, types the purchase's contract and inspection report (D7). */
export async function openReceipt(page: Page, item: string, papers?: { contractNo: string; inspectionReportNo: string }) {
  await clickText(page, 'a', '入库');
  await page.waitForSelector('[id="lines_0_itemId"]');
  await pickOption(page, 'lines_0_itemId', item);
  if (!papers) return;
  await page.type('#contractNo', papers.contractNo);
  await page.type('#inspectionReportNo', papers.inspectionReportNo);
}

/** Waits for an antd message (the toast after a save) containing `text`. */
export async function waitForMessage(page: Page, text: string) {
  await page.waitForFunction((s) => [...document.querySelectorAll('.ant-message-notice')].some((e) => e.textContent?.includes(s)), {}, text);
}

/** Waits for a form field's error (shown next to the field) that starts with `text`. */
export async function waitForFieldError(page: Page, text: string) {
  await page.waitForFunction((s) => [...document.querySelectorAll('.ant-form-item-explain-error')].some((e) => e.textContent?.startsWith(s)), {}, text);
}

/**
 * Clicks the button labelled `label` in the table row containing `rowText` (antd spaces out two-character labels), once
 * the page is still — a row drawn again as a search's answer arrives is found again (CI of c27f96d: 编辑 clicked on a
 * row the search was replacing opened no dialog).
 */
export async function clickRowButton(page: Page, rowText: string, label: string) {
  await clickStill(
    page,
    `::-p-xpath(//tr[contains(., ${JSON.stringify(rowText)})]//button[contains(translate(normalize-space(.), ' ', ''), ${JSON.stringify(label)})])`,
  );
}

/**
 * Replaces the whole value of an input with `text`, and waits until the input shows it. A triple click did not always
 * select the value on a loaded machine: "10" typed after the 100 already there became 100 once clamped.
 */
export async function retype(page: Page, selector: string, text: string) {
  await clickStill(page, selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  // The field may be drawn again meanwhile (a list behind a modal refreshing): type into the one shown now (CI of
  // 66f1792: 'No element found' for an edit modal's field that had been visible a moment before).
  await page.waitForSelector(selector, { visible: true });
  await page.type(selector, text);
  await page.waitForFunction((s, t) => document.querySelector<HTMLInputElement>(s)?.value === t, {}, selector, text);
}

/** An empty folder of the artefacts where the page's downloads land. */
export async function downloadsOf(page: Page, name: string): Promise<string> {
  const dir = join(ARTEFACTS, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
  return dir;
}

/** The path of the first file in `dir` matching `pattern`, once it is there. */
export async function waitForFile(dir: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const name = existsSync(dir) ? readdirSync(dir).find((f) => pattern.test(f)) : undefined;
    if (name) return join(dir, name);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no file matching ${pattern} in ${dir}`);
}

const OPEN_DROPDOWN = '//div[contains(@class,"ant-select-dropdown") and not(contains(@class,"ant-select-dropdown-hidden"))]';
const treeNode = (title: string) =>
  `${OPEN_DROPDOWN}//div[contains(@class,"ant-select-tree-treenode") and .//span[contains(@class,"ant-select-tree-title") and starts-with(normalize-space(.), ${JSON.stringify(title)})]]`;

/**
 * Clicks the tree node part `xpath` finds once the page is still. The tree redraws a level when its children arrive
 * (one CI run: a switcher found mid-redraw was gone when clicked — "Node is either not clickable"): found again, up to
 * three times, only for that error.
 */
async function clickTreeNode(page: Page, xpath: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await clickXpath(page, xpath);
      return;
    } catch (e) {
      if (attempt === 3 || !/not clickable|detached/i.test(String(e))) throw e;
    }
  }
}

/** Opens the region tree `id` (common/RegionTreeSelect, sweep 20b F1), opens each region of `path` but the last (each level read when opened) and picks the last. */
export async function pickRegion(page: Page, id: string, path: string[]) {
  await clickStill(page, `[id="${id}"]`);
  for (const title of path.slice(0, -1)) {
    await page.waitForSelector(`::-p-xpath(${treeNode(title)})`, { visible: true });
    await waitForStillness(page);
    const closed = `${treeNode(title)}//span[contains(@class,"ant-select-tree-switcher_close")]`;
    const found = await page.$(`::-p-xpath(${closed})`);
    if (found) {
      await found.dispose();
      await clickTreeNode(page, closed);
    }
    await page.waitForSelector(`::-p-xpath(${treeNode(title)}//span[contains(@class,"ant-select-tree-switcher_open")])`);
  }
  await clickTreeNode(page, `${treeNode(path.at(-1)!)}//span[contains(@class,"ant-select-tree-node-content-wrapper")]`);
}

/**
 * Sweep 22a F1: picks a store in a picker among more stores than it lists. Opened without a word, it shows the first 100
 * and says that more match (共 N 个，仅显示前 100 个…); Escape closes it; typing the store's code finds it past the first
 * 100 (the server searches as one types), and once picked its name is shown as chosen.
 */
export async function pickAmongMany(page: Page, inputId: string, store: { code: string; name: string }) {
  await clickStill(page, `[id="${inputId}"]`);
  const more = await page.waitForSelector('[data-testid="store-select-more"]', { visible: true });
  expect(await more!.evaluate((e) => e.textContent)).toMatch(/^共 \d+ 个，仅显示前 100 个，请输入名称或代码缩小范围$/);
  await more!.dispose();
  await page.keyboard.press('Escape');
  await waitForStillness(page);
  await pickOption(page, inputId, store.code, store.name);
  await page.waitForFunction(
    (id, name) => document.getElementById(id)?.closest('.ant-select')?.querySelector('.ant-select-selection-item')?.textContent?.includes(name),
    {},
    inputId,
    store.name,
  );
}

/**
 * Opens 协议储备's 新建协议 dialog (an administrator's page) and waits for its form; with `mode`, picks that 储备方式
 * (企业代储 …), and with `region`, the 区划 found by typing it.
 */
export async function openAgreementForm(page: Page, choose: { mode?: string; region?: string } = {}) {
  await clickText(page, 'a', '协议储备');
  await clickText(page, 'button', '新建协议');
  await page.waitForSelector('#agreement_companyName', { visible: true });
  if (choose.mode) {
    await clickStill(page, '#agreement_mode');
    await clickOpenOption(page, choose.mode);
  }
  if (choose.region) await pickOption(page, 'agreement_regionCode', choose.region);
}

/** What `api(username)` answers: a GraphQL call as that user, its data (errors fail the test). */
type ApiAs = (query: string, variables?: Record<string, unknown>) => Promise<any>;

/**
 * Opens 盘点 (the keeper's page) at the page of its table that holds `batchNo` — the store's book in the API's order,
 * on-hand lines only, 50 rows a page — and returns the selector of that row's 实盘 field, once it shows.
 */
export async function openStocktakeAt(page: Page, keeper: ApiAs, storeId: string, batchNo: string): Promise<string> {
  const lines: { batch: { batchNo: string }; onHand: number }[] = [];
  for (let after: string | null = null; ;) {
    const { stock } = await keeper(
      `query($s: ID!, $a: String) { stock(filter: { storeId: $s }, first: 500, after: $a) { pageInfo { hasNextPage endCursor } edges { node { batch { batchNo } onHand } } } }`,
      { s: storeId, a: after },
    );
    lines.push(...stock.edges.map((e: { node: (typeof lines)[number] }) => e.node));
    if (!stock.pageInfo.hasNextPage) break;
    after = stock.pageInfo.endCursor;
  }
  const index = lines.filter((l) => l.onHand > 0).findIndex((l) => l.batch.batchNo === batchNo);
  expect(index).toBeGreaterThanOrEqual(0);
  await page.click('.ant-menu a[href="/keeper/stocktake"]');
  await page.waitForSelector('[aria-label^="实盘 批号"]');
  const tablePage = Math.floor(index / 50) + 1;
  if (tablePage > 1) await page.click(`.ant-pagination-item-${tablePage}`);
  const counted = `[aria-label="实盘 批号 ${batchNo}"]`;
  await page.waitForSelector(counted, { visible: true });
  return counted;
}

/** The login dialog the console opens over a page whose session ended (sweep 23c F4). */
export const SESSION_ENDED_DIALOG = '[data-testid="session-ended-dialog"]';

/** Logs in again in the dialog over the page. */
export async function logInOverPage(page: Page, username: string) {
  const dialog = SESSION_ENDED_DIALOG;
  const user = await page.waitForSelector(`${dialog} #username`, { visible: true });
  await user!.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(`${dialog} #username`, username);
  const password = await page.$(`${dialog} #password`);
  await password!.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(`${dialog} #password`, TEST_PASSWORD);
  await clickStill(page, `${dialog} button[type="submit"]`);
}
