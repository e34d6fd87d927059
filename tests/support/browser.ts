import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { systemClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { seedDemoRelief } from '../../seeds/demo-relief.ts';
import { openTestDatabase } from './harness.ts';
import { TEST_PASSWORD } from './template.ts';

/** Screenshots and downloads of the browser tests (git-ignored). */
export const ARTEFACTS = join(import.meta.dirname, '..', '..', 'artefacts', 'browser');

export interface ConsoleUnderTest {
  /** http://127.0.0.1:<port> */
  origin: string;
  browser: Browser;
  database: Database;
}

/**
 * The app on a private PGlite copy with the demo data set (stock, quotas, agreements, the demo flood's 安置点 and
 * distributions, as `npm start` loads them),
 * listening on a free port, and one headless Chromium (from @sparticuz/chromium) shared by the file's flows.
 */
export function useConsoleUnderTest(): ConsoleUnderTest {
  const t = {} as ConsoleUnderTest;
  let server: Server | undefined;
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    t.database = await openTestDatabase();
    await seedDemoStock(t.database.db, systemClock);
    await seedDemoReserves(t.database.db, systemClock);
    await seedDemoRelief(t.database.db, systemClock);
    // One browser loads many assets from one address: the request budget is not what these tests are about.
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'test-secret-test-secret-test-secret!',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_BURST: '100000',
    });
    const app = buildApp({ database: t.database, config, clock: systemClock, log: createLogger('silent') });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server!.once('listening', resolve).once('error', reject));
    t.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t.browser = await puppeteer.launch({
      args: chromium.args,
      executablePath: await chromium.executablePath(),
      headless: true,
      defaultViewport: { width: 1366, height: 768 },
    });
  });
  afterAll(async () => {
    await t.browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t.database?.close();
  });
  return t;
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and requests to other hosts seen so far. */
  problems: string[];
}

/**
 * A new tab (the console keeps its session per tab) that records every console error and foreign request. Tabs, not
 * browser contexts: @sparticuz/chromium runs as a single process, which ends with its first context.
 */
export async function openWatchedPage(t: ConsoleUnderTest): Promise<WatchedPage> {
  const page = await t.browser.newPage();
  const problems: string[] = [];
  const host = new URL(t.origin).host;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  // A dialog nobody waits for (a reload the leave guard asks about) would hold the page — and, @sparticuz/chromium
  // being a single process, every later tab of the file — until each test timed out. It is dismissed and reported
  // instead. A test that expects a dialog registers its own handler, and this one leaves the dialog to it.
  page.on('dialog', (d) => {
    if (page.listenerCount('dialog') > 1) return;
    problems.push(`unexpected ${d.type()} dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const url = new URL(r.url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host !== host) {
      problems.push(`request to another host: ${r.url()}`);
      void r.abort();
    } else void r.continue();
  });
  return { page, problems };
}

export async function logIn(t: ConsoleUnderTest, { page }: WatchedPage, username: string) {
  await page.goto(`${t.origin}/`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#username');
  await page.type('#username', username);
  await page.type('#password', TEST_PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="current-user"]');
}

/**
 * Waits until nothing on the page is moving: no animation or transition that ends is running (antd's modal zooming
 * in, a dropdown sliding, a field error appearing; a spinner that never ends, or a clicked button's fading wave, does
 * not count). A click aimed at a modal still zooming in lands beside its target, on the mask, which closes the modal
 * (two CI failures on a loaded machine: 创建 closed the new-incident dialog; a click on 发生时间 missed the field).
 * Animations are asked for, not classes: antd leaves a motion class behind on an element that never animated.
 */
export async function waitForStillness(page: Page) {
  // Runs in the page: everything it uses is inside it.
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => {
      if (a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity) return true;
      // The wave a clicked button sends out fades for 2 s and moves nothing.
      return !!(a.effect as KeyframeEffect | null)?.target?.closest('.ant-wave');
    }),
  );
}

/**
 * Waits until `element` stays put: its box the same over two frames. No animation running is not enough: antd's modal
 * spends a frame full size and transparent (measuring where to zoom from) before it shrinks to nothing and zooms in,
 * and a click sent then landed on the dialog's wrapper — a form dialog ignores it, and the test waited for a
 * validation message that never came (CI of 3329d87, 提前终止). An element drawn again meanwhile is reported as
 * detached at once, as a click on it would be (callers that retry on that keep working).
 */
async function waitForClickable(page: Page, element: ElementHandle<Element>) {
  const answer = await page.waitForFunction(
    (el) =>
      new Promise<'detached' | boolean>((resolve) => {
        // rc-motion's first two steps of a zoom (…-appear-prepare, full size and transparent; …-appear-start, scaled to
        // nothing) run no animation and may each last several frames on a loaded machine: the box can stay put through
        // the prepare step and a click sent then lands where the dialog is no longer (CI of c27f96d, 提前终止 again).
        const moving = (node: Element) => {
          for (let e: Element | null = node; e; e = e.parentElement) {
            for (const c of e.classList) if (/-(appear|enter|leave)-(prepare|start)$/.test(c)) return true;
          }
          return false;
        };
        if (!el.isConnected) return resolve('detached');
        if (moving(el)) return resolve(false);
        const before = el.getBoundingClientRect();
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            if (!el.isConnected) return resolve('detached');
            const box = el.getBoundingClientRect();
            resolve(
              !moving(el) &&
                box.width > 0 &&
                box.height > 0 &&
                box.x === before.x &&
                box.y === before.y &&
                box.width === before.width &&
                box.height === before.height,
            );
          }),
        );
      }),
    {},
    element,
  );
  if ((await answer.jsonValue()) === 'detached') throw new Error('Node is detached from document (drawn again before the click)');
}

/** Clicks the element `selector` names once the page is still and the element takes the click (found again if drawn again). */
export async function clickStill(page: Page, selector: string) {
  for (let attempt = 1; ; attempt++) {
    const element = await page.waitForSelector(selector, { visible: true });
    try {
      await waitForStillness(page);
      await waitForClickable(page, element!);
      await element!.click();
      return;
    } catch (e) {
      if (attempt === 3 || !/detached|not clickable/i.test(String(e))) throw e;
    } finally {
      await element!.dispose();
    }
  }
}

/** Clicks the first visible `tag` element whose text contains `text`, spaces ignored (antd spaces out "批准" as "批 准"). */
export async function clickText(page: Page, tag: string, text: string) {
  await clickXpath(page, `//${tag}[contains(translate(normalize-space(.), ' ', ''), ${JSON.stringify(text)})]`);
}

/** Clicks the OK (primary) button of the open modal. */
export async function clickModalOk(page: Page) {
  await clickXpath(page, '//div[contains(@class, "ant-modal-footer")]//button[contains(@class, "ant-btn-primary")]');
}

/** Clicks the (visible) element an XPath finds, once the page has stopped moving. */
export async function clickXpath(page: Page, xpath: string) {
  const handle = await page.waitForSelector(`::-p-xpath(${xpath})`, { visible: true });
  await waitForStillness(page);
  await waitForClickable(page, handle!);
  await handle!.click();
  await handle!.dispose();
}

/** Waits until the page's text contains `text`. */
export async function waitForText(page: Page, text: string, timeout = 30_000) {
  await page.waitForFunction((s) => document.body.innerText.includes(s), { timeout }, text);
}

/**
 * Opens the antd Select whose input has this id, types to search, and picks the option containing `text`. The list may
 * render again while results arrive (an option found a moment ago is then gone): it looks again, a few times.
 */
export async function pickOption(page: Page, inputId: string, search: string, text = search) {
  // A select in a modal that is still zooming in is not clickable yet (a CI run failed so).
  await clickStill(page, `[id="${inputId}"]`);
  await page.type(`[id="${inputId}"]`, search);
  await clickOpenOption(page, text);
}

/** Picks the option containing `text` in the open Select dropdown, once it has stopped sliding in. */
export async function clickOpenOption(page: Page, text: string) {
  await waitForStillness(page);
  const xpath = `::-p-xpath(//div[contains(@class,"ant-select-dropdown") and not(contains(@class,"ant-select-dropdown-hidden"))]//div[contains(@class,"ant-select-item-option") and contains(normalize-space(.), ${JSON.stringify(text)})])`;
  for (let attempt = 1; ; attempt++) {
    const option = await page.waitForSelector(xpath, { visible: true });
    try {
      await option!.click();
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await option!.dispose();
    }
  }
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `${join(ARTEFACTS, name)}.png`, fullPage: false });
}

/** The cells' text of the table row containing `text`, by column heading. */
export async function rowByHeading(page: Page, text: string): Promise<Record<string, string>> {
  const row = `::-p-xpath(//tr[contains(@class, "ant-table-row") and contains(., ${JSON.stringify(text)})])`;
  await page.waitForSelector(row);
  const cells = await page.$eval(row, (r) => [...r.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim()));
  const headings = await page.$$eval('.ant-table-thead th', (ths) => ths.map((th) => (th as HTMLElement).innerText.trim()));
  return Object.fromEntries(headings.map((h, i) => [h, cells[i]]));
}
