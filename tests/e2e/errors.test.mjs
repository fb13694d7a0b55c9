// errors.test.mjs - what a person sees when things go wrong: Plaid rate limits and outages (the simulator's fault
// knobs) as a bank's failed update with Refresh, a bank that needs signing in again (a signed ITEM webhook; Link's
// update mode restores it), a cancelled or failed Link, and an ended session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, linkBank } from '../api/helpers/stack.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import {
  signIn, transactionsSettled, tableRows, simSend, simGet, simAccounts, bankIds, bankSynced, simToday, daysBefore, showRange,
  simTransactions, allPages, sendWebhook, drainSyncs, comeBack,
} from './helpers/app.mjs';
import { REFRESHED_RECENTLY } from '../../web/js/views/banks-panel.js';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';

useStackAndBrowser();

/** A user with one linked bank (linked through the API), signed in on a fresh page showing the dashboard. */
async function signedInWithBank(institution = 'ins_109508') {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user, institution);
  assert.equal(linked.status, 201, linked.text);
  const w = await openPage(browser, stack);
  await w.page.goto(`${stack.api_url}/`);
  await signIn(w.page, user.email);
  await w.page.getByRole('heading', { name: 'Your money' }).waitFor();
  return { ...w, user, itemId: linked.json.item.item_id };
}

const fault = (itemId, body) => simSend(stack, 'POST', `/sim/items/${itemId}/faults`, body);
const clearFault = (itemId) => simSend(stack, 'DELETE', `/sim/items/${itemId}/faults`);

/** The card of itemId (whatever state it is drawn in) and its bank's name. */
async function bankCard(page, itemId) {
  const card = page.locator(`article.bank[data-item-id="${itemId}"]`);
  return { card, name: (await card.locator('h3').textContent()).trim() };
}

/** Presses Refresh on the card and returns the API's status for the POST /items/{id}/sync it sent. */
async function pressRefresh(page, card, name) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/sync'));
  await card.getByRole('button', { name: `Refresh ${name}` }).click();
  return (await answer).status();
}

// Plaid is called only by the background sync now: its faults show on the bank's card as a failed update (with
// Refresh), while the stored accounts and transactions stay readable.
test('Plaid rate limiting shows on the bank as a failed update, in plain words with Refresh; a later Refresh brings it back', { timeout: 240_000 }, async () => {
  await onPage(await signedInWithBank(), async (w) => {
    const { page, itemId } = w;
    await bankSynced(page, itemId);
    const { card, name } = await bankCard(page, itemId);
    await fault(itemId, { status: 429 });
    assert.equal(await pressRefresh(page, card, name), 202);
    const asked = Date.now();
    await card.getByText('Syncing your transactions\u2026').waitFor();
    // The sync retries Plaid for a while (SYNC_PLAID_CALL_MS), then records the error.
    await card.locator('.bank-message', { hasText: 'The last update failed: Your bank is limiting how often Mynt can read it.' })
      .waitFor({ timeout: 90_000 });
    await card.locator('.badge-warn', { hasText: 'Update failed' }).waitFor();
    await card.getByText(/^Last updated .*Try Refresh, or Mynt tries again by itself later\.$/).waitFor();
    assert.equal((await tableRows(page)).length, 100, 'the stored transactions stay on screen');
    assert.equal(await page.locator('#transactions').getByRole('alert').count(), 0, 'the table itself is not in error');
    await assertAccessible(page, 'a bank whose last update was rate limited');
    await screenshot(page, 'errors-rate-limited');

    // Trying again at once is Mynt's own once-a-minute limit, said on the card.
    w.expectStatus(429);
    assert.equal(await pressRefresh(page, card, name), 429);
    await card.getByText(REFRESHED_RECENTLY).waitFor();

    // Once the limit at Plaid has passed (and a minute since the last refresh), Refresh works again.
    await clearFault(itemId);
    await sleep(Math.max(0, asked + 61_000 - Date.now()));
    assert.equal(await pressRefresh(page, card, name), 202);
    await card.locator('.bank-message', { hasText: 'Updated just now' }).waitFor({ timeout: 60_000 });
    await card.locator('.badge-ok', { hasText: 'Connected' }).waitFor();
    assert.equal(await card.getByText('The last update failed').count(), 0);
    assert.equal(await card.getByText(REFRESHED_RECENTLY).count(), 0);
    await transactionsSettled(page);
    assert.equal((await tableRows(page)).length, 100);
  });
});

test('a Plaid outage shows on the bank in plain words while its transactions stay readable; Plaid\'s next update brings it back', { timeout: 180_000 }, async () => {
  await onPage(await signedInWithBank('ins_109510'), async (w) => {
    const { page, itemId } = w;
    try {
      await bankSynced(page, itemId);
      const { card, name } = await bankCard(page, itemId);
      await fault(itemId, { status: 500 });
      assert.equal(await pressRefresh(page, card, name), 202);
      await card.locator('.bank-message', { hasText: 'The last update failed: Plaid, which connects Mynt to your bank, had a problem.' })
        .waitFor({ timeout: 90_000 });
      await card.getByRole('button', { name: `Refresh ${name}` }).waitFor();
      // The transactions come from Mynt's own store: a date range still reads while Plaid is down.
      const today = await simToday(stack);
      const start = daysBefore(today, 30);
      await showRange(page, start, today);
      assert.equal(await page.locator('#transactions').getByRole('alert').count(), 0);
      const truth = await simTransactions(stack, [itemId], start, today);
      assert.deepEqual(new Set((await allPages(page)).map((r) => r.id)), new Set(truth.map((t) => t.transaction_id)));
      await screenshot(page, 'errors-outage');

      // Plaid is back and says it has updates (a signed SYNC_UPDATES_AVAILABLE): the API syncs, the card recovers.
      await clearFault(itemId);
      await sendWebhook(stack, itemId, {
        webhook_type: 'TRANSACTIONS', webhook_code: 'SYNC_UPDATES_AVAILABLE', initial_update_complete: true, historical_update_complete: true,
      });
      await drainSyncs(stack);
      await comeBack(page);
      await card.locator('.badge-ok', { hasText: 'Connected' }).waitFor({ timeout: 15_000 });
      await card.locator('.bank-message', { hasText: /^Updated / }).waitFor();
      assert.equal(await card.getByText('The last update failed').count(), 0);
    } finally {
      await clearFault(itemId);
    }
  });
});

test('a bank that needs signing in again (Plaid\'s ITEM webhook) offers to sign in, which runs Link in update mode and restores the bank', { timeout: 180_000 }, async () => {
  await onPage(await signedInWithBank('ins_109509'), async (w) => {
    const { page, itemId } = w;
    await bankSynced(page, itemId);
    const { card, name } = await bankCard(page, itemId);
    assert.equal(name, 'First Gingham Credit Union');
    // The bank asks its customer to sign in again: Plaid refuses the item and says so with a signed webhook.
    await fault(itemId, { error_code: 'ITEM_LOGIN_REQUIRED' });
    await sendWebhook(stack, itemId, { webhook_type: 'ITEM', webhook_code: 'ERROR', error: { error_code: 'ITEM_LOGIN_REQUIRED' } });
    await comeBack(page);
    await card.locator('.badge-warn', { hasText: 'Needs sign-in' }).waitFor({ timeout: 15_000 });
    await card.getByText(`${name} asks you to sign in again. Until you do, Mynt cannot update it.`).waitFor();
    const signIn = card.getByRole('button', { name: `Sign in to ${name} again` });
    await signIn.waitFor();
    assert.equal(await card.getByRole('button', { name: `Refresh ${name}` }).count(), 0, 'no Refresh Plaid would refuse');
    assert.equal((await tableRows(page)).length, 100, 'the stored transactions stay on screen');
    await assertAccessible(page, 'a bank that needs signing in again');
    await page.setViewportSize(PHONE);
    await assertAccessible(page, 'a bank that needs signing in again, at phone width');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'errors-login-required');

    // Keyboard: the person tabs to the button and presses Enter; Link opens in update mode for this bank.
    await clearFault(itemId);
    await signIn.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Select your bank' }).getByRole('button', { name }).click();
    await page.getByRole('dialog', { name: `Log in to ${name}` }).getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: `${name} is reconnected.` }).waitFor();
    await drainSyncs(stack);
    await card.locator('.badge-ok', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await card.locator('.bank-message', { hasText: /^Updated / }).waitFor();
    await transactionsSettled(page);
    assert.equal((await tableRows(page)).length, 100);
    const simItem = (await simGet(stack, '/sim/items')).items.find((i) => i.item_id === itemId);
    assert.equal(simItem.login_required, false);
    assert.deepEqual(await bankIds(page), [itemId], 'update mode made no new item');
  });
});

test('signing in again right after a Refresh found the bank needing it restores the bank once Mynt may sync it again', { timeout: 180_000 }, async () => {
  await onPage(await signedInWithBank('ins_109512'), async (w) => {
    const { page, itemId } = w;
    await bankSynced(page, itemId);
    const { card, name } = await bankCard(page, itemId);
    await fault(itemId, { error_code: 'ITEM_LOGIN_REQUIRED' });
    assert.equal(await pressRefresh(page, card, name), 202);
    await card.locator('.badge-warn', { hasText: 'Needs sign-in' }).waitFor({ timeout: 30_000 });
    await clearFault(itemId);
    // Within the minute after that Refresh, the sync update mode asks for is refused (429): the card still
    // reads as syncing, not as needing sign-in, and the app asks again once the minute is over.
    w.expectStatus(429);
    await card.getByRole('button', { name: `Sign in to ${name} again` }).click();
    await page.getByRole('dialog', { name: 'Select your bank' }).getByRole('button', { name }).click();
    await page.getByRole('dialog', { name: `Log in to ${name}` }).getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: `${name} is reconnected.` }).waitFor();
    await card.getByText('Syncing your transactions\u2026').waitFor();
    assert.equal(await card.locator('.badge', { hasText: 'Needs sign-in' }).count(), 0);
    await card.locator('.badge-ok', { hasText: 'Connected' }).waitFor({ timeout: 120_000 });
    await card.locator('.bank-message', { hasText: /^Updated / }).waitFor();
    assert.equal((await simGet(stack, '/sim/items')).items.find((i) => i.item_id === itemId).login_required, false);
  });
});

test('cancelling Link changes nothing; wrong bank credentials show the simulator\'s error inside Link', { timeout: 120_000 }, async () => {
  await onPage(await signedInWithBank(), async (w) => {
    const { page } = w;
    await page.getByRole('button', { name: '+ Connect a bank' }).click();
    const chooser = page.getByRole('dialog', { name: 'Select your bank' });
    await chooser.waitFor();
    await page.keyboard.press('Escape');
    await chooser.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#banks').getByRole('alert').count(), 0, 'cancelling is not an error');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '+ Connect a bank', 'focus returns to the button');

    await page.getByRole('button', { name: '+ Connect a bank' }).click();
    await chooser.getByRole('button', { name: 'Houndstooth Bank' }).click();
    const login = page.getByRole('dialog', { name: 'Log in to Houndstooth Bank' });
    await login.getByLabel('Password').fill('wrong');
    w.expectStatus(400);
    await login.getByRole('button', { name: 'Submit' }).click();
    await login.getByRole('alert').filter({ hasText: 'The provided credentials were not correct. Please try again.' }).waitFor();
    await screenshot(page, 'errors-link-wrong-credentials');
    await login.getByRole('button', { name: 'Close Plaid Link' }).click();
    await login.waitFor({ state: 'detached' });
    await page.locator('#banks').getByRole('alert').filter({ hasText: 'The provided credentials were not correct.' }).waitFor();
    assert.deepEqual(await bankIds(page), [w.itemId], 'no bank was added');
  });
});

test('an ended session (the API answers 401) sends the person back to sign in and forgets the tokens', { timeout: 120_000 }, async () => {
  await onPage(await signedInWithBank('ins_109511'), async (w) => {
    const { page } = w;
    await transactionsSettled(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    await transactionsSettled(page);
    await page.route(`${stack.api_url}/items`, (route) => route.fulfill({ status: 401, json: { message: 'Unauthorized' } }));
    w.expectStatus(401);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await screenshot(page, 'errors-session-ended');
  });
});

test('accounts that answer after the transactions still name the account on every row', { timeout: 120_000 }, async () => {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user, 'ins_109508');
  assert.equal(linked.status, 201, linked.text);
  const accounts = await simAccounts(stack, linked.json.item.item_id);
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    // Hold the accounts back until the transactions table has been drawn without them.
    await page.route(`${stack.api_url}/accounts`, async (route) => {
      await page.locator('#transactions tbody tr.tx').first().waitFor();
      await route.continue();
    });
    await page.goto(`${stack.api_url}/`);
    await signIn(page, user.email);
    await transactionsSettled(page);
    await page.locator('article.bank').getByText(accounts[0].name).first().waitFor();
    const cells = await page.locator('#transactions tbody tr.tx td.tx-acct').allTextContents();
    assert.ok(cells.length > 0);
    const names = accounts.map((a) => a.name);
    for (const cell of cells) assert.ok(names.some((n) => cell.startsWith(n)), `row names no account: "${cell}"`);
  });
});
