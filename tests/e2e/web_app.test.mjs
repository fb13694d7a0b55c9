// web_app.test.mjs - the whole journey in a real browser: sign up, confirm, connect banks through Plaid Link, accounts,
// the 100 most recent transactions, date ranges checked against the simulator's own data, a second bank, account
// filter, removing a bank, signing out and in again. Every response is scanned for access tokens; console errors fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import {
  newEmail, signUpAndConfirm, signIn, connectBank, bankIds, transactionsSettled, tableRows, allPages, assertNewestFirst,
  showRange, simGet, simTransactions, simAccounts, simToday, daysBefore, PASSWORD, bankSynced, recordBankStates, bankStatesSeen,
} from './helpers/app.mjs';
import { useStackAndBrowser, stack, browser } from './helpers/suite.mjs';

useStackAndBrowser();

const ids = (rows) => rows.map((r) => r.id ?? r.transaction_id);

test('config.json tells the local Plaid Link stand-in where the simulator is', async () => {
  const config = await (await fetch(`${stack.api_url}/config.json`)).json();
  assert.equal(config.plaid_link_script, '/plaid/link-initialize.js');
  assert.equal(config.plaid_url, stack.plaid_url, 'config.json needs plaid_url (the simulator) for the Link stand-in');
});

test('a person signs up, links two banks, browses transactions, removes a bank and signs in again', { timeout: 300_000 }, async (t) => {
  const w = await openPage(browser, stack, { viewport: DESKTOP });
  const { page } = w;
  const email = newEmail('journey');
  const items = {};
  try {
    await t.test('sign up and confirmation land on the dashboard, which prompts to connect a bank', async () => {
      await page.goto(`${stack.api_url}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signUpAndConfirm(page, email);
      await page.getByRole('heading', { name: 'Connect your first bank' }).waitFor();
      await page.getByText(`Signed in as ${email}`).waitFor();
      assert.equal(await page.locator('#transactions').isVisible(), false, 'no transactions section before a bank is linked');
      await screenshot(page, 'journey-1-connect-prompt');
    });

    await t.test('connecting First Platypus Bank through Link shows its accounts with the simulator\'s balances', async () => {
      await recordBankStates(page);
      items.platypus = await connectBank(page, 'First Platypus Bank', 'Connect a bank');
      // The accounts and transactions arrive with the background sync linking started: the card reads
      // "Syncing" until it is done, then (without a reload) "Updated …" with the accounts' balances.
      const card = await bankSynced(page, items.platypus);
      const states = await bankStatesSeen(page, items.platypus);
      assert.equal(states.at(-1), 'synced', `card states ${states}`);
      assert.ok(states.every((s) => s === 'syncing' || s === 'synced'), `the card only ever read as syncing, then synced: ${states}`);
      const shown = await card.locator('li.account').evaluateAll((els) => els.map((e) => ({
        id: e.dataset.accountId, text: e.textContent,
      })));
      const truth = await simAccounts(stack, items.platypus);
      assert.deepEqual(shown.map((a) => a.id).sort(), truth.map((a) => a.account_id).sort());
      for (const account of truth) {
        const row = shown.find((a) => a.id === account.account_id);
        const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: account.balances.iso_currency_code })
          .format(account.balances.current);
        assert.ok(row.text.includes(account.name), `${account.name} shown`);
        assert.ok(row.text.includes(account.mask), `${account.name} mask shown`);
        assert.ok(row.text.includes(money), `${account.name} balance ${money} shown in "${row.text}"`);
      }
      await screenshot(page, 'journey-2-first-bank');
    });

    await t.test('the table shows the 100 most recent transactions, newest first, as the simulator holds them', async () => {
      await transactionsSettled(page);
      const rows = await tableRows(page);
      assert.equal(rows.length, 100);
      assertNewestFirst(rows);
      const truth = await simTransactions(stack, [items.platypus]);
      const byId = new Map(truth.map((x) => [x.transaction_id, x]));
      for (const r of rows) assert.ok(byId.has(r.id), `row ${r.id} is one of the simulator's transactions`);
      const oldestShown = rows.at(-1).date;
      const newer = truth.filter((x) => x.date > oldestShown).map((x) => x.transaction_id);
      const shown = new Set(ids(rows));
      for (const id of newer) assert.ok(shown.has(id), `transaction ${id} newer than ${oldestShown} is shown`);
      for (const r of rows) assert.equal(r.pending, byId.get(r.id).pending, `pending flag of ${r.id}`);
      assert.ok(rows.some((r) => r.pending), 'a pending transaction is among the most recent');
      assert.ok(await page.locator('tr.tx-pending .badge-pending').first().isVisible(), 'pending is marked');
      const flows = new Set(rows.map((r) => r.flow));
      for (const flow of ['income', 'expense', 'transfer']) assert.ok(flows.has(flow), `a ${flow} row is among the 100`);
      const amount = page.locator('tr.tx.flow-income .tx-amount').first();
      assert.match(await amount.textContent(), /^\+\$[\d,]+\.\d\d/, 'income reads as money in');
      assert.match(await page.locator('tr.tx.flow-expense .tx-amount.amount-out').first().textContent(), /^\u2212\$/, 'spending reads as money out');
      await screenshot(page, 'journey-3-dashboard');
      await page.locator('#transactions').scrollIntoViewIfNeeded();
      await screenshot(page, 'journey-3-most-recent');
    });

    await t.test('a date range narrows the table to exactly the simulator\'s transactions in it, across pages', async () => {
      const today = await simToday(stack);
      const end = daysBefore(today, 20);
      const start = daysBefore(today, 80);
      await showRange(page, start, end);
      const rows = await allPages(page);
      const truth = await simTransactions(stack, [items.platypus], start, end);
      assert.ok(truth.length > 100, `the range spans more than one page (${truth.length})`);
      assert.equal(rows.length, truth.length, 'nothing missing, nothing extra');
      assert.deepEqual(new Set(ids(rows)), new Set(ids(truth)));
      for (const r of rows) assert.ok(r.date >= start && r.date <= end, `${r.date} inside ${start}..${end}`);
      assertNewestFirst(rows);
      await page.locator('#transactions').scrollIntoViewIfNeeded();
      await screenshot(page, 'journey-4-date-range');
    });

    await t.test('a second bank is added beside the first, and ranges merge both banks', async () => {
      items.tartan = await connectBank(page, 'Tartan Bank');
      await bankSynced(page, items.tartan);
      assert.deepEqual((await bankStatesSeen(page, items.platypus)).at(-1), 'synced', 'the first bank stays synced');
      assert.deepEqual((await bankIds(page)).sort(), [items.platypus, items.tartan].sort());
      await page.locator('.tile', { hasText: 'Banks' }).filter({ hasText: '2' }).waitFor();
      const today = await simToday(stack);
      const start = daysBefore(today, 30);
      await showRange(page, start, today);
      const rows = await allPages(page);
      const truth = await simTransactions(stack, [items.platypus, items.tartan], start, today);
      assert.deepEqual(new Set(ids(rows)), new Set(ids(truth)));
      assert.equal(rows.length, truth.length);
      assertNewestFirst(rows);
      assert.deepEqual(new Set(rows.map((r) => r.itemId)), new Set([items.platypus, items.tartan]));
      await screenshot(page, 'journey-5-two-banks');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'journey-5-overview');
    });

    await t.test('filtering by one account shows only that account\'s transactions in the range', async () => {
      const today = await simToday(stack);
      const start = daysBefore(today, 60);
      const accounts = await simAccounts(stack, items.tartan);
      const card = accounts.find((a) => a.type === 'credit');
      await showRange(page, start, today, `${card.name} \u2022\u2022${card.mask}`);
      const rows = await allPages(page);
      const truth = (await simTransactions(stack, [items.tartan], start, today)).filter((x) => x.account_id === card.account_id);
      assert.ok(truth.length > 0);
      assert.deepEqual(new Set(ids(rows)), new Set(ids(truth)));
      for (const r of rows) assert.equal(r.accountId, card.account_id);
      await screenshot(page, 'journey-6-account-filter');
      await page.getByRole('button', { name: 'Most recent' }).click();
      await page.locator('#tx-scope', { hasText: 'Your most recent transactions' }).waitFor();
      await transactionsSettled(page);
      assert.equal((await tableRows(page)).length, 100);
    });

    await t.test('the dashboard works at phone width', async () => {
      await page.setViewportSize(PHONE);
      await page.reload();
      await page.getByRole('heading', { name: 'Your money' }).waitFor();
      await transactionsSettled(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `no sideways scrolling at phone width (page is ${width}px wide)`);
      await screenshot(page, 'journey-7-phone');
      await page.locator('#transactions').scrollIntoViewIfNeeded();
      await screenshot(page, 'journey-7-phone-transactions');
      await page.setViewportSize(DESKTOP);
    });

    await t.test('removing a bank asks first, then unlinks it at Plaid and hides it', async () => {
      const card = page.locator(`article.bank[data-item-id="${items.platypus}"]`);
      await card.getByRole('button', { name: 'Remove First Platypus Bank' }).click();
      const dialog = page.getByRole('dialog', { name: 'Remove First Platypus Bank?' });
      await dialog.waitFor();
      await screenshot(page, 'journey-8-remove-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.ok(await card.isVisible(), 'cancel keeps the bank');
      await card.getByRole('button', { name: 'Remove First Platypus Bank' }).click();
      await dialog.getByRole('button', { name: 'Remove bank' }).click();
      await card.waitFor({ state: 'detached' });
      assert.deepEqual(await bankIds(page), [items.tartan]);
      const simItems = (await simGet(stack, '/sim/items')).items;
      assert.equal(simItems.find((i) => i.item_id === items.platypus).removed, true, 'the item was removed at Plaid');
      await transactionsSettled(page);
      const rows = await tableRows(page);
      assert.ok(rows.every((r) => r.itemId === items.tartan), 'only the remaining bank\'s transactions are shown');
    });

    await t.test('signing out forgets the session; a wrong password is refused; signing in again shows the remaining bank', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByText('You are signed out.').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing left in sessionStorage');
      await page.goto(`${stack.api_url}/#/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      w.expectStatus(400);
      await signIn(page, email, 'Wrong-passw0rd');
      await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }).waitFor();
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Your money' }).waitFor();
      await page.locator(`article.bank[data-item-id="${items.tartan}"]`).waitFor();
      assert.deepEqual(await bankIds(page), [items.tartan]);
      await transactionsSettled(page);
      await screenshot(page, 'journey-9-signed-in-again');
    });
  } finally {
    await w.context.close();
  }
  await w.check();
});
