// browser.mjs - the browser side of the e2e tests: Debian's chromium through playwright-core, a page that fails the
// test on console errors, page errors or an access token in any response, screenshots under build/e2e/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, ACCESS_TOKEN } from '../../api/helpers/stack.mjs';

export const SHOTS = join(ROOT, 'build', 'e2e');
export { ACCESS_TOKEN };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** Starts headless chromium from the system (nothing is downloaded). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens a fresh context and page on the stack's web app, watched:
 * - every console error and uncaught page error is recorded in `problems` (expectStatus(n) allows the
 *   browser's own "Failed to load resource … status of n" line for a failure a test provokes on purpose);
 * - every response body the page receives is scanned for an access token (`leaks`).
 * config: fields to override in /config.json (answered by the test). mynt-local's CSP comes from the config it was
 * started with, so an endpoint the page must reach belongs there (startStack's options), not here.
 * Returns {context, page, problems, leaks, expectStatus, check()}; check() throws when anything was recorded.
 */
export async function openPage(browser, stack, { viewport = DESKTOP, config = null } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  const leaks = [];
  const scans = [];
  const allowed = new Set();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
    if (status && allowed.has(Number(status[1]))) return;
    problems.push(`console error: ${text} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => { problems.push(`page error: ${err.message}`); });
  page.on('response', (res) => {
    scans.push((async () => {
      let body = '';
      try { body = (await res.body()).toString('utf8'); } catch { return; }  // redirects and aborted loads have none
      const headers = JSON.stringify(await res.allHeaders().catch(() => ({})));
      if (ACCESS_TOKEN.test(body) || ACCESS_TOKEN.test(headers)) leaks.push(`${res.request().method()} ${res.url()}`);
    })());
  });
  if (config) {
    await page.route(`${stack.api_url}/config.json`, async (route) => {
      const res = await route.fetch();
      route.fulfill({ response: res, json: { ...(await res.json()), ...config } });
    });
  }
  return {
    context,
    page,
    problems,
    leaks,
    expectStatus: (status) => allowed.add(status),
    async check() {
      await Promise.allSettled(scans);
      if (leaks.length) throw new Error(`access token in responses: ${leaks.join(', ')}`);
      if (problems.length) throw new Error(problems.join('\n'));
    },
  };
}

/** Saves a screenshot of what the viewport shows (fullPage: the whole page) as build/e2e/<name>.png; returns its path. */
export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
