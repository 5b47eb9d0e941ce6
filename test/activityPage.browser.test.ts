/**
 * The activity page end to end, as a person uses it: headless Chromium (Debian's, driven by
 * playwright-core) against the local host that `npm start` runs, serving the app's registered
 * functions over real HTTP, on the test Azurite. The events go in through the Event Grid webhook.
 *
 * Without Chromium these tests are skipped on a developer machine (with one line saying how to get
 * it); under CI=true they are required.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { createLocalHost } from '../scripts/localHost.js';
import { localUserOf, type PlatformUser } from '../scripts/localSignIn.js';
import { sampleMessageEvents } from '../scripts/sampleEvents.js';
import { activityUrl, recipientsOf, sendEvents } from '../scripts/sendSample.js';
import * as data from './activityEvents.js';
import type { EventView, MessageStatusBody } from '../src/status/messageStatus.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
if (!haveChromium && !required) {
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM}. Install it with "sudo apt-get install -y chromium" (or set CHROMIUM_PATH).`);
}

const SCREENSHOTS = 'docs/screenshots';
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const host = createLocalHost(registeredFunctions(), () => {});
let baseUrl = '';
let browser: Browser;

/**
 * Closes a context whose pages may still have route handlers in flight (a held answer, a fetch for a
 * tampered one): Playwright throws their "target closed" errors where no test awaits them, which fails
 * the run, unless the routes are dropped with ignoreErrors first. Closing twice is harmless.
 */
async function closeContext(context: BrowserContext): Promise<void> {
  await Promise.all(context.pages().map((page) => page.unrouteAll({ behavior: 'ignoreErrors' })));
  await context.close();
}

async function openPage(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; foreign: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  // Also when the test fails before its own close.
  onTestFinished(() => closeContext(context));
  const page = await context.newPage();
  const dialogs: string[] = [];
  const foreign: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl)) foreign.push(request.url());
  });
  return { context, page, dialogs, foreign };
}

const activity = (query = '') => `${baseUrl}/api/activity${query ? `#${new URLSearchParams({ q: query })}` : ''}`;
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
const rows = (page: Page, table: string) =>
  page.locator(`table.${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));

async function searchWithKeyboard(page: Page, query: string): Promise<void> {
  // The search box is reached with Tab from the top of the page (after the skip link), and Enter submits.
  await page.locator('body').focus();
  for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement?.id === 'q')); i++) await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
}

/** How many pixels of two PNGs differ (Infinity when their sizes do), decoded by the browser on a blank page. */
async function differingPixels(context: BrowserContext, a: Buffer, b: Buffer): Promise<number> {
  const blank = await context.newPage();
  try {
    return await blank.evaluate(async (sources) => {
      const decoded = await Promise.all(
        sources.map(async (source) => {
          const image = new Image();
          image.src = `data:image/png;base64,${source}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context2d = canvas.getContext('2d')!;
          context2d.drawImage(image, 0, 0);
          return { width: image.width, height: image.height, pixels: context2d.getImageData(0, 0, image.width, image.height).data };
        }),
      );
      const [first, second] = decoded as [(typeof decoded)[0], (typeof decoded)[0]];
      if (first.width !== second.width || first.height !== second.height) return Infinity;
      let differing = 0;
      for (let i = 0; i < first.pixels.length; i += 4) if (first.pixels[i] !== second.pixels[i] || first.pixels[i + 1] !== second.pixels[i + 1] || first.pixels[i + 2] !== second.pixels[i + 2]) differing++;
      return differing;
    }, [a.toString('base64'), b.toString('base64')]);
  } finally {
    await blank.close();
  }
}

/**
 * Writes the README's screenshot, unless the one there shows the same: Chromium's anti-aliasing moves a
 * few pixels between runs, and a test run should not leave a changed file behind for nothing.
 */
async function saveScreenshot(context: BrowserContext, page: Page, path: string): Promise<void> {
  const shot = await page.screenshot({ fullPage: true, animations: 'disabled' });
  if (existsSync(path) && (await differingPixels(context, readFileSync(path), shot)) <= 100) return;
  writeFileSync(path, shot);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ passes: unknown[]; violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run());
  expect(results.passes.length, 'axe-core ran its checks').toBeGreaterThan(10);
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe.skipIf(!haveChromium)('the activity page in Chromium', () => {
  beforeAll(async () => {
    await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
    baseUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const deliveries = await sendEvents(data.activityEvents(), { baseUrl });
    expect(deliveries.filter((delivery) => delivery.status !== 202)).toEqual([]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((closed) => host.close(() => closed()));
  });

  it('finds a message by its id, typed into the search box with the keyboard, and shows what happened', async () => {
    const { context, page, foreign } = await openPage();
    await page.goto(activity());
    await searchWithKeyboard(page, data.ORDER);
    await page.locator('.message-view').waitFor();
    expect(new URL(page.url()).hash).toBe(`#q=${data.ORDER}`);
    expect(await page.locator('#view-heading').textContent()).toBe('Message Mixed');
    expect(await rows(page, 'recipients')).toEqual([
      [data.ALEX, 'Delivered', 'No error.', '2026-11-27 09:15:01', '2', '3'],
      [data.BLOCKED, 'Suppressed', 'The recipient is on the suppression list after an earlier hard bounce.', '2026-11-27 09:15:01', '0', '0'],
      [data.SAM, 'Bounced', '550 5.1.1 Recipient address rejected: User unknown', '2026-11-27 09:15:02', '0', '0'],
    ]);
    expect(await rows(page, 'links')).toEqual([
      ['https://contoso.example/orders/1042', '2'],
      ['https://contoso.example/help/returns', '1'],
    ]);
    const link = page.locator('table.links a').first();
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // The timeline: three delivery attempts, two opens, three clicks, each a mark on the axis.
    const timeline = page.locator('svg.timeline');
    expect(await timeline.locator('circle.mark').count()).toBe(3);
    expect(await timeline.locator('rect.mark').count()).toBe(2);
    expect(await timeline.locator('path.mark').count()).toBe(3);
    expect(await timeline.locator('circle.mark.tone-bad').count()).toBe(1);
    expect(await page.locator('figcaption').textContent()).toContain('3 delivery attempts, 2 opens, 3 clicks');
    expect(await page.locator('.paged .page-position').textContent()).toBe('Events 1–8 of 8');
    expect(await page.locator('dl.facts').textContent()).toContain(data.ORDER_HEADER);
    await saveScreenshot(context, page, `${SCREENSHOTS}/message-view.png`);
    expect(foreign).toEqual([]);
    await closeContext(context);
  });

  it("shows the overview of a sender: rates per day as charts, the numbers as a table, a day leading to its messages and its hours", async () => {
    const { context, page, foreign } = await openPage();
    await page.goto(`${baseUrl}/api/activity#sender=DoNotReply%40contoso.example&from=2026-11-01&to=2026-11-30`);
    await page.locator('table.stats').waitFor();
    expect(await page.locator('#overview-heading').textContent()).toBe('Deliverability of donotreply@contoso.example, 2026-11-01 to 2026-11-30');
    const days = await rows(page, 'stats');
    expect(days).toHaveLength(30);
    // The order: one delivered, one bounced, one suppressed; the delivered one opened and clicked.
    expect(days.find((row) => row[0] === '2026-11-27 hours')).toEqual(['2026-11-27 hours', '3', '1', '1', '33.3%', '33.3%', '1 (1 / 0)', '1 (1 / 0)', '100.0%', '100.0%']);
    expect(days.find((row) => row[0] === '2026-11-25 hours')).toEqual(['2026-11-25 hours', '1', '0', '0', '0.0%', '0.0%', '0 (0 / 0)', '0 (0 / 0)', '—', '—']);
    expect(await page.locator('svg.chart').count()).toBe(2);
    expect(await page.locator('svg.chart[role="img"] title').allTextContents()).toEqual(expect.arrayContaining(['Delivery and bounce rates', 'Open and click rates']));
    // A point per day with a delivery, on each of the delivery chart's two lines.
    expect(await page.locator('svg.chart').first().locator('circle.dot').count()).toBe(2 * 4);
    await saveScreenshot(context, page, `${SCREENSHOTS}/overview.png`);

    // A day leads to its messages, each counted as the day's row counts it.
    await page.getByRole('link', { name: '2026-11-27', exact: true }).click();
    await page.locator('.day-view table.day-messages').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe('Messages of 2026-11-27 (UTC) from donotreply@contoso.example');
    const messages = await rows(page, 'day-messages');
    expect(messages).toEqual([[data.ORDER, 'donotreply@contoso.example', '2026-11-27 10:07:02', '3', 'Delivered, Bounced, Suppressed', '1 (1 / 0)', '1 (1 / 0)']]);
    await saveScreenshot(context, page, `${SCREENSHOTS}/day-messages.png`);
    await page.getByRole('link', { name: 'Back to the overview' }).click();
    await page.locator('table.stats').waitFor();
    // The bounced count leads to the messages with a bounced recipient that day.
    await page.getByRole('link', { name: 'Bounced: 1 on 2026-11-27' }).click();
    await page.locator('.day-view table.day-messages').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe('Messages of 2026-11-27 (UTC) from donotreply@contoso.example, with a recipient Bounced');
    expect(await page.locator('#day-status').inputValue()).toBe('Bounced');
    expect((await rows(page, 'day-messages')).map((row) => row[0])).toEqual([data.ORDER]);
    await page.getByRole('link', { name: 'Back to the overview' }).click();
    await page.locator('table.stats').waitFor();

    await page.getByRole('link', { name: 'hours of 2026-11-27' }).click();
    await page.locator('#overview-heading', { hasText: '2026-11-27 to 2026-11-27' }).waitFor();
    const hours = await rows(page, 'stats');
    expect(hours).toHaveLength(24);
    expect(hours.find((row) => row[0] === '2026-11-27 09:00')?.slice(1, 4)).toEqual(['3', '1', '1']);
    expect(await page.locator('#overview-granularity').inputValue()).toBe('hour');
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('finds the message npm run send-sample sent, from the link it prints, by its address, as a newcomer would', async () => {
    const events = sampleMessageEvents();
    expect((await sendEvents(events, { baseUrl })).map((delivery) => delivery.status)).toEqual([202, 202]);
    const messageId = events[0]!.data.messageId;
    const { context, page } = await openPage();
    await page.goto(activityUrl(baseUrl, recipientsOf(events)[0]!));
    await page.locator('.address-view table.messages').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe('receiver@azure.com');
    // Other tests send the sample too, all at the sample's one time: page on until the message shows.
    const link = page.locator('table.messages a', { hasText: messageId });
    for (let pages = 1; (await link.count()) === 0 && pages < 20; pages++) {
      const position = await page.locator('.paged .page-position').textContent();
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForFunction((before) => document.querySelector('.paged .page-position')?.textContent !== before, position);
    }
    await link.click();
    await page.locator('.message-view').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe('Message Delivered');
    expect(await rows(page, 'recipients')).toEqual([['receiver@azure.com', 'Delivered', 'Status Message', '2020-09-18 00:22:20', '1', '0']]);
    await closeContext(context);
  });

  it('finds an address in any case, with its deliverability and its messages newest first, each leading to its message', async () => {
    const { context, page } = await openPage();
    await page.goto(activity('Sam.Lee@Northwind.example'));
    // The list comes after the overview, by its own request.
    await page.locator('.address-view table.messages').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe(data.SAM);
    const facts = await page.locator('dl.facts dd').allTextContents();
    expect(facts[0]).toMatch(/^Bounced 550 5\.1\.1 Recipient address rejected: User unknown at 2026-11-27 09:15:02 view message$/);
    expect(facts[1]).toMatch(/^Bounced 550 5\.1\.1/);
    expect(facts[2]).toBe('3');
    expect(await texts(page, 'ul.counts li')).toEqual(['Bounced 1', 'Delivered 1', 'Failed 1']);
    expect((await rows(page, 'messages')).map((row) => [row[0], row[1], row[6]])).toEqual([
      ['2026-11-27 09:15:02', 'Bounced', data.ORDER],
      ['2026-11-25 16:30:00', 'Failed', data.RETRY],
      ['2026-11-10 12:00:00', 'Delivered', data.WELCOME],
    ]);
    await saveScreenshot(context, page, `${SCREENSHOTS}/address-view.png`);
    await page.locator('table.messages a', { hasText: data.RETRY }).click();
    await page.locator('.message-view').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe('Message Failed');
    await page.goBack();
    await page.locator('.address-view').waitFor();
    expect(await page.locator('#view-heading').textContent()).toBe(data.SAM);
    await closeContext(context);
  });

  it('filters an address by status and by time range, and pages through its messages', async () => {
    const { context, page } = await openPage();
    await page.goto(activity(data.SAM));
    await page.locator('.address-view').waitFor();
    await page.selectOption('#filter-status', 'Failed');
    await page.locator('form.filters button[type=submit]').click();
    await page.waitForFunction(() => document.querySelectorAll('table.messages tbody tr').length === 1);
    expect((await rows(page, 'messages'))[0]![6]).toBe(data.RETRY);
    expect(new URL(page.url()).hash).toBe(`#q=${encodeURIComponent(data.SAM)}&status=Failed`);
    await page.locator('#filter-clear').click();
    await page.locator('#filter-since').fill('2026-11-20T00:00:00');
    await page.locator('#filter-until').fill('2026-11-26T00:00:00');
    await page.locator('#filter-until').press('Enter');
    await page.waitForFunction(() => location.hash.includes('since'));
    await page.waitForFunction(() => document.querySelectorAll('table.messages tbody tr').length === 1);
    expect((await rows(page, 'messages'))[0]![6]).toBe(data.RETRY);

    // Alex has 24 messages: two pages of 20 and 4, newest first.
    await page.goto(activity(data.ALEX));
    await page.locator('.address-view table.messages').waitFor();
    expect(await page.locator('.paged .page-position').textContent()).toBe(`Messages 1–20 of ${data.DIGEST_COUNT + 2}`);
    expect((await rows(page, 'messages'))[0]![6]).toBe(data.ORDER);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction(() => document.querySelector('.paged .page-position')?.textContent?.startsWith('Messages 21'));
    expect(await page.locator('.paged .page-position').textContent()).toBe(`Messages 21–24 of ${data.DIGEST_COUNT + 2}`);
    expect((await rows(page, 'messages')).at(-1)![6]).toBe(data.digestId(1));
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await closeContext(context);
  });

  it('finds a message by its Message-ID header, with or without the angle brackets', async () => {
    const { context, page } = await openPage();
    for (const query of [data.ORDER_HEADER, data.ORDER_HEADER.slice(1, -1)]) {
      await page.goto(activity(query));
      await page.locator('.message-view').waitFor();
      expect(await page.locator('.message-view code').first().textContent()).toBe(data.ORDER);
      expect(await page.locator('.message-view p.muted').first().textContent()).toBe(`Found by its Message-ID header ${data.ORDER_HEADER}.`);
      await page.goto('about:blank');
    }
    await closeContext(context);
  });

  it('pages through the 300 events of a message, 50 at a time, and draws them all on the timeline', async () => {
    const { context, page } = await openPage();
    await page.goto(activity(data.NEWSLETTER));
    await page.locator('.message-view table.events').waitFor();
    expect(await page.locator('svg.timeline .mark').count()).toBe(300);
    expect(await page.locator('.paged .page-position').textContent()).toBe('Events 1–50 of 300');
    expect((await rows(page, 'events'))[0]![1]).toBe('Delivery Delivered');
    const next = page.getByRole('button', { name: 'Next page' });
    for (let pageNumber = 2; pageNumber <= 6; pageNumber++) {
      await next.click();
      await page.waitForFunction((first) => document.querySelector('.paged .page-position')?.textContent?.startsWith(`Events ${first}–`), (pageNumber - 1) * 50 + 1);
      expect(await page.locator('table.events tbody tr').count()).toBe(50);
    }
    expect(await page.locator('.paged .page-position').textContent()).toBe('Events 251–300 of 300');
    expect(await next.isDisabled()).toBe(true);
    // The last event is the 299th engagement: 298 × 13 minutes after 2026-11-20 08:05.
    expect((await rows(page, 'events')).at(-1)![0]).toBe('2026-11-23 00:39:00');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.waitForFunction(() => document.querySelector('.paged .page-position')?.textContent === 'Events 201–250 of 300');
    expect(await rows(page, 'links')).toEqual([
      [data.NEWSLETTER_LINKS[0], '34'],
      [data.NEWSLETTER_LINKS[1], '33'],
      [data.NEWSLETTER_LINKS[2], '33'],
    ]);
    await closeContext(context);
  });

  it('shows a hostile status message, link and user agent as text: nothing runs, nothing is injected', async () => {
    const { context, page, dialogs } = await openPage();
    for (const query of [data.HOSTILE, data.PAT]) {
      await page.goto(activity(query));
      await page.locator('article').waitFor();
      expect(await page.locator('#view img, #view script, #view iframe').count()).toBe(0);
      expect(await page.locator('#view').textContent()).toContain(data.HOSTILE_STATUS_MESSAGE);
    }
    await page.goto(activity(data.HOSTILE));
    await page.locator('table.events').waitFor();
    const eventsText = await page.locator('table.events').textContent();
    expect(eventsText).toContain(data.HOSTILE_USER_AGENT);
    expect(eventsText).toContain(data.HOSTILE_SCRIPT_LINK);
    // A javascript: link is text, never a link; an https link is a link to exactly what was clicked.
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
    const links = page.locator('table.links a');
    expect(await links.count()).toBe(1);
    expect(await links.textContent()).toBe(data.HOSTILE_HTTPS_LINK);
    expect(await links.getAttribute('href')).toBe(new URL(data.HOSTILE_HTTPS_LINK).href);
    expect(await page.locator('script').count()).toBe(1);
    expect(dialogs).toEqual([]);
    await closeContext(context);
  });

  it('says when nothing is found, when the search is bad (with the detail), while it loads, and when the app fails', async () => {
    const { context, page } = await openPage();
    await page.goto(activity('b0000000-0000-4000-8000-000000000404'));
    await page.locator('.state-not-found').waitFor();
    expect(await page.locator('.state h2').textContent()).toBe('Nothing found');
    expect(await page.locator('.state p').textContent()).toContain('No message ID matches “b0000000-0000-4000-8000-000000000404”');
    await page.goto(activity('nobody@nowhere.example'));
    await page.locator('.state-not-found').waitFor();
    expect(await page.locator('.state p').textContent()).toContain('No address, or Message-ID header, or message ID matches');

    await page.goto(activity('a/b'));
    await page.locator('.state-bad-request').waitFor();
    expect(await page.locator('.state p').textContent()).toMatch(/message id/i);

    // Loading, then a failure: the API is held, then answers 500.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/messages/**', async (route) => {
      await held;
      await route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Reading the message status failed. Try again.' }) });
    });
    await page.goto(activity(data.ORDER));
    await page.locator('p.loading').waitFor();
    expect(await page.locator('#status').textContent()).toBe(`Looking up ${data.ORDER}…`);
    expect(await page.locator('#view').getAttribute('aria-busy')).toBe('true');
    release();
    await page.locator('.state-failure').waitFor();
    expect(await page.locator('.state p').textContent()).toBe('The app answered HTTP 500: Reading the message status failed. Try again.');
    await page.unroute('**/api/messages/**');
    await page.locator('#retry').click();
    await page.locator('.message-view').waitFor();
    await closeContext(context);
  });

  it('never lets a slow answer replace the view of a later search', async () => {
    const { context, page } = await openPage();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/messages/${data.ORDER}?**`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(activity(data.ORDER));
    await page.locator('p.loading').waitFor();
    await page.evaluate((hash) => (location.hash = hash), `#q=${encodeURIComponent(data.SAM)}`);
    await page.locator('.address-view').waitFor();
    const slow = page.waitForResponse((response) => response.url().includes(data.ORDER));
    release();
    await slow;
    await page.waitForTimeout(300);
    expect(await page.locator('#view-heading').textContent()).toBe(data.SAM);
    await closeContext(context);
  });

  it('asks once for a function key where the API wants one, keeps it for the tab, and sends it as a header, never in the URL', async () => {
    const { context, page } = await openPage();
    const KEY = 'test-function-key';
    const seen: { url: string; key: string | undefined }[] = [];
    // As in Azure: the API answers 401 without the right x-functions-key.
    await page.route(/\/api\/(messages|recipients|internet-messages)\//, async (route) => {
      const key = route.request().headers()['x-functions-key'];
      seen.push({ url: route.request().url(), key });
      if (key === KEY) await route.continue();
      else await route.fulfill({ status: 401, body: '' });
    });
    await page.goto(activity(data.ORDER));
    await page.locator('#key-form').waitFor();
    expect(await page.locator('#key-note').textContent()).toContain('needs a function key');
    await page.locator('#key').fill('wrong-key');
    await page.locator('#key').press('Enter');
    await page.waitForFunction(() => document.getElementById('key-note')?.textContent?.includes('not accepted'));
    await page.locator('#key').fill(KEY);
    await page.locator('#key-form button').click();
    await page.locator('.message-view table.events').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('acs-email-status.function-key'))).toBe(KEY);
    // Another view in the same tab asks no more.
    await page.goto(activity(data.SAM));
    await page.locator('.address-view table.messages').waitFor();
    expect(await page.locator('#key-form').isHidden()).toBe(true);
    expect(seen.every((request) => !request.url.includes(KEY))).toBe(true);
    expect(seen.filter((request) => request.key === KEY).length).toBeGreaterThanOrEqual(3);
    expect(page.url()).not.toContain(KEY);
    // A new tab (a new session) does not have it.
    const other = await context.newPage();
    await other.goto(activity());
    expect(await other.evaluate(() => sessionStorage.getItem('acs-email-status.function-key'))).toBeNull();
    await closeContext(context);
  });

  it('signed in with Microsoft Entra ID, reads through the people\'s door without a key; with no role, says so; signed out, offers to sign in', async () => {
    // As npm start with EmailEventsLocalSignIn: the local host stands in for App Service Authentication.
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    const signedInHost = async (user: PlatformUser | undefined) => {
      const server = createLocalHost(registeredFunctions(), () => {}, { signedInAs: user });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const reader = await signedInHost(localUserOf({ EmailEventsLocalSignIn: 'read', EmailEventsLocalUserName: 'Rita Reader' }));
    const roleless = await signedInHost(localUserOf({ EmailEventsLocalSignIn: 'none', EmailEventsLocalUserName: 'Nora Norole' }));
    const nobody = await signedInHost(undefined);
    try {
      const { context, page } = await openPage();
      const paths: string[] = [];
      page.on('request', (request) => paths.push(new URL(request.url()).pathname));
      await page.goto(`${reader.base}/api/activity#${new URLSearchParams({ q: data.ORDER })}`);
      await page.locator('.message-view table.events').waitFor();
      expect(await page.locator('#sign-in').textContent()).toBe('Signed in as Rita Reader (EmailStatus.Read)');
      expect(await page.locator('#key-form').isHidden()).toBe(true);
      const apiCalls = paths.filter((path) => /\/api\/(signed-in\/)?(messages|recipients|internet-messages)\//.test(path));
      expect(apiCalls.length).toBeGreaterThan(0);
      expect(apiCalls.every((path) => path.startsWith('/api/signed-in/'))).toBe(true);

      await page.goto(`${roleless.base}/api/activity#${new URLSearchParams({ q: data.ORDER })}`);
      await page.waitForFunction(() => document.getElementById('view')?.textContent?.includes('app role'));
      expect(await page.locator('#sign-in').textContent()).toBe('Signed in as Nora Norole (no role: ask for one to see data)');
      expect(await page.locator('#key-form').isHidden()).toBe(true);

      await page.goto(`${nobody.base}/api/activity`);
      const signIn = page.locator('#sign-in a');
      await signIn.waitFor();
      expect(await signIn.textContent()).toBe('Sign in with Microsoft Entra ID');
      expect(await signIn.getAttribute('href')).toBe('/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Factivity');
      await context.close();
    } finally {
      vi.unstubAllEnvs();
      for (const { server } of [reader, roleless, nobody]) await new Promise((closed) => server.close(closed));
    }
  });

  /** Serves a message's real answers changed by `change`, as a stored value the page must cope with. */
  async function tamperMessage(page: Page, messageId: string, change: (body: MessageStatusBody) => void): Promise<void> {
    await page.route(`**/api/messages/${messageId}?**`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as MessageStatusBody;
      change(body);
      await route.fulfill({ response, body: JSON.stringify(body) });
    });
  }
  /** Opens the order's message view, served with `change` made to its answers. */
  async function openTamperedOrder(change: (body: MessageStatusBody) => void): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await openPage();
    await tamperMessage(page, data.ORDER, change);
    await page.goto(activity(data.ORDER));
    await page.locator('.message-view table.events').waitFor();
    return { context, page };
  }
  const waitIdle = (page: Page) => page.waitForFunction(() => !document.querySelector('[aria-busy]'));
  const isPageTurn = (url: URL) => url.pathname.includes('/api/') && url.searchParams.has('pageToken');

  it('skips to the results with the skip link, keeping the view and the search', async () => {
    const { context, page } = await openPage();
    await page.goto(activity(data.ORDER));
    await page.locator('.message-view').waitFor();
    await page.locator('a.skip').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    await page.waitForTimeout(200);
    expect(new URL(page.url()).hash).toBe(`#q=${data.ORDER}`);
    expect(await page.locator('.message-view').count()).toBe(1);
    expect(await page.locator('#q').inputValue()).toBe(data.ORDER);
    await closeContext(context);
  });

  it('says the app could not be reached when a page turn fails, with Try again, and nothing left busy', async () => {
    const { context, page } = await openPage();
    for (const query of [data.ALEX, data.NEWSLETTER]) {
      await page.goto(activity(query));
      await page.locator('.paged table').waitFor();
      await page.route(isPageTurn, (route) => route.abort('failed'));
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.locator('.state-failure').waitFor();
      expect(await page.locator('.state p').textContent()).toContain('could not be reached');
      await waitIdle(page);
      await page.unroute(isPageTurn);
      await page.locator('#retry').click();
      await page.locator('.paged table').waitFor();
      await page.goto('about:blank');
    }
    await closeContext(context);
  });

  it('ignores a late failure of a page turn made for a view no longer shown', async () => {
    const { context, page } = await openPage();
    await page.goto(activity(data.ALEX));
    await page.locator('.address-view table.messages').waitFor();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let failed: () => void = () => {};
    const answered = new Promise<void>((resolve) => (failed = resolve));
    await page.route(isPageTurn, async (route) => {
      await held;
      await route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ status: 500, detail: 'Late.' }) });
      failed();
    });
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.evaluate((hash) => (location.hash = hash), `#q=${data.ORDER}`);
    await page.locator('.message-view table.events').waitFor();
    release();
    await answered;
    await page.waitForTimeout(300);
    expect(await page.locator('.message-view').count()).toBe(1);
    expect(await page.locator('.state').count()).toBe(0);
    await closeContext(context);
  });

  it('wraps long values, so that every column stays on screen, at 1200px and at 375px', async () => {
    const { context, page } = await openTamperedOrder((body) => {
      body.recipients[0]!.statusMessage = 'x'.repeat(30_000);
      body.engagement.links[0]!.url = `https://contoso.example/${'a'.repeat(400)}`;
    });
    const rightEdge = (selector: string) => page.locator(selector).evaluate((th) => th.getBoundingClientRect().right);
    expect(await rightEdge('table.recipients th:last-child')).toBeLessThanOrEqual(1200);
    expect(await rightEdge('table.links th:last-child')).toBeLessThanOrEqual(1200);
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await rightEdge('table.links th:last-child')).toBeLessThanOrEqual(375);
    await closeContext(context);
  });

  it('reads a + in a deep link as a +, as addresses hold them', async () => {
    const { context, page } = await openPage();
    const asked: string[] = [];
    page.on('request', (request) => asked.push(request.url()));
    await page.goto(`${baseUrl}/api/activity#q=o'brien+tag@example.com`);
    await page.locator('.state-not-found').waitFor();
    expect(await page.locator('#q').inputValue()).toBe("o'brien+tag@example.com");
    expect(asked.some((url) => url.includes("recipients/o'brien%2Btag%40example.com"))).toBe(true);
    await closeContext(context);
  });

  it('takes an Until typed to the second as the whole second, and shows the filters of a link in the form', async () => {
    const { context, page } = await openPage();
    await page.goto(activity(data.SAM));
    await page.locator('.address-view table.messages').waitFor();
    // The order was attempted at 09:15:02.4410003, shown as 09:15:02.
    await page.locator('#filter-until').fill('2026-11-27T09:15:02');
    await page.locator('#filter-until').press('Enter');
    await page.waitForFunction(() => document.querySelector('.paged .page-position')?.textContent?.startsWith('Matching'));
    expect((await rows(page, 'messages')).map((row) => row[6])).toEqual([data.ORDER, data.RETRY, data.WELCOME]);
    expect(await page.locator('#filter-until').inputValue()).toBe('2026-11-27T09:15:02');

    await page.goto(`${activity(data.SAM)}&status=bounced&since=${encodeURIComponent('2026-11-27T11:15:01+02:00')}`);
    await page.waitForFunction(() => document.querySelector('.paged .page-position')?.textContent?.startsWith('Matching'));
    expect(await page.locator('#filter-status').inputValue()).toBe('Bounced');
    expect(await page.locator('#filter-since').inputValue()).toBe('2026-11-27T09:15:01');
    expect((await rows(page, 'messages')).map((row) => row[6])).toEqual([data.ORDER]);
    await closeContext(context);
  });

  it('counts only clicks as clicks on the timeline, as the API does', async () => {
    const { context, page } = await openTamperedOrder((body) => {
      const click = body.events.find((event) => event.type === 'engagement' && event.engagementType === 'click');
      body.events.push({ ...click!, engagementType: 'forward' } as EventView);
    });
    expect(await page.locator('svg.timeline path.mark').count()).toBe(3);
    expect(await page.locator('figcaption').textContent()).toContain('3 clicks');
    await closeContext(context);
  });

  it('names an empty status, as a missing one', async () => {
    const { context, page } = await openTamperedOrder((body) => {
      body.recipients[1]!.status = '';
    });
    expect((await rows(page, 'recipients'))[1]![1]).toBe('No status');
    await closeContext(context);
  });

  it('gives a status named like an Object member the tone of any other unknown status', async () => {
    const { context, page } = await openTamperedOrder((body) => {
      body.recipients[0]!.status = 'constructor';
      body.recipients[1]!.status = '__proto__';
    });
    const badges = page.locator('table.recipients tbody tr td .badge');
    expect((await rows(page, 'recipients')).slice(0, 2).map((row) => row[1])).toEqual(['constructor', '__proto__']);
    expect(await badges.evaluateAll((spans) => spans.slice(0, 2).map((span) => span.className))).toEqual(['badge tone-other', 'badge tone-other']);
    await context.close();
  });

  it('shows bidi controls in stored text instead of obeying them', async () => {
    const { context, page } = await openTamperedOrder((body) => {
      body.recipients[2]!.statusMessage = 'invoice\u202Egnp.exe';
    });
    expect((await rows(page, 'recipients'))[2]![2]).toBe('invoice⟨U+202E⟩gnp.exe');
    expect(await page.locator('#view').textContent()).not.toContain('\u202E');
    await closeContext(context);
  });

  it.each(['light', 'dark'] as const)('has no serious accessibility violations in %s mode', async (colorScheme) => {
    const { context, page } = await openPage({ colorScheme });
    for (const query of ['', data.ORDER, data.SAM, 'b0000000-0000-4000-8000-000000000404']) {
      await page.goto(activity(query));
      await page.locator(query ? '#view article, #view .state' : '#view p.intro').first().waitFor();
      await page.waitForFunction(() => !document.querySelector('[aria-busy]'));
      expect(await seriousViolations(page), `${colorScheme}: ${query || 'the empty page'}`).toEqual([]);
    }
    await page.goto(`${baseUrl}/api/activity#view=day&day=2026-11-27`);
    await page.locator('.day-view table.day-messages').waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-busy]'));
    expect(await seriousViolations(page), `${colorScheme}: a day's messages`).toEqual([]);
    await closeContext(context);
  });
});

describe.runIf(!haveChromium && required)('the activity page in Chromium, under CI', () => {
  it('needs Chromium', () => {
    expect.fail(`No Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium).`);
  });
});
