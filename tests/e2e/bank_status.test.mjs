// bank_status.test.mjs - in a real browser: each bank card says its sync and item state in words with the action it
// calls for, a new bank reads "Syncing" until its transactions are in, Refresh answers 202 then 429, and every state
// is keyboard-operable and axe-clean at desktop and phone width.
//
// The items' states come from a stand-in for the backend of issue #8 laid over the real API (page.route): the real
// GET /items, /accounts and /transactions answers with the state the test sets, and POST /items/{id}/sync answered
// as the contract says (bearer required, the user's items only, once a minute). bank_sync.test.mjs drives the same
// states through the real backend and the simulator's webhooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, linkBank } from '../api/helpers/stack.mjs';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import { signIn, transactionsSettled, tableRows } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';
import { REFRESHED_RECENTLY } from '../../web/js/views/banks-panel.js';

useStackAndBrowser();

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The backend's item state, set by the test: item_id → {status, new_accounts_available, sync{…}}, laid over
 * the real answers of w.page. While an item's first sync runs no transactions are answered (nothing is
 * stored yet). POST /items/{id}/sync: 401 without a bearer, 404 for an item not in the user's real GET /items
 * (read with that bearer), 429 within 60 s of
 * the last accepted one, else 202 {item} and, syncMs later, the "sync function" saves: last_synced_at = now.
 * Returns {set(itemId, patch), sync(itemId, patch), posts: [{itemId, status}], linkBodies: [...]}.
 */
async function fakeSyncBackend(page) {
  const states = new Map();
  const accepted = new Map();
  const posts = [];
  const linkBodies = [];
  const api = stack.api_url;
  const base = (id) => states.get(id) ?? {
    status: 'active', new_accounts_available: false,
    sync: { status: 'synced', last_synced_at: iso(Date.now() - 5 * 60_000), history_complete: true, last_error: null },
  };
  const lay = (item) => ({ ...item, ...base(item.item_id), sync: { ...base(item.item_id).sync } });
  const syncing = () => [...states.values()].some((s) => s.sync.status === 'syncing');

  await page.route(`${api}/items`, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    const json = await res.json();
    return route.fulfill({ response: res, json: { ...json, items: (json.items ?? []).map(lay) } });
  });
  await page.route(`${api}/accounts`, async (route) => {
    const res = await route.fetch();
    const json = await res.json();
    return route.fulfill({ response: res, json: json.items ? { ...json, items: json.items.map(lay) } : json });
  });
  await page.route(`${api}/transactions?*`, async (route) => {
    const res = await route.fetch();
    const json = await res.json();
    if (!res.ok()) return route.fulfill({ response: res });
    const out = { ...json, ...(json.items ? { items: json.items.map(lay) } : {}) };
    if (syncing()) Object.assign(out, { transactions: [], total_transactions: 0 });
    return route.fulfill({ response: res, json: out });
  });
  await page.route(`${api}/link/token`, async (route) => {
    linkBodies.push(route.request().postDataJSON());
    return route.continue();
  });
  await page.route(new RegExp(`^${api.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/items/[^/]+/sync$`), async (route) => {
    const req = route.request();
    const itemId = decodeURIComponent(new URL(req.url()).pathname.split('/')[2]);
    const reply = (status, json) => { posts.push({ itemId, status }); return route.fulfill({ status, json }); };
    if (req.method() !== 'POST') return reply(405, { error: { code: 'method_not_allowed', message: 'this method is not allowed on this resource' } });
    const authorization = (await req.allHeaders()).authorization ?? '';
    if (!/^Bearer \S+$/.test(authorization)) return reply(401, { message: 'Unauthorized' });
    const mine = await (await fetch(`${api}/items`, { headers: { authorization } })).json();
    const real = (mine.items ?? []).find((i) => i.item_id === itemId);
    if (!real) return reply(404, { error: { code: 'not_found', message: 'no such resource' } });
    const last = accepted.get(itemId) ?? 0;
    if (Date.now() - last < 60_000) return reply(429, { error: { code: 'rate_limited', message: 'too many requests; try again shortly' } });
    accepted.set(itemId, Date.now());
    setTimeout(() => {
      const s = base(itemId);
      states.set(itemId, { ...s, sync: { ...s.sync, status: 'synced', last_error: null, last_synced_at: iso(Date.now()) } });
    }, 2_000);
    return reply(202, { item: lay(real) });
  });
  return {
    posts,
    linkBodies,
    set: (itemId, patch) => states.set(itemId, { ...base(itemId), ...patch }),
    sync: (itemId, patch) => { const s = base(itemId); states.set(itemId, { ...s, sync: { ...s.sync, ...patch } }); },
  };
}

/** A user with one bank linked through the API and a fresh page with the fake sync backend, not yet signed in. */
async function pageWithBank(institution, { viewport = DESKTOP } = {}) {
  const user = await newUser(stack);
  const linked = await linkBank(stack, user, institution);
  assert.equal(linked.status, 201, linked.text);
  const w = await openPage(browser, stack, { viewport });
  const backend = await fakeSyncBackend(w.page);
  await recordAnnouncements(w.page);
  return { ...w, user, backend, itemId: linked.json.item.item_id, name: linked.json.item.institution_name };
}

/** onPage for a page with the fake backend: its routes still in flight are let go before the page closes. */
async function onFakePage(w, body) {
  await onPage(w, async () => {
    try {
      await body(w);
    } finally {
      await w.page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });
}

async function signedIn(w) {
  await w.page.goto(`${stack.api_url}/`);
  await signIn(w.page, w.user.email);
  await w.page.getByRole('heading', { name: 'Your money' }).waitFor();
}

/** Presses Tab until locator has focus (at most 60 times): the control is reachable by keyboard. */
async function tabTo(page, locator) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error('the control is not reachable with Tab');
}

/** Records everything the page's polite live region says (window.__said), from the page's first script on. */
async function recordAnnouncements(page) {
  await page.addInitScript(() => {
    window.__said = [];
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('announcer');
      new MutationObserver(() => { if (el.textContent) window.__said.push(el.textContent); })
        .observe(el, { childList: true, characterData: true, subtree: true });
    });
  });
}

/** Waits until the live region has said something containing text. */
async function announced(page, text) {
  await page.waitForFunction((t) => window.__said.some((s) => s.includes(t)), text, { timeout: 15_000 });
}

test('a new bank says "Syncing your transactions…" until its first sync is in, then its transactions appear', { timeout: 120_000 }, async () => {
  await onFakePage(await pageWithBank('ins_109508'), async (w) => {
    const { page, backend } = w;
    backend.sync(w.itemId, { status: 'syncing', last_synced_at: null, history_complete: false });
    await signedIn(w);
    const card = page.locator(`article.bank[data-item-id="${w.itemId}"]`);
    await card.getByText('Syncing your transactions\u2026').waitFor();
    await card.locator('.badge', { hasText: 'Syncing' }).waitFor();
    assert.equal(await card.getByRole('button', { name: /^Refresh/ }).count(), 0, 'nothing to refresh while syncing');
    const note = page.locator('#tx-sync-note');
    await note.filter({ hasText: `Still syncing ${w.name}: its transactions appear here as they arrive.` }).waitFor();
    await page.locator('#transactions tr.tx-empty').waitFor();
    await screenshot(page, 'bank-status-syncing');
    await assertAccessible(page, 'a syncing bank at desktop width');

    // The first 30 days are in: the watch notices within seconds, the table fills, the note says history is coming.
    backend.sync(w.itemId, { status: 'synced', last_synced_at: iso(Date.now()), history_complete: false });
    await card.getByText('Updated just now').waitFor({ timeout: 10_000 });
    await card.getByText('First 30 days in, older history still coming.').waitFor();
    await page.locator('#transactions tbody tr.tx').first().waitFor({ timeout: 10_000 });
    await transactionsSettled(page);
    assert.equal((await tableRows(page)).length, 100);
    await note.filter({ hasText: 'the last 30 days are in, older history is still coming' }).waitFor();
    await announced(page, `${w.name}: Updated just now`);

    backend.sync(w.itemId, { history_complete: true, last_synced_at: iso(Date.now()) });
    await note.waitFor({ state: 'hidden', timeout: 10_000 });
    await card.getByText('First 30 days in').waitFor({ state: 'detached' });
  });
});

test('Refresh asks for a sync (202, shown as syncing, then updated); a second one within a minute is refused (429) in words', { timeout: 120_000 }, async () => {
  await onFakePage(await pageWithBank('ins_109509'), async (w) => {
    const { page, backend } = w;
    await signedIn(w);
    const card = page.locator(`article.bank[data-item-id="${w.itemId}"]`);
    await card.getByText('Updated 5 minutes ago').waitFor();
    await card.locator('li.account').first().waitFor();
    const refresh = card.getByRole('button', { name: `Refresh ${w.name}` });
    await tabTo(page, refresh);
    await page.keyboard.press('Enter');
    await card.getByText('Syncing your transactions\u2026').waitFor();
    assert.deepEqual(backend.posts, [{ itemId: w.itemId, status: 202 }]);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), w.name, 'focus stays on the card (its heading) when Refresh goes away');
    await card.getByText('Updated just now').waitFor({ timeout: 10_000 });
    await announced(page, `${w.name}: Updated just now`);

    w.expectStatus(429);
    await refresh.focus();
    await page.keyboard.press('Enter');
    await card.getByText(REFRESHED_RECENTLY).waitFor();
    assert.equal(REFRESHED_RECENTLY, 'You refreshed this bank a moment ago \u2014 try again in a minute');
    assert.deepEqual(backend.posts.map((p) => p.status), [202, 429]);
    await announced(page, `${w.name}: ${REFRESHED_RECENTLY}`);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), `Refresh ${w.name}`, 'focus stays on Refresh');
    await screenshot(page, 'bank-status-refresh-refused');
    await assertAccessible(page, 'a refused refresh');
  });
});

/** Each state the backend can give an item, what its card must say and the buttons it must offer. */
const STATES = [
  {
    name: 'synced', patch: {}, badge: 'Connected', says: ['Updated 5 minutes ago'], buttons: (n) => [`Refresh ${n}`, `Remove ${n}`],
  },
  {
    name: 'sync error', patch: { sync: { status: 'error', last_error: 'RATE_LIMIT_EXCEEDED', last_synced_at: iso(Date.now() - 3 * 3_600_000), history_complete: true } },
    badge: 'Update failed', says: ['The last update failed: Your bank is limiting how often Mynt can read it.', 'Last updated 3 hours ago.'],
    buttons: (n) => [`Refresh ${n}`, `Remove ${n}`],
  },
  {
    name: 'login_required', patch: { status: 'login_required' }, badge: 'Needs sign-in',
    says: ['asks you to sign in again. Until you do, Mynt cannot update it.'], buttons: (n) => [`Sign in to ${n} again`, `Remove ${n}`],
    link: (id) => ({ item_id: id }),
  },
  {
    name: 'expiring', patch: { status: 'expiring' }, badge: 'Expires soon',
    says: [(n) => `Access to ${n} expires soon \u2014 reconnect`], buttons: (n) => [`Reconnect ${n}`, `Remove ${n}`],
    link: (id) => ({ item_id: id }),
  },
  {
    name: 'revoked', patch: { status: 'revoked' }, badge: 'Access revoked',
    says: ['Access was revoked at your bank \u2014 remove it or connect again'], buttons: (n) => [`Remove ${n}`],
  },
  {
    name: 'new accounts', patch: { new_accounts_available: true }, badge: 'Connected',
    says: ['New accounts found \u2014 choose which to share'], buttons: (n) => [`Choose accounts at ${n}`, `Refresh ${n}`, `Remove ${n}`],
    link: (id) => ({ item_id: id, account_selection: true }),
  },
];

for (const viewport of [DESKTOP, PHONE]) {
  const width = viewport === PHONE ? 'phone' : 'desktop';
  test(`each item state says what it means and offers its action, by keyboard, axe-clean at ${width} width`, { timeout: 180_000 }, async () => {
    await onFakePage(await pageWithBank('ins_109510', { viewport }), async (w) => {
      const { page, backend } = w;
      await signedIn(w);
      const card = page.locator(`article.bank[data-item-id="${w.itemId}"]`);
      await card.locator('li.account').first().waitFor();
      for (const state of STATES) {
        backend.set(w.itemId, { status: 'active', new_accounts_available: false, ...state.patch,
          sync: { status: 'synced', last_synced_at: iso(Date.now() - 5 * 60_000), history_complete: true, last_error: null, ...state.patch.sync } });
        await page.reload();
        await page.getByRole('heading', { name: 'Your money' }).waitFor();
        await card.locator('.badge', { hasText: state.badge }).waitFor();
        for (const text of state.says) await card.getByText(typeof text === 'function' ? text(w.name) : text).waitFor();
        const names = await card.locator('.bank-actions button').evaluateAll((els) => els.map((e) => e.textContent));
        assert.deepEqual(names, state.buttons(w.name), `${state.name}: the buttons`);
        const text = await card.locator('.bank-state').textContent();
        assert.ok(text.length > 10, `${state.name}: said in words`);
        const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(pageWidth <= viewport.width, `${state.name}: no sideways scrolling (${pageWidth}px)`);
        await screenshot(page, `bank-status-${state.name.replace(/\W+/g, '-')}-${width}`);
        await assertAccessible(page, `${state.name} at ${width} width`);
        if (state.link) {
          // The action opens Plaid Link in update mode for this item; leaving Link changes nothing and gives focus back.
          const action = card.getByRole('button', { name: state.buttons(w.name)[0] });
          await tabTo(page, action);
          await page.keyboard.press('Enter');
          const chooser = page.getByRole('dialog', { name: 'Select your bank' });
          await chooser.waitFor();
          assert.deepEqual(w.backend.linkBodies.at(-1), state.link(w.itemId), `${state.name}: the link token asked for`);
          await page.keyboard.press('Escape');
          await chooser.waitFor({ state: 'detached' });
          assert.equal(await page.evaluate(() => document.activeElement?.textContent), state.buttons(w.name)[0], 'focus returns to the action');
        }
      }
    });
  });
}
