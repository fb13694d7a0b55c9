// bank_sync.test.mjs - the bank states of issue #8 end to end in a real browser, nothing stubbed: a bank linked
// through Link reads "Syncing" until Plaid (the simulator) has its transactions, then they appear; Refresh answers
// 202 then 429; and each ITEM webhook the simulator sends (signed, verified by the API) shows on the card with its
// action. Needs the sync function, POST /items/{id}/sync, POST /webhooks/plaid and the simulator's webhooks: without
// them (the route table says) the tests are skipped with that reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapRouteKeys } from '../api/helpers/stack.mjs';
import { openPage, screenshot } from './helpers/browser.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import {
  newEmail, signUpAndConfirm, transactionsSettled, tableRows, simSend, simTransactions, drainSyncs, webhookDelivered,
  lastWebhookId, comeBack,
} from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';
import { REFRESHED_RECENTLY } from '../../web/js/views/banks-panel.js';

const routes = bootstrapRouteKeys();
const missing = ['POST /items/{item_id}/sync', 'POST /webhooks/plaid'].filter((r) => !routes.includes(r));
const skip = missing.length ? `the backend has no ${missing.join(' or ')} yet` : false;

useStackAndBrowser();

const drain = () => drainSyncs(stack);
const delivered = (itemId, code, after) => webhookDelivered(stack, itemId, code, after);
const logged = () => lastWebhookId(stack);

/**
 * Signs a new person up in w's page and links institution through the Link stand-in, with the simulator told
 * (before Mynt sees the item) to hold the item's transactions back (history "none"). Returns {itemId, name}.
 */
async function linkHeldBank(w, institution) {
  const { page } = w;
  await page.goto(`${stack.api_url}/`);
  await signUpAndConfirm(page, newEmail('sync'));
  let simItem = null;
  let lastItems = null;
  page.on('response', async (res) => {
    if (res.request().method() === 'GET' && new URL(res.url()).pathname === '/items' && res.ok()) {
      lastItems = await res.json().catch(() => lastItems);
    }
  });
  await page.route(`${stack.plaid_url}/sim/link/complete`, async (route) => {
    const res = await route.fetch();
    const json = await res.json();
    if (json.item_id) {
      simItem = json.item_id;
      await simSend(stack, 'POST', `/sim/items/${simItem}/sync`, { history: 'none' });
    }
    await route.fulfill({ response: res, json });
  });
  await page.getByRole('button', { name: 'Connect a bank' }).click();
  await page.getByRole('dialog', { name: 'Select your bank' }).getByRole('button', { name: institution }).click();
  await page.getByRole('dialog', { name: `Log in to ${institution}` }).getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('status').filter({ hasText: `${institution} is connected.` }).waitFor();
  const card = page.locator('article.bank', { has: page.getByRole('heading', { name: institution }) });
  const itemId = await card.getAttribute('data-item-id');
  assert.ok(simItem && itemId, 'linked');
  const read = await page.waitForResponse((r) => new URL(r.url()).pathname === '/items' && r.request().method() === 'GET',
    { timeout: 10_000 }).catch(() => null);
  if (read?.ok()) lastItems = await read.json();
  const hasSync = Boolean(lastItems?.items?.find((i) => i.item_id === itemId)?.sync);
  return { itemId, name: institution, card, hasSync };
}

const NO_SYNC_JSON = 'GET /items carries no sync state yet (the contract\'s item JSON)';

test('a bank linked through Link reads "Syncing" until Plaid has its transactions, which then appear by themselves', { skip, timeout: 240_000 }, async (t) => {
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    const { itemId, name, card, hasSync } = await linkHeldBank(w, 'First Platypus Bank');
    if (!hasSync) { t.skip(NO_SYNC_JSON); return; }
    await drain();
    await card.getByText('Syncing your transactions\u2026').waitFor();
    await page.locator('#tx-sync-note').filter({ hasText: `Still syncing ${name}` }).waitFor();
    assert.equal((await tableRows(page)).length, 0, 'nothing stored yet');
    await assertAccessible(page, 'a bank whose first sync waits for Plaid');

    // Plaid has the first 30 days: it sends SYNC_UPDATES_AVAILABLE, the API syncs, the page notices without a reload.
    const before = await logged();
    await simSend(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'initial' });
    await delivered(itemId, 'SYNC_UPDATES_AVAILABLE', before);
    await drain();
    await card.getByText('First 30 days in, older history still coming.').waitFor({ timeout: 15_000 });
    await page.locator('#transactions tbody tr.tx').first().waitFor({ timeout: 15_000 });
    await transactionsSettled(page);
    const truth = new Set((await simTransactions(stack, [itemId])).map((t) => t.transaction_id));
    const rows = await tableRows(page);
    assert.ok(rows.length > 0);
    for (const r of rows) assert.ok(truth.has(r.id), `row ${r.id} is one of the simulator's transactions`);
    await screenshot(page, 'bank-sync-initial');

    const again = await logged();
    await simSend(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'complete' });
    await delivered(itemId, 'SYNC_UPDATES_AVAILABLE', again);
    await drain();
    await page.locator('#tx-sync-note').waitFor({ state: 'hidden', timeout: 15_000 });
    await card.getByText(/^Updated /).waitFor();
    await transactionsSettled(page);
    assert.equal((await tableRows(page)).length, 100);
  });
});

test('Refresh asks the API for a sync (202, then updated); a second one within a minute is refused (429)', { skip, timeout: 180_000 }, async (t) => {
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    const { name, card, hasSync } = await linkHeldBank(w, 'Tartan Bank');
    if (!hasSync) { t.skip(NO_SYNC_JSON); return; }
    await page.unroute(`${stack.plaid_url}/sim/link/complete`);
    await simSend(stack, 'POST', `/sim/items/${await card.getAttribute('data-item-id')}/sync`, { history: 'complete' });
    await drain();
    await card.getByText(/^Updated /).waitFor({ timeout: 30_000 });
    const refresh = card.getByRole('button', { name: `Refresh ${name}` });
    const accepted = page.waitForResponse((r) => r.url().endsWith('/sync') && r.request().method() === 'POST');
    await refresh.click();
    assert.equal((await accepted).status(), 202);
    await drain();
    await card.getByText('Updated just now').waitFor({ timeout: 15_000 });
    w.expectStatus(429);
    const refused = page.waitForResponse((r) => r.url().endsWith('/sync') && r.request().method() === 'POST');
    await card.getByRole('button', { name: `Refresh ${name}` }).click();
    assert.equal((await refused).status(), 429);
    await card.getByText(REFRESHED_RECENTLY).waitFor();
  });
});

/** The ITEM webhooks and what the card shows after each (they follow one another on one bank). */
const WEBHOOKS = [
  { code: 'ERROR', body: { error: { error_code: 'ITEM_LOGIN_REQUIRED' } }, badge: 'Needs sign-in', button: (n) => `Sign in to ${n} again` },
  { code: 'LOGIN_REPAIRED', badge: 'Connected', button: (n) => `Refresh ${n}` },
  { code: 'PENDING_DISCONNECT', badge: 'Expires soon', says: (n) => `Access to ${n} expires soon \u2014 reconnect`, button: (n) => `Reconnect ${n}` },
  { code: 'NEW_ACCOUNTS_AVAILABLE', says: () => 'New accounts found \u2014 choose which to share', button: (n) => `Choose accounts at ${n}` },
  { code: 'USER_PERMISSION_REVOKED', badge: 'Access revoked', says: () => 'Access was revoked at your bank \u2014 remove it or connect again', button: (n) => `Remove ${n}` },
];

test('each ITEM webhook Plaid sends shows on the bank\'s card with the action it calls for', { skip, timeout: 240_000 }, async (t) => {
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    const { itemId, name, card, hasSync } = await linkHeldBank(w, 'Houndstooth Bank');
    if (!hasSync) { t.skip(NO_SYNC_JSON); return; }
    await simSend(stack, 'POST', `/sim/items/${itemId}/sync`, { history: 'complete' });
    await drain();
    for (const hook of WEBHOOKS) {
      const before = await logged();
      await simSend(stack, 'POST', `/sim/items/${itemId}/webhook`, { webhook_type: 'ITEM', webhook_code: hook.code, ...(hook.body ?? {}) });
      await delivered(itemId, hook.code, before);
      await drain();
      // The page stays open: the person comes back to it (the window regains focus) and the card shows the change.
      await comeBack(page);
      if (hook.badge) await card.locator('.badge', { hasText: hook.badge }).waitFor();
      if (hook.says) await card.getByText(hook.says(name)).waitFor();
      await card.getByRole('button', { name: hook.button(name) }).waitFor();
      await screenshot(page, `bank-sync-webhook-${hook.code.toLowerCase()}`);
    }
  });
});
