// plaid_sim_conformance.test.mjs - the Plaid simulator answers in the shapes of Plaid's OpenAPI
// spec (requests Mynt makes, and the errors), so the client is tested against a faithful fake.
// The spec is reference data outside the repo: ../shared/plaid/openapi.budget.json or
// $MYNT_PLAID_SPEC; without it the suite says it was skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startStack, awsJson, sim, ROOT } from './helpers/stack.mjs';

const specPath = process.env.MYNT_PLAID_SPEC || join(ROOT, '..', 'shared', 'plaid', 'openapi.budget.json');
const haveSpec = existsSync(specPath);
const skip = haveSpec ? false : `SKIPPED: Plaid OpenAPI spec not found at ${specPath} (set MYNT_PLAID_SPEC)`;

/** OpenAPI 3.0's `nullable` is not JSON Schema: add null to its enum, and next to $ref/allOf
 * (no `type`) spell it anyOf null. */
function nullableForAjv(node) {
  if (Array.isArray(node)) return node.map(nullableForAjv);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableForAjv(v)]));
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    const { description, ...schema } = out;
    return { description, anyOf: [schema, { type: 'null' }] };
  }
  return out;
}

let stack;
let ajv;
let spec;
let params;

before(async () => {
  if (!haveSpec) return;
  spec = nullableForAjv(JSON.parse(readFileSync(specPath, 'utf8')));
  ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec, 'plaid');
  stack = await startStack();
  const routes = JSON.parse(readFileSync(join(stack.state, 'routes.json'), 'utf8'));
  const env = routes.functions.find((f) => f.handler === 'items').environment;
  params = { prefix: env.MYNT_SSM_PREFIX };
});
after(async () => { await stack?.stop(); });

async function ssmValue(name) {
  const out = await awsJson(stack, 'AmazonSSM.GetParameter', { Name: `${params.prefix}/${name}`, WithDecryption: true });
  return out.Parameter.Value;
}

/** POSTs to the simulator as Mynt's client does and checks the answer against the spec. */
async function plaid(path, body, { expectStatus = 200, auth = true } = {}) {
  const headers = { 'content-type': 'application/json', 'plaid-version': '2020-09-14' };
  if (auth) {
    headers['plaid-client-id'] = await ssmValue('plaid/client-id');
    headers['plaid-secret'] = await ssmValue('plaid/secret');
  }
  const res = await fetch(stack.plaid_url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, expectStatus, `${path}: ${JSON.stringify(json).slice(0, 300)}`);
  if (res.status === 200 && !spec.paths[path]) {
    // Outside the trimmed spec (/sandbox/transactions/create): its answer is only { request_id }.
    assert.equal(typeof json.request_id, 'string', `${path}: no request_id`);
    return json;
  }
  const ref = res.status === 200
    ? spec.paths[path].post.responses['200'].content['application/json'].schema.$ref
    : '#/components/schemas/PlaidError';
  const validate = ajv.getSchema(`plaid${ref}`);
  assert.ok(validate(json), `${path} → ${res.status} does not conform to Plaid's spec: ${ajv.errorsText(validate.errors)}`);
  return json;
}

test('a full read-only flow conforms to Plaid\'s spec, endpoint by endpoint', { skip }, async () => {
  const link = await plaid('/link/token/create', { client_name: 'Mynt', language: 'en', country_codes: ['US'],
    user: { client_user_id: 'conformance-user' }, products: ['transactions'], transactions: { days_requested: 730 } });
  assert.match(link.link_token, /^link-sandbox-/);
  const pub = await plaid('/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['transactions'],
    options: { transactions: { days_requested: 730 } } });
  const exchanged = await plaid('/item/public_token/exchange', { public_token: pub.public_token });
  const token = exchanged.access_token;
  await plaid('/item/get', { access_token: token });
  const accounts = await plaid('/accounts/get', { access_token: token });
  assert.equal(accounts.accounts.length, 3);
  const end = new Date().toISOString().slice(0, 10);
  const start = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  const page = await plaid('/transactions/get', { access_token: token, start_date: start, end_date: end,
    options: { count: 500, offset: 0 } });
  assert.ok(page.transactions.length > 0);
  await plaid('/sandbox/item/reset_login', { access_token: token });
  const login = await plaid('/transactions/get', { access_token: token, start_date: start, end_date: end },
    { expectStatus: 400 });
  assert.equal(login.error_code, 'ITEM_LOGIN_REQUIRED');
  await plaid('/item/remove', { access_token: token });
  const gone = await plaid('/accounts/get', { access_token: token }, { expectStatus: 400 });
  assert.equal(gone.error_code, 'INVALID_ACCESS_TOKEN');
});

test('the simulator refuses what Plaid refuses, with Plaid-shaped errors', { skip }, async () => {
  const noAuth = await plaid('/item/get', { access_token: 'access-sandbox-x' }, { expectStatus: 400, auth: false });
  assert.equal(noAuth.error_code, 'INVALID_API_KEYS');
  const missing = await plaid('/link/token/create', { client_name: 'Mynt' }, { expectStatus: 400 });
  assert.equal(missing.error_type, 'INVALID_REQUEST');
  const pub = await plaid('/sandbox/public_token/create', { institution_id: 'ins_109509', initial_products: ['transactions'] });
  const { access_token: token } = await plaid('/item/public_token/exchange', { public_token: pub.public_token });
  const badDate = await plaid('/transactions/get', { access_token: token, start_date: '2026-02-30',
    end_date: '2026-03-01' }, { expectStatus: 400 });
  assert.equal(badDate.error_type, 'INVALID_REQUEST');
  const badCount = await plaid('/transactions/get', { access_token: token, start_date: '2026-01-01',
    end_date: '2026-01-31', options: { count: 501 } }, { expectStatus: 400 });
  assert.equal(badCount.error_code, 'INVALID_FIELD');
  await plaid('/item/remove', { access_token: token });
  const transfer = await plaid('/link/token/create', { client_name: 'Mynt', language: 'en', country_codes: ['US'],
    user: { client_user_id: 'u' }, products: ['transfer'] }, { expectStatus: 400 });
  assert.equal(transfer.error_code, 'INVALID_PRODUCT', 'a money-moving product is refused');
});

/** Pages /transactions/sync from cursor until has_more is false; returns the last page, the cursor
 * and every change seen. */
async function syncAll(token, cursor, count = 500) {
  const seen = { added: [], modified: [], removed: [] };
  let page;
  do {
    page = await plaid('/transactions/sync', { access_token: token, cursor, count,
      options: { include_original_description: true } });
    for (const k of Object.keys(seen)) seen[k].push(...page[k]);
    cursor = page.next_cursor;
  } while (page.has_more);
  return { page, cursor, ...seen };
}

test('/transactions/sync pages, changes and errors conform to Plaid\'s spec', { skip }, async () => {
  const pub = await plaid('/sandbox/public_token/create', { institution_id: 'ins_109510', initial_products: ['transactions'],
    options: { transactions: { days_requested: 120 } } });
  const { access_token: token, item_id: itemId } = await plaid('/item/public_token/exchange', { public_token: pub.public_token });
  await sim(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'none' });
  const notReady = await plaid('/transactions/sync', { access_token: token, cursor: '' });
  assert.equal(notReady.transactions_update_status, 'NOT_READY');
  assert.equal(notReady.next_cursor, '');
  assert.equal(notReady.added.length, 0);

  await sim(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'initial' });
  const initial = await syncAll(token, '');
  assert.equal(initial.page.transactions_update_status, 'INITIAL_UPDATE_COMPLETE');
  await sim(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'complete' });
  const rest = await syncAll(token, initial.cursor);
  assert.equal(rest.page.transactions_update_status, 'HISTORICAL_UPDATE_COMPLETE');
  const all = [...initial.added, ...rest.added];
  assert.ok(all.length > 100);

  // One change of each kind, and a pending transaction that posts.
  const pending = all.find((t) => t.pending);
  const [edited, dropped] = all.filter((t) => !t.pending);
  assert.ok(pending, 'the recent history has a pending card purchase');
  await sim(stack, 'POST', `/sim/items/${itemId}/transactions`, {
    added: [{ amount: 3.5, name: 'CONFORMANCE BAKERY' }],
    modified: [{ transaction_id: edited.transaction_id, amount: 1.25 }, { transaction_id: pending.transaction_id, pending: false }],
    removed: [dropped.transaction_id],
  });
  const today = new Date().toISOString().slice(0, 10);
  await plaid('/sandbox/transactions/create', { access_token: token, transactions: [
    { date_transacted: today, date_posted: today, amount: 9.99, description: 'SANDBOX CREATED', iso_currency_code: 'USD' }] });
  const changes = await syncAll(token, rest.cursor);
  assert.equal(changes.added.length, 3);
  assert.deepEqual(changes.modified.map((t) => t.transaction_id), [edited.transaction_id]);
  assert.deepEqual(changes.removed.map((t) => t.transaction_id).sort(),
    [dropped.transaction_id, pending.transaction_id].sort());
  assert.equal(changes.added.find((t) => t.pending_transaction_id === pending.transaction_id)?.pending, false);

  const badCursor = await plaid('/transactions/sync', { access_token: token, cursor: 'forged' }, { expectStatus: 400 });
  assert.equal(badCursor.error_code, 'INVALID_FIELD');
  const badCount = await plaid('/transactions/sync', { access_token: token, count: 501 }, { expectStatus: 400 });
  assert.equal(badCount.error_code, 'INVALID_FIELD');
  const first = await plaid('/transactions/sync', { access_token: token, count: 10 });
  assert.equal(first.has_more, true);
  await sim(stack, 'POST', `/sim/items/${itemId}/sync`, { mutation_during_pagination: true });
  const mutated = await plaid('/transactions/sync', { access_token: token, cursor: first.next_cursor, count: 10 },
    { expectStatus: 400 });
  assert.equal(mutated.error_type, 'TRANSACTIONS_ERROR');
  assert.equal(mutated.error_code, 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION');
  const tooMany = await plaid('/sandbox/transactions/create', { access_token: token, transactions: Array.from({ length: 11 },
    () => ({ date_transacted: today, date_posted: today, amount: 1, description: 'X' })) }, { expectStatus: 400 });
  assert.equal(tooMany.error_code, 'INVALID_FIELD');
  await plaid('/item/remove', { access_token: token });
  const gone = await plaid('/transactions/sync', { access_token: token }, { expectStatus: 400 });
  assert.equal(gone.error_code, 'INVALID_ACCESS_TOKEN');
});
