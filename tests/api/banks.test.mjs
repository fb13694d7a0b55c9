// banks.test.mjs - linking banks: link tokens, public token exchange, items, sealing, isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, newUser, sim, linkBank, awsJson, ACCESS_TOKEN, finishStack } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(() => finishStack(stack));

async function userRecords(sub) {
  const out = await awsJson(stack, 'DynamoDB_20120810.Query', { TableName: stack.table,
    KeyConditionExpression: 'user_id = :u', ExpressionAttributeValues: { ':u': { S: sub } } }, '1.0');
  return out.Items;
}

test('a link token asks Plaid for transactions only, 24 months, for this user', async () => {
  const user = await newUser(stack);
  const res = await api(stack, 'POST', '/link/token', { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.link_token, /^link-sandbox-/);
  assert.ok(Date.parse(res.json.expiration) > Date.now());
  const linked = await linkBank(stack, user);
  assert.equal(linked.status, 201, linked.text);
  const items = await sim(stack, 'GET', '/sim/items');
  const made = items.items.find((i) => i.item_id === linked.json.item.item_id);
  assert.deepEqual(made.products, ['transactions']);
  assert.equal(made.days_requested, 730);
});

test('linking a bank answers the item and its accounts, and stores the access token only sealed', async () => {
  const user = await newUser(stack);
  const res = await linkBank(stack, user, 'ins_109509');
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.item.institution_id, 'ins_109509');
  assert.equal(res.json.item.status, 'active');
  assert.deepEqual(res.json.accounts.map((a) => a.type).sort(), ['credit', 'depository', 'depository']);
  for (const a of res.json.accounts) assert.equal(a.item_id, res.json.item.item_id);
  const records = await userRecords(user.sub);
  const raw = JSON.stringify(records);
  assert.doesNotMatch(raw, ACCESS_TOKEN, 'the table holds an access token in clear');
  const item = records.find((r) => r.sk.S === `ITEM#${res.json.item.item_id}`);
  assert.ok(item, 'item record stored under ITEM#<item_id>');
  const sealed = Object.values(item).map((v) => v.S).filter((s) => typeof s === 'string' && s.startsWith('v1.'));
  assert.equal(sealed.length, 1, 'one sealed token (v1.<kid>.<nonce>.<ciphertext>) in the record');
});

test('a retried POST /items with the same public token creates one item', async () => {
  const user = await newUser(stack);
  const first = await linkBank(stack, user, 'ins_109510');
  assert.equal(first.status, 201, first.text);
  const again = await api(stack, 'POST', '/items', { token: user.idToken, body: { public_token: first.public_token,
    institution_id: 'ins_109510', institution_name: 'Tattersall Federal Credit Union' } });
  assert.ok([200, 201].includes(again.status), again.text);
  assert.equal(again.json.item.item_id, first.json.item.item_id);
  const list = await api(stack, 'GET', '/items', { token: user.idToken });
  assert.equal(list.json.items.length, 1);
});

test('a second item of the same institution answers 409 and is removed at Plaid', async () => {
  const user = await newUser(stack);
  assert.equal((await linkBank(stack, user, 'ins_109508')).status, 201);
  const dup = await linkBank(stack, user, 'ins_109508');
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.error.code, 'duplicate_institution');
  const simItems = (await sim(stack, 'GET', '/sim/items')).items;
  assert.equal(simItems.find((i) => i.item_id === dup.sim_item_id).removed, true, 'duplicate removed at Plaid');
  assert.equal((await api(stack, 'GET', '/items', { token: user.idToken })).json.items.length, 1);
});

test('items are listed, and deleting one removes it at Plaid and from the list', async () => {
  const user = await newUser(stack);
  const a = await linkBank(stack, user, 'ins_109508');
  const b = await linkBank(stack, user, 'ins_109511');
  const list = await api(stack, 'GET', '/items', { token: user.idToken });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((i) => i.institution_id).sort(), ['ins_109508', 'ins_109511']);
  const del = await api(stack, 'DELETE', `/items/${a.json.item.item_id}`, { token: user.idToken });
  assert.equal(del.status, 204, del.text);
  assert.equal(del.text, '');
  const after = await api(stack, 'GET', '/items', { token: user.idToken });
  assert.deepEqual(after.json.items.map((i) => i.item_id), [b.json.item.item_id]);
  const simItems = (await sim(stack, 'GET', '/sim/items')).items;
  assert.equal(simItems.find((i) => i.item_id === a.sim_item_id).removed, true);
  const again = await api(stack, 'DELETE', `/items/${a.json.item.item_id}`, { token: user.idToken });
  assert.equal(again.status, 404);
});

test("another user's item is not found on every item route", async () => {
  const alice = await newUser(stack);
  const bob = await newUser(stack);
  const bobs = await linkBank(stack, bob, 'ins_109512');
  const itemId = bobs.json.item.item_id;
  const accountId = bobs.json.accounts[0].account_id;
  const del = await api(stack, 'DELETE', `/items/${itemId}`, { token: alice.idToken });
  assert.equal(del.status, 404, del.text);
  const upd = await api(stack, 'POST', '/link/token', { token: alice.idToken, body: { item_id: itemId } });
  assert.equal(upd.status, 404, upd.text);
  const tx = await api(stack, 'GET', `/transactions?account_id=${accountId}`, { token: alice.idToken });
  assert.equal(tx.status, 400, tx.text);
  assert.match(tx.json.error.message, /account_id/);
  assert.equal((await api(stack, 'GET', '/items', { token: alice.idToken })).json.items.length, 0);
  assert.equal((await api(stack, 'GET', '/accounts', { token: alice.idToken })).json.accounts.length, 0);
  assert.equal((await sim(stack, 'GET', '/sim/items')).items.find((i) => i.item_id === itemId).removed, false);
});

test('an update-mode link token is made for the user\'s own item', async () => {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user, 'ins_109509');
  const res = await api(stack, 'POST', '/link/token', { token: user.idToken, body: { item_id: linked.json.item.item_id } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.link_token, /^link-sandbox-/);
});

test('bad bodies for POST /items answer 400 and create nothing', async () => {
  const user = await newUser(stack);
  for (const body of [{}, { public_token: '' }, { public_token: 42 }, { public_token: 'x'.repeat(300) }, '{not json']) {
    const res = await api(stack, 'POST', '/items', { token: user.idToken, body,
      headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {} });
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
    assert.equal(res.json.error.code, 'bad_request');
  }
  const unknown = await api(stack, 'POST', '/items', { token: user.idToken, body: { public_token: 'public-sandbox-00000000-0000-0000-0000-000000000000' } });
  assert.equal(unknown.status, 400, unknown.text);
  assert.equal((await api(stack, 'GET', '/items', { token: user.idToken })).json.items.length, 0);
});
