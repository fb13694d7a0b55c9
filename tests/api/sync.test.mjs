// sync.test.mjs - keeping the stored history fresh on the local stack: reads never call Plaid (the simulator's
// request log), the user's refresh, the daily schedule catching a lost webhook, pending → posted, deleting a bank
// (the table read directly), account selection in update mode, signed webhooks that were tampered with or are stale,
// and no access token anywhere: answers, logs, and inside the compressed TXN# buckets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { inflateSync } from 'node:zlib';
import {
  startStack, api, newUser, sim, drainSyncs, awsJson, ACCESS_TOKEN, finishStack, settle, simDelivered, linkAndSync,
} from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(() => finishStack(stack, assertNoAccessTokenStored));

/** Every record of the table (moto: a Scan is fine in a test), paginated. */
async function scanAll() {
  const out = [];
  let start;
  do {
    const page = await awsJson(stack, 'DynamoDB_20120810.Scan', { TableName: stack.table, ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}) }, '1.0');
    out.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Sets the stored last_synced_at of user's item to at (a Date), straight in the table. */
async function setLastSyncedAt(sub, itemId, at) {
  await awsJson(stack, 'DynamoDB_20120810.UpdateItem', { TableName: stack.table,
    Key: { user_id: { S: sub }, sk: { S: `ITEM#${itemId}` } },
    UpdateExpression: 'SET #s.#l = :t', ConditionExpression: 'attribute_exists(sk)',
    ExpressionAttributeNames: { '#s': 'sync', '#l': 'last_synced_at' },
    ExpressionAttributeValues: { ':t': { S: at.toISOString().replace(/\.\d{3}Z$/, 'Z') } } }, '1.0');
}

const txns = async (user, query = '') => {
  const res = await api(stack, 'GET', `/transactions${query}`, { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  return res.json;
};

const today = () => new Date().toISOString().slice(0, 10);

/** Adds one transaction at the simulator without the webhook that would announce it (the delivery is dropped). */
async function addUnannounced(itemId, accountId, name) {
  assert.equal((await sim(stack, 'POST', '/sim/webhooks/drop', { count: 1 })).dropping, 1);
  const changed = await sim(stack, 'POST', `/sim/items/${itemId}/transactions`,
    { added: [{ account_id: accountId, date: today(), name, amount: 7.5 }] });
  assert.equal(changed.added.length, 1);
  const log = await simDelivered(stack);
  const lost = log.filter((w) => w.item_id === itemId && w.webhook_code === 'SYNC_UPDATES_AVAILABLE');
  assert.equal(lost.at(-1)?.status, 'dropped', 'the change\'s webhook was lost');
  return changed.added[0];
}

test('GET /transactions and GET /accounts make no Plaid call (the simulator\'s request log)', async () => {
  const user = await newUser(stack);
  await linkAndSync(stack, user, 'ins_109508');
  const { next } = await sim(stack, 'GET', '/sim/requests');
  assert.ok(next > 0, 'linking and the sync called Plaid, and the log shows it');
  for (const path of ['/transactions', '/transactions?start_date=2025-01-01&end_date=2025-06-30', '/accounts',
    '/items']) {
    const res = await api(stack, 'GET', path, { token: user.idToken });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
  }
  const after = await sim(stack, 'GET', `/sim/requests?since=${next}`);
  assert.deepEqual(after.requests.map((r) => r.path), [], 'no Plaid request for the reads');
  // The log does record Plaid calls: a refresh's sync shows up in it.
  const items = (await api(stack, 'GET', '/items', { token: user.idToken })).json.items;
  assert.equal((await api(stack, 'POST', `/items/${items[0].item_id}/sync`, { token: user.idToken })).status, 202);
  await settle(stack);
  const synced = await sim(stack, 'GET', `/sim/requests?since=${next}`);
  assert.ok(synced.requests.some((r) => r.path === '/transactions/sync'), JSON.stringify(synced.requests));
});

test('POST /items/{id}/sync refreshes now (202), at most once a minute (429), only the user\'s own item (404)',
  async () => {
    const user = await newUser(stack);
    const other = await newUser(stack);
    const bank = await linkAndSync(stack, user, 'ins_109509');
    const itemId = bank.json.item.item_id;
    const added = await addUnannounced(itemId, bank.json.accounts[0].account_id, 'Refresh Bakery');
    assert.equal((await txns(user)).transactions.find((t) => t.transaction_id === added), undefined,
      'without a webhook the change is not stored yet');

    const res = await api(stack, 'POST', `/items/${itemId}/sync`, { token: user.idToken });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json.item.item_id, itemId);
    await settle(stack);
    const got = (await txns(user)).transactions.find((t) => t.transaction_id === added);
    assert.ok(got, 'the refresh synced the change');
    assert.equal(got.amount_cents, 750);

    const again = await api(stack, 'POST', `/items/${itemId}/sync`, { token: user.idToken });
    assert.equal(again.status, 429, again.text);
    assert.equal(again.json.error.code, 'rate_limited');
    const foreign = await api(stack, 'POST', `/items/${itemId}/sync`, { token: other.idToken });
    assert.equal(foreign.status, 404, foreign.text);
    const unknown = await api(stack, 'POST', '/items/no-such-item/sync', { token: user.idToken });
    assert.equal(unknown.status, 404, unknown.text);
  });

test('the daily schedule catches an item whose webhook was lost', async () => {
  const user = await newUser(stack);
  const bank = await linkAndSync(stack, user, 'ins_109510');
  const itemId = bank.json.item.item_id;
  const added = await addUnannounced(itemId, bank.json.accounts[0].account_id, 'Schedule Grocer');
  await drainSyncs(stack);
  assert.equal((await txns(user)).transactions.find((t) => t.transaction_id === added), undefined);

  await setLastSyncedAt(user.sub, itemId, new Date(Date.now() - 25 * 3600 * 1000));
  const fired = await fetch(`${stack.api_url}/_local/schedules/DailySyncSchedule`, { method: 'POST' });
  assert.equal(fired.status, 202, await fired.text());
  await settle(stack);
  const body = await txns(user);
  assert.ok(body.transactions.find((t) => t.transaction_id === added), 'the schedule synced the stale item');
  const item = body.items.find((i) => i.item_id === itemId);
  assert.ok(Date.parse(item.sync.last_synced_at) > Date.now() - 3600 * 1000, 'synced just now');
});

test('a pending transaction that posts is shown posted, and the pending one is gone', async () => {
  const user = await newUser(stack);
  const bank = await linkAndSync(stack, user, 'ins_109511');
  const itemId = bank.json.item.item_id;
  const start = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const window = `?start_date=${start}&end_date=${today()}&count=500`;
  const pending = (await txns(user, window)).transactions.find((t) => t.pending && t.item_id === itemId);
  assert.ok(pending, 'the recent history has a pending transaction');

  const changed = await sim(stack, 'POST', `/sim/items/${itemId}/transactions`,
    { modified: [{ transaction_id: pending.transaction_id, pending: false }] });
  const posting = changed.posted.find((p) => p.pending_transaction_id === pending.transaction_id);
  assert.ok(posting, JSON.stringify(changed));
  await settle(stack);
  const list = (await txns(user, window)).transactions;
  assert.equal(list.find((t) => t.transaction_id === pending.transaction_id), undefined, 'the pending one is gone');
  const posted = list.find((t) => t.transaction_id === posting.transaction_id);
  assert.ok(posted, 'the posted one is there');
  assert.equal(posted.pending, false);
  assert.equal(posted.pending_transaction_id, pending.transaction_id);
});

test('deleting a bank leaves none of its records in the table', async () => {
  const user = await newUser(stack);
  const keep = await linkAndSync(stack, user, 'ins_109508');
  const gone = await linkAndSync(stack, user, 'ins_109512');
  const itemId = gone.json.item.item_id;
  const mentions = (records) => records.filter((r) => JSON.stringify(r).includes(itemId) ||
    r.sk.S === `INST#ins_109512` && r.user_id.S === user.sub);
  const before = mentions(await scanAll());
  const kinds = new Set(before.map((r) => (r.user_id.S === '#ITEMS' ? '#ITEMS' : r.sk.S.split('#')[0])));
  for (const k of ['ITEM', 'INST', 'PUBTOKEN', 'TXN', '#ITEMS']) assert.ok(kinds.has(k), `a ${k} record exists before`);

  const del = await api(stack, 'DELETE', `/items/${itemId}`, { token: user.idToken });
  assert.equal(del.status, 204, del.text);
  await drainSyncs(stack);
  assert.deepEqual(mentions(await scanAll()), [], 'nothing of the deleted bank is left');
  const kept = (await scanAll()).filter((r) => JSON.stringify(r).includes(keep.json.item.item_id));
  assert.ok(kept.some((r) => r.sk.S.startsWith('TXN#')), 'the other bank keeps its history');
  assert.equal((await txns(user)).transactions.some((t) => t.item_id === itemId), false);
});

test('an update-mode link token can ask for account selection; without an item it is refused', async () => {
  const user = await newUser(stack);
  const bank = await linkAndSync(stack, user, 'ins_109509');
  const itemId = bank.json.item.item_id;
  const token = await api(stack, 'POST', '/link/token',
    { token: user.idToken, body: { item_id: itemId, account_selection: true } });
  assert.equal(token.status, 200, token.text);
  const done = await sim(stack, 'POST', '/sim/link/complete', { link_token: token.json.link_token,
    username: 'user_good', password: 'pass_good' });
  assert.equal(done.item_id, itemId);
  assert.equal(done.account_selection, true, 'Plaid was asked for account selection');
  const plain = await api(stack, 'POST', '/link/token', { token: user.idToken, body: { item_id: itemId } });
  const plainDone = await sim(stack, 'POST', '/sim/link/complete', { link_token: plain.json.link_token,
    username: 'user_good', password: 'pass_good' });
  assert.equal(plainDone.account_selection, false);
  for (const body of [{ account_selection: true }, { item_id: itemId, account_selection: 'yes' }]) {
    const res = await api(stack, 'POST', '/link/token', { token: user.idToken, body });
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    assert.match(res.json.error.message, /account_selection/);
  }
});

test('a webhook Plaid signed but whose body was changed is 401 and changes nothing', async () => {
  const user = await newUser(stack);
  const bank = await linkAndSync(stack, user, 'ins_109510');
  const itemId = bank.json.item.item_id;
  // A loopback receiver catches a genuine signed webhook: the item's webhook URL moves there (as Plaid's
  // WEBHOOK_UPDATE_ACKNOWLEDGED does), and the receiver keeps what it got.
  const caught = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { caught.push({ body, token: req.headers['plaid-verification'] }); res.end('{}'); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${receiver.address().port}/webhooks/plaid`;
    await sim(stack, 'POST', `/sim/items/${itemId}/webhook`,
      { webhook_type: 'ITEM', webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED', new_webhook_url: url });
    await sim(stack, 'POST', `/sim/items/${itemId}/webhook`,
      { webhook_type: 'ITEM', webhook_code: 'ERROR', error: { error_code: 'ITEM_LOGIN_REQUIRED' } });
    await simDelivered(stack);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
  const genuine = caught.find((c) => c.body.includes('ITEM_LOGIN_REQUIRED'));
  assert.ok(genuine?.token, 'the receiver caught the signed ERROR webhook');
  const records = async () => (await scanAll()).filter((r) => r.user_id.S === user.sub);
  const before = await records();

  const tampered = [
    ['another item', genuine.body.replace(itemId, `${itemId.slice(0, -1)}X`)],
    ['another code', genuine.body.replace('"ERROR"', '"LOGIN_REPAIRED"')],
    ['a byte added', `${genuine.body} `],
  ];
  for (const [what, body] of tampered) {
    assert.notEqual(body, genuine.body, what);
    const res = await api(stack, 'POST', '/webhooks/plaid',
      { body, headers: { 'content-type': 'application/json', 'plaid-verification': genuine.token } });
    assert.equal(res.status, 401, `${what}: ${res.text}`);
  }
  assert.deepEqual(await records(), before, 'nothing changed');
  const item = (await api(stack, 'GET', '/items', { token: user.idToken })).json.items.find((i) => i.item_id === itemId);
  assert.equal(item.status, 'active');

  // The untouched webhook verifies: the tampered ones failed for their change alone.
  const res = await api(stack, 'POST', '/webhooks/plaid',
    { body: genuine.body, headers: { 'content-type': 'application/json', 'plaid-verification': genuine.token } });
  assert.equal(res.status, 200, res.text);
  await drainSyncs(stack);
  const after = (await api(stack, 'GET', '/items', { token: user.idToken })).json.items.find((i) => i.item_id === itemId);
  assert.equal(after.status, 'login_required');
});

test('a webhook Plaid signed more than 5 minutes ago is 401 and changes nothing', async () => {
  const user = await newUser(stack);
  const bank = await linkAndSync(stack, user, 'ins_109512');
  const itemId = bank.json.item.item_id;
  const records = async () => (await scanAll()).filter((r) => r.user_id.S === user.sub);
  const before = await records();
  // The simulator signs its next delivery with an iat 6 minutes old (a webhook delayed, or replayed later).
  assert.equal((await sim(stack, 'POST', '/sim/webhooks/stale', { count: 1, age_s: 360 })).stale, 1);
  await sim(stack, 'POST', `/sim/items/${itemId}/webhook`,
    { webhook_type: 'ITEM', webhook_code: 'ERROR', error: { error_code: 'ITEM_LOGIN_REQUIRED' } });
  await settle(stack);
  const sent = (await simDelivered(stack)).filter((w) => w.item_id === itemId && w.webhook_code === 'ERROR');
  assert.equal(sent.at(-1)?.status, 401, 'Mynt refused the stale signature');
  assert.deepEqual(await records(), before, 'nothing changed');
  const item = (await api(stack, 'GET', '/items', { token: user.idToken })).json.items.find((i) => i.item_id === itemId);
  assert.equal(item.status, 'active');
  // The same webhook signed now is accepted: only the signature's age was wrong.
  await sim(stack, 'POST', `/sim/items/${itemId}/webhook`, { webhook_type: 'ITEM', webhook_code: 'NEW_ACCOUNTS_AVAILABLE' });
  await settle(stack);
  const fresh = (await simDelivered(stack)).filter((w) => w.item_id === itemId && w.webhook_code === 'NEW_ACCOUNTS_AVAILABLE');
  assert.equal(fresh.at(-1)?.status, 200);
});

/** No access token in the table: not in any attribute, nor inside the zlib-compressed TXN# buckets. */
async function assertNoAccessTokenStored() {
  let buckets = 0;
  for (const r of await scanAll()) {
    assert.doesNotMatch(JSON.stringify(r), ACCESS_TOKEN, `${r.user_id.S} ${r.sk.S} carries an access token`);
    if (r.sk.S.startsWith('TXN#')) {
      const text = inflateSync(Buffer.from(r.z.B, 'base64')).toString('utf8');
      assert.ok(Array.isArray(JSON.parse(text)), `${r.sk.S} holds a JSON array`);
      assert.doesNotMatch(text, ACCESS_TOKEN, `${r.sk.S} (decompressed) carries an access token`);
      buckets++;
    }
  }
  assert.ok(buckets > 0, 'the scan looked inside some TXN# buckets');
}
