// export.test.mjs - GET /transactions/export: the CSV of a range, parsed back with a CSV library, equals GET /transactions
// for that range (paged through): same rows, same order, same fields; hostile names made at the simulator come back as
// text a spreadsheet will not run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { startStack, api, newUser, sim, finishStack, settle, linkAndSync } from './helpers/stack.mjs';

const HEADER = ['date', 'name', 'merchant_name', 'amount', 'iso_currency_code', 'category', 'category_detailed', 'flow',
  'pending', 'account_id', 'account_name', 'institution_name', 'item_id', 'transaction_id'];

/** Names a spreadsheet would run or split, and text beyond ASCII: each at most the simulator's 63 bytes. */
const HOSTILE = ['=1+2', '-2', '+SUM(A1:A9)', '@x', '=HYPERLINK("http://evil.example","click")', 'a,b "quoted" name',
  'two\nlines', 'Café Müller — 5 € 🍕', ' padded ', '\tTAB first'];

let stack;
let user;
let banks;
let added; // transaction_id → the hostile name it was made with

const day = (offsetDays) => new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  stack = await startStack();
  user = await newUser(stack);
  banks = [await linkAndSync(stack, user, 'ins_109508'), await linkAndSync(stack, user, 'ins_109509')];
  // Hostile names on the first bank, announced by the simulator's webhook, then synced.
  const itemId = banks[0].json.item.item_id;
  const changed = await sim(stack, 'POST', `/sim/items/${itemId}/transactions`, {
    added: HOSTILE.map((name, i) => ({ name, amount: [7.5, -2, 0.1, 12.34, 0.05][i % 5], date: day(i % 3) })),
  });
  assert.equal(changed.added.length, HOSTILE.length);
  added = new Map(changed.added.map((id, i) => [id, HOSTILE[i]]));
  await settle(stack);
});
after(() => finishStack(stack));

const exportCsv = (query = '', token = user.idToken) => api(stack, 'GET', `/transactions/export${query}`, { token });

/** Every transaction of GET /transactions for query (paged through 500 at a time). */
async function listAll(query) {
  const out = [];
  let total;
  for (let offset = 0; total === undefined || offset < total; offset += 500) {
    const res = await api(stack, 'GET', `/transactions${query}&count=500&offset=${offset}`, { token: user.idToken });
    assert.equal(res.status, 200, res.text);
    total = res.json.total_transactions;
    out.push(...res.json.transactions);
    if (res.json.transactions.length === 0) break;
  }
  assert.equal(out.length, total);
  return out;
}

/** Parses the CSV strictly: records end with CRLF only (a bare LF outside quotes would break the column count). */
function rows(text) {
  const records = parse(text, { record_delimiter: '\r\n', relax_column_count: false, relax_quotes: false, bom: false });
  assert.deepEqual(records[0], HEADER, 'the header row');
  return records.slice(1);
}

/** The cents as the export must write them: a dot and exactly two decimals, computed from the integer. */
const decimal = (cents) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** A text cell as a spreadsheet-safe export holds it once parsed: a formula-like start gets a ' in front. */
const defused = (text) => (text && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text ?? '');

/** The rows GET /transactions says the export must hold, with the names GET /accounts gives the accounts. */
async function expectedRows(list) {
  const accounts = await api(stack, 'GET', '/accounts', { token: user.idToken });
  assert.equal(accounts.status, 200, accounts.text);
  const byId = new Map(accounts.json.accounts.map((a) => [a.account_id, a]));
  return list.map((t) => {
    const account = byId.get(t.account_id);
    assert.ok(account, `account ${t.account_id} of ${t.transaction_id} is listed`);
    return [t.date, defused(t.name), defused(t.merchant_name), decimal(t.amount_cents), t.iso_currency_code ?? '',
      defused(t.category), defused(t.category_detailed), t.flow, String(t.pending), t.account_id, defused(account.name),
      defused(account.institution_name), t.item_id, t.transaction_id];
  });
}

test('the default export is every transaction of the last 24 months, exactly as GET /transactions pages them', async () => {
  const first = await api(stack, 'GET', '/transactions?count=1', { token: user.idToken });
  assert.equal(first.status, 200, first.text);
  const { start_date: start, end_date: end } = first.json;
  const res = await exportCsv();
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="mynt-transactions-${start}-${end}.csv"`);
  assert.ok(res.text.endsWith('\r\n'), 'the last row ends with CRLF');

  const list = await listAll(`?start_date=${start}&end_date=${end}`);
  assert.ok(list.length > 1000, `both banks' history: ${list.length}`);
  assert.equal(new Set(list.map((t) => t.item_id)).size, 2);
  const got = rows(res.text);
  const expected = await expectedRows(list);
  assert.equal(got.length, expected.length, 'one row per transaction');
  for (let i = 0; i < got.length; i++) assert.deepEqual(got[i], expected[i], `row ${i + 1} (${list[i].transaction_id})`);
  // The amount cell reads as the same number as GET /transactions' amount.
  for (let i = 0; i < got.length; i++) assert.equal(Number(got[i][3]), list[i].amount, `amount of row ${i + 1}`);
  // Five banks' 24 months (~8,000 rows) stay well under the 5 MB limit.
  const perRow = Buffer.byteLength(res.text) / got.length;
  assert.ok(8000 * perRow < 5 * 1024 * 1024 / 2, `${perRow.toFixed(0)} bytes a row`);
});

test('the body is UTF-8 without BOM', async () => {
  const res = await fetch(`${stack.api_url}/transactions/export`, { headers: { authorization: `Bearer ${user.idToken}` } });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, HEADER[0].length).toString('latin1'), 'date', 'no byte order mark before the header');
  assert.ok(bytes.includes(Buffer.from('Café Müller — 5 € 🍕', 'utf8')), 'non-ASCII text as UTF-8');
});

test('hostile names come back quoted, prefixed with \' when a spreadsheet would run them', async () => {
  const res = await exportCsv(`?start_date=${day(10)}&end_date=${day(0)}`);
  assert.equal(res.status, 200, res.text);
  const got = rows(res.text);
  const byId = new Map(got.map((r) => [r[13], r]));
  for (const [id, name] of added) {
    const row = byId.get(id);
    assert.ok(row, `the added ${JSON.stringify(name)} is exported`);
    assert.equal(row[1], defused(name), `name cell of ${JSON.stringify(name)}`);
    assert.equal(row[2], '', 'the simulator gives made-up transactions no merchant: an empty cell');
    if (/^[=+\-@\t]/.test(name)) {
      assert.ok(row[1].startsWith("'"), `${JSON.stringify(name)} starts with '`);
      assert.ok(res.text.includes(`,"'${name.replaceAll('"', '""')}",`), `${JSON.stringify(name)} is quoted in the file`);
    }
  }
  assert.ok(res.text.includes(',"a,b ""quoted"" name",'), 'commas and quotes are quoted, quotes doubled');
  assert.ok(res.text.includes(',"two\nlines",'), 'a line feed inside a quoted cell');
  assert.ok(res.text.includes(',-2.00,') && res.text.includes(',0.05,'), 'amounts are plain numbers, never prefixed');
});

test('the export takes the account and the filters of GET /transactions, and ignores count and offset', async () => {
  const account = banks[1].json.accounts.find((a) => a.type === 'credit');
  const start = day(200);
  const end = day(0);
  for (const filter of ['', '&category=FOOD_AND_DRINK', '&q=COFFEE&flow=expense', '&category=UNCATEGORIZED']) {
    const query = `?start_date=${start}&end_date=${end}&account_id=${account.account_id}${filter}`;
    const list = await listAll(query);
    const res = await exportCsv(`${query}&count=1&offset=3`);
    assert.equal(res.status, 200, res.text);
    const got = rows(res.text);
    assert.deepEqual(got, await expectedRows(list), `${filter}: the same rows`);
    assert.ok(got.every((r) => r[9] === account.account_id));
    if (filter !== '&category=UNCATEGORIZED') assert.ok(got.length > 0, `${filter} keeps some`);
  }
  // An end_date after today is read as today: the file is named by the range answered.
  const future = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
  const res = await exportCsv(`?start_date=${start}&end_date=${future}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="mynt-transactions-${start}-${end}.csv"`);
});

test('errors are JSON; another user\'s export holds none of these transactions', async () => {
  for (const [query, pattern] of [['?start_date=2026-02-30&end_date=2026-03-10', /start_date/],
    [`?start_date=${day(10)}`, /end_date/], [`?start_date=${day(800)}&end_date=${day(10)}`, /24 months/],
    ['?account_id=acc-not-mine', /account_id/]]) {
    const res = await exportCsv(query);
    assert.equal(res.status, 400, `${query} → ${res.status}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.json.error.code, 'bad_request');
    assert.match(res.json.error.message, pattern, query);
    assert.equal(res.headers.get('content-disposition'), null, 'no file for an error');
  }
  const unsigned = await fetch(`${stack.api_url}/transactions/export`);
  assert.equal(unsigned.status, 401);

  const other = await newUser(stack);
  const res = await exportCsv('', other.idToken);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.text, `${HEADER.join(',')}\r\n`, 'a user without banks gets the header only');
});
