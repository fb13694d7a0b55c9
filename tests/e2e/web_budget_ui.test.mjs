// web_budget_ui.test.mjs - in a real browser, under a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval':
// Chart.js loads from Mynt's own /vendor/chart.umd.js and draws both charts; the hash query pre-sets the Overview's
// filters and they reach GET /transactions as q, category and flow; Export CSV sends the form's range and filters with
// the bearer token, saves the answer under the Content-Disposition name, and says a 413 in words.
// GET /transactions/export is answered by a contract stand-in (page.route) so the web side is checked on its own;
// budget.test.mjs drives the real export end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newUser, linkBank, drainSyncs } from '../api/helpers/stack.mjs';
import { chromium } from 'playwright-core';
import { openPage, screenshot, PHONE } from './helpers/browser.mjs';
import { signIn, simToday, eventually, transactionsSettled } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack } from './helpers/suite.mjs';

useStackAndBrowser();

// A page answered by the test (route.fulfill) counts as public to Chromium's Local Network Access checks, which then
// refuse its calls to the loopback API; this file's own chromium leaves those checks out (nothing else differs).
let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'],
  });
});
after(async () => { await browser?.close(); });

/** The policy the page is served with: only Mynt's own scripts and styles; the API, moto (Cognito) and the simulator (Link stand-in). */
function policy() {
  return ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
    "base-uri 'none'", "frame-ancestors 'none'", `connect-src 'self' ${stack.aws_endpoint} ${stack.plaid_url}`].join('; ');
}

/**
 * Serves the app's page (/ only) as mynt-local answers it plus the CSP header; a violation is a console error, which
 * fails the page's check. Returns a function that proves the policy is in force: an inline script is refused (its
 * console line then taken back).
 */
async function withCsp(w) {
  await w.page.route(`${stack.api_url}/`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': policy() } });
  });
  return async () => {
    const ran = await w.page.evaluate(() => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (ev) => resolve(`refused: ${ev.violatedDirective}`), { once: true });
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.head.append(script);
      setTimeout(() => resolve(window.__inlineRan ? 'ran' : 'nothing'), 2000);
    }));
    assert.match(ran, /^refused: script-src/, 'the page runs under the policy');
    await eventually(async () => assert.ok(w.problems.some((p) => /inline script/.test(p))));
    for (let i = w.problems.length - 1; i >= 0; i--) if (/inline script/.test(w.problems[i])) w.problems.splice(i, 1);
  };
}

/** A user with First Platypus Bank linked and synced, signed in on w's page (the Overview shown), then at hash; returns the user. */
async function signedInWithBank(w, hash) {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user);
  assert.equal(linked.status, 201, linked.text);
  await drainSyncs(stack);
  await w.page.goto(`${stack.api_url}/`);
  await signIn(w.page, user.email);
  await w.page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
  await w.page.goto(`${stack.api_url}/${hash}`);
  return user;
}

const monthStart = (date, back) => {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 10);
};

test('under a strict CSP, Chart.js comes from /vendor/ and draws both Budget charts, at desktop and phone width', { timeout: 120_000 }, async () => {
  const w = await openPage(browser, stack);
  await onPage(w, async ({ page }) => {
    const scripts = [];
    page.on('request', (req) => { if (req.resourceType() === 'script') scripts.push(new URL(req.url())); });
    const policyInForce = await withCsp(w);
    await signedInWithBank(w, '#/');
    await page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
    assert.ok(!scripts.some((u) => u.pathname.startsWith('/vendor/')), 'the Overview does not load Chart.js');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Budget' }).click();
    await page.getByRole('heading', { level: 1, name: 'Budget' }).waitFor();
    const today = await simToday(stack);
    const form = page.getByRole('form', { name: 'Budget period' });
    await form.getByLabel('From', { exact: true }).fill(monthStart(today, 2));
    await form.getByLabel('To', { exact: true }).fill(today);
    await form.getByRole('button', { name: 'Show' }).click();
    assert.match(new URL(page.url()).hash, new RegExp(`^#/budget\\?start_date=${monthStart(today, 2)}&end_date=${today}$`), 'the period is kept in the address');
    for (const name of ['Income and expenses by month', 'Spending by category']) {
      const canvas = page.getByRole('figure', { name }).getByRole('img');
      await eventually(async () => {
        const seen = await canvas.evaluate((el) => {
          const chart = window.Chart?.getChart(el);
          return chart ? { points: chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v > 0).length, 0), width: el.clientWidth } : null;
        });
        assert.ok(seen, `${name}: a Chart.js chart is on the canvas`);
        assert.ok(seen.points > 0, `${name}: it draws figures`);
      });
      assert.match(await canvas.getAttribute('aria-label'), /\$[\d,]+\.\d\d/, `${name}: its summary in words has the amounts`);
    }
    const vendor = scripts.filter((u) => u.pathname.startsWith('/vendor/'));
    assert.deepEqual(vendor.map((u) => `${u.origin}${u.pathname}`), [`${stack.api_url}/vendor/chart.umd.js`], 'Chart.js once, from Mynt itself');
    const served = await page.request.get(`${stack.api_url}/vendor/chart.umd.js`);
    assert.equal(served.status(), 200);
    assert.match(served.headers()['content-type'], /javascript/);
    const pinned = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url))).packages['node_modules/chart.js'].version;
    assert.ok((await served.text()).includes(`Chart.js v${pinned}`), `the served build is the locked chart.js ${pinned}`);

    // Phone width: the charts follow their box, nothing scrolls sideways.
    await page.setViewportSize(PHONE);
    const canvas = page.getByRole('figure', { name: 'Income and expenses by month' }).getByRole('img');
    await eventually(async () => {
      const width = await canvas.evaluate((el) => el.getBoundingClientRect().width);
      assert.ok(width > 200 && width < PHONE.width, `the chart fits the phone (${width}px)`);
    });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= PHONE.width, 'no sideways scrolling');
    await screenshot(page, 'web-budget-phone', { fullPage: true });
    await policyInForce();
  });
});

test('the hash query pre-sets the filters; Search, Category and Flow reach GET /transactions; Export CSV saves the server\'s file', { timeout: 120_000 }, async () => {
  const w = await openPage(browser, stack);
  await onPage(w, async ({ page }) => {
    const policyInForce = await withCsp(w);
    const today = await simToday(stack);
    const start = monthStart(today, 1);
    await signedInWithBank(w, '#/');
    await transactionsSettled(page);
    const reads = [];
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (u.pathname === '/transactions') reads.push(Object.fromEntries(u.searchParams));
    });
    // Opened from a link (the Budget view's category table makes these): the Overview again, its filters set.
    await page.goto(`${stack.api_url}/#/?category=FOOD_AND_DRINK&start_date=${start}&end_date=${today}&flow=expense&q=caf%C3%A9`);
    await page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
    const filters = page.getByRole('form', { name: 'Filter transactions' });
    assert.equal(await filters.getByLabel('Category', { exact: true }).inputValue(), 'FOOD_AND_DRINK');
    assert.equal(await filters.getByLabel('Flow', { exact: true }).inputValue(), 'expense');
    assert.equal(await filters.getByLabel('Search', { exact: true }).inputValue(), 'café');
    assert.equal(await filters.getByLabel('From', { exact: true }).inputValue(), start);
    assert.equal(await filters.getByLabel('To', { exact: true }).inputValue(), today);
    await eventually(async () => assert.ok(reads.length > 0, 'the transactions were read'));
    assert.deepEqual({ ...reads[0], count: undefined, offset: undefined },
      { start_date: start, end_date: today, category: 'FOOD_AND_DRINK', flow: 'expense', q: 'café', count: undefined, offset: undefined },
      'the first read carries the preset filters');

    // Changed in the form: Show sends them; All categories / All drop them.
    await filters.getByLabel('Search', { exact: true }).fill('  Uber  ');
    await filters.getByLabel('Category', { exact: true }).selectOption('');
    await filters.getByLabel('Flow', { exact: true }).selectOption({ label: 'Transfers' });
    const read = page.waitForRequest((r) => new URL(r.url()).pathname === '/transactions' && new URL(r.url()).searchParams.get('q') === 'Uber');
    await filters.getByRole('button', { name: 'Show', exact: true }).click();
    const params = new URL((await read).url()).searchParams;
    assert.equal(params.get('flow'), 'transfer');
    assert.equal(params.has('category'), false, 'All categories sends no category');

    // Export CSV: the stand-in checks the bearer and answers the contract's CSV with its file name.
    const exports = [];
    const csv = 'date,name\r\n2026-01-02,"Caf\u00e9, ""best"""\r\n';
    let answer = 'csv';
    await page.route(`${stack.api_url}/transactions/export?*`, async (route) => {
      const req = route.request();
      exports.push({ auth: req.headers().authorization ?? '', query: Object.fromEntries(new URL(req.url()).searchParams) });
      if (!/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(req.headers().authorization ?? '')) {
        await route.fulfill({ status: 401, json: { message: 'Unauthorized' } });
      } else if (answer === 'too_large') {
        await route.fulfill({ status: 413, json: { error: { code: 'payload_too_large', message: 'the export is past 5 MB: narrow the date range' } } });
      } else {
        await route.fulfill({
          status: 200, body: csv,
          headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="mynt-transactions-${start}-${today}.csv"` },
        });
      }
    });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), `mynt-transactions-${start}-${today}.csv`, 'saved under the server\'s name');
    assert.equal(readFileSync(await file.path(), 'utf8'), csv, 'the bytes the API sent');
    assert.equal(exports.length, 1);
    assert.deepEqual(exports[0].query, { start_date: start, end_date: today, flow: 'transfer', q: 'Uber' }, 'the form\'s range and filters');
    await page.getByRole('status').filter({ hasText: `mynt-transactions-${start}-${today}.csv` }).waitFor();

    // A range past the export's 5 MB: said in words next to the button, nothing saved.
    answer = 'too_large';
    w.expectStatus(413);
    let saved = false;
    page.once('download', () => { saved = true; });
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose a shorter date range' }).waitFor();
    assert.equal(saved, false);
    assert.equal(await page.getByRole('button', { name: 'Export CSV' }).isEnabled(), true, 'the button is usable again');

    // A half-filled range is refused before any call, as Show refuses it.
    await filters.getByLabel('To', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose both a start and an end date' }).waitFor();
    assert.equal(exports.length, 2, 'no request for a half-filled range');
    await screenshot(page, 'web-filters-export');
    await policyInForce();
  });
});
