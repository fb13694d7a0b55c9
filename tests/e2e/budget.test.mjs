// budget.test.mjs - budgeting (issue #9) in a real browser, nothing stubbed: a person links a bank, opens Budget from
// the nav with the keyboard, sees the income/expenses chart and the category table (figures as GET /summary gives
// them and as the simulator's own transactions add up), follows a category to its transactions, sets, changes and
// removes a budget inline (its progress bar and state in words; invalid limits refused with the API's message and
// nothing stored), exports the chosen range and filters as CSV (parsed back with csv-parse, equal to the table),
// narrows the table with Search / Category / Flow (the API confirms), and axe finds no serious or critical violation
// at desktop and phone width. Parts whose backend routes or web view are not there yet are skipped with that reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ROOT, api, bootstrapRouteKeys } from '../api/helpers/stack.mjs';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import { axeViolations } from './helpers/axe.mjs';
import {
  newEmail, signUpAndConfirm, connectBank, bankSynced, transactionsSettled, tableRows, allPages, simToday,
  simTransactions, watchBearer, eventually, tabTo,
} from './helpers/app.mjs';
import { useStackAndBrowser, stack, browser } from './helpers/suite.mjs';
import { humanize } from '../../web/js/format.js';

const routes = bootstrapRouteKeys();
/** A skip reason when the backend lacks any of wanted (route keys) or the web app has no Budget view yet; else false. */
function needs(...wanted) {
  const missing = wanted.filter((r) => !routes.includes(r));
  if (missing.length) return `the backend has no ${missing.join(', ')} yet`;
  if (!existsSync(join(ROOT, 'web', 'js', 'views', 'budget.js'))) return 'the web app has no Budget view (web/js/views/budget.js) yet';
  return false;
}
const SUMMARY = 'GET /summary';
const BUDGETS = ['GET /budgets', 'PUT /budgets/{category}', 'DELETE /budgets/{category}'];
const EXPORT = 'GET /transactions/export';

useStackAndBrowser();

/** Plaid's flow of a primary category (the contract's rule, written out independently of the code under test). */
const flowOf = (primary) => (primary === 'INCOME' ? 'income'
  : ['TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'].includes(primary) ? 'transfer' : 'expense');
/** Integer cents of a JSON money number (at most two decimals). */
const cents = (amount) => Math.round(amount * 100);
/** The cents a piece of shown money text says ("$1,234.56", "−$3.00" → 123456, -300). */
function shownCents(text) {
  const m = /([\u2212-])?[^\d]*([\d,]+)\.(\d\d)/.exec(text);
  assert.ok(m, `"${text}" shows an amount`);
  return (m[1] ? -1 : 1) * (Number(m[2].replace(/,/g, '')) * 100 + Number(m[3]));
}
const usd = (value) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(value);
/** YYYY-MM-01 of the month `back` months before date's. */
function monthStart(date, back) {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 10);
}
/** Plaid's sign and two decimals from cents, by integer arithmetic ("-12.30"). */
const csvAmount = (c) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
/** A text cell as finance_csv_text writes it (the CSV-injection guard), before quoting. */
const csvText = (s) => (s == null ? '' : /^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** Every transaction GET /transactions gives for query (all pages, 500 at a time), as the user with token. */
async function apiTransactions(token, query) {
  const out = [];
  for (let offset = 0; offset < 10_000; offset += 500) {
    const qs = new URLSearchParams({ ...query, count: '500', offset: String(offset) });
    const res = await api(stack, 'GET', `/transactions?${qs}`, { token });
    assert.equal(res.status, 200, `GET /transactions?${qs}: ${res.text}`);
    out.push(...res.json.transactions);
    if (out.length >= res.json.total_transactions) return out;
  }
  throw new Error('more than 10000 transactions');
}

async function apiSummary(token, start, end) {
  const res = await api(stack, 'GET', `/summary?start_date=${start}&end_date=${end}`, { token });
  assert.equal(res.status, 200, `GET /summary: ${res.text}`);
  return res.json;
}

async function apiBudgets(token) {
  const res = await api(stack, 'GET', '/budgets', { token });
  assert.equal(res.status, 200, `GET /budgets: ${res.text}`);
  return res.json.budgets;
}

/** The rows of the table captioned "Spending by category": [{category (link text), href, spent, transactions}]. */
async function categoryRows(page) {
  const table = page.getByRole('table', { name: 'Spending by category' });
  const head = await table.locator('thead th').allTextContents();
  assert.deepEqual(head.map((t) => t.trim()), ['Category', 'Spent', 'Transactions'], 'the table\'s columns');
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => {
    const cells = [...r.cells].map((c) => c.textContent.trim());
    const link = r.cells[0].querySelector('a');
    return { category: link?.textContent.trim() ?? null, href: link?.getAttribute('href') ?? null, spent: cells[1], transactions: cells[2] };
  }));
}

/** Asserts a canvas (role img) inside figure shows a drawn chart: a non-empty aria-label and non-blank pixels. */
async function assertChartDrawn(figure, what) {
  const canvas = figure.getByRole('img');
  const caption = (await figure.locator('figcaption').textContent()).trim();
  await eventually(async () => {
    const label = (await canvas.getAttribute('aria-label'))?.trim() ?? '';
    assert.ok(label.length > caption.length, `${what}: the canvas's aria-label summarises the chart, more than its caption ("${label}")`);
  });
  assert.equal(await canvas.evaluate((el) => el.tagName), 'CANVAS', `${what}: the chart is a canvas`);
  await eventually(async () => {
    const drawn = await canvas.evaluate((el) => {
      const { data } = el.getContext('2d').getImageData(0, 0, el.width, el.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
      const chart = window.Chart?.getChart?.(el);
      return { painted, width: el.width, chart: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : null };
    });
    assert.ok(drawn.width > 0, `${what}: the canvas has a size`);
    assert.ok(drawn.painted > 100, `${what}: the canvas is drawn (${drawn.painted} painted pixels)`);
    if (drawn.chart !== null) assert.ok(drawn.chart > 0, `${what}: the Chart.js chart holds data`);
  }, 10_000);
}

/** Sets the Budget view's period (From/To, Show) and waits for its GET /summary and the table to follow. */
async function showBudgetPeriod(page, start, end) {
  const form = page.getByRole('form', { name: 'Budget period' });
  await form.getByLabel('From', { exact: true }).fill(start);
  await form.getByLabel('To', { exact: true }).fill(end);
  const read = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/summary' && u.searchParams.get('start_date') === start && u.searchParams.get('end_date') === end;
  }, { timeout: 15_000 });
  await form.getByRole('button', { name: 'Show', exact: true }).click();
  assert.equal((await read).status(), 200);
}

/**
 * Asserts axe finds no violation of impact serious or critical on what the page shows, where the steps left it
 * scrolled (a control the top bar covers fails axe's target-size rule there).
 */
async function assertNoSeriousViolation(page, what) {
  const bad = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe: ${what}:\n${bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`).join('\n')}`);
}

test('a person budgets: charts and category table as /summary says, budgets inline, CSV export, filters, accessible', { timeout: 420_000 }, async (t) => {
  const w = await openPage(browser, stack, { viewport: DESKTOP });
  const { page } = w;
  const token = watchBearer(page, stack.api_url);
  const s = {};   // what the steps share: item id, period, the category followed
  try {
    await t.test('the person signs up and links First Platypus Bank; its first sync finishes', async () => {
      await page.goto(`${stack.api_url}/`);
      await signUpAndConfirm(page, newEmail('budget'));
      s.itemId = await connectBank(page, 'First Platypus Bank', 'Connect a bank');
      await bankSynced(page, s.itemId);
      s.today = await simToday(stack);
      s.start = monthStart(s.today, 2);   // three calendar months: two whole ones and this one so far
      s.end = s.today;
      s.months = 3;
    });

    await t.test('Budget is reached from the nav with the keyboard only', { skip: needs(SUMMARY) }, async () => {
      const nav = page.getByRole('navigation', { name: 'Sections' });
      const budgetLink = nav.getByRole('link', { name: 'Budget', exact: true });
      assert.equal(await nav.getByRole('link', { name: 'Overview', exact: true }).getAttribute('aria-current'), 'page');
      await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
      await tabTo(page, budgetLink);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Budget' }).waitFor();
      assert.match(new URL(page.url()).hash, /^#\/budget/);
      assert.equal(await budgetLink.getAttribute('aria-current'), 'page', 'the nav marks Budget as the current section');
      assert.equal(await nav.getByRole('link', { name: 'Overview', exact: true }).getAttribute('aria-current'), null);
      const form = page.getByRole('form', { name: 'Budget period' });
      assert.equal(await form.getByLabel('From', { exact: true }).inputValue(), `${s.today.slice(0, 7)}-01`, 'the period starts as this month');
      assert.equal(await form.getByLabel('To', { exact: true }).inputValue(), s.today);
    });

    await t.test('the charts are drawn and the category table says what GET /summary and the simulator say', { skip: needs(SUMMARY) }, async () => {
      await showBudgetPeriod(page, s.start, s.end);
      const summary = await apiSummary(token(), s.start, s.end);
      assert.equal(summary.start_date, s.start);
      assert.equal(summary.end_date, s.end);
      // The later steps use the summary and its top budgetable category, whatever this step finds.
      s.summary = summary;
      s.category = summary.categories.find((c) => c.category !== 'UNCATEGORIZED')?.category;
      await assertChartDrawn(page.getByRole('figure', { name: 'Income and expenses by month' }), 'income and expenses');
      await assertChartDrawn(page.getByRole('figure', { name: 'Spending by category' }), 'spending by category');

      // The simulator's truth, summed here in cents: posted expense transactions of the period by primary category.
      const truth = new Map();
      for (const x of await simTransactions(stack, [s.itemId], s.start, s.end)) {
        const primary = x.personal_finance_category?.primary ?? 'UNCATEGORIZED';
        if (x.pending || flowOf(primary) !== 'expense') continue;
        const e = truth.get(primary) ?? { expenses: 0, transactions: 0 };
        e.expenses += cents(x.amount);
        e.transactions += 1;
        truth.set(primary, e);
      }
      assert.ok(truth.size >= 3, `the period has spending in several categories (${[...truth.keys()]})`);
      assert.deepEqual(new Map(summary.categories.map((c) => [c.category, { expenses: cents(c.expenses), transactions: c.transactions }])),
        truth, 'GET /summary\'s categories are the simulator\'s posted expenses of the period');

      const rows = await eventually(async () => {
        const shown = await categoryRows(page);
        assert.equal(shown.length, summary.categories.length, 'one row per category of the summary');
        return shown;
      });
      for (const [i, c] of summary.categories.entries()) {
        const row = rows[i];
        assert.equal(row.category, humanize(c.category), `row ${i} is ${c.category} (sorted as the summary)`);
        assert.equal(shownCents(row.spent), cents(c.expenses), `${c.category}: spent`);
        assert.equal(Number(row.transactions), c.transactions, `${c.category}: transactions`);
        const href = new URL(row.href, page.url());
        assert.equal(href.hash, `#/?category=${c.category}&start_date=${s.start}&end_date=${s.end}`, `${c.category}: its link`);
      }
      // The month chart's text equivalent ("Show as a table"): every month of the period, as GET /summary's months.
      const monthFigure = page.getByRole('figure', { name: 'Income and expenses by month' });
      await monthFigure.getByText('Show as a table').click();
      const monthTable = monthFigure.getByRole('table', { name: 'Income and expenses by month' });
      await monthTable.waitFor();
      const months = await monthTable.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
      const usdMonths = summary.months.filter((m) => m.iso_currency_code === 'USD');
      assert.deepEqual(usdMonths.map((m) => m.month), [s.start.slice(0, 7), monthStart(s.today, 1).slice(0, 7), s.today.slice(0, 7)],
        'GET /summary has every month of the period');
      assert.deepEqual(months.map((cells) => cells.slice(1).map(shownCents)),
        usdMonths.map((m) => [cents(m.income), cents(m.expenses), cents(m.net)]), 'the month table: income, expenses, net per month');
      await screenshot(page, 'budget-1-view', { fullPage: true });
    });

    await t.test('a category\'s link opens the Overview filtered by it: the API\'s transactions of that category', { skip: needs(SUMMARY, 'GET /transactions') }, async () => {
      const table = page.getByRole('table', { name: 'Spending by category' });
      await table.getByRole('link', { name: humanize(s.category), exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
      assert.equal(new URL(page.url()).hash, `#/?category=${s.category}&start_date=${s.start}&end_date=${s.end}`);
      assert.equal(await page.getByLabel('Category', { exact: true }).inputValue(), s.category, 'the Category filter is pre-set');
      assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), s.start);
      assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), s.end);
      await transactionsSettled(page);
      const rows = await allPages(page);
      const truth = await apiTransactions(token(), { category: s.category, start_date: s.start, end_date: s.end });
      assert.ok(truth.length > 0);
      assert.ok(truth.every((x) => x.category === s.category), 'the API filtered by category');
      assert.deepEqual(rows.map((r) => r.id), truth.map((x) => x.transaction_id), 'the table holds exactly the category\'s transactions, in order');
      const posted = truth.filter((x) => !x.pending && x.flow === 'expense');
      assert.equal(posted.length, s.summary.categories.find((c) => c.category === s.category).transactions,
        'the category\'s posted expenses are the count the Budget view showed');
    });

    await t.test('a budget set from the keyboard shows its progress and its state; edited small it is over; then removed', { skip: needs(SUMMARY, ...BUDGETS) }, async () => {
      await page.goto(`${stack.api_url}/#/budget`);
      await page.getByRole('heading', { level: 1, name: 'Budget' }).waitFor();
      await showBudgetPeriod(page, s.start, s.end);
      const name = humanize(s.category);
      const spent = cents(s.summary.categories.find((c) => c.category === s.category).expenses);
      assert.ok(spent > 3 * 100 * s.months, `${s.category} spent more than $3 a month (${spent} cents)`);

      // Add: category, limit and "Add budget" from the keyboard. A limit that makes it about half used.
      const add = page.getByRole('form', { name: 'Add a budget' });
      const select = add.getByLabel('Category', { exact: true });
      const options = await select.locator('option').evaluateAll((els) => els.map((o) => o.value));
      assert.ok(options.includes(s.category), `${s.category} is offered (${options})`);
      for (const bad of ['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS', 'UNCATEGORIZED']) {
        assert.ok(!options.includes(bad), `${bad} is not offered (it is not spending)`);
      }
      assert.equal(await add.getByLabel('Currency', { exact: true }).inputValue(), 'USD', 'USD is the default currency');
      await tabTo(page, select);
      const from = options.indexOf(await select.inputValue());
      const to = options.indexOf(s.category);
      for (let i = 0; i < Math.abs(to - from); i++) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
      assert.equal(await select.inputValue(), s.category, 'the category chosen with the arrow keys');
      const monthly = Math.ceil(spent / s.months / 0.5 / 100);   // whole dollars: about 50 % used
      await tabTo(page, add.getByLabel('Monthly limit', { exact: true }), 5);
      await page.keyboard.type(String(monthly));
      await tabTo(page, add.getByRole('button', { name: 'Add budget' }), 5);
      const put = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/budgets/${s.category}`);
      await page.keyboard.press('Enter');
      assert.equal((await put).status(), 201, 'the budget was created');

      const region = page.getByRole('region', { name: 'Budgets' });
      const item = region.locator(`li[data-category="${s.category}"]`);
      await item.waitFor();
      const check = async (monthlyDollars, wantState, words) => {
        const summary = await apiSummary(token(), s.start, s.end);
        const b = summary.budgets.find((x) => x.category === s.category);
        assert.ok(b, 'GET /summary has the budget');
        assert.equal(cents(b.monthly_limit), monthlyDollars * 100);
        assert.equal(cents(b.limit_for_period), monthlyDollars * 100 * s.months, 'the limit covers the period\'s three months');
        assert.equal(cents(b.spent), spent);
        assert.equal(b.percent, Math.round((spent * 100) / (monthlyDollars * 100 * s.months)));
        const state = b.percent > 100 ? 'over' : b.percent >= 80 ? 'near' : 'ok';
        assert.equal(state, wantState, `the limit chosen puts it ${wantState} (${b.percent} %)`);
        await eventually(async () => {
          assert.equal(await item.getAttribute('data-state'), state);
          const bar = item.getByRole('progressbar');
          assert.equal(Number(await bar.getAttribute('aria-valuenow')), Math.min(b.percent, 100));
          const text = await item.textContent();
          assert.ok(text.includes(name), `"${text}" names ${name}`);
          assert.ok(text.includes(usd(b.spent)), `"${text}" says the spent ${usd(b.spent)}`);
          assert.ok(text.includes(usd(b.limit_for_period)) || text.includes(usd(b.monthly_limit)), `"${text}" says the limit`);
          if (words) assert.ok(text.includes(words), `"${text}" says "${words}"`);
          for (const other of ['Over budget', 'Near the limit'].filter((x) => x !== words)) assert.ok(!text.includes(other), `"${text}" does not say "${other}"`);
        });
      };
      await check(monthly, 'ok', null);
      assert.ok(!(await select.locator('option').evaluateAll((els) => els.map((o) => o.value))).includes(s.category),
        'a budgeted category is no longer offered to add');
      await screenshot(page, 'budget-2-set');

      // Near: about 90 % used.
      const near = Math.ceil(spent / s.months / 0.9 / 100);
      const edit = async (dollars) => {
        await item.getByRole('button', { name: `Edit budget for ${name}` }).click();
        const input = item.getByLabel(`Monthly limit for ${name}`, { exact: true });
        await input.fill(String(dollars));
        const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/budgets/${s.category}`);
        await item.getByRole('button', { name: 'Save', exact: true }).click();
        assert.equal((await saved).status(), 200, 'the budget was replaced');
        await input.waitFor({ state: 'detached' });
      };
      if (Math.round((spent * 100) / (near * 100 * s.months)) >= 80) {
        await edit(near);
        await check(near, 'near', 'Near the limit');
      }
      await edit(1);
      await check(1, 'over', 'Over budget');
      assert.deepEqual((await apiBudgets(token())).map((b) => [b.category, cents(b.monthly_limit), b.iso_currency_code]),
        [[s.category, 100, 'USD']], 'GET /budgets holds the one budget, as edited');
      await screenshot(page, 'budget-3-over');

      // Cancel leaves it as it was.
      await item.getByRole('button', { name: `Edit budget for ${name}` }).click();
      await item.getByLabel(`Monthly limit for ${name}`, { exact: true }).fill('999');
      await item.getByRole('button', { name: 'Cancel', exact: true }).click();
      await check(1, 'over', 'Over budget');

      const removed = page.waitForResponse((r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === `/budgets/${s.category}`);
      await item.getByRole('button', { name: `Remove budget for ${name}` }).click();
      const confirm = page.getByRole('dialog');
      const gone = await Promise.race([removed.then(() => 'deleted'), confirm.waitFor().then(() => 'asked', () => 'deleted')]);
      if (gone === 'asked') await confirm.getByRole('button', { name: /Remove/ }).click();
      assert.equal((await removed).status(), 204);
      await item.waitFor({ state: 'detached' });
      assert.deepEqual(await apiBudgets(token()), [], 'nothing is stored any more');
    });

    await t.test('an invalid limit shows the API\'s message next to the field and stores nothing', { skip: needs(SUMMARY, ...BUDGETS) }, async () => {
      const add = page.getByRole('form', { name: 'Add a budget' });
      const limit = add.getByLabel('Monthly limit', { exact: true });
      w.expectStatus(400);
      const before = await apiBudgets(token());
      const category = await add.getByLabel('Category', { exact: true }).locator('option').first().getAttribute('value');
      for (const bad of ['0', '10.005']) {
        await add.getByLabel('Category', { exact: true }).selectOption(category);
        await limit.fill(bad);
        const put = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/budgets/${category}`,
          { timeout: 10_000 }).catch(() => null);
        await add.getByRole('button', { name: 'Add budget' }).click();
        const res = await put;
        assert.ok(res, `a limit of ${bad} is sent to the API, which judges it`);
        assert.equal(res.status(), 400);
        const { code, message } = (await res.json()).error;
        assert.equal(code, 'bad_request');
        assert.match(message, /monthly_limit/, `the API names the field: "${message}"`);
        const alert = add.getByRole('alert');
        await eventually(async () => {
          const text = (await alert.textContent()).trim();
          assert.ok(text.toLowerCase().includes(message.toLowerCase().replace(/\.$/, '')), `the alert says the API's message "${message}" ("${text}")`);
        });
        const nextToField = await alert.evaluate((el, inputId) => {
          const input = document.getElementById(inputId);
          return (input.getAttribute('aria-describedby') ?? '').split(/\s+/).includes(el.id) || el.parentElement.contains(input);
        }, await limit.getAttribute('id'));
        assert.ok(nextToField, 'the message is tied to the Monthly limit field (aria-describedby, or beside it)');
        assert.deepEqual(await apiBudgets(token()), before, `nothing stored for ${bad}`);
      }
      await screenshot(page, 'budget-4-invalid');
    });

    await t.test('axe finds no serious or critical violation on the Budget view at desktop and phone width', { skip: needs(SUMMARY, ...BUDGETS) }, async () => {
      // A budget in view, so its progress bar is checked too.
      const res = await api(stack, 'PUT', `/budgets/${s.category}`, { token: token(), body: { monthly_limit: 2, iso_currency_code: 'USD' } });
      assert.ok(res.status === 201 || res.status === 200, res.text);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Budget' }).waitFor();
      await showBudgetPeriod(page, s.start, s.end);
      await page.getByRole('region', { name: 'Budgets' }).locator(`li[data-category="${s.category}"][data-state="over"]`).waitFor();
      await assertNoSeriousViolation(page, 'Budget view, desktop');
      await page.setViewportSize(PHONE);
      await assertChartDrawn(page.getByRole('figure', { name: 'Income and expenses by month' }), 'income and expenses at phone width');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `no sideways scrolling at phone width (page is ${width}px wide)`);
      await assertNoSeriousViolation(page, 'Budget view, phone');
      await screenshot(page, 'budget-5-phone', { fullPage: true });
      await page.setViewportSize(DESKTOP);
    });

    await t.test('Search, Category and Flow narrow the table to what the API gives for the same filters', { skip: needs('GET /transactions') }, async () => {
      await page.goto(`${stack.api_url}/#/`);
      await page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
      await transactionsSettled(page);
      const filters = page.getByRole('form', { name: 'Filter transactions' });
      const range = { start_date: s.start, end_date: s.end };
      const everything = await apiTransactions(token(), range);
      const merchant = everything.find((x) => x.merchant_name && x.flow === 'expense' && x.category === s.category).merchant_name;
      const q = merchant.slice(0, Math.min(6, merchant.length)).toLowerCase();   // lower case: the match ignores case
      const apply = async (search, category, flow) => {
        await filters.getByLabel('From', { exact: true }).fill(s.start);
        await filters.getByLabel('To', { exact: true }).fill(s.end);
        await filters.getByLabel('Search', { exact: true }).fill(search);
        await filters.getByLabel('Category', { exact: true }).selectOption(category);
        await filters.getByLabel('Flow', { exact: true }).selectOption({ label: flow });
        const read = page.waitForResponse((r) => {
          const u = new URL(r.url());
          return u.pathname === '/transactions' && (u.searchParams.get('q') ?? '') === search
            && (u.searchParams.get('category') ?? '') === category && u.searchParams.get('start_date') === s.start;
        }, { timeout: 15_000 });
        await filters.getByRole('button', { name: 'Show', exact: true }).click();
        assert.equal((await read).status(), 200);
        await transactionsSettled(page);
        return allPagesOrNone(page);
      };
      const cases = [
        { search: q, category: '', flow: 'All', query: { q } },
        { search: '', category: s.category, flow: 'All', query: { category: s.category } },
        { search: '', category: '', flow: 'Income', query: { flow: 'income' } },
        { search: '', category: '', flow: 'Expenses', query: { flow: 'expense' } },
        { search: '', category: '', flow: 'Transfers', query: { flow: 'transfer' } },
        { search: q, category: s.category, flow: 'Expenses', query: { q, category: s.category, flow: 'expense' } },
      ];
      for (const c of cases) {
        const rows = await apply(c.search, c.category, c.flow);
        const truth = await apiTransactions(token(), { ...range, ...c.query });
        const label = JSON.stringify(c.query);
        assert.ok(truth.length > 0, `${label} matches some transactions`);
        assert.ok(truth.length < everything.length, `${label} narrows the range's ${everything.length} transactions (${truth.length})`);
        if (c.query.q) {
          assert.ok(truth.every((x) => `${x.name}\n${x.merchant_name ?? ''}`.toLowerCase().includes(q)), `${label}: the API matched name or merchant, ignoring case`);
        }
        if (c.query.flow) assert.ok(truth.every((x) => x.flow === c.query.flow), `${label}: the API filtered the flow`);
        if (c.query.category) assert.ok(truth.every((x) => x.category === c.query.category), `${label}: the API filtered the category`);
        const independent = everything.filter((x) => (!c.query.flow || x.flow === c.query.flow)
          && (!c.query.category || x.category === c.query.category)
          && (!c.query.q || `${x.name}\n${x.merchant_name ?? ''}`.toLowerCase().includes(q)));
        assert.deepEqual(truth.map((x) => x.transaction_id), independent.map((x) => x.transaction_id), `${label}: the API's filter is the unfiltered list filtered here`);
        assert.deepEqual(rows.map((r) => r.id), truth.map((x) => x.transaction_id), `${label}: the table shows exactly those, in order`);
      }
      await screenshot(page, 'budget-6-filters');
      // The filters open and set, at both widths.
      await assertNoSeriousViolation(page, 'Overview with filters, desktop');
      await page.setViewportSize(PHONE);
      try {
        await assertNoSeriousViolation(page, 'Overview with filters, phone');
      } finally {
        await page.setViewportSize(DESKTOP);
      }
    });

    await t.test('Export CSV downloads the range and filters as mynt-transactions-<start>-<end>.csv, rows equal to the table', { skip: needs(EXPORT) }, async () => {
      await page.goto(`${stack.api_url}/#/`);
      await page.getByRole('heading', { level: 1, name: 'Your money' }).waitFor();
      await transactionsSettled(page);
      const filters = page.getByRole('form', { name: 'Filter transactions' });
      await filters.getByLabel('From', { exact: true }).fill(s.start);
      await filters.getByLabel('To', { exact: true }).fill(s.end);
      await filters.getByLabel('Search', { exact: true }).fill('');
      await filters.getByLabel('Category', { exact: true }).selectOption('');
      await filters.getByLabel('Flow', { exact: true }).selectOption({ label: 'All' });
      const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/transactions'
        && new URL(r.url()).searchParams.get('start_date') === s.start && !new URL(r.url()).searchParams.get('flow'), { timeout: 15_000 });
      await filters.getByRole('button', { name: 'Show', exact: true }).click();
      assert.equal((await read).status(), 200);
      await transactionsSettled(page);
      await assertExportIsTable(page, token, s.start, s.end, {});
      // With a filter the file holds what the filtered table holds.
      const flowRead = page.waitForResponse((r) => new URL(r.url()).pathname === '/transactions'
        && new URL(r.url()).searchParams.get('flow') === 'expense', { timeout: 15_000 });
      await filters.getByLabel('Flow', { exact: true }).selectOption({ label: 'Expenses' });
      await filters.getByRole('button', { name: 'Show', exact: true }).click();
      assert.equal((await flowRead).status(), 200);
      await transactionsSettled(page);
      await assertExportIsTable(page, token, s.start, s.end, { flow: 'expense' });
    });
  } finally {
    await w.context.close();
  }
  await w.check();
});

/**
 * Reads every page of the transactions table, presses "Export CSV" and asserts the download: the file name of the
 * range, no BOM, CRLF records, the contract's header, one row per table row in its order, each row's cells those of
 * GET /transactions (with query's filters) and GET /accounts as the export writes them.
 */
async function assertExportIsTable(page, token, start, end, query) {
  const rows = await allPages(page);
  const download = page.waitForEvent('download', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  assert.equal(file.suggestedFilename(), `mynt-transactions-${start}-${end}.csv`);
  const path = await file.path();
  const bytes = readFileSync(path);
  assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no byte-order mark');
  const text = bytes.toString('utf8');
  assert.ok(text.endsWith('\r\n'), 'the last record ends with CRLF');
  assert.doesNotMatch(text, /(?<!\r)\n/, 'every line ends with CRLF (the simulator\'s names hold no line break)');
  const records = parse(text, { record_delimiter: '\r\n', relax_column_count: false, relax_quotes: false, bom: false });
  assert.deepEqual(records[0], ['date', 'name', 'merchant_name', 'amount', 'iso_currency_code', 'category', 'category_detailed',
    'flow', 'pending', 'account_id', 'account_name', 'institution_name', 'item_id', 'transaction_id']);
  const body = records.slice(1).map((r) => Object.fromEntries(records[0].map((k, i) => [k, r[i]])));
  assert.deepEqual(body.map((r) => r.transaction_id), rows.map((r) => r.id), 'one row per transaction of the table, in its order');
  const truth = new Map((await apiTransactions(token(), { start_date: start, end_date: end, ...query })).map((x) => [x.transaction_id, x]));
  assert.deepEqual([...truth.keys()], rows.map((r) => r.id), 'the table is GET /transactions for the same range and filters');
  if (query.flow) assert.ok([...truth.values()].every((x) => x.flow === query.flow), 'the API filtered the flow');
  const accounts = (await api(stack, 'GET', '/accounts', { token: token() })).json.accounts;
  for (const r of body) {
    const x = truth.get(r.transaction_id);
    const account = accounts.find((a) => a.account_id === x.account_id);
    assert.deepEqual(r, {
      date: x.date, name: csvText(x.name), merchant_name: csvText(x.merchant_name), amount: csvAmount(x.amount_cents),
      iso_currency_code: x.iso_currency_code ?? '', category: x.category ?? '', category_detailed: x.category_detailed ?? '',
      flow: x.flow, pending: String(x.pending), account_id: x.account_id, account_name: csvText(account.name),
      institution_name: csvText(account.institution_name), item_id: x.item_id, transaction_id: x.transaction_id,
    }, `CSV row of ${r.transaction_id}`);
  }
}

/** Every page of the transactions table, or none when it says there are none. */
async function allPagesOrNone(page) {
  if (await page.locator('#transactions tbody tr.tx').count() === 0) return [];
  return allPages(page);
}

test('the empty dashboard\'s icon is an SVG hidden from screen readers, no emoji; axe passes at both widths', { timeout: 120_000 }, async () => {
  const w = await openPage(browser, stack, { viewport: DESKTOP });
  const { page } = w;
  try {
    await page.goto(`${stack.api_url}/`);
    await signUpAndConfirm(page, newEmail('empty'));
    const heading = page.getByRole('heading', { name: 'Connect your first bank' });
    await heading.waitFor();
    const empty = heading.locator('xpath=..');
    const icons = await empty.locator('svg').evaluateAll((els) => els.map((e) => e.closest('[aria-hidden="true"]') !== null));
    assert.ok(icons.length > 0, 'the empty state has an SVG icon');
    assert.ok(icons.every(Boolean), 'the icon is hidden from screen readers (aria-hidden)');
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /\p{Emoji_Presentation}/u, 'no emoji glyph on the page');
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await assertNoSeriousViolation(page, `empty dashboard at ${viewport.width}px`);
    }
    await screenshot(page, 'budget-0-empty-phone');
  } finally {
    await w.context.close();
  }
  await w.check();
});
