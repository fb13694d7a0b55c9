// isolation.test.mjs - the isolation sweep (OWASP API1): every route of the route table is called by user B with
// user A's ids (items, accounts, budgets, transactions) in every path parameter and every id-like query and body
// field; each call naming A's object answers 404 (or the documented 400 for a filter), none answers anything of A's,
// and afterwards every record of A's partition in mynt-users is byte-equal to what it was before.
// The routes come from the bootstrap's route table (src/handlers/routes.c), checked against template.yaml: a new
// route fails this test until the sweep below is taught how to call it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startStack, api, newUser, linkBank, drainSyncs, awsJson, ROOT, BUILD, finishStack } from './helpers/stack.mjs';

/** Routes anyone may call without a JWT, listed on purpose: they serve no user's object (the webhook acts only once
 * Plaid's signature verifies). The sweep still calls each with A's ids, as B and without a token. */
const PUBLIC = {
  '$default': (a) => [{ label: 'a made-up route naming A', method: 'GET', path: `/users/${a.sub}/items/${a.item_id}`,
    expect: notFound }],
  'GET /health': (a) => [{ label: 'A\'s ids in the query', query: idQuery, expect: ownOnly() }],
  // Unsigned, so refused before the body is read; a signed one names an item whose owner comes from the table.
  'POST /webhooks/plaid': (a) => [{ label: 'an unsigned webhook naming A\'s item', body: { webhook_type: 'ITEM',
    webhook_code: 'ERROR', item_id: a.item_id, error: { error_code: 'ITEM_LOGIN_REQUIRED' } },
  expect: { status: 401, code: 'unauthorized' } }],
};

let stack;
before(async () => { stack = await startStack(); });
after(() => finishStack(stack));

/** The route table the bootstrap serves, after checking template.yaml declares the same route keys. */
function routeTable() {
  const binary = JSON.parse(execFileSync(join(BUILD, 'bootstrap'), ['--routes']).toString()).routes;
  const template = JSON.parse(execFileSync('python3', [join(ROOT, 'scripts', 'localstack.py'), '--routes-only',
    join(ROOT, 'template.yaml')]).toString());
  const declared = template.functions.flatMap((fn) => fn.routes.map((r) => r.route_key)).sort();
  assert.deepEqual(binary.map((r) => r.route_key).sort(), declared, 'routes.c and template.yaml agree');
  return binary;
}

/** Every record of sub's partition, sorted by sort key, as canonical JSON (attributes in name order). */
async function partition(sub) {
  const items = [];
  let start;
  do {
    const out = await awsJson(stack, 'DynamoDB_20120810.Query', { TableName: stack.table, ConsistentRead: true,
      KeyConditionExpression: 'user_id = :u', ExpressionAttributeValues: { ':u': { S: sub } },
      ...(start ? { ExclusiveStartKey: start } : {}) }, '1.0');
    items.push(...out.Items);
    start = out.LastEvaluatedKey;
  } while (start);
  const canonical = (v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]))
    : Array.isArray(v) ? v.map(canonical) : v);
  return items.map((i) => JSON.stringify(canonical(i))).sort();
}

/** A user with a linked simulator bank (synced), its accounts and transactions, and one budget. */
async function userWithData(institution, category) {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user, institution);
  assert.equal(linked.status, 201, linked.text);
  await drainSyncs(stack);
  const budget = await api(stack, 'PUT', `/budgets/${category}`, { token: user.idToken,
    body: { monthly_limit: 250, iso_currency_code: 'USD' } });
  assert.equal(budget.status, 201, budget.text);
  const txns = await api(stack, 'GET', '/transactions?count=500', { token: user.idToken });
  assert.equal(txns.status, 200, txns.text);
  assert.ok(txns.json.transactions.length > 0, 'the bank has synced transactions');
  return { ...user, public_token: linked.public_token, institution_id: institution, category,
    item_id: linked.json.item.item_id, account_ids: linked.json.accounts.map((a) => a.account_id),
    transaction_ids: txns.json.transactions.map((t) => t.transaction_id) };
}

/** What a call must answer: 404, or 400 with a message, or 2xx answering only the caller's own data. */
const notFound = { status: 404, code: 'not_found' };
const notYours = { status: 400, code: 'bad_request', message: /account_id is not one of your accounts/ };
const ownOnly = (status = 200) => ({ status });

/**
 * How the sweep calls each route as B with A's ids: route key → (a, b) → [{label, path, query, body, expect}].
 * `path` is filled from the route key's path parameters (A's value for each, from pathIds) unless given.
 * Adding a route to routes.c without an entry here fails the sweep.
 */
const SWEEP = {
  'GET /me': () => [{ label: 'A\'s ids in the query are ignored', query: idQuery, expect: ownOnly() }],
  'POST /link/token': (a) => [
    { label: 'update mode for A\'s item', body: { item_id: a.item_id }, expect: notFound },
    { label: 'account selection for A\'s item', body: { item_id: a.item_id, account_selection: true }, expect: notFound },
  ],
  'POST /items': (a) => [
    // A's public token was exchanged when A linked: Plaid refuses it again, and nothing is created for B.
    { label: 'A\'s used public token', body: { public_token: a.public_token, institution_id: a.institution_id,
      institution_name: 'Someone else\'s bank' }, expect: { status: 400, code: 'bad_request' } },
  ],
  'GET /items': () => [{ label: 'A\'s ids in the query', query: idQuery, expect: ownOnly() }],
  'DELETE /items/{item_id}': () => [{ label: 'A\'s item', expect: notFound }],
  'POST /items/{item_id}/sync': () => [{ label: 'A\'s item', expect: notFound }],
  'GET /accounts': () => [{ label: 'A\'s ids in the query', query: idQuery, expect: ownOnly() }],
  'GET /transactions': (a) => a.account_ids.map((id) => ({ label: `A's account ${id}`,
    query: (x) => ({ ...idQuery(x), account_id: id }), expect: notYours }))
    .concat([{ label: 'A\'s item and category in the query', query: (x) => ({ item_id: x.item_id, category: x.category }),
      expect: ownOnly() }]),
  'GET /transactions/export': (a) => a.account_ids.map((id) => ({ label: `A's account ${id}`,
    query: (x) => ({ ...idQuery(x), account_id: id }), expect: notYours }))
    .concat([{ label: 'A\'s item and category in the query', query: (x) => ({ item_id: x.item_id, category: x.category }),
      expect: ownOnly() }]),
  'GET /summary': () => [{ label: 'A\'s ids in the query', query: idQuery, expect: ownOnly() }],
  'GET /budgets': () => [{ label: 'A\'s ids in the query', query: idQuery, expect: ownOnly() }],
  // B has no budget in A's category: B's DELETE finds nothing of B's, and must not reach A's.
  'DELETE /budgets/{category}': () => [{ label: 'A\'s budget', expect: notFound }],
  // A PUT in A's category is B's own budget (categories are Plaid's names, not A's ids): created for B, A's kept.
  'PUT /budgets/{category}': () => [{ label: 'A\'s budget category', body: { monthly_limit: 1, iso_currency_code: 'EUR' },
    expect: ownOnly(201), undo: 'DELETE' }],
};

/** A's ids as query parameters (routes that take none must ignore them and answer B's own data). */
function idQuery(a) {
  return { item_id: a.item_id, account_id: a.account_ids[0], category: a.category, transaction_id: a.transaction_ids[0] };
}

/** A's value for each path parameter a route key may name. */
function pathIds(a) {
  return { item_id: a.item_id, category: a.category };
}

function fillPath(routeKey, ids) {
  const path = routeKey.split(' ')[1];
  return path.replace(/\{([^}]+)\}/g, (_, name) => {
    assert.ok(name in ids, `${routeKey}: the sweep does not know A's value for {${name}}: teach pathIds()`);
    return encodeURIComponent(ids[name]);
  });
}

test('B calling every route with A\'s ids gets 404 (or the documented 400) and A\'s records are unchanged', async () => {
  const routes = routeTable();
  const a = await userWithData('ins_109508', 'TRAVEL');
  const b = await userWithData('ins_109509', 'MEDICAL');
  for (const id of a.account_ids) assert.ok(!b.account_ids.includes(id), 'A and B hold different accounts');
  const aSecrets = [a.sub, a.email, a.item_id, ...a.account_ids, ...a.transaction_ids];
  await drainSyncs(stack);
  const aBefore = await partition(a.sub);
  assert.ok(aBefore.some((r) => r.includes(`"ITEM#${a.item_id}"`)), 'A\'s item record is there to protect');
  assert.ok(aBefore.some((r) => r.includes('"BUDGET#TRAVEL"')), 'A\'s budget record is there to protect');
  const bItemsBefore = (await api(stack, 'GET', '/items', { token: b.idToken })).json.items;

  const authRoutes = routes.filter((r) => r.auth);
  const publicRoutes = routes.filter((r) => !r.auth).map((r) => r.route_key).sort();
  assert.deepEqual(publicRoutes, Object.keys(PUBLIC).sort(), 'every route without a JWT is listed as public on purpose');
  const untaught = authRoutes.map((r) => r.route_key).filter((k) => !(k in SWEEP));
  assert.deepEqual(untaught, [], 'routes the sweep does not know how to call with another user\'s ids: teach SWEEP');

  let calls = 0;
  for (const { route_key: key, auth } of routes) {
    const plan = auth ? SWEEP[key](a, b) : PUBLIC[key](a, b);
    for (const c of plan) {
      const method = c.method ?? key.split(' ')[0];
      const path = c.path ?? fillPath(key, pathIds(a));
      const params = c.query ? Object.entries(c.query(a)).filter(([, v]) => v !== undefined) : [];
      const url = path + (params.length ? `?${new URLSearchParams(params)}` : '');
      const res = await api(stack, method, url, { token: b.idToken, body: c.body });
      const what = `${key} as B (${c.label}): ${url}`;
      calls++;
      assert.equal(res.status, c.expect.status, `${what} → ${res.status} ${res.text}`);
      if (c.expect.code) assert.equal(res.json?.error?.code, c.expect.code, `${what}: ${res.text}`);
      if (c.expect.message) assert.match(res.json.error.message, c.expect.message, what);
      for (const secret of aSecrets) {
        assert.ok(!res.text.includes(secret), `${what} answers A's ${secret}`);
      }
      if (c.undo) {
        const undone = await api(stack, c.undo, path, { token: b.idToken });
        assert.equal(undone.status, 204, `${c.undo} ${path} as B removes B's own: ${undone.text}`);
      }
    }
  }
  assert.ok(calls >= routes.length, 'every route was called at least once');

  await drainSyncs(stack);
  assert.deepEqual(await partition(a.sub), aBefore, 'every record of A\'s partition is byte-equal to before');
  // A still sees and uses everything: the item, its accounts, the budget.
  const aItems = await api(stack, 'GET', '/items', { token: a.idToken });
  assert.deepEqual(aItems.json.items.map((i) => i.item_id), [a.item_id]);
  const aBudgets = await api(stack, 'GET', '/budgets', { token: a.idToken });
  assert.deepEqual(aBudgets.json.budgets.map((x) => [x.category, x.monthly_limit, x.iso_currency_code]),
    [['TRAVEL', 250, 'USD']]);
  // And B's own data is as before the sweep (B's PUT was undone; A's used public token linked nothing).
  assert.deepEqual((await api(stack, 'GET', '/items', { token: b.idToken })).json.items.map((i) => i.item_id),
    bItemsBefore.map((i) => i.item_id));
  assert.deepEqual((await api(stack, 'GET', '/budgets', { token: b.idToken })).json.budgets.map((x) => x.category),
    ['MEDICAL']);
});
