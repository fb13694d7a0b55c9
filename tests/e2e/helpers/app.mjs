// app.mjs - what a person does in Mynt's web app, as steps the e2e tests share, and the simulator's truth to check against.
import assert from 'node:assert/strict';

export const PASSWORD = 'Corr3ct-Horse-Battery';

/** A new email address for this run. */
export function newEmail(tag = 'e2e') {
  return `${tag}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@example.com`;
}

/** GETs a simulator admin path (the test truth; it never carries tokens). */
export async function simGet(stack, path) {
  const res = await fetch(stack.plaid_url + path);
  const json = await res.json();
  if (!res.ok) throw new Error(`sim GET ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** POSTs or DELETEs a simulator admin path. */
export async function simSend(stack, method, path, body) {
  const res = await fetch(stack.plaid_url + path, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`sim ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The simulator's "today" (YYYY-MM-DD). */
export async function simToday(stack) {
  return (await simGet(stack, '/sim/health')).today;
}

/** YYYY-MM-DD days before date (YYYY-MM-DD). */
export function daysBefore(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Every transaction the simulator holds for the items in [start, end] (all dates when omitted). */
export async function simTransactions(stack, itemIds, start, end) {
  const out = [];
  for (const id of itemIds) {
    const q = start ? `?start_date=${start}&end_date=${end}` : '';
    out.push(...(await simGet(stack, `/sim/items/${id}/transactions${q}`)).transactions.map((t) => ({ ...t, item_id: id })));
  }
  return out;
}

/** The sim's accounts of an item. */
export async function simAccounts(stack, itemId) {
  return (await simGet(stack, `/sim/items/${itemId}/transactions?start_date=${await simToday(stack)}&end_date=${await simToday(stack)}`)).accounts;
}

/** Signs up through the UI and confirms; the app then signs in by itself and shows the dashboard. */
export async function signUpAndConfirm(page, email, password = PASSWORD) {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
  await page.getByLabel('Confirmation code').fill('123456');
  await page.getByRole('button', { name: 'Confirm account' }).click();
  await page.getByRole('heading', { name: 'Your money' }).waitFor();
}

/** Signs in through the UI (the sign-in view must be showing). */
export async function signIn(page, email, password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Connects a bank through Plaid Link (the local stand-in) from the button named buttonName. Returns the new item id. */
export async function connectBank(page, institutionName, buttonName = /Connect a bank/) {
  const before = await bankIds(page);
  await page.getByRole('button', { name: buttonName }).click();
  const link = page.getByRole('dialog', { name: 'Select your bank' });
  await link.getByRole('button', { name: institutionName }).click();
  const login = page.getByRole('dialog', { name: `Log in to ${institutionName}` });
  await assertValue(login.getByLabel('Username'), 'user_good');
  await login.getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('status').filter({ hasText: `${institutionName} is connected.` }).waitFor();
  const card = page.locator('article.bank', { has: page.getByRole('heading', { name: institutionName }) });
  await card.waitFor();
  const id = await card.getAttribute('data-item-id');
  assert.ok(id && !before.includes(id), 'a new bank card appears');
  return id;
}

/**
 * Waits, without reloading, until the card of itemId reads as synced ("Updated …") after its background sync,
 * its accounts show balances and the transactions table holds rows: what a person sees once a linked bank's first
 * sync is done (the dashboard re-reads the banks while one syncs).
 */
export async function bankSynced(page, itemId, timeout = 60_000) {
  const card = page.locator(`article.bank[data-item-id="${itemId}"][data-sync="synced"]`);
  await card.locator('.bank-message', { hasText: /^Updated / }).waitFor({ timeout });
  await card.locator('li.account').first().waitFor({ timeout });
  await card.locator('li.account .amount', { hasText: /^\u2014$/ }).first().waitFor({ state: 'detached', timeout });
  await page.locator('#transactions tbody tr.tx').first().waitFor({ timeout });
  await transactionsSettled(page);
  return card;
}

/** Starts recording, in page, every state (data-sync) a bank card is drawn in: read them with bankStatesSeen. */
export async function recordBankStates(page) {
  await page.evaluate(() => {
    window.__bankStates = {};
    const seen = (el) => {
      const list = (window.__bankStates[el.dataset.itemId] ??= []);
      if (list.at(-1) !== el.dataset.sync) list.push(el.dataset.sync);
    };
    new MutationObserver(() => document.querySelectorAll('article.bank').forEach(seen))
      .observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-sync'] });
  });
}

/** The states the card of itemId was drawn in since recordBankStates, in order, repeats folded. */
export async function bankStatesSeen(page, itemId) {
  return page.evaluate((id) => window.__bankStates?.[id] ?? [], itemId);
}

async function assertValue(locator, expected) {
  assert.equal(await locator.inputValue(), expected);
}

/** The item ids of the bank cards shown. */
export async function bankIds(page) {
  return page.locator('article.bank').evaluateAll((els) => els.map((e) => e.dataset.itemId));
}

/** Waits until the transactions table has finished loading. */
export async function transactionsSettled(page) {
  await page.locator('#transactions[aria-busy="false"]').waitFor();
  await page.locator('#transactions tbody tr').first().waitFor();
}

/** The rows of the transactions table: [{id, accountId, itemId, date, flow, pending}]. */
export async function tableRows(page) {
  return page.locator('#transactions tbody tr.tx').evaluateAll((rows) => rows.map((r) => ({
    id: r.dataset.transactionId, accountId: r.dataset.accountId, itemId: r.dataset.itemId, date: r.dataset.date,
    flow: r.dataset.flow, pending: r.dataset.pending === 'true',
  })));
}

/** Reads every page of the table (pressing Next until it is disabled); returns all rows in order. */
export async function allPages(page) {
  const rows = [];
  for (let i = 0; i < 50; i++) {
    await transactionsSettled(page);
    rows.push(...(await tableRows(page)));
    const next = page.getByRole('button', { name: 'Next \u2192' });
    if (await next.isDisabled()) return rows;
    await next.click();
  }
  throw new Error('more than 50 pages');
}

/** Asserts rows are newest first. */
export function assertNewestFirst(rows) {
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].date >= rows[i].date, `row ${i} (${rows[i].date}) is newer than row ${i - 1} (${rows[i - 1].date})`);
}

/** Applies a date range (and optionally an account) in the filter form. */
export async function showRange(page, start, end, accountLabel = null) {
  await page.getByLabel('From', { exact: true }).fill(start);
  await page.getByLabel('To', { exact: true }).fill(end);
  if (accountLabel) await page.getByLabel('Account', { exact: true }).selectOption({ label: accountLabel });
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.locator('#tx-scope').filter({ hasText: '\u2013' }).waitFor();
  await transactionsSettled(page);
}

/** Waits until mynt-local has run every queued asynchronous invocation (the syncs links, refreshes and webhooks started). */
export async function drainSyncs(stack) {
  const res = await fetch(`${stack.api_url}/_local/drain`, { method: 'POST', signal: AbortSignal.timeout(40_000) });
  assert.equal(res.status, 200, `mynt-local drain: ${res.status}`);
}

/** The id of the last webhook the simulator logged (0 = none yet). */
export async function lastWebhookId(stack) {
  return Math.max(0, ...((await simGet(stack, '/sim/webhooks')).webhooks ?? []).map((d) => d.id));
}

/** Waits until the simulator delivered a webhook of code for itemId (one logged with an id above `after`) and the API took it (200). */
export async function webhookDelivered(stack, itemId, code, after) {
  for (let i = 0; i < 100; i++) {
    const log = (await simGet(stack, '/sim/webhooks')).webhooks ?? [];
    const hit = log.find((d) => d.id > after && d.item_id === itemId && d.webhook_code === code && d.status !== 0);
    if (hit) {
      assert.equal(hit.status, 200, `the API took the ${code} webhook`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${code} webhook delivered for ${itemId}`);
}

/** Has the simulator send (signed, to the item's webhook URL) one webhook for itemId and waits until the API took it. */
export async function sendWebhook(stack, itemId, body) {
  const before = await lastWebhookId(stack);
  await simSend(stack, 'POST', `/sim/items/${itemId}/webhook`, body);
  await webhookDelivered(stack, itemId, body.webhook_code, before);
}

/** The person comes back to the page (its window regains focus), as after reading the bank's email in another tab. */
export async function comeBack(page) {
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
}

/**
 * Records the bearer token of every request page sends to the API at apiUrl; returns a function giving the latest
 * (the signed-in user's ID token, for the test's own API calls as that user), or throws when none was sent yet.
 */
export function watchBearer(page, apiUrl) {
  let latest = null;
  page.on('request', (req) => {
    const auth = req.headers().authorization;
    if (req.url().startsWith(apiUrl) && auth?.startsWith('Bearer ')) latest = auth.slice(7);
  });
  return () => {
    if (!latest) throw new Error('the page has sent no bearer token yet');
    return latest;
  };
}

/** Runs check() (which throws while its condition does not hold) until it passes or timeout ms passed; returns its value. */
export async function eventually(check, timeout = 10_000, every = 100) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Presses Tab (at most maxTabs times) until the focused element is target (a locator of one element); throws when it
 * never gets the focus. The keyboard-only way to reach a control.
 */
export async function tabTo(page, target, maxTabs = 60) {
  const handle = await target.elementHandle();
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await handle.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target} not reached with ${maxTabs} presses of Tab`);
}
