// budgets.test.mjs - GET /budgets, PUT and DELETE /budgets/{category}: CRUD, every validation, isolation between users.
// Every answer is validated against docs/openapi.yaml by api(); the stored records are read back from the table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, newUser, getItem } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const list = (user) => api(stack, 'GET', '/budgets', { token: user.idToken });
const put = (user, category, body, headers) =>
  api(stack, 'PUT', `/budgets/${category}`, { token: user.idToken, body, headers });
const del = (user, category) => api(stack, 'DELETE', `/budgets/${category}`, { token: user.idToken });
const record = (user, category) => getItem(stack, { user_id: { S: user.sub }, sk: { S: `BUDGET#${category}` } });

/** The user's budgets without updated_at, as GET /budgets answers them. */
async function budgetsOf(user) {
  const res = await list(user);
  assert.equal(res.status, 200, res.text);
  for (const b of res.json.budgets) assert.ok(!Number.isNaN(Date.parse(b.updated_at)), b.updated_at);
  return res.json.budgets.map(({ updated_at: _, ...rest }) => rest);
}

test('a new user has no budgets', async () => {
  const user = await newUser(stack);
  assert.deepEqual(await budgetsOf(user), []);
});

test('PUT creates (201) then replaces (200); GET lists by category; DELETE answers 204 then 404', async () => {
  const user = await newUser(stack);
  const started = Date.now() - 1000;
  const created = await put(user, 'TRAVEL', { monthly_limit: 300, iso_currency_code: 'USD' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.category, 'TRAVEL');
  assert.equal(created.json.monthly_limit, 300);
  assert.equal(created.json.iso_currency_code, 'USD');
  assert.ok(Date.parse(created.json.updated_at) >= Math.floor(started / 1000) * 1000, created.json.updated_at);

  const stored = await record(user, 'TRAVEL');
  assert.ok(stored, 'BUDGET#TRAVEL is in the user\'s partition');
  assert.equal(stored.monthly_limit_cents.N, '30000');
  assert.equal(stored.iso_currency_code.S, 'USD');
  assert.equal(stored.category.S, 'TRAVEL');
  assert.equal(stored.updated_at.S, created.json.updated_at);

  assert.equal((await put(user, 'FOOD_AND_DRINK', { monthly_limit: 0.3, iso_currency_code: 'EUR' })).status, 201);
  assert.equal((await put(user, 'ENTERTAINMENT', { iso_currency_code: 'USD', monthly_limit: 1e9 })).status, 201);
  const replaced = await put(user, 'TRAVEL', { monthly_limit: 1234.56, iso_currency_code: 'USD' });
  assert.equal(replaced.status, 200, replaced.text);
  assert.equal(replaced.json.monthly_limit, 1234.56);
  assert.equal((await record(user, 'TRAVEL')).monthly_limit_cents.N, '123456');

  const budgets = await budgetsOf(user);
  assert.deepEqual(budgets, [
    { category: 'ENTERTAINMENT', monthly_limit: 1000000000, iso_currency_code: 'USD' },
    { category: 'FOOD_AND_DRINK', monthly_limit: 0.3, iso_currency_code: 'EUR' },
    { category: 'TRAVEL', monthly_limit: 1234.56, iso_currency_code: 'USD' },
  ]);
  const categories = budgets.map((b) => b.category);
  assert.deepEqual(categories, [...categories].sort());

  const removed = await del(user, 'FOOD_AND_DRINK');
  assert.equal(removed.status, 204, removed.text);
  assert.equal(removed.text, '');
  assert.equal(await record(user, 'FOOD_AND_DRINK'), undefined);
  const again = await del(user, 'FOOD_AND_DRINK');
  assert.equal(again.status, 404, again.text);
  assert.equal(again.json.error.code, 'not_found');
  assert.deepEqual((await budgetsOf(user)).map((b) => b.category), ['ENTERTAINMENT', 'TRAVEL']);
  assert.equal((await del(user, 'MEDICAL')).status, 404);
});

test('every invalid PUT answers 400 naming the problem, and nothing is stored', async () => {
  const user = await newUser(stack);
  assert.equal((await put(user, 'TRAVEL', { monthly_limit: 300, iso_currency_code: 'USD' })).status, 201);
  const before = await budgetsOf(user);
  const good = { monthly_limit: 25, iso_currency_code: 'USD' };
  const json = { 'content-type': 'application/json' };
  const cases = [
    ['non-JSON body', 'FOOD_AND_DRINK', '{"monthly_limit": 25,', /not valid JSON/, json],
    ['array body', 'FOOD_AND_DRINK', [good], /must be a JSON object/],
    ['no body', 'FOOD_AND_DRINK', undefined, /JSON body is required/],
    ['unknown member', 'FOOD_AND_DRINK', { ...good, note: 'x' }, /unknown member "note"/],
    ['missing monthly_limit', 'FOOD_AND_DRINK', { iso_currency_code: 'USD' }, /monthly_limit is required/],
    ['missing iso_currency_code', 'FOOD_AND_DRINK', { monthly_limit: 25 }, /iso_currency_code is required/],
    ['INCOME', 'INCOME', good, /INCOME is not counted as spending/],
    ['TRANSFER_IN', 'TRANSFER_IN', good, /TRANSFER_IN is not counted as spending/],
    ['TRANSFER_OUT', 'TRANSFER_OUT', good, /TRANSFER_OUT is not counted as spending/],
    ['LOAN_PAYMENTS', 'LOAN_PAYMENTS', good, /LOAN_PAYMENTS is not counted as spending/],
    ['unknown category', 'GROCERIES', good, /one of Plaid's categories, e\.g\. FOOD_AND_DRINK/],
    ['UNCATEGORIZED', 'UNCATEGORIZED', good, /one of Plaid's categories/],
    ['lowercase category', 'food_and_drink', good, /in upper case: FOOD_AND_DRINK/],
    ['monthly_limit a string', 'FOOD_AND_DRINK', { ...good, monthly_limit: '25' }, /monthly_limit must be a number/],
    ['monthly_limit null', 'FOOD_AND_DRINK', { ...good, monthly_limit: null }, /monthly_limit must be a number/],
    ['monthly_limit 0', 'FOOD_AND_DRINK', { ...good, monthly_limit: 0 }, /monthly_limit must be greater than 0/],
    ['monthly_limit -5', 'FOOD_AND_DRINK', { ...good, monthly_limit: -5 }, /monthly_limit must be greater than 0/],
    ['monthly_limit 10.005', 'FOOD_AND_DRINK', { ...good, monthly_limit: 10.005 }, /at most two decimals/],
    ['monthly_limit too large', 'FOOD_AND_DRINK', { ...good, monthly_limit: 1000000000.01 }, /at most 1000000000/],
    ['monthly_limit far too large', 'FOOD_AND_DRINK', '{"monthly_limit":1e20,"iso_currency_code":"USD"}',
      /at most 1000000000/, json],
    ['monthly_limit an integer past 64 bits', 'FOOD_AND_DRINK',
      '{"monthly_limit":99999999999999999999,"iso_currency_code":"USD"}', /at most 1000000000/, json],
    ['monthly_limit twice', 'FOOD_AND_DRINK', '{"monthly_limit":5,"iso_currency_code":"USD","monthly_limit":6}',
      /a member twice/, json],
    ['currency "usd"', 'FOOD_AND_DRINK', { ...good, iso_currency_code: 'usd' }, /three upper-case letters/],
    ['currency "US"', 'FOOD_AND_DRINK', { ...good, iso_currency_code: 'US' }, /three upper-case letters/],
    ['currency a number', 'FOOD_AND_DRINK', { ...good, iso_currency_code: 840 }, /three upper-case letters/],
    ['a bad replacement of an existing budget', 'TRAVEL', { ...good, monthly_limit: -1 }, /greater than 0/],
  ];
  for (const [name, category, body, message, headers] of cases) {
    const res = await put(user, category, body, headers);
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    assert.equal(res.json.error.code, 'bad_request', name);
    assert.match(res.json.error.message, message, name);
  }
  assert.deepEqual(await budgetsOf(user), before);
  for (const category of ['FOOD_AND_DRINK', 'INCOME', 'TRANSFER_IN', 'LOAN_PAYMENTS', 'GROCERIES', 'UNCATEGORIZED']) {
    assert.equal(await record(user, category), undefined, `no BUDGET#${category} record`);
  }
  assert.equal((await record(user, 'TRAVEL')).monthly_limit_cents.N, '30000');
});

test('another user never reads or changes a user\'s budgets', async () => {
  const a = await newUser(stack);
  const b = await newUser(stack);
  assert.equal((await put(a, 'TRAVEL', { monthly_limit: 300, iso_currency_code: 'USD' })).status, 201);
  assert.equal((await put(a, 'MEDICAL', { monthly_limit: 40.5, iso_currency_code: 'USD' })).status, 201);
  const before = (await list(a)).json.budgets;

  assert.deepEqual(await budgetsOf(b), [], 'B sees none of A\'s budgets');
  assert.equal((await del(b, 'MEDICAL')).status, 404, 'B cannot delete A\'s budget');
  const bPut = await put(b, 'TRAVEL', { monthly_limit: 1, iso_currency_code: 'EUR' });
  assert.equal(bPut.status, 201, 'B\'s PUT of the same category creates B\'s own budget');
  assert.deepEqual(await budgetsOf(b), [{ category: 'TRAVEL', monthly_limit: 1, iso_currency_code: 'EUR' }]);
  assert.equal((await del(b, 'TRAVEL')).status, 204);
  assert.deepEqual(await budgetsOf(b), []);

  assert.deepEqual((await list(a)).json.budgets, before, 'A\'s budgets are as A left them');
  assert.equal((await record(a, 'TRAVEL')).monthly_limit_cents.N, '30000');
  assert.equal((await record(a, 'MEDICAL')).monthly_limit_cents.N, '4050');
});

test('the budgets routes need a token', async () => {
  for (const [method, path] of [['GET', '/budgets'], ['PUT', '/budgets/TRAVEL'], ['DELETE', '/budgets/TRAVEL']]) {
    const res = await api(stack, method, path, { body: method === 'PUT' ? { monthly_limit: 1, iso_currency_code: 'USD' } : undefined });
    assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
  }
});
