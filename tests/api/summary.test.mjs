// summary.test.mjs - GET /summary on the local stack for a user with three simulator banks (after their syncs):
// every figure is compared with totals computed here, independently, in integer cents from GET /transactions of
// the same window (paged through), and with the simulator's own transactions; budgets over one and three months;
// the date rules of /transactions; a user without banks; and two users who never see each other's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, newUser, sim, linkBank, drainSyncs, finishStack } from './helpers/stack.mjs';

let stack;
let user;
let banks;
let today;

const BANKS = ['ins_109508', 'ins_109509', 'ins_109510'];
const SYNC_SECONDS = 120;

/** YYYY-MM-DD of days (UTC) after date. */
const addDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** The first day of the month `back` months before date's month. */
function monthStart(date, back) {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 - back, 1)).toISOString().slice(0, 10);
}
/** The last day of date's month. */
const monthEnd = (date) => addDays(monthStart(date, -1), -1);

/** Waits (bounded) until the syncs are done and every item of u has its whole history stored. */
async function awaitSyncs(u, count) {
  const deadline = Date.now() + SYNC_SECONDS * 1000;
  for (;;) {
    const drained = await drainSyncs(stack);
    const res = await api(stack, 'GET', '/items', { token: u.idToken });
    assert.equal(res.status, 200, res.text);
    const done = res.json.items.filter((i) => i.sync.status === 'synced' && i.sync.history_complete);
    if (drained.idle && done.length === count) return;
    assert.ok(Date.now() < deadline, `syncs not done after ${SYNC_SECONDS} s: ${JSON.stringify(res.json.items)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits (bounded) until the simulator has sent every webhook it queued, then for the syncs they started. */
async function settle(u, count) {
  const deadline = Date.now() + 15_000;
  while ((await sim(stack, 'GET', '/sim/webhooks')).pending !== 0) {
    assert.ok(Date.now() < deadline, 'the simulator still had webhooks to send after 15 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  await awaitSyncs(u, count);
}

before(async () => {
  stack = await startStack();
  ({ today } = await sim(stack, 'GET', '/sim/health'));
  assert.equal(today, new Date().toISOString().slice(0, 10), 'the simulator\'s today is the UTC date Mynt uses');
  user = await newUser(stack);
  banks = [];
  for (const institution of BANKS) {
    const res = await linkBank(stack, user, institution);
    assert.equal(res.status, 201, res.text);
    banks.push(res);
  }
  await awaitSyncs(user, BANKS.length);
});
after(() => {
  if (process.env.MYNT_TEST_LOGS) console.log(stack?.logs());
  return finishStack(stack);
});

const summary = async (u, query = '') => {
  const res = await api(stack, 'GET', `/summary${query}`, { token: u.idToken });
  assert.equal(res.status, 200, `/summary${query}: ${res.text}`);
  return res.json;
};

/** Every transaction GET /transactions gives u for start..end, paged through 500 at a time. */
async function allTransactions(u, start, end) {
  const out = [];
  let total;
  for (let offset = 0; total === undefined || offset < total; offset += 500) {
    const res = await api(stack, 'GET', `/transactions?start_date=${start}&end_date=${end}&count=500&offset=${offset}`,
      { token: u.idToken });
    assert.equal(res.status, 200, res.text);
    total = res.json.total_transactions;
    out.push(...res.json.transactions);
    if (res.json.transactions.length === 0) break;
  }
  assert.equal(out.length, total, 'paged through the whole window');
  return out;
}

/** Integer cents of a money number; the number must have at most two decimals. */
function cents(amount, what = 'amount') {
  assert.equal(typeof amount, 'number', `${what} is a number`);
  const c = Math.round(amount * 100);
  assert.ok(Math.abs(amount * 100 - c) < 1e-6, `${what} ${amount} has at most two decimals`);
  return c;
}

/** Plaid's primary category → flow, as issue #9 defines it. */
const flowOf = (category) => (category === 'INCOME' ? 'income'
  : ['TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'].includes(category) ? 'transfer' : 'expense');

const byKeys = (...keys) => (a, b) => {
  for (const [k, dir] of keys.map((k) => (k.startsWith('-') ? [k.slice(1), -1] : [k, 1]))) {
    if (a[k] < b[k]) return -dir;
    if (a[k] > b[k]) return dir;
  }
  return 0;
};

/** Every month YYYY-MM that start..end touches. */
function monthsOf(start, end) {
  const out = [];
  for (let m = start.slice(0, 7); m <= end.slice(0, 7); m = monthStart(`${m}-01`, -1).slice(0, 7)) out.push(m);
  return out;
}

/** The summary of txns (GET /transactions' shape, or the simulator's mapped to it) in cents, computed here. */
function expected(txns, start, end) {
  const inRange = txns.filter((t) => t.iso_currency_code && t.date >= start && t.date <= end);
  const group = (list, keyOf, init) => {
    const m = new Map();
    for (const t of list) {
      const k = keyOf(t);
      if (!m.has(k)) m.set(k, init(t));
      m.get(k).rows.push(t);
    }
    return [...m.values()];
  };
  const sum = (list) => list.reduce((s, t) => s + Math.round(t.amount * 100), 0);
  const posted = inRange.filter((t) => !t.pending);
  const expense = posted.filter((t) => flowOf(t.category) === 'expense');
  const incomeOf = (list) => 0 - sum(list.filter((t) => flowOf(t.category) === 'income'));
  const expensesOf = (list) => sum(list.filter((t) => flowOf(t.category) === 'expense'));
  const totals = [...new Set(inRange.map((t) => t.iso_currency_code))].sort().map((c) => {
    const mine = posted.filter((t) => t.iso_currency_code === c);
    const income = incomeOf(mine);
    const expenses = expensesOf(mine);
    const pending = inRange.filter((t) => t.pending && t.iso_currency_code === c && flowOf(t.category) === 'expense');
    return { iso_currency_code: c, income, expenses, net: income - expenses, pending_expenses: sum(pending),
      transactions: mine.length };
  });
  const months = [];
  for (const month of monthsOf(start, end)) {
    for (const { iso_currency_code: c } of totals) {
      const mine = posted.filter((t) => t.iso_currency_code === c && t.date.startsWith(month));
      const income = incomeOf(mine);
      const expenses = expensesOf(mine);
      months.push({ month, iso_currency_code: c, income, expenses, net: income - expenses });
    }
  }
  const categories = group(expense, (t) => `${t.category ?? 'UNCATEGORIZED'}|${t.iso_currency_code}`,
    (t) => ({ category: t.category ?? 'UNCATEGORIZED', iso_currency_code: t.iso_currency_code, rows: [] }))
    .map(({ rows, ...g }) => ({ ...g, expenses: sum(rows), transactions: rows.length,
      detailed: group(rows, (t) => t.category_detailed ?? g.category,
        (t) => ({ category_detailed: t.category_detailed ?? g.category, rows: [] }))
        .map(({ rows: d, ...dg }) => ({ ...dg, expenses: sum(d), transactions: d.length }))
        .sort(byKeys('-expenses', 'category_detailed')) }))
    .sort(byKeys('-expenses', 'category'));
  const accounts = group(posted, (t) => `${t.account_id}|${t.iso_currency_code}`,
    (t) => ({ account_id: t.account_id, iso_currency_code: t.iso_currency_code, rows: [] }))
    .map(({ rows, ...g }) => ({ ...g, income: incomeOf(rows), expenses: expensesOf(rows) }))
    .sort(byKeys('account_id', 'iso_currency_code'));
  const merchants = [];
  for (const { iso_currency_code: c } of totals) {
    merchants.push(...group(expense.filter((t) => t.iso_currency_code === c), (t) => t.merchant_name || t.name,
      (t) => ({ name: t.merchant_name || t.name, iso_currency_code: c, rows: [] }))
      .map(({ rows, ...g }) => ({ ...g, expenses: sum(rows), transactions: rows.length }))
      .sort(byKeys('-expenses', 'name')).slice(0, 10));
  }
  return { start_date: start, end_date: end, totals, months, categories, accounts, merchants };
}

/** The API's summary with every money figure in integer cents (checking each has at most two decimals). */
function inCents(s) {
  const money = (row, keys, where) => {
    const out = { ...row };
    for (const k of keys) out[k] = cents(row[k], `${where}.${k}`);
    return out;
  };
  return {
    start_date: s.start_date,
    end_date: s.end_date,
    totals: s.totals.map((r) => money(r, ['income', 'expenses', 'net', 'pending_expenses'], 'totals')),
    months: s.months.map((r) => money(r, ['income', 'expenses', 'net'], 'months')),
    categories: s.categories.map((r) => ({ ...money(r, ['expenses'], 'categories'),
      detailed: r.detailed.map((d) => money(d, ['expenses'], 'detailed')) })),
    accounts: s.accounts.map((r) => money(r, ['income', 'expenses'], 'accounts')),
    merchants: s.merchants.map((r) => money(r, ['expenses'], 'merchants')),
  };
}

/** The simulator's own transactions of the user's banks in start..end, in GET /transactions' shape. */
async function simTruth(start, end) {
  const out = [];
  for (const b of banks) {
    const t = await sim(stack, 'GET', `/sim/items/${b.json.item.item_id}/transactions?start_date=${start}&end_date=${end}`);
    for (const tx of t.transactions) {
      out.push({ ...tx, category: tx.personal_finance_category?.primary ?? null,
        category_detailed: tx.personal_finance_category?.detailed ?? null });
    }
  }
  return out;
}

/** Checks /summary for start..end (query '' = the default) against GET /transactions and the simulator. */
async function assertSummaryMatches(query, start, end) {
  const got = await summary(user, query);
  assert.equal(got.start_date, start);
  assert.equal(got.end_date, end);
  const listed = await allTransactions(user, start, end);
  const want = expected(listed, start, end);
  assert.deepEqual(inCents(got), want, `summary of ${start}..${end} equals the figures of GET /transactions`);
  const truth = expected(await simTruth(start, end), start, end);
  assert.deepEqual(inCents(got).totals, truth.totals, `${start}..${end}: the simulator's own totals`);
  assert.deepEqual(inCents(got).categories, truth.categories, `${start}..${end}: the simulator's own categories`);
  const items = (await api(stack, 'GET', '/items', { token: user.idToken })).json.items;
  assert.deepEqual(got.items.map((i) => [i.item_id, i.sync.status]), items.map((i) => [i.item_id, i.sync.status]),
    'the items as GET /items gives them, in its order');
  assert.deepEqual(new Set(items.map((i) => i.item_id)), new Set(banks.map((b) => b.json.item.item_id)));
  return { got, listed };
}

test('the default is the current month, and its figures are those of its transactions and of the banks', async () => {
  const { got, listed } = await assertSummaryMatches('', monthStart(today, 0), today);
  assert.equal(got.months.length, got.totals.length, 'one month per currency');
  assert.ok(listed.length > 0, 'the current month has transactions');
});

test('a 3-month range: every month listed, flows apart, pending counted only as pending', async () => {
  const start = monthStart(today, 2);
  const { got, listed } = await assertSummaryMatches(`?start_date=${start}&end_date=${today}`, start, today);
  assert.deepEqual([...new Set(got.months.map((m) => m.month))], monthsOf(start, today));
  assert.equal(monthsOf(start, today).length, 3);
  const usd = inCents(got).totals.find((t) => t.iso_currency_code === 'USD');
  assert.ok(usd.income > 0 && usd.expenses > 0, JSON.stringify(usd));
  assert.ok(listed.some((t) => t.flow === 'transfer' && !t.pending), 'the window has transfers (counted in neither)');
  assert.ok(listed.some((t) => t.pending), 'the window has pending transactions');
  assert.equal(usd.transactions, listed.filter((t) => !t.pending).length, 'transactions counts posted ones, all flows');
  const monthsSum = inCents(got).months.reduce((s, m) => s + m.expenses, 0);
  assert.equal(monthsSum, usd.expenses, 'the months add up to the total');
  assert.ok(got.merchants.length <= 10 && got.merchants.length > 0);
});

test('a range crossing a year end, a single day, and an end_date after today', async () => {
  const year = Number(today.slice(0, 4));
  const start = `${year - 1}-12-10`;
  const end = `${year}-01-20` > today ? today : `${year}-01-20`;
  const { got } = await assertSummaryMatches(`?start_date=${start}&end_date=${end}`, start, end);
  assert.deepEqual([...new Set(got.months.map((m) => m.month))], [`${year - 1}-12`, `${year}-01`]);

  // The single day of the last 60 days with the most posted expenses.
  const recent = await allTransactions(user, addDays(today, -60), today);
  const counts = new Map();
  for (const t of recent.filter((x) => x.flow === 'expense' && !x.pending)) counts.set(t.date, (counts.get(t.date) ?? 0) + 1);
  const day = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const single = await assertSummaryMatches(`?start_date=${day}&end_date=${day}`, day, day);
  assert.ok(single.got.categories.length > 0, `${day} has expenses`);
  assert.deepEqual(single.got.months.map((m) => m.month), [day.slice(0, 7)]);

  const later = await summary(user, `?start_date=${monthStart(today, 0)}&end_date=${addDays(today, 40)}`);
  assert.equal(later.end_date, today, 'an end_date after today is read as today');
});

test('a new expense at the bank shows in the summary once synced: in its category, merchant and totals', async () => {
  const before = inCents(await summary(user));
  const bank = banks[0];
  const account = bank.json.accounts.find((a) => a.type === 'depository');
  await sim(stack, 'POST', `/sim/items/${bank.json.item.item_id}/transactions`,
    { added: [{ account_id: account.account_id, date: today, name: 'Summary Test Hardware', amount: 12.34 }] });
  await settle(user, BANKS.length);
  assert.ok((await allTransactions(user, today, today)).some((t) => t.name === 'Summary Test Hardware'), 'synced');
  const got = inCents(await summary(user));
  const usd = (s) => s.totals.find((t) => t.iso_currency_code === 'USD');
  assert.equal(usd(got).expenses - usd(before).expenses, 1234, 'the total grew by exactly 12.34');
  assert.equal(usd(got).transactions - usd(before).transactions, 1);
  const cat = (s) => s.categories.find((c) => c.category === 'GENERAL_MERCHANDISE') ?? { expenses: 0 };
  assert.equal(cat(got).expenses - cat(before).expenses, 1234, 'in GENERAL_MERCHANDISE (the simulator\'s category)');
  const acc = (s) => s.accounts.find((a) => a.account_id === account.account_id) ?? { expenses: 0 };
  assert.equal(acc(got).expenses - acc(before).expenses, 1234, 'in its account');
  await assertSummaryMatches('', monthStart(today, 0), today);
});

test('budgets: limit for one and for three months, spent = the category\'s expenses, percent, remaining', async () => {
  const put = async (u, category, monthly_limit) => {
    const res = await api(stack, 'PUT', `/budgets/${category}`,
      { token: u.idToken, body: { monthly_limit, iso_currency_code: 'USD' } });
    assert.ok([200, 201].includes(res.status), res.text);
  };
  // Last month, whole; and three months touched by a short range (a partial month counts whole).
  const lastMonth = [monthStart(today, 1), monthEnd(monthStart(today, 1))];
  const threeMonths = [monthEnd(monthStart(today, 3)), monthStart(today, 1)];
  const spending = expected(await allTransactions(user, ...lastMonth), ...lastMonth).categories;
  const spentSomewhen = new Set([...spending,
    ...expected(await allTransactions(user, ...threeMonths), ...threeMonths).categories].map((c) => c.category));
  assert.ok(spending.length >= 2, 'last month has spending in two categories');
  const big = spending[0];
  // One budget set below the spending (over), one far above it (under), one for a category without spending.
  const unspent = ['MEDICAL', 'TRAVEL', 'PERSONAL_CARE', 'GOVERNMENT_AND_NON_PROFIT', 'HOME_IMPROVEMENT',
    'BANK_FEES', 'ENTERTAINMENT', 'GENERAL_SERVICES'].find((c) => !spentSomewhen.has(c));
  assert.ok(unspent, 'a budgetable category without spending in either period');
  const budgets = [
    { category: big.category, monthly_limit: Math.max(1, Math.floor(big.expenses / 300)) },
    { category: spending[1].category, monthly_limit: 100000.05 },
    { category: unspent, monthly_limit: 20.1 },
  ];
  for (const b of budgets) await put(user, b.category, b.monthly_limit);

  for (const [start, end, months] of [[...lastMonth, 1], [...threeMonths, 3]]) {
    const got = await summary(user, `?start_date=${start}&end_date=${end}`);
    const want = expected(await allTransactions(user, start, end), start, end);
    assert.deepEqual(got.budgets.map((b) => b.category), budgets.map((b) => b.category).sort(), 'every budget, by category');
    for (const b of budgets) {
      const row = got.budgets.find((r) => r.category === b.category);
      const limit = cents(b.monthly_limit) * months;
      const spent = want.categories.find((c) => c.category === b.category && c.iso_currency_code === 'USD')?.expenses ?? 0;
      assert.equal(row.iso_currency_code, 'USD');
      assert.equal(cents(row.monthly_limit), cents(b.monthly_limit), `${b.category} monthly_limit`);
      assert.equal(cents(row.limit_for_period), limit, `${b.category}: ${months} month(s) × the monthly limit`);
      assert.equal(cents(row.spent), spent, `${b.category} spent = its expenses in ${start}..${end}`);
      assert.equal(cents(row.remaining), limit - spent, `${b.category} remaining`);
      const percent = Math.max(0, Math.floor((2 * spent * 100 + limit) / (2 * limit))); // half away from zero (≥ 0)
      assert.equal(row.percent, percent, `${b.category} percent`);
      assert.ok(Number.isInteger(row.percent));
    }
    const over = got.budgets.find((r) => r.category === big.category);
    if (months === 1) assert.ok(over.percent > 100 && cents(over.remaining) < 0, `over budget: ${JSON.stringify(over)}`);
    assert.equal(got.budgets.find((r) => r.category === unspent).percent, 0);
  }
});

test('bad dates answer 400 with a message naming the parameter, as GET /transactions', async () => {
  const cases = [
    ['?start_date=2026-02-30&end_date=2026-03-10', /start_date/],
    ['?start_date=2026/01/01&end_date=2026-01-10', /start_date/],
    [`?start_date=${today}`, /end_date/],
    [`?end_date=${today}`, /start_date/],
    [`?start_date=${addDays(today, -5)}&end_date=${addDays(today, -10)}`, /start_date/],
    [`?start_date=${addDays(today, -800)}&end_date=${addDays(today, -10)}`, /start_date/],
    [`?start_date=${addDays(today, 1)}&end_date=${addDays(today, 2)}`, /start_date/],
  ];
  for (const [query, pattern] of cases) {
    const mine = await api(stack, 'GET', `/summary${query}`, { token: user.idToken });
    assert.equal(mine.status, 400, `${query} → ${mine.status} ${mine.text}`);
    assert.equal(mine.json.error.code, 'bad_request');
    assert.match(mine.json.error.message, pattern, query);
    const theirs = await api(stack, 'GET', `/transactions${query}`, { token: user.idToken });
    assert.deepEqual(mine.json, theirs.json, `${query}: the same answer as GET /transactions`);
  }
  const ignored = await api(stack, 'GET', '/summary?count=ten&offset=-1', { token: user.idToken });
  assert.equal(ignored.status, 200, 'parameters of /transactions that /summary does not take are ignored');
  const anonymous = await api(stack, 'GET', '/summary');
  assert.equal(anonymous.status, 401);
});

test('a user without banks gets empty figures; two users never see each other\'s', async () => {
  const other = await newUser(stack);
  const empty = await summary(other);
  for (const k of ['totals', 'months', 'categories', 'accounts', 'merchants', 'budgets', 'items']) {
    assert.deepEqual(empty[k], [], `${k} is empty`);
  }
  const mineBefore = await summary(user, `?start_date=${monthStart(today, 2)}&end_date=${today}`);

  const res = await api(stack, 'PUT', '/budgets/ENTERTAINMENT',
    { token: other.idToken, body: { monthly_limit: 1.5, iso_currency_code: 'USD' } });
  assert.equal(res.status, 201, res.text);
  const bank = await linkBank(stack, other, 'ins_109511');
  assert.equal(bank.status, 201, bank.text);
  await awaitSyncs(other, 1);

  const start = monthStart(today, 2);
  const theirs = await summary(other, `?start_date=${start}&end_date=${today}`);
  assert.deepEqual(inCents(theirs), expected(await allTransactions(other, start, today), start, today),
    'the other user\'s figures are those of their own transactions');
  const theirAccounts = new Set(bank.json.accounts.map((a) => a.account_id));
  assert.ok(theirs.accounts.length > 0 && theirs.accounts.every((a) => theirAccounts.has(a.account_id)),
    'only their own accounts');
  assert.deepEqual(theirs.budgets.map((b) => [b.category, b.monthly_limit]), [['ENTERTAINMENT', 1.5]],
    'only their own budget');
  assert.deepEqual(theirs.items.map((i) => i.item_id), [bank.json.item.item_id]);

  const mineAfter = await summary(user, `?start_date=${start}&end_date=${today}`);
  assert.deepEqual(mineAfter, mineBefore, 'the first user\'s summary did not change');
  assert.ok(!mineAfter.budgets.some((b) => b.monthly_limit === 1.5), 'not the other user\'s budget');
  assert.ok(!mineAfter.accounts.some((a) => theirAccounts.has(a.account_id)));
});
