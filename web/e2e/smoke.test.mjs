// Browser smoke test of the built page against a running fibstack.
//
// BASE_URL (required) is the origin that serves the page and /api, such as
// http://127.0.0.1:8080. SCREENSHOT_PATH (optional) receives a PNG of the
// calculator showing the computed value. CHROMIUM_PATH overrides the browser
// binary, /usr/bin/chromium by default (Debian's chromium package).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

const baseUrl = process.env.BASE_URL;
if (!baseUrl) {
  throw new Error('BASE_URL is not set: set it to the origin of a running fibstack, such as BASE_URL=http://127.0.0.1:8080');
}

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const screenshotPath = process.env.SCREENSHOT_PATH;

// How long a submitted index may take to show its value: the job goes through
// JetStream and a worker, which may still be starting when the test begins.
const valueTimeoutMs = 30_000;

let browser;
let context;

before(async () => {
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context = await browser.newContext({ baseURL: baseUrl });
  context.setDefaultTimeout(15_000);
});

after(async () => {
  await browser?.close();
});

// pageUrl resolves a path against BASE_URL, which may end in a slash.
function pageUrl(path) {
  return new URL(path, baseUrl).href;
}

// openPage opens a tab that records uncaught script errors, so a test can
// assert that the page ran cleanly.
async function openPage() {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

async function readMarker(page) {
  return page.evaluate(() => globalThis.fibstackSmokeMarker ?? null);
}

test('calculator computes F(10) without a reload and routes work', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage();

  const response = await page.goto(pageUrl('/'));
  assert.equal(response?.status(), 200, `GET ${pageUrl('/')} returned ${response?.status()}`);
  await page.getByRole('heading', { level: 1, name: 'Fibonacci calculator' }).waitFor();

  // A full page load would drop this marker, so its survival proves that
  // every later step ran inside the single-page app.
  await page.evaluate(() => {
    globalThis.fibstackSmokeMarker = 'still the first page load';
  });

  await page.getByRole('textbox', { name: 'Index' }).fill('10');
  await page.getByRole('button', { name: 'Submit' }).click();

  const values = page.getByRole('region', { name: 'Calculated values' });
  await values.getByRole('cell', { name: '55', exact: true }).waitFor({ timeout: valueTimeoutMs });
  const seen = page.getByRole('region', { name: 'Indexes I have seen' });
  await seen.getByRole('listitem').filter({ hasText: /^10$/ }).first().waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'the page shows an error alert after submitting 10');
  assert.equal(await readMarker(page), 'still the first page load', 'submitting reloaded the page');
  assert.equal(new URL(page.url()).pathname, '/');

  if (screenshotPath) {
    await page.screenshot({ path: screenshotPath, fullPage: true });
  }

  await page.getByRole('link', { name: 'About', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'About fibstack' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/about');
  assert.equal(await readMarker(page), 'still the first page load', 'the About link reloaded the page');

  await page.getByRole('link', { name: 'Back to the calculator' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fibonacci calculator' }).waitFor();
  await values.getByRole('cell', { name: '55', exact: true }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await readMarker(page), 'still the first page load', 'the link back reloaded the page');

  await page.getByRole('link', { name: 'About', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'About fibstack' }).waitFor();
  const reload = await page.reload();
  assert.equal(reload?.status(), 200, `reloading /about returned ${reload?.status()}`);
  await page.getByRole('heading', { level: 1, name: 'About fibstack' }).waitFor();
  assert.equal(await readMarker(page), null, 'the reload kept the old page');

  assert.deepEqual(errors, [], 'the page threw uncaught errors');
  await page.close();
});

test('about page opens as a deep link', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();

  const response = await page.goto(pageUrl('/about'));
  assert.equal(response?.status(), 200, `GET ${pageUrl('/about')} returned ${response?.status()}`);
  await page.getByRole('heading', { level: 1, name: 'About fibstack' }).waitFor();
  assert.equal(await page.title(), 'About · fibstack');

  await page.getByRole('link', { name: 'Back to the calculator' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fibonacci calculator' }).waitFor();

  assert.deepEqual(errors, [], 'the page threw uncaught errors');
  await page.close();
});
