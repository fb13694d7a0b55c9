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
import { startStack, awsJson, ROOT } from './helpers/stack.mjs';

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
