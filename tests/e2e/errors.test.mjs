// errors.test.mjs - what a person sees when things go wrong: Plaid rate limits and outages (the simulator's fault
// knobs), a bank that needs signing in again (reconnect through Link's update mode), a cancelled or failed Link,
// and an ended session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, linkBank } from '../api/helpers/stack.mjs';
import { openPage, screenshot } from './helpers/browser.mjs';
import { signIn, transactionsSettled, tableRows, simSend, simGet, bankIds } from './helpers/app.mjs';
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

test('Plaid rate limiting reads as "too many requests", and trying again works once it passes', { timeout: 150_000 }, async () => {
  await onPage(await signedInWithBank(), async (w) => {
    const { page } = w;
    await transactionsSettled(page);
    await fault(w.itemId, { status: 429 });
    w.expectStatus(429);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#transactions').getByRole('alert').filter({ hasText: 'Too many requests right now. Wait a moment and try again.' })
      .waitFor({ timeout: 60_000 });  // the API retries Plaid inside its deadline first
    await screenshot(page, 'errors-rate-limited');
    await clearFault(w.itemId);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await transactionsSettled(page);
    assert.equal(await page.locator('#transactions').getByRole('alert').count(), 0);
    assert.equal((await tableRows(page)).length, 100);
  });
});

test('a Plaid outage reads as "your bank or our service is having trouble"', { timeout: 120_000 }, async () => {
  await onPage(await signedInWithBank('ins_109510'), async (w) => {
    const { page } = w;
    try {
      await transactionsSettled(page);
      await fault(w.itemId, { status: 500 });
      w.expectStatus(502);
      w.expectStatus(503);
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await page.locator('#transactions').getByRole('alert')
        .filter({ hasText: 'Your bank or our service is having trouble right now. Please try again in a few minutes.' }).waitFor({ timeout: 60_000 });
      await screenshot(page, 'errors-outage');
    } finally {
      await clearFault(w.itemId);
    }
  });
});

test('a bank that needs signing in again offers Reconnect, which runs Link in update mode and restores the bank', { timeout: 120_000 }, async () => {
  await onPage(await signedInWithBank('ins_109509'), async (w) => {
    const { page } = w;
    await transactionsSettled(page);
    await fault(w.itemId, { error_code: 'ITEM_LOGIN_REQUIRED' });
    w.expectStatus(409);
    await page.reload();
    const card = page.locator(`article.bank[data-item-id="${w.itemId}"]`);
    await card.locator('.badge-warn', { hasText: 'Needs sign-in' }).waitFor();
    const prompt = page.locator('#transactions').getByRole('alert').filter({ hasText: 'needs you to sign in again' });
    await prompt.waitFor();
    await screenshot(page, 'errors-login-required');
    await clearFault(w.itemId);
    await prompt.getByRole('button', { name: 'Reconnect First Gingham Credit Union' }).click();
    await page.getByRole('dialog', { name: 'Select your bank' }).getByRole('button', { name: 'First Gingham Credit Union' }).click();
    await page.getByRole('dialog', { name: 'Log in to First Gingham Credit Union' }).getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: 'First Gingham Credit Union is reconnected.' }).waitFor();
    await card.locator('.badge-ok', { hasText: 'Connected' }).waitFor();
    await transactionsSettled(page);
    assert.equal((await tableRows(page)).length, 100);
    const simItem = (await simGet(stack, '/sim/items')).items.find((i) => i.item_id === w.itemId);
    assert.equal(simItem.login_required, false);
    assert.deepEqual(await bankIds(page), [w.itemId], 'update mode made no new item');
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
