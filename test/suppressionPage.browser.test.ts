/**
 * The suppression list on the activity page, in headless Chromium against the local host over real
 * HTTP: the address view says whether an address is suppressed, why and since when; the list view finds
 * an address, and reactivates it with a reason, which the API then shows with who and why.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { createLocalHost } from '../scripts/localHost.js';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { sendEvents } from '../scripts/sendSample.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const host = createLocalHost(registeredFunctions(), () => {});
let baseUrl = '';
let browser: Browser;
const address = `Sam.${randomUUID().slice(0, 8)}@northwind.example`;

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run());
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
}

describe.skipIf(!haveChromium && process.env.CI !== 'true')('the suppression list on the activity page', () => {
  beforeAll(async () => {
    await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
    baseUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const bounce = {
      ...seedDeliveryReport,
      id: randomUUID(),
      data: { ...seedDeliveryReport.data, messageId: randomUUID(), recipient: address, status: 'Bounced', deliveryAttemptTimeStamp: '2026-11-27T09:15:02.4410003Z', deliveryStatusDetails: { statusMessage: '550 5.1.1 User unknown' } },
    };
    expect((await sendEvents([bounce], { baseUrl })).map((delivery) => delivery.status)).toEqual([202]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((closed) => host.close(() => closed()));
  });

  it('shows on the address view that the address is suppressed, why and since when', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/api/activity#${new URLSearchParams({ q: address })}`);
    await page.locator('.address-view').waitFor();
    const fact = page.locator('dl.facts .suppression');
    expect((await fact.textContent())?.replace(/\s+/g, ' ')).toBe('Suppressed Bounced since 2026-11-27 09:15:02, 1 time; not synced (no ACS list is set) see the entry');
    await page.close();
  });

  it('finds the address in the list view and reactivates it with a reason', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/api/activity`);
    await page.getByRole('link', { name: 'Suppression list' }).click();
    await page.locator('.suppression-view').waitFor();
    await page.getByLabel('Address', { exact: true }).fill(address.toUpperCase());
    await page.getByRole('button', { name: 'Show' }).click();
    const row = page.locator('table.suppressions tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect((await row.locator('td').allTextContents()).slice(0, 6)).toEqual([address, 'Suppressed', 'Bounced', '2026-11-27 09:15:02', '2026-11-27 09:15:02', '1']);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: `Reactivate ${address}` }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reactivate-reason');
    await page.keyboard.type('Mailbox fixed, ticket 4711');
    await page.getByRole('button', { name: 'Reactivate', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Reactivated'));
    expect(await row.locator('td').nth(1).textContent()).toBe('Reactivated');

    // The list itself, filtered to reactivated entries, newest change first: the address is near the top.
    await page.getByLabel('Address', { exact: true }).fill('');
    await page.getByLabel('State').selectOption('reactivated');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForFunction(() => location.hash.includes('state=reactivated') && document.querySelector('.suppression-view .page-position') !== null);
    expect(await page.locator('table.suppressions tbody tr td:first-child').allTextContents()).toContain(address);
    expect(await page.locator('.suppression-view .page-position').textContent()).toMatch(/^Entries 1–\d+$/);

    const entry = (await (await fetch(`${baseUrl}/api/suppressions/${encodeURIComponent(address)}`)).json()) as { state: string; changes: { kind: string; note?: string; by?: { kind: string } }[] };
    expect(entry.state).toBe('reactivated');
    expect(entry.changes[0]).toMatchObject({ kind: 'reactivate', note: 'Mailbox fixed, ticket 4711', by: { kind: 'local' } });
    await page.close();
  });
});
