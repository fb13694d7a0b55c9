// transactions.test.mjs - accounts and transactions across banks, checked against the simulator's own data.
// GET /transactions and GET /accounts answer from the store, which the sync function (src/sync, started by linking
// through mynt-local's Invoke) fills: the tests wait for those syncs (drain), then compare with the simulator's truth.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, newUser, sim, finishStack, linkAndSync } from './helpers/stack.mjs';

let stack;
let user;
let banks;

const day = (offsetDays) => new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  stack = await startStack();
  user = await newUser(stack);
  // Linking starts each bank's first sync on the sync function: the answers below come from the table it fills.
  banks = [await linkAndSync(stack, user, 'ins_109508'), await linkAndSync(stack, user, 'ins_109509')];
});
after(() => finishStack(stack));

/** The simulator's truth for the user's banks in a window: every transaction, no paging. */
async function truth(start, end) {
  const all = [];
  for (const b of banks) {
    const q = start ? `?start_date=${start}&end_date=${end}` : '';
    const t = await sim(stack, 'GET', `/sim/items/${b.json.item.item_id}/transactions${q}`);
    for (const tx of t.transactions) all.push({ ...tx, item_id: b.json.item.item_id });
  }
  return all;
}

const get = (query) => api(stack, 'GET', `/transactions${query}`, { token: user.idToken });

function assertNewestFirst(list) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i - 1].date >= list[i].date, `not newest first at ${i}: ${list[i - 1].date} < ${list[i].date}`);
  }
}

async function fetchAll(query) {
  const out = [];
  let total;
  for (let offset = 0; total === undefined || offset < total; offset += 500) {
    const res = await get(`${query}&count=500&offset=${offset}`);
    assert.equal(res.status, 200, res.text);
    total = res.json.total_transactions;
    out.push(...res.json.transactions);
    if (res.json.transactions.length === 0) break;
  }
  return { out, total };
}

test('accounts of every bank are listed with balances as the bank reports them', async () => {
  const res = await api(stack, 'GET', '/accounts', { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.accounts.length, 6);
  for (const b of banks) {
    const t = await sim(stack, 'GET', `/sim/items/${b.json.item.item_id}/transactions?start_date=${day(1)}&end_date=${day(0)}`);
    for (const acc of t.accounts) {
      const mine = res.json.accounts.find((a) => a.account_id === acc.account_id);
      assert.ok(mine, `account ${acc.account_id} listed`);
      assert.equal(mine.item_id, b.json.item.item_id);
      assert.equal(mine.institution_name, b.json.item.institution_name);
      assert.equal(mine.balances.current, acc.balances.current);
      assert.equal(mine.balances.available, acc.balances.available);
    }
  }
});

test('by default the 100 most recent transactions across both banks come back, newest first', async () => {
  const res = await get('');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.count, 100);
  assert.equal(res.json.offset, 0);
  assert.equal(res.json.transactions.length, 100);
  assertNewestFirst(res.json.transactions);
  const all = (await truth()).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const boundary = all[99].date;
  const expectedAbove = new Set(all.filter((t) => t.date > boundary).map((t) => t.transaction_id));
  const gotAbove = new Set(res.json.transactions.filter((t) => t.date > boundary).map((t) => t.transaction_id));
  assert.deepEqual(gotAbove, expectedAbove, 'nothing newer than the 100th is missing');
  assert.ok(res.json.transactions.every((t) => t.date >= boundary));
  const items = new Set(res.json.transactions.map((t) => t.item_id));
  assert.equal(items.size, 2, 'both banks contribute');
  assert.equal(res.json.total_transactions, all.length);
});

test('a date range returns exactly what the banks hold for it, sorted, across pages', async () => {
  const start = day(120);
  const end = day(60);
  const { out, total } = await fetchAll(`?start_date=${start}&end_date=${end}`);
  const expected = await truth(start, end);
  assert.equal(total, expected.length);
  assert.equal(out.length, expected.length);
  assert.deepEqual(new Set(out.map((t) => t.transaction_id)), new Set(expected.map((t) => t.transaction_id)),
    'nothing missing, nothing extra');
  assert.ok(out.every((t) => t.date >= start && t.date <= end), 'nothing outside the range');
  assertNewestFirst(out);
});

test('paging past 500 continues the same order without gaps or repeats', async () => {
  const start = day(400);
  const end = day(0);
  const first = await get(`?start_date=${start}&end_date=${end}&count=500&offset=0`);
  const second = await get(`?start_date=${start}&end_date=${end}&count=500&offset=500`);
  assert.equal(first.status, 200, first.text);
  assert.equal(second.status, 200, second.text);
  assert.ok(first.json.total_transactions > 1000, `window holds ${first.json.total_transactions}`);
  assert.equal(second.json.transactions.length, 500);
  const joined = [...first.json.transactions, ...second.json.transactions];
  assert.equal(new Set(joined.map((t) => t.transaction_id)).size, 1000, 'no repeats across pages');
  assertNewestFirst(joined);
  const overlap = await get(`?start_date=${start}&end_date=${end}&count=100&offset=450`);
  assert.deepEqual(overlap.json.transactions.map((t) => t.transaction_id),
    joined.slice(450, 550).map((t) => t.transaction_id), 'deterministic order: any window of the list agrees');
});

test('an account filter returns only that account\'s transactions', async () => {
  const account = banks[1].json.accounts.find((a) => a.type === 'credit');
  const start = day(90);
  const end = day(0);
  const { out } = await fetchAll(`?start_date=${start}&end_date=${end}&account_id=${account.account_id}`);
  const expected = (await truth(start, end)).filter((t) => t.account_id === account.account_id);
  assert.ok(expected.length > 0);
  assert.deepEqual(new Set(out.map((t) => t.transaction_id)), new Set(expected.map((t) => t.transaction_id)));
});

test('each transaction keeps Plaid\'s sign and says whether it is income, expense or transfer', async () => {
  const start = day(60);
  const end = day(0);
  const { out } = await fetchAll(`?start_date=${start}&end_date=${end}`);
  const byId = new Map((await truth(start, end)).map((t) => [t.transaction_id, t]));
  const flows = new Set();
  for (const t of out) {
    const real = byId.get(t.transaction_id);
    assert.equal(t.amount, real.amount);
    assert.equal(t.account_id, real.account_id);
    assert.equal(t.pending, real.pending);
    const primary = real.personal_finance_category.primary;
    assert.equal(t.category, primary);
    const expected = primary === 'INCOME' ? 'income'
      : ['TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'].includes(primary) ? 'transfer' : 'expense';
    assert.equal(t.flow, expected, `${t.name} (${primary})`);
    flows.add(t.flow);
  }
  assert.deepEqual([...flows].sort(), ['expense', 'income', 'transfer']);
  assert.ok(out.some((t) => t.pending), 'recent pending transactions are marked');
});

/** What the filters keep, computed here from the unfiltered list: q folds ASCII letters only. */
const fold = (text) => (text ?? '').replace(/[A-Z]/g, (c) => c.toLowerCase());
const keeps = ({ category, flow, q }) => (t) => (category === undefined || (t.category ?? 'UNCATEGORIZED') === category) &&
  (flow === undefined || t.flow === flow) &&
  (q === undefined || fold(t.name).includes(fold(q)) || fold(t.merchant_name).includes(fold(q)));

/** The query string of a filter (and extra parameters). */
const filterQuery = (window, filter, extra = '') => `${window}${Object.entries(filter)
  .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('')}${extra}`;

test('filters by search text, category and flow page through exactly the matches and count them', async () => {
  const start = day(365);
  const end = day(0);
  const window = `?start_date=${start}&end_date=${end}`;
  const { out: all } = await fetchAll(window);
  assert.ok(all.length > 1000, `the window holds ${all.length}`);
  const filters = [
    { q: 'coffee' }, // name (BLUE BOTTLE COFFEE) and merchant_name (Blue Bottle Coffee) alike
    { q: 'wHoLe FoOdS' }, // merchant_name only (the bank's name is WHOLEFDS MKT)
    { q: 'wholefds' }, // name only
    { category: 'FOOD_AND_DRINK' },
    { category: 'TRANSFER_OUT' },
    { category: 'UNCATEGORIZED' },
    { flow: 'income' },
    { flow: 'expense' },
    { flow: 'transfer' },
    { category: 'FOOD_AND_DRINK', q: 'coffee', flow: 'expense' },
    { category: 'INCOME', flow: 'expense' }, // nothing is both
  ];
  for (const filter of filters) {
    const expected = all.filter(keeps(filter));
    const { out, total } = await fetchAll(filterQuery(window, filter));
    const what = JSON.stringify(filter);
    assert.equal(total, expected.length, `${what}: total_transactions`);
    assert.deepEqual(out.map((t) => t.transaction_id), expected.map((t) => t.transaction_id),
      `${what}: the matches in the unfiltered order`);
    assert.deepEqual(out, expected, `${what}: the same transactions`);
    if (filter.flow !== 'expense' && filter.category !== 'UNCATEGORIZED' && filter.category !== 'INCOME') {
      assert.ok(expected.length > 0 && expected.length < all.length, `${what} keeps some: ${expected.length}`);
    }
  }
  // The search text really is found in either field, in any case of ASCII letters.
  const inMerchantOnly = all.filter(keeps({ q: 'whole foods' }));
  assert.ok(inMerchantOnly.length > 0 && inMerchantOnly.every((t) => !fold(t.name).includes('whole foods')));
  const inNameOnly = all.filter(keeps({ q: 'wholefds' }));
  assert.ok(inNameOnly.length > 0 && inNameOnly.every((t) => !fold(t.merchant_name).includes('wholefds')));
});

test('a filter combines with an account and with paging: each page is the slice of the matches', async () => {
  const start = day(365);
  const end = day(0);
  const account = banks[0].json.accounts.find((a) => a.type === 'credit');
  const window = `?start_date=${start}&end_date=${end}&account_id=${account.account_id}`;
  const { out: all } = await fetchAll(window);
  const filter = { flow: 'expense', q: 'a' };
  const expected = all.filter(keeps(filter));
  assert.ok(expected.length > 60, `enough matches to page: ${expected.length}`);
  assert.ok(expected.every((t) => t.account_id === account.account_id));
  for (const [count, offset] of [[25, 0], [25, 25], [7, 50], [500, expected.length - 3], [10, expected.length]]) {
    const res = await get(filterQuery(window, filter, `&count=${count}&offset=${offset}`));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.total_transactions, expected.length);
    assert.equal(res.json.count, count);
    assert.equal(res.json.offset, offset);
    assert.deepEqual(res.json.transactions.map((t) => t.transaction_id),
      expected.slice(offset, offset + count).map((t) => t.transaction_id), `count ${count} offset ${offset}`);
  }
});

test('bad filters answer 400 naming the parameter, on the list and on the export', async () => {
  const long = 'x'.repeat(101);
  const cases = [
    ['?category=food_and_drink', /category/],
    ['?category=', /category/],
    ['?category=GROCERIES', /category/],
    ['?flow=expenses', /flow/],
    ['?flow=Income', /flow/],
    ['?flow=', /flow/],
    ['?q=', /q must be/],
    [`?q=${long}`, /q must be/],
    ['?q=a%01b', /q must be/],
    ['?category=FOOD_AND_DRINK&flow=all', /flow/],
  ];
  for (const path of ['/transactions', '/transactions/export']) {
    for (const [query, pattern] of cases) {
      const res = await api(stack, 'GET', `${path}${query}`, { token: user.idToken });
      assert.equal(res.status, 400, `${path}${query} → ${res.status} ${res.text}`);
      assert.equal(res.json.error.code, 'bad_request');
      assert.match(res.json.error.message, pattern, `${path}${query}`);
    }
  }
  // 100 characters (of two bytes each) are fine.
  const res = await get(`?q=${encodeURIComponent('é'.repeat(100))}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.total_transactions, 0);
});

test('bad query parameters answer 400 with a message naming the parameter', async () => {
  const cases = [
    ['?start_date=2026-02-30&end_date=2026-03-10', /start_date/],
    ['?start_date=2026/01/01&end_date=2026-01-10', /start_date/],
    [`?start_date=${day(10)}`, /end_date/],
    [`?start_date=${day(5)}&end_date=${day(10)}`, /start_date/],
    [`?start_date=${day(800)}&end_date=${day(10)}`, /start_date/],
    ['?count=0', /count/],
    ['?count=501', /count/],
    ['?count=ten', /count/],
    ['?offset=-1', /offset/],
    ['?account_id=acc-not-mine', /account_id/],
  ];
  for (const [query, pattern] of cases) {
    const res = await get(query);
    assert.equal(res.status, 400, `${query} → ${res.status} ${res.text}`);
    assert.equal(res.json.error.code, 'bad_request');
    assert.match(res.json.error.message, pattern, query);
  }
});

test('Plaid faults never reach GET /transactions or GET /accounts: both answer from the store', async () => {
  const itemId = banks[0].json.item.item_id;
  const fault = (f) => sim(stack, 'POST', `/sim/items/${itemId}/faults`, f);
  const clear = () => sim(stack, 'DELETE', `/sim/items/${itemId}/faults`);
  const before = await get('');
  const accountsBefore = await api(stack, 'GET', '/accounts', { token: user.idToken });
  assert.equal(before.status, 200, before.text);
  try {
    for (const f of [{ status: 429, error_code: 'RATE_LIMIT_EXCEEDED', times: 0 },
      { status: 500, error_code: 'INTERNAL_SERVER_ERROR', times: 0 },
      { status: 400, error_code: 'ITEM_LOGIN_REQUIRED', times: 0 },
      { latency_ms: 5000, times: 0 }]) {
      await fault(f);
      const res = await get('');
      assert.equal(res.status, 200, `${JSON.stringify(f)} → ${res.status} ${res.text}`);
      assert.deepEqual(res.json.transactions, before.json.transactions);
      const accounts = await api(stack, 'GET', '/accounts', { token: user.idToken });
      assert.equal(accounts.status, 200, accounts.text);
      assert.deepEqual(accounts.json.accounts, accountsBefore.json.accounts);
      await clear();
    }
  } finally {
    await clear();
  }
  for (const b of banks) {
    const item = before.json.items.find((i) => i.item_id === b.json.item.item_id);
    assert.ok(item, 'every bank is listed with its sync state');
    assert.ok(['syncing', 'synced', 'error'].includes(item.sync.status));
  }
});
