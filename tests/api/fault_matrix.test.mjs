// fault_matrix.test.mjs - the fault matrix's whole-stack rows (issue #11; the per-call rows are
// tests/unit/test_fault_matrix_moto.c): Plaid faults set with the simulator's per-item knob hit the sync that a
// webhook starts through mynt-local, and GET /items and GET /transactions show the documented outcome: a transient
// 429 or 500 is retried and nothing shows; ITEM_LOGIN_REQUIRED marks the bank login_required with its error and
// keeps its history; once the bank answers again the next sync stores the change exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, newUser, sim, awsJson, finishStack, settle, linkAndSync } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(() => finishStack(stack));

async function item(user, itemId) {
  const res = await api(stack, 'GET', '/items', { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  const found = res.json.items.find((i) => i.item_id === itemId);
  assert.ok(found, 'the bank is still linked');
  return found;
}

/** transaction_id → amount_cents of what GET /transactions shows of itemId over the last year (every page); fails on
 * an id shown twice. */
async function shown(user, itemId) {
  const start = new Date(Date.now() - 365 * 86400 * 1000).toISOString().slice(0, 10);
  const out = new Map();
  for (let offset = 0; ; offset += 500) {
    const res = await api(stack, 'GET', `/transactions?start_date=${start}&end_date=${today()}&count=500&offset=${offset}`,
      { token: user.idToken });
    assert.equal(res.status, 200, res.text);
    for (const t of res.json.transactions.filter((x) => x.item_id === itemId)) {
      assert.ok(!out.has(t.transaction_id), `${t.transaction_id} is shown twice`);
      out.set(t.transaction_id, t.amount_cents);
    }
    if (res.json.transactions.length < 500) return out;
    assert.ok(offset < 20_000, 'a bounded history');
  }
}

const today = () => new Date().toISOString().slice(0, 10);

/** Adds one transaction at the simulator (its webhook starts a sync); returns its id. */
async function addAtBank(itemId, accountId, name, amount) {
  const changed = await sim(stack, 'POST', `/sim/items/${itemId}/transactions`,
    { added: [{ account_id: accountId, date: today(), name, amount }] });
  assert.equal(changed.added.length, 1);
  return changed.added[0];
}

test('a transient Plaid 429 or 500 during a webhook\'s sync is retried: the change is stored once, no error shows',
  async () => {
    const user = await newUser(stack);
    const bank = (await linkAndSync(stack, user, 'ins_109508')).json;
    const itemId = bank.item.item_id;
    for (const [status, code, amount] of [[429, 'RATE_LIMIT_EXCEEDED', 12.5], [500, 'INTERNAL_SERVER_ERROR', 13.25]]) {
      const before = await shown(user, itemId);
      await sim(stack, 'POST', `/sim/items/${itemId}/faults`, { status, error_code: code, times: 2 });
      const { next } = await sim(stack, 'GET', '/sim/requests');
      const added = await addAtBank(itemId, bank.accounts[0].account_id, `Retry ${status}`, amount);
      await settle(stack);
      const answered = (await sim(stack, 'GET', `/sim/requests?since=${next}`)).requests;
      assert.equal(answered.filter((r) => r.status === status).length, 2, `${status}: the fault was answered twice`);
      const after = await shown(user, itemId);
      assert.equal(after.get(added), Math.round(amount * 100), `${status}: the change is stored`);
      assert.equal(after.size, before.size + 1, `${status}: only the change is new`);
      const now = await item(user, itemId);
      assert.equal(now.status, 'active');
      assert.equal(now.sync.last_error, null, `${status}: the retried fault left no error`);
      await sim(stack, 'DELETE', `/sim/items/${itemId}/faults`);
    }
  });

test('ITEM_LOGIN_REQUIRED during a sync marks the bank login_required and keeps its history; the repaired bank '
  + 'catches up without losing or duplicating a transaction', async () => {
  const user = await newUser(stack);
  const bank = (await linkAndSync(stack, user, 'ins_109509')).json;
  const itemId = bank.item.item_id;
  const before = await shown(user, itemId);
  assert.ok(before.size > 0);
  await sim(stack, 'POST', `/sim/items/${itemId}/faults`, { error_code: 'ITEM_LOGIN_REQUIRED', times: 0 });
  const added = await addAtBank(itemId, bank.accounts[0].account_id, 'After login', 8.75);
  await settle(stack);
  const broken = await item(user, itemId);
  assert.equal(broken.status, 'login_required');
  assert.equal(broken.sync.status, 'error');
  assert.equal(broken.sync.last_error, 'ITEM_LOGIN_REQUIRED');
  assert.deepEqual(await shown(user, itemId), before, 'the failed sync changed nothing stored');

  // The login is repaired at the bank; the daily schedule (the item is made stale) syncs it again.
  await sim(stack, 'DELETE', `/sim/items/${itemId}/faults`);
  await awsJson(stack, 'DynamoDB_20120810.UpdateItem', { TableName: stack.table,
    Key: { user_id: { S: user.sub }, sk: { S: `ITEM#${itemId}` } },
    UpdateExpression: 'SET #s.#l = :t', ConditionExpression: 'attribute_exists(sk)',
    ExpressionAttributeNames: { '#s': 'sync', '#l': 'last_synced_at' },
    ExpressionAttributeValues: { ':t': { S: new Date(Date.now() - 25 * 3600 * 1000).toISOString()
      .replace(/\.\d{3}Z$/, 'Z') } } }, '1.0');
  const fired = await fetch(`${stack.api_url}/_local/schedules/DailySyncSchedule`, { method: 'POST' });
  assert.equal(fired.status, 202, await fired.text());
  await settle(stack);
  const repaired = await item(user, itemId);
  assert.equal(repaired.status, 'active');
  assert.equal(repaired.sync.last_error, null);
  const after = await shown(user, itemId);
  assert.equal(after.get(added), 875);
  assert.equal(after.size, before.size + 1);
  for (const [id, amount] of before) assert.equal(after.get(id), amount, `${id} kept its amount`);
});
