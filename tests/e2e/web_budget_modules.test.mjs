// web_budget_modules.test.mjs - the Budget view's pure logic under Node: a budget's state from its percent, the default
// period, the hash's query and the filters it pre-sets, GET /summary → chart data and words, the export's file name
// and the API calls of budgets and the CSV export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUDGETABLE, CATEGORIES, UNCATEGORIZED, budgetState, budgetStateWords, budgetCurrencies, categoryName, currentMonth,
  summaryCurrencies, monthChartData, categoryChartData, monthChartSummary, categoryChartSummary, monthLabel,
} from '../../web/js/budget-model.js';
import { parseHash, hashFor } from '../../web/js/route.js';
import { filterFromQuery } from '../../web/js/views/transactions-panel.js';
import { budgetErrorField, limitValue } from '../../web/js/views/budget.js';
import { monthChartConfig, categoryChartConfig } from '../../web/js/charts.js';
import { createApi, apiMessage, ApiError, filenameFromDisposition } from '../../web/js/api.js';

const usd = (v) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v);

test('a budget is near its limit from 80 % to 100 % and over it past 100 %, said in words', () => {
  const cases = [[0, 'ok'], [79, 'ok'], [80, 'near'], [99, 'near'], [100, 'near'], [101, 'over'], [250, 'over'], [-5, 'ok'], [null, 'ok'], ['x', 'ok']];
  for (const [percent, want] of cases) assert.equal(budgetState(percent), want, `percent ${percent}`);
  assert.equal(budgetStateWords('near'), 'Near the limit');
  assert.equal(budgetStateWords('over'), 'Over budget');
  assert.equal(budgetStateWords('ok'), 'On track');
  assert.notEqual(budgetStateWords('ok'), budgetStateWords('near'));
});

test('only spending categories can be budgeted, and they read as words', () => {
  for (const c of ['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS', UNCATEGORIZED]) assert.ok(!BUDGETABLE.includes(c), c);
  assert.equal(BUDGETABLE.length, CATEGORIES.length - 4);
  assert.ok(BUDGETABLE.includes('FOOD_AND_DRINK') && BUDGETABLE.includes('RENT_AND_UTILITIES'));
  assert.equal(categoryName('FOOD_AND_DRINK'), 'Food and drink');
  assert.equal(categoryName('GOVERNMENT_AND_NON_PROFIT'), 'Government and non profit');
  assert.equal(categoryName(UNCATEGORIZED), 'Uncategorized');
  assert.equal(categoryName(null), 'Uncategorized');
});

test('the default period is the current month from its first day to today, at month and year ends', () => {
  assert.deepEqual(currentMonth(new Date(2026, 0, 31, 23, 59)), { start: '2026-01-01', end: '2026-01-31' });
  assert.deepEqual(currentMonth(new Date(2026, 1, 1, 0, 1)), { start: '2026-02-01', end: '2026-02-01' });
  assert.deepEqual(currentMonth(new Date(2024, 1, 29, 12)), { start: '2024-02-01', end: '2024-02-29' });
  assert.deepEqual(currentMonth(new Date(2025, 11, 31, 12)), { start: '2025-12-01', end: '2025-12-31' });
});

test('the hash names the route and its query; hashFor writes what parseHash reads', () => {
  assert.deepEqual(parseHash(''), { route: 'dashboard', query: {} });
  assert.deepEqual(parseHash('#/'), { route: 'dashboard', query: {} });
  assert.deepEqual(parseHash('#/budget'), { route: 'budget', query: {} });
  assert.deepEqual(parseHash('#/sign-in'), { route: 'sign-in', query: {} });
  assert.deepEqual(parseHash('#/?category=FOOD_AND_DRINK&start_date=2026-01-01&end_date=2026-01-31'),
    { route: 'dashboard', query: { category: 'FOOD_AND_DRINK', start_date: '2026-01-01', end_date: '2026-01-31' } });
  assert.deepEqual(parseHash('#/?q=caf%C3%A9+%26+co&q=second&flow='), { route: 'dashboard', query: { q: 'café & co' } },
    'decoded, the first of a repeated name, empty values dropped');
  assert.deepEqual(parseHash('#/budget?start_date=2026-03-01&end_date=2026-03-15').query, { start_date: '2026-03-01', end_date: '2026-03-15' });
  const link = hashFor('dashboard', { category: 'FOOD_AND_DRINK', start_date: '2026-01-01', end_date: '2026-01-31' });
  assert.equal(link, '#/?category=FOOD_AND_DRINK&start_date=2026-01-01&end_date=2026-01-31');
  assert.equal(hashFor('budget', { start_date: '', q: null }), '#/budget');
  const q = 'a&b=c #?%';
  assert.deepEqual(parseHash(hashFor('dashboard', { q })), { route: 'dashboard', query: { q } }, 'round trip of awkward text');
});

test('the hash query pre-sets only the filters the Overview can show', () => {
  const today = new Date(2026, 5, 15);
  assert.deepEqual(filterFromQuery({ category: 'FOOD_AND_DRINK', start_date: '2026-05-01', end_date: '2026-05-31', flow: 'expense', q: ' coffee ' }, today),
    { start: '2026-05-01', end: '2026-05-31', q: 'coffee', category: 'FOOD_AND_DRINK', flow: 'expense' });
  assert.equal(filterFromQuery({ category: UNCATEGORIZED }, today).category, UNCATEGORIZED, 'the group of transactions without a category');
  assert.deepEqual(filterFromQuery({ category: 'FOOD', flow: 'spending', q: 'x'.repeat(101) }, today),
    { start: '', end: '', q: '', category: '', flow: '' }, 'unknown category and flow, a search past 100 characters');
  for (const [start, end] of [['2026-05-31', '2026-05-01'], ['2026-02-30', '2026-03-01'], ['2026-05-01', ''], ['2024-01-01', '2024-02-01'], ['2026-07-01', '2026-07-02']]) {
    const f = filterFromQuery({ start_date: start, end_date: end }, today);
    assert.deepEqual([f.start, f.end], ['', ''], `${start}..${end} is not a range the Overview shows`);
  }
});

const SUMMARY = {
  start_date: '2026-01-15',
  end_date: '2026-03-10',
  totals: [
    { iso_currency_code: 'EUR', income: 0, expenses: 40, net: -40, pending_expenses: 0, transactions: 2 },
    { iso_currency_code: 'USD', income: 5000, expenses: 3210.5, net: 1789.5, pending_expenses: 12, transactions: 40 },
  ],
  months: [
    { month: '2026-03', iso_currency_code: 'USD', income: 0, expenses: 200, net: -200 },
    { month: '2026-01', iso_currency_code: 'EUR', income: 0, expenses: 40, net: -40 },
    { month: '2026-01', iso_currency_code: 'USD', income: 2500, expenses: 1010.5, net: 1489.5 },
    { month: '2026-02', iso_currency_code: 'USD', income: 2500, expenses: 2000, net: 500 },
  ],
  categories: [
    { category: 'RENT_AND_UTILITIES', iso_currency_code: 'USD', expenses: 2400, transactions: 3, detailed: [] },
    { category: 'FOOD_AND_DRINK', iso_currency_code: 'USD', expenses: 810.5, transactions: 30, detailed: [] },
    { category: 'TRAVEL', iso_currency_code: 'EUR', expenses: 40, transactions: 2, detailed: [] },
    { category: 'GENERAL_MERCHANDISE', iso_currency_code: 'USD', expenses: 0, transactions: 2, detailed: [] },
    { category: 'ENTERTAINMENT', iso_currency_code: 'USD', expenses: -10, transactions: 1, detailed: [] },
  ],
  budgets: [],
};

test('the month chart takes one currency\'s months in order; the category chart its spending above zero, largest first', () => {
  const months = monthChartData(SUMMARY, 'USD', 'en-US');
  assert.deepEqual(months.months, ['2026-01', '2026-02', '2026-03']);
  assert.deepEqual(months.labels, ['Jan 2026', 'Feb 2026', 'Mar 2026']);
  assert.deepEqual(months.income, [2500, 2500, 0]);
  assert.deepEqual(months.expenses, [1010.5, 2000, 200]);
  assert.deepEqual(monthChartData(SUMMARY, 'EUR').expenses, [40]);
  assert.deepEqual(monthChartData(SUMMARY, 'GBP').labels, []);
  const cats = categoryChartData(SUMMARY, 'USD');
  assert.deepEqual(cats.categories, ['RENT_AND_UTILITIES', 'FOOD_AND_DRINK'], 'nothing of EUR, nothing at or below zero');
  assert.deepEqual(cats.labels, ['Rent and utilities', 'Food and drink']);
  assert.deepEqual(cats.expenses, [2400, 810.5]);
  assert.equal(monthLabel('2026-12', 'en-US'), 'Dec 2026');
  assert.equal(monthLabel('bad'), 'bad');
});

test('each chart has a summary in words with the figures it draws', () => {
  const months = monthChartData(SUMMARY, 'USD', 'en-US');
  const text = monthChartSummary(months, 'USD', 'en-US');
  assert.match(text, /^Income and expenses by month in USD\./);
  assert.ok(text.includes(`Feb 2026: income ${usd(2500)}, expenses ${usd(2000)}`), text);
  assert.ok(text.includes(`Jan 2026: income ${usd(2500)}, expenses ${usd(1010.5)}`), text);
  assert.match(monthChartSummary({ labels: [], income: [], expenses: [] }, 'USD'), /nothing in this period/);
  const cats = categoryChartSummary(categoryChartData(SUMMARY, 'USD'), 'USD', 'en-US');
  assert.equal(cats, `Spending by category in USD, largest first: Rent and utilities ${usd(2400)}, Food and drink ${usd(810.5)}.`);
  const many = { labels: ['A', 'B', 'C', 'D', 'E', 'F', 'G'], expenses: [7, 6, 5, 4, 3, 2, 1] };
  assert.match(categoryChartSummary(many, 'USD', 'en-US'), /E \$3\.00, and 2 more \(see the table below\)\.$/);
  assert.match(categoryChartSummary({ labels: [], expenses: [] }, 'EUR'), /no spending in this period/);
});

test('the charts\' configurations draw the chart data, without animation for reduced motion', () => {
  const months = monthChartData(SUMMARY, 'USD');
  const config = monthChartConfig(months, 'USD', { reducedMotion: true });
  assert.equal(config.type, 'bar');
  assert.deepEqual(config.data.labels, months.labels);
  assert.deepEqual(config.data.datasets.map((d) => [d.label, d.data]), [['Income', months.income], ['Expenses', months.expenses]]);
  assert.equal(config.options.animation, false);
  assert.equal(config.options.maintainAspectRatio, false, 'the chart follows its box (phone width)');
  const cats = categoryChartConfig(categoryChartData(SUMMARY, 'USD'), 'USD');
  assert.equal(cats.options.indexAxis, 'y');
  assert.deepEqual(cats.data.datasets[0].data, [2400, 810.5]);
  assert.notEqual(cats.options.animation, false);
  assert.equal(cats.options.scales.x.ticks.callback(1500), '$1.5K');
});

test('budget currencies offer USD first, then the summary\'s others; charts show USD when it is there', () => {
  assert.deepEqual(budgetCurrencies(SUMMARY), ['USD', 'EUR']);
  assert.deepEqual(budgetCurrencies({ totals: [] }), ['USD']);
  assert.deepEqual(budgetCurrencies({ totals: [{ iso_currency_code: 'GBP' }, { iso_currency_code: 'EUR' }, { iso_currency_code: 'GBP' }] }), ['USD', 'EUR', 'GBP']);
  assert.deepEqual(summaryCurrencies(SUMMARY), ['USD', 'EUR']);
  assert.deepEqual(summaryCurrencies({ totals: [{ iso_currency_code: 'GBP' }, { iso_currency_code: 'EUR' }] }), ['EUR', 'GBP']);
  assert.deepEqual(summaryCurrencies(null), ['USD']);
});

test('a typed limit loses currency signs and separators; an API message is put next to the field it names', () => {
  assert.equal(limitValue('1,250.50'), 1250.5);
  assert.equal(limitValue(' $80 '), 80);
  assert.equal(limitValue('10.005'), 10.005, 'more than two decimals goes to the API, which refuses it');
  assert.equal(limitValue('0'), 0);
  assert.equal(limitValue('abc'), null);
  assert.equal(limitValue(''), null);
  assert.equal(budgetErrorField('monthly_limit must have at most two decimals'), 'limit');
  assert.equal(budgetErrorField('iso_currency_code must be three upper-case letters'), 'currency');
  assert.equal(budgetErrorField('category must be one of Plaid\'s categories, e.g. FOOD_AND_DRINK'), 'category');
  assert.equal(budgetErrorField('INCOME is not counted as spending'), null);
  assert.equal(budgetErrorField('body must be a JSON object'), null);
});

test('the export\'s file name comes from Content-Disposition, reduced to a plain name', () => {
  assert.equal(filenameFromDisposition('attachment; filename="mynt-transactions-2026-01-01-2026-01-31.csv"'), 'mynt-transactions-2026-01-01-2026-01-31.csv');
  assert.equal(filenameFromDisposition('attachment; filename=plain.csv'), 'plain.csv');
  assert.equal(filenameFromDisposition('attachment; filename="a \\"quoted\\" name.csv"'), 'a "quoted" name.csv');
  assert.equal(filenameFromDisposition('attachment; filename="fallback.csv"; filename*=UTF-8\'\'na%C3%AFve.csv'), 'naïve.csv', 'filename* wins');
  assert.equal(filenameFromDisposition('attachment; filename="../../etc/passwd"'), 'passwd');
  assert.equal(filenameFromDisposition('attachment; filename="..\\\\x\\\\evil.csv"'), 'evil.csv');
  assert.equal(filenameFromDisposition('attachment; filename="a\u0007b.csv"'), 'ab.csv');
  assert.equal(filenameFromDisposition('attachment; filename=".."'), null);
  assert.equal(filenameFromDisposition('attachment'), null);
  assert.equal(filenameFromDisposition(null), null);
});

/** A fetch answering answer(url, init) → {status, json?, body?, headers?}; records its calls. */
function fakeFetch(answer) {
  const calls = [];
  const fn = async (url, init = {}) => {
    calls.push({ url, init });
    const { status = 200, json, body = '', headers = {} } = answer(url, init);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      ok: status >= 200 && status < 300,
      status,
      headers: { get: (name) => lower[name.toLowerCase()] ?? null },
      json: async () => { if (json === undefined) throw new SyntaxError('not JSON'); return json; },
      blob: async () => new Blob([body], { type: lower['content-type'] ?? '' }),
    };
  };
  fn.calls = calls;
  return fn;
}

test('Export CSV fetches the range and filters with the bearer token and returns the file with the server\'s name', async () => {
  const csv = 'date,name\r\n2026-01-02,Coffee\r\n';
  const fetchImpl = fakeFetch(() => ({
    status: 200, body: csv,
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="mynt-transactions-2026-01-01-2026-01-31.csv"' },
  }));
  const api = createApi({ baseUrl: 'https://api.example.com/', token: async () => 'tok', onUnauthorized: () => {}, fetchImpl });
  const { blob, filename } = await api.exportTransactions({ start_date: '2026-01-01', end_date: '2026-01-31', category: 'FOOD_AND_DRINK', flow: undefined, q: 'caf & co' });
  assert.equal(filename, 'mynt-transactions-2026-01-01-2026-01-31.csv');
  assert.equal(await blob.text(), csv);
  const [call] = fetchImpl.calls;
  const url = new URL(call.url);
  assert.equal(url.origin + url.pathname, 'https://api.example.com/transactions/export');
  assert.deepEqual(Object.fromEntries(url.searchParams), { start_date: '2026-01-01', end_date: '2026-01-31', category: 'FOOD_AND_DRINK', q: 'caf & co' });
  assert.equal(call.init.headers.authorization, 'Bearer tok');
});

test('a refused export is an ApiError in words: too large, a bad filter, the session over', async () => {
  let unauthorized = 0;
  const answers = {
    413: { status: 413, json: { error: { code: 'too_large', message: 'the export is past 5 MB: narrow the date range' } } },
    400: { status: 400, json: { error: { code: 'bad_request', message: 'flow must be income, expense or transfer' } } },
    401: { status: 401, json: { message: 'Unauthorized' } },
    502: { status: 502, body: 'Bad gateway' },
  };
  let next = 413;
  const api = createApi({ baseUrl: '', token: async () => 'tok', onUnauthorized: () => { unauthorized += 1; }, fetchImpl: fakeFetch(() => answers[next]) });
  const failure = async () => { try { await api.exportTransactions({}); } catch (err) { return err; } return null; };
  let err = await failure();
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 413);
  assert.match(apiMessage(err), /shorter date range/);
  next = 400;
  err = await failure();
  assert.equal(apiMessage(err), 'Flow must be income, expense or transfer');
  next = 502;
  err = await failure();
  assert.equal(err.status, 502, 'a body that is not JSON still fails with its status');
  assert.equal(unauthorized, 0);
  next = 401;
  err = await failure();
  assert.equal(err.status, 401);
  assert.equal(unauthorized, 1, 'a 401 ends the session');
  const offline = createApi({ baseUrl: '', token: async () => 'tok', onUnauthorized: () => {}, fetchImpl: async () => { throw new TypeError('offline'); } });
  await assert.rejects(offline.exportTransactions({}), (e) => e.status === 0);
});

test('budgets are put, removed and read at their category\'s path; the summary takes the period', async () => {
  const fetchImpl = fakeFetch((url, init) => (init.method === 'DELETE' ? { status: 204 } : { status: init.method === 'PUT' ? 201 : 200, json: { ok: true } }));
  const api = createApi({ baseUrl: '', token: async () => 'tok', onUnauthorized: () => {}, fetchImpl });
  await api.putBudget('FOOD_AND_DRINK', { monthly_limit: 250.5, iso_currency_code: 'USD' });
  assert.equal(await api.removeBudget('FOOD AND/X'), null);
  await api.summary({ start_date: '2026-01-01', end_date: '2026-01-31' });
  await api.budgets();
  const seen = fetchImpl.calls.map((c) => [c.init.method, c.url, c.init.body ?? null]);
  assert.deepEqual(seen, [
    ['PUT', '/budgets/FOOD_AND_DRINK', '{"monthly_limit":250.5,"iso_currency_code":"USD"}'],
    ['DELETE', '/budgets/FOOD%20AND%2FX', null],
    ['GET', '/summary?start_date=2026-01-01&end_date=2026-01-31', null],
    ['GET', '/budgets', null],
  ]);
  assert.equal(fetchImpl.calls[0].init.headers['content-type'], 'application/json');
});
