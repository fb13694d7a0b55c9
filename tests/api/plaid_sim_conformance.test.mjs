// plaid_sim_conformance.test.mjs - the Plaid simulator answers in the shapes of Plaid's OpenAPI
// spec (requests Mynt makes, and the errors), so the client is tested against a faithful fake.
// The spec is reference data outside the repo: ../shared/plaid/openapi.budget.json or
// $MYNT_PLAID_SPEC; without it the suite says it was skipped, and under CI=true it fails (helpers/shared_data.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { join, dirname } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startStack, awsJson, sim, ROOT } from './helpers/stack.mjs';
import { sharedDataSkip } from './helpers/shared_data.mjs';

const specPath = process.env.MYNT_PLAID_SPEC || join(ROOT, '..', 'shared', 'plaid', 'openapi.budget.json');
const skip = sharedDataSkip("Plaid's OpenAPI spec (set MYNT_PLAID_SPEC)", specPath);
const haveSpec = !skip;

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
  const update = await plaid('/link/token/create', { client_name: 'Mynt', language: 'en', country_codes: ['US'],
    user: { client_user_id: 'conformance-user' }, access_token: token, update: { account_selection_enabled: true } });
  assert.match(update.link_token, /^link-sandbox-/);
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
  const selection = await plaid('/link/token/create', { client_name: 'Mynt', language: 'en', country_codes: ['US'],
    user: { client_user_id: 'u' }, products: ['transactions'], update: { account_selection_enabled: true } },
  { expectStatus: 400 });
  assert.equal(selection.error_code, 'INVALID_FIELD', 'account selection is for update mode only');
  const notObject = await plaid('/link/token/create', { client_name: 'Mynt', language: 'en', country_codes: ['US'],
    user: { client_user_id: 'u' }, access_token: token, update: true }, { expectStatus: 400 });
  assert.equal(notObject.error_code, 'INVALID_FIELD');
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

/** A webhook receiver on loopback: keeps each POST's raw bytes and its Plaid-Verification header. */
async function startReceiver() {
  const got = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url, token: req.headers['plaid-verification'], raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/webhooks/plaid`;
  /** Resolves once n webhooks have arrived (at most 10 s). */
  async function waitFor(n) {
    const deadline = Date.now() + 10_000;
    while (got.length < n) {
      assert.ok(Date.now() < deadline, `only ${got.length} of ${n} webhooks arrived in 10 s`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
    }
  }
  return { url, got, waitFor, close: () => new Promise((r) => server.close(r)) };
}

/** The webhook schemas live in the full spec next to the trimmed one; null when it is not there. */
async function webhookValidator() {
  const full = join(dirname(specPath), 'openapi.yml');
  if (!existsSync(full)) return null;
  let YAML;
  try { YAML = (await import('yaml')).default; } catch { return null; }
  const doc = nullableForAjv(YAML.parse(readFileSync(full, 'utf8'), { maxAliasCount: -1 }));
  const v = new Ajv({ strict: false, allErrors: true });
  addFormats(v);
  v.addSchema({ components: doc.components }, 'full');
  return (name) => v.getSchema(`full#/components/schemas/${name}`);
}

/** Checks a received webhook as Plaid documents it, independently of Mynt's C verifier: ES256 over
 * header.payload with the JWK /webhook_verification_key/get serves, iat fresh, and the SHA-256 of
 * the raw bytes. Returns the parsed body. */
async function assertSigned(hook) {
  const [h, p, sig] = hook.token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
  assert.equal(header.alg, 'ES256');
  assert.equal(header.typ, 'JWT');
  const { key } = await plaid('/webhook_verification_key/get', { key_id: header.kid });
  assert.equal(key.kid, header.kid);
  assert.equal(key.expired_at, null);
  const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(sig, 'base64url')), 'the signature verifies with the served key');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 60, 'iat is now');
  assert.equal(claims.request_body_sha256, createHash('sha256').update(hook.raw).digest('hex'));
  const text = hook.raw.toString('utf8');
  assert.match(text, /^\{\n {2}"webhook_type": /, 'Plaid sends 2-space-indented JSON');
  return JSON.parse(text);
}

test('webhooks: /link/token/create takes a URL, fire_webhook and /webhook_verification_key/get conform', { skip }, async (t) => {
  const rx = await startReceiver();
  try {
    const base = { client_name: 'Mynt', language: 'en', country_codes: ['US'], user: { client_user_id: 'hook-user' },
      products: ['transactions'] };
    const link = await plaid('/link/token/create', { ...base, webhook: rx.url });
    for (const webhook of ['ftp://example.com/hook', 'example.com/hook', 'https://exa mple.com/', '']) {
      const bad = await plaid('/link/token/create', { ...base, webhook }, { expectStatus: 400 });
      assert.equal(bad.error_code, 'INVALID_FIELD', `webhook ${JSON.stringify(webhook)} is refused`);
    }
    // The item made from that link token keeps its webhook.
    const done = await sim(stack, 'POST', '/sim/link/complete', { link_token: link.link_token,
      institution_id: 'ins_109508', username: 'user_good', password: 'pass_good' });
    const { access_token: token, item_id: itemId } = await plaid('/item/public_token/exchange',
      { public_token: done.public_token });

    const fired = await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE' });
    assert.equal(fired.webhook_fired, true);
    await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_code: 'LOGIN_REPAIRED' });
    await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_code: 'PENDING_DISCONNECT' });
    await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_code: 'USER_PERMISSION_REVOKED' });
    await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_code: 'NEW_ACCOUNTS_AVAILABLE' });
    await sim(stack, 'POST', `/sim/items/${itemId}/webhook`, { webhook_type: 'ITEM', webhook_code: 'ERROR' });
    await sim(stack, 'POST', `/sim/items/${itemId}/webhook`, { webhook_type: 'ITEM', webhook_code: 'PENDING_EXPIRATION' });
    await rx.waitFor(7);
    const schemaOf = await webhookValidator();
    if (!schemaOf) t.diagnostic('webhook bodies NOT checked against schemas: openapi.yml or the yaml package is missing');
    const schemas = { SYNC_UPDATES_AVAILABLE: 'SyncUpdatesAvailableWebhook', LOGIN_REPAIRED: 'ItemLoginRepairedWebhook',
      PENDING_DISCONNECT: 'PendingDisconnectWebhook', USER_PERMISSION_REVOKED: 'UserPermissionRevokedWebhook',
      NEW_ACCOUNTS_AVAILABLE: 'NewAccountsAvailableWebhook', ERROR: 'ItemErrorWebhook',
      PENDING_EXPIRATION: 'PendingExpirationWebhook' };
    for (const hook of rx.got) {
      assert.equal(hook.path, '/webhooks/plaid');
      const body = await assertSigned(hook);
      assert.equal(body.item_id, itemId);
      assert.equal(body.environment, 'sandbox');
      const validate = schemaOf?.(schemas[body.webhook_code]);
      if (validate) assert.ok(validate(body), `${body.webhook_code}: ${schemaOf && ajv.errorsText(validate.errors)}`);
    }
    assert.deepEqual(rx.got.map((h) => JSON.parse(h.raw).webhook_code), Object.keys(schemas));
    const log = await sim(stack, 'GET', '/sim/webhooks');
    assert.deepEqual(log.webhooks.filter((w) => w.item_id === itemId).map((w) => w.status), Array(7).fill(200));

    // Plaid's errors, in Plaid's shape.
    const unknownKey = await plaid('/webhook_verification_key/get', { key_id: 'bfbd5111-8e33-4643-8ced-b2e642a72f3c' },
      { expectStatus: 400 });
    assert.equal(unknownKey.error_code, 'INVALID_WEBHOOK_VERIFICATION_KEY_ID');
    const noKey = await plaid('/webhook_verification_key/get', {}, { expectStatus: 400 });
    assert.equal(noKey.error_code, 'MISSING_FIELDS');
    const badCode = await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_code: 'NOPE' },
      { expectStatus: 400 });
    assert.equal(badCode.error_code, 'INVALID_FIELD');
    const wrongType = await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_type: 'ITEM',
      webhook_code: 'SYNC_UPDATES_AVAILABLE' }, { expectStatus: 400 });
    assert.equal(wrongType.error_code, 'INVALID_FIELD');
    const notEnabled = await plaid('/sandbox/item/fire_webhook', { access_token: token, webhook_type: 'AUTH',
      webhook_code: 'DEFAULT_UPDATE' }, { expectStatus: 400 });
    assert.equal(notEnabled.error_type, 'SANDBOX_ERROR');
    assert.equal(notEnabled.error_code, 'SANDBOX_PRODUCT_NOT_ENABLED');
    const pub = await plaid('/sandbox/public_token/create', { institution_id: 'ins_109511', initial_products: ['transactions'] });
    const { access_token: bare } = await plaid('/item/public_token/exchange', { public_token: pub.public_token });
    const noHook = await plaid('/sandbox/item/fire_webhook', { access_token: bare, webhook_code: 'LOGIN_REPAIRED' },
      { expectStatus: 400 });
    assert.equal(noHook.error_code, 'SANDBOX_WEBHOOK_INVALID');
    await plaid('/item/remove', { access_token: bare });
    await plaid('/item/remove', { access_token: token });
  } finally {
    await rx.close();
  }
});
