// webhooks.test.mjs - POST /webhooks/plaid on the local stack: unverified webhooks are 401 and change nothing;
// webhooks the simulator signs as Plaid does change the item (and start syncs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { startStack, api, newUser, sim, awsJson, finishStack, settle, simDelivered, linkAndSync }
  from './helpers/stack.mjs';

// Plaid-signed webhooks come from the simulator (/sim/items/{item_id}/webhook and .../transactions send them to the
// link token's webhook URL) and the syncs they start run on mynt-local's Invoke (drained with /_local/drain).

let stack;
before(async () => { stack = await startStack(); });
after(() => finishStack(stack));

const b64url = (data) => Buffer.from(data).toString('base64url');

/** A body as Plaid sends it: 2-space indented JSON. */
function plaidBody(fields) {
  return JSON.stringify({ environment: 'sandbox', error: null, ...fields }, null, 2);
}

/** A compact JWS over header and claims signed ES256 (r || s) with privateKey. */
function es256(privateKey, header, claims) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(sig)}`;
}

const sha256hex = (text) => createHash('sha256').update(text).digest('hex');

async function postWebhook(body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token !== undefined) headers['plaid-verification'] = token;
  return api(stack, 'POST', '/webhooks/plaid', { body, headers });
}

/** Every record of the user's partition and the item's #ITEMS record, read from the table. */
async function records(sub, itemId) {
  const mine = await awsJson(stack, 'DynamoDB_20120810.Query', { TableName: stack.table, ConsistentRead: true,
    KeyConditionExpression: 'user_id = :u', ExpressionAttributeValues: { ':u': { S: sub } } }, '1.0');
  const owner = await awsJson(stack, 'DynamoDB_20120810.GetItem', { TableName: stack.table, ConsistentRead: true,
    Key: { user_id: { S: '#ITEMS' }, sk: { S: `ITEM#${itemId}` } } }, '1.0');
  return { mine: mine.Items, owner: owner.Item ?? null };
}

async function itemOf(user, itemId) {
  const res = await api(stack, 'GET', '/items', { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  return res.json.items.find((i) => i.item_id === itemId);
}

test('an unsigned or forged webhook is 401 and changes nothing', async () => {
  const user = await newUser(stack);
  // The link's own sync is over before the snapshot: from its start it writes the item (its lease).
  const linked = await linkAndSync(stack, user, 'ins_109508');
  const itemId = linked.json.item.item_id;
  const body = plaidBody({ webhook_type: 'ITEM', webhook_code: 'ERROR', item_id: itemId,
    error: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'x', status: 400 } });
  const now = Math.floor(Date.now() / 1000);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const claims = { iat: now, request_body_sha256: sha256hex(body) };
  const forged = es256(privateKey, { alg: 'ES256', kid: 'a-kid-plaid-never-issued', typ: 'JWT' }, claims);
  const cases = {
    'no Plaid-Verification header': [body, undefined],
    'not a JWS': [body, 'not-a-token'],
    'alg none': [body, `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`],
    'signed by a key Plaid does not have': [body, forged],
    'alg HS256': [body, `${b64url(JSON.stringify({ alg: 'HS256', kid: 'k', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.${b64url('0'.repeat(32))}`],
  };
  // Stale and tampered tokens signed with Plaid's own key: tests/api/sync.test.mjs (and test_handlers_webhooks_moto.c).
  const before = await records(user.sub, itemId);
  for (const [what, [sent, token]] of Object.entries(cases)) {
    const res = await postWebhook(sent, token);
    assert.equal(res.status, 401, `${what}: ${res.text}`);
    assert.equal(res.json.error.code, 'unauthorized', what);
  }
  assert.deepEqual(await records(user.sub, itemId), before);
  assert.equal((await itemOf(user, itemId)).status, 'active');
});

test('webhooks Plaid signs set the item status; a replay is harmless', async () => {
    const user = await newUser(stack);
    const linked = await linkAndSync(stack, user, 'ins_109511');
    const itemId = linked.json.item.item_id;
    const steps = [
      [{ webhook_type: 'ITEM', webhook_code: 'ERROR', error: { error_code: 'ITEM_LOGIN_REQUIRED' } },
        { status: 'login_required' }],
      [{ webhook_type: 'ITEM', webhook_code: 'LOGIN_REPAIRED' }, { status: 'active' }],
      [{ webhook_type: 'ITEM', webhook_code: 'PENDING_EXPIRATION' }, { status: 'expiring' }],
      [{ webhook_type: 'ITEM', webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED' }, { status: 'expiring' }],
      [{ webhook_type: 'ITEM', webhook_code: 'USER_PERMISSION_REVOKED' }, { status: 'revoked' }],
    ];
    for (const [webhook, want] of steps) {
      for (let i = 0; i < 2; i++) { // the second is a replay of the same webhook: the same state
        await sim(stack, 'POST', `/sim/items/${itemId}/webhook`, webhook);
        await settle(stack);
        const sent = (await simDelivered(stack)).filter((w) => w.item_id === itemId && w.webhook_code === webhook.webhook_code);
        assert.equal(sent.at(-1)?.status, 200, `${webhook.webhook_code}: Mynt answered ${sent.at(-1)?.status}`);
        const item = await itemOf(user, itemId);
        for (const [k, v] of Object.entries(want)) assert.equal(item[k], v, `${webhook.webhook_code}: ${k}`);
      }
    }
  });

test('a signed NEW_ACCOUNTS_AVAILABLE sets the item\'s flag', async () => {
  const user = await newUser(stack);
  const linked = await linkAndSync(stack, user, 'ins_109512');
  const itemId = linked.json.item.item_id;
  assert.equal((await itemOf(user, itemId)).new_accounts_available, false);
  await sim(stack, 'POST', `/sim/items/${itemId}/webhook`, { webhook_type: 'ITEM', webhook_code: 'NEW_ACCOUNTS_AVAILABLE' });
  await settle(stack);
  const item = await itemOf(user, itemId);
  assert.equal(item.new_accounts_available, true);
  assert.equal(item.status, 'active');
});

test('a signed SYNC_UPDATES_AVAILABLE brings the simulator\'s new transaction into GET /transactions',
  async () => {
    const user = await newUser(stack);
    const linked = await linkAndSync(stack, user, 'ins_109510');
    const itemId = linked.json.item.item_id;
    const accountId = linked.json.accounts[0].account_id;
    const today = new Date().toISOString().slice(0, 10);
    // The simulator changes the item's data, then sends SYNC_UPDATES_AVAILABLE signed as Plaid does.
    const changed = await sim(stack, 'POST', `/sim/items/${itemId}/transactions`, { added: [{
      account_id: accountId, date: today, name: 'Webhook Coffee', amount: 4.25 }] });
    assert.equal(changed.added.length, 1);
    await settle(stack);
    const sent = (await simDelivered(stack)).filter((w) => w.item_id === itemId && w.webhook_code === 'SYNC_UPDATES_AVAILABLE');
    assert.equal(sent.at(-1)?.status, 200);
    const res = await api(stack, 'GET', '/transactions', { token: user.idToken });
    assert.equal(res.status, 200, res.text);
    const got = res.json.transactions.find((t) => t.transaction_id === changed.added[0]);
    assert.ok(got, 'the transaction added at the simulator arrived through the webhook and the sync');
    assert.equal(got.amount_cents, 425);
  });
