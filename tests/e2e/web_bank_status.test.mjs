// web_bank_status.test.mjs - the web app's bank states under Node: what each item status and sync state says and
// offers, "updated … ago", the transactions note while syncing, the bounded watch while banks sync, and the API calls
// behind Refresh and account selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bankStatus, syncErrorText, stillSyncing, syncProgressed, transactionsSyncNote } from '../../web/js/bank-status.js';
import { relativeTime } from '../../web/js/format.js';
import { createSyncWatch } from '../../web/js/sync-watch.js';
import { createApi, ApiError } from '../../web/js/api.js';

const NOW = new Date('2026-05-10T12:00:00Z');
const minutesAgo = (m) => new Date(NOW.getTime() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** An item as the API answers it (contract "Item JSON"), with overrides. */
function item(over = {}, sync = {}) {
  return {
    item_id: 'item-1', institution_id: 'ins_109508', institution_name: 'First Platypus Bank', status: 'active',
    created_at: '2026-05-01T00:00:00Z', new_accounts_available: false,
    sync: { status: 'synced', last_synced_at: minutesAgo(5), history_complete: true, last_error: null, ...sync },
    ...over,
  };
}
const types = (st) => st.actions.map((a) => a.type);

test('a bank whose first sync runs says it is syncing and offers nothing to press but Remove', () => {
  const st = bankStatus(item({}, { status: 'syncing', last_synced_at: null, history_complete: false }), NOW);
  assert.equal(st.kind, 'syncing');
  assert.equal(st.message, 'Syncing your transactions\u2026');
  assert.equal(st.badge, 'Syncing');
  assert.deepEqual(types(st), []);
});

test('a synced bank says when it was updated and offers Refresh; history still coming is said too', () => {
  const st = bankStatus(item(), NOW);
  assert.equal(st.kind, 'synced');
  assert.equal(st.message, 'Updated 5 minutes ago');
  assert.equal(st.detail, null);
  assert.deepEqual(types(st), ['refresh']);
  assert.equal(st.badge, 'Connected');
  const partial = bankStatus(item({}, { history_complete: false, last_synced_at: minutesAgo(0.2) }), NOW);
  assert.equal(partial.message, 'Updated just now');
  assert.equal(partial.detail, 'First 30 days in, older history still coming.');
  assert.deepEqual(types(partial), ['refresh']);
});

test('a failed sync says what went wrong in plain words, when it last worked, and offers Refresh', () => {
  const st = bankStatus(item({}, { status: 'error', last_error: 'RATE_LIMIT_EXCEEDED', last_synced_at: minutesAgo(120) }), NOW);
  assert.equal(st.kind, 'error');
  assert.equal(st.message, 'The last update failed: Your bank is limiting how often Mynt can read it.');
  assert.match(st.detail, /^Last updated 2 hours ago\./);
  assert.deepEqual(types(st), ['refresh']);
  assert.notEqual(st.tone, 'ok');
  const odd = bankStatus(item({}, { status: 'error', last_error: 'SOMETHING_NEW', last_synced_at: null }), NOW);
  assert.ok(!odd.message.includes('SOMETHING_NEW'), 'an unknown code never reaches the person raw');
  assert.equal(odd.message, 'The last update failed: Something went wrong while reading your bank.');
  assert.equal(syncErrorText('timeout'), 'Reading your bank took too long.');
  assert.equal(syncErrorText(null), null);
});

test('each item status names the action it calls for', () => {
  const login = bankStatus(item({ status: 'login_required' }), NOW);
  assert.equal(login.badge, 'Needs sign-in');
  assert.deepEqual(login.actions, [{ type: 'reconnect', label: 'Sign in to First Platypus Bank again' }]);

  const expiring = bankStatus(item({ status: 'expiring' }), NOW);
  assert.equal(expiring.message, 'Access to First Platypus Bank expires soon \u2014 reconnect');
  assert.deepEqual(types(expiring), ['reconnect']);

  const revoked = bankStatus(item({ status: 'revoked' }), NOW);
  assert.equal(revoked.message, 'Access was revoked at your bank \u2014 remove it or connect again');
  assert.deepEqual(types(revoked), ['remove'], 'no Refresh for a bank that cannot be read');

  const fresh = bankStatus(item({ new_accounts_available: true }), NOW);
  assert.equal(fresh.detail, 'New accounts found \u2014 choose which to share');
  assert.deepEqual(types(fresh), ['select_accounts', 'refresh']);
  const expiringNew = bankStatus(item({ status: 'expiring', new_accounts_available: true }), NOW);
  assert.deepEqual(types(expiringNew), ['reconnect', 'select_accounts']);
  assert.ok(expiringNew.detail.startsWith('New accounts found \u2014 choose which to share'),
    `an expiring bank with new accounts says why it offers Choose accounts: ${expiringNew.detail}`);

  for (const st of [login, expiring, revoked, fresh]) {
    assert.ok(st.badge && st.message, 'said in words, not by colour alone');
  }
  assert.equal(new Set([login, expiring, revoked, fresh, bankStatus(item(), NOW)].map((s) => s.badge)).size, 4,
    'the new-accounts bank is still connected; every other state has its own badge');
});

test('an item from an API without sync information reads as connected, with no Refresh it could not answer', () => {
  const { sync, ...old } = item();
  assert.ok(sync);
  const st = bankStatus(old, NOW);
  assert.equal(st.kind, 'synced');
  assert.equal(st.message, null, 'the badge alone says it: no "Connected" twice');
  assert.equal(st.badge, 'Connected');
  assert.deepEqual(types(st), []);
  assert.equal(stillSyncing(old), false);
});

test('relative times read like a person says them', () => {
  assert.equal(relativeTime(minutesAgo(0.5), NOW, 'en-US'), 'just now');
  assert.equal(relativeTime(minutesAgo(1), NOW, 'en-US'), '1 minute ago');
  assert.equal(relativeTime(minutesAgo(59), NOW, 'en-US'), '59 minutes ago');
  assert.equal(relativeTime(minutesAgo(180), NOW, 'en-US'), '3 hours ago');
  assert.equal(relativeTime(minutesAgo(26 * 60), NOW, 'en-US'), 'yesterday');
  assert.equal(relativeTime(minutesAgo(3 * 24 * 60), NOW, 'en-US'), '3 days ago');
  assert.equal(relativeTime('2026-03-02T08:00:00Z', NOW, 'en-US'), 'on Mar 2, 2026');
  assert.equal(relativeTime(minutesAgo(-1), NOW, 'en-US'), 'just now', 'a clock a little ahead is not "in 1 minute"');
  assert.equal(relativeTime(null, NOW), null);
  assert.equal(relativeTime('yesterday', NOW), null);
});

test('banks still bringing history in are watched; a finished, failed or signed-out bank is not', () => {
  assert.equal(stillSyncing(item({}, { status: 'syncing' })), true);
  assert.equal(stillSyncing(item({}, { history_complete: false })), true);
  assert.equal(stillSyncing(item()), false);
  assert.equal(stillSyncing(item({}, { status: 'error', history_complete: false, last_error: 'timeout' })), false);
  assert.equal(stillSyncing(item({ status: 'login_required' }, { status: 'syncing' })), false);
});

test('new data is noticed when a sync saved something, not when nothing moved', () => {
  const a = [item(), item({ item_id: 'item-2' }, { status: 'syncing', last_synced_at: null })];
  assert.equal(syncProgressed(a, structuredClone(a)), false);
  const done = structuredClone(a);
  done[1].sync = { ...done[1].sync, status: 'synced', last_synced_at: minutesAgo(0) };
  assert.equal(syncProgressed(a, done), true);
  const history = structuredClone(a);
  history[0].sync.history_complete = false;
  assert.equal(syncProgressed(a, history), true);
  assert.equal(syncProgressed(a, a.slice(0, 1)), true, 'a bank removed elsewhere');
});

test('the transactions list names the banks still syncing', () => {
  assert.equal(transactionsSyncNote([item()]), null);
  assert.equal(transactionsSyncNote([item({}, { status: 'syncing' })]),
    'Still syncing First Platypus Bank: its transactions appear here as they arrive.');
  const two = [item({}, { status: 'syncing' }), item({ item_id: 'b', institution_name: 'Tartan Bank' }, { history_complete: false })];
  assert.equal(transactionsSyncNote(two), 'Still syncing First Platypus Bank: its transactions appear here as they arrive. '
    + 'Tartan Bank: the last 30 days are in, older history is still coming.');
});

/** Timers driven by hand: run() fires the pending one. */
function manualClock() {
  let t = 0;
  let pending = null;
  return {
    now: () => t,
    setTimer: (fn, ms) => { pending = { fn, at: t + ms }; return pending; },
    clearTimer: (p) => { if (pending === p) pending = null; },
    async run() {
      const p = pending;
      assert.ok(p, 'a tick is scheduled');
      pending = null;
      t = p.at;
      await p.fn();
    },
    pending: () => pending,
  };
}

test('the watch re-reads the banks while one syncs and stops once none does', async () => {
  const clock = manualClock();
  const answers = [[item({}, { status: 'syncing' })], [item({}, { status: 'syncing' })], [item()]];
  const seen = [];
  let stops = 0;
  const watch = createSyncWatch({
    readItems: async () => answers.shift(), onItems: (items) => seen.push(items[0].sync.status),
    wanted: (items) => items.some(stillSyncing), onStop: () => { stops += 1; }, intervalMs: 3000, maxMs: 60_000, ...clock,
  });
  watch.start();
  assert.equal(watch.running(), true);
  await clock.run();
  await clock.run();
  await clock.run();
  assert.deepEqual(seen, ['syncing', 'syncing', 'synced']);
  assert.equal(clock.pending(), null, 'no more reads');
  assert.equal(watch.running(), false);
  assert.equal(stops, 1);
  assert.equal(clock.now(), 9000);
});

test('the watch is bounded in time, survives a failed read and ends as soon as the view is left', async () => {
  const clock = manualClock();
  let reads = 0;
  let fail = true;
  const watch = createSyncWatch({
    readItems: async () => { reads += 1; if (fail) { fail = false; throw new ApiError(0, 'network', ''); } return [item({}, { status: 'syncing' })]; },
    onItems: () => {}, wanted: () => true, intervalMs: 3000, maxMs: 10_000, ...clock,
  });
  watch.start();
  while (clock.pending()) await clock.run();
  assert.equal(reads, 3, 'reads at 3 s, 6 s and 9 s, then the 10 s bound');
  assert.ok(clock.now() <= 12_000);
  assert.equal(watch.running(), false);

  let onScreen = true;
  let reads2 = 0;
  const left = createSyncWatch({
    readItems: async () => { reads2 += 1; return [item({}, { status: 'syncing' })]; },
    onItems: () => {}, wanted: () => true, active: () => onScreen, intervalMs: 3000, maxMs: 60_000, ...clock,
  });
  left.start();
  await clock.run();
  onScreen = false;
  await clock.run();
  assert.equal(reads2, 1, 'no read once the view is gone');
  assert.equal(clock.pending(), null);
});

test('starting the watch again restarts its bound and keeps one timer', async () => {
  const clock = manualClock();
  let reads = 0;
  const watch = createSyncWatch({
    readItems: async () => { reads += 1; return []; }, onItems: () => {}, wanted: () => true, intervalMs: 3000, maxMs: 7000, ...clock,
  });
  watch.start();
  await clock.run();
  await clock.run();
  watch.start();
  const first = clock.pending();
  watch.start();
  assert.notEqual(clock.pending(), first, 'the earlier timer was replaced');
  while (clock.pending()) await clock.run();
  assert.equal(reads, 4, 'two reads, then two more within the new 7 s');
});

test('Refresh posts to the item\'s sync route; account selection asks for update mode with it', async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    const path = new URL(url).pathname;
    if (path === '/items/item%2F1/sync') return { ok: false, status: 429, json: async () => ({ error: { code: 'rate_limited', message: 'm' } }) };
    if (path.endsWith('/sync')) return { ok: true, status: 202, json: async () => ({ item: item({}, { status: 'syncing' }) }) };
    return { ok: true, status: 200, json: async () => ({ link_token: 'link-sandbox-1' }) };
  };
  const api = createApi({ baseUrl: 'http://api.local', token: async () => 'tok', onUnauthorized: () => {}, fetchImpl });
  const out = await api.syncItem('item-1');
  assert.equal(out.item.sync.status, 'syncing');
  assert.equal(calls[0].url, 'http://api.local/items/item-1/sync');
  assert.equal(calls[0].init.method, 'POST');
  const refused = await api.syncItem('item/1').catch((e) => e);
  assert.ok(refused instanceof ApiError);
  assert.equal(refused.status, 429);
  await api.linkToken('item-1', { accountSelection: true });
  assert.deepEqual(JSON.parse(calls[2].init.body), { item_id: 'item-1', account_selection: true });
  await api.linkToken('item-1');
  assert.deepEqual(JSON.parse(calls[3].init.body), { item_id: 'item-1' });
  await api.linkToken();
  assert.deepEqual(JSON.parse(calls[4].init.body), {});
});
