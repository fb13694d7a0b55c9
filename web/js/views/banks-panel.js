// banks-panel.js - the dashboard's banks: summary tiles, a card per linked bank with its accounts and its state in
// words with the action it calls for (refresh, sign in again, reconnect, choose accounts, remove), Plaid Link.
import { h, svg, replace, uid, spinner } from '../dom.js';
import { apiMessage, ApiError } from '../api.js';
import { formatMoney, humanize, relativeTime } from '../format.js';
import { bankStatus, stillSyncing } from '../bank-status.js';
import { alertBox, withBusy, announce, focusElement } from '../ui.js';
import { openLink } from '../plaid-link.js';

/** How long after a refused sync request (POST /items/{id}/sync answers 429 within a minute of the last one) it is
 * worth asking again. */
export const SYNC_AGAIN_AFTER_MS = 61_000;

/** What a card says while a refresh it asked for is not answered yet. */
export const REFRESHED_RECENTLY = 'You refreshed this bank a moment ago — try again in a minute';

/** Sums balances by currency: [{currency, total}] in first-seen order. */
function totalsByCurrency(accounts, pick) {
  const sums = new Map();
  for (const a of accounts) {
    const v = pick(a);
    if (v === null || v === undefined) continue;
    const c = a.balances?.iso_currency_code ?? null;
    sums.set(c, (sums.get(c) ?? 0) + v);
  }
  return [...sums].map(([currency, total]) => ({ currency, total }));
}

function moneyList(totals) {
  if (totals.length === 0) return formatMoney(0, 'USD');
  return totals.map((t) => formatMoney(t.total, t.currency)).join(' + ');
}

function accountRow(a) {
  const b = a.balances ?? {};
  const credit = a.type === 'credit';
  const main = credit ? 'Balance owed' : 'Balance';
  let sub = null;
  if (credit && b.limit !== null && b.limit !== undefined) {
    sub = `Available credit ${formatMoney(b.available, b.iso_currency_code)} of ${formatMoney(b.limit, b.iso_currency_code)}`;
  } else if (!credit && b.available !== null && b.available !== undefined && b.available !== b.current) {
    sub = `Available ${formatMoney(b.available, b.iso_currency_code)}`;
  }
  return h('li', { class: 'account', dataset: { accountId: a.account_id } },
    h('div', { class: 'account-name' },
      h('span', { class: 'name' }, a.name),
      a.mask ? h('span', { class: 'mask' }, h('span', { class: 'sr-only' }, 'ending in '), `\u2022\u2022${a.mask}`) : null,
      h('span', { class: 'kind' }, humanize(a.subtype ?? a.type))),
    h('div', { class: 'account-balance' },
      h('span', { class: 'sr-only' }, `${main}: `),
      h('span', { class: `amount${credit ? ' amount-owed' : ''}` }, formatMoney(b.current, b.iso_currency_code)),
      sub ? h('span', { class: 'sub' }, sub) : null));
}

/** The modal that confirms removing a bank: {dialog, ask(item)}; ask resolves to true for Remove. */
function removeDialog() {
  const title = h('h2', { id: 'remove-title' });
  const text = h('p', { id: 'remove-text' });
  const cancel = h('button', { type: 'button', class: 'button button-secondary', value: 'cancel' }, 'Cancel');
  const confirm = h('button', { type: 'button', class: 'button button-danger', value: 'remove' }, 'Remove bank');
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'remove-title', 'aria-describedby': 'remove-text' },
    title, text, h('div', { class: 'dialog-actions' }, cancel, confirm));
  cancel.addEventListener('click', () => dialog.close('cancel'));
  confirm.addEventListener('click', () => dialog.close('remove'));

  function ask(item) {
    title.textContent = `Remove ${item.institution_name ?? 'this bank'}?`;
    text.textContent = 'Mynt will disconnect it at Plaid and stop showing its accounts and transactions. You can connect it again later.';
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'remove'), { once: true });
      dialog.showModal();
      cancel.focus();
    });
  }
  return { dialog, ask };
}

/**
 * The banks panel. It owns the linked items and their accounts and tells the dashboard through
 * events: reload() when a bank was linked, reconnected or removed (or Try again was pressed; it
 * returns a promise), change(items, accounts) whenever they were drawn, accountsRead() once the
 * accounts were read, linkStarted() when Plaid Link is about to open, syncStarted() when a sync was
 * asked for (the dashboard then watches the banks until they are synced).
 * Returns the elements to lay out {summary, section, dialog} and the steps the dashboard runs.
 */
export function banksPanel(app, events) {
  const state = { items: [], accounts: [], accountsLoaded: false };
  // item_id → the sync the item had when its Refresh was accepted: it reads as syncing until that changes.
  const refreshing = new Map();
  // item_id → a sentence for that card only (e.g. a refused refresh), until the next action on it.
  const notices = new Map();
  // item_id → what its card last said, so a change is announced once.
  const said = new Map();

  const banksAlert = alertBox();
  const banksBody = h('div', { class: 'banks-body' });
  const connectButton = h('button', { type: 'button', class: 'button button-secondary', hidden: true }, '+ Connect a bank');
  connectButton.addEventListener('click', () => connect(connectButton));
  const summary = h('div', { class: 'summary', hidden: true });
  const title = h('h2', { id: 'banks-title', tabindex: '-1' }, 'Banks and accounts');
  const section = h('section', { class: 'panel', id: 'banks', 'aria-labelledby': 'banks-title', 'aria-busy': 'false' },
    h('div', { class: 'section-head' }, title, connectButton),
    banksAlert.el, banksBody);
  const remove = removeDialog();

  /** Reports err in box; a 401 is handled by the app (back to sign in). Offers Reconnect for a login_required item. */
  function showError(box, err, { offerReconnect = true } = {}) {
    if (err instanceof ApiError && err.status === 401) return;
    if (err instanceof ApiError && err.code === 'item_login_required' && err.itemId) {
      const item = state.items.find((i) => i.item_id === err.itemId);
      const name = item?.institution_name ?? 'One of your banks';
      if (item && item.status !== 'login_required') {
        item.status = 'login_required';
        renderBanks();
      }
      if (!offerReconnect) return;
      const button = h('button', { type: 'button', class: 'button button-primary' }, `Reconnect ${name}`);
      button.addEventListener('click', () => connect(button, err.itemId));
      box.show(`${name} needs you to sign in again before Mynt can read it.`, 'warning', button);
      return;
    }
    box.show(apiMessage(err), 'error');
  }

  /** A bank building, drawn (an emoji shows as a missing glyph where no emoji font is installed). */
  function bankIcon() {
    return svg('svg', { class: 'empty-art', viewBox: '0 0 64 64', width: '64', height: '64', 'aria-hidden': 'true', focusable: 'false' },
      svg('path', { d: 'M32 6 6 20v6h52v-6L32 6Z', fill: 'currentColor', opacity: '.9' }),
      svg('path', { d: 'M12 30h6v20h-6zM23 30h6v20h-6zM35 30h6v20h-6zM46 30h6v20h-6z', fill: 'currentColor', opacity: '.65' }),
      svg('path', { d: 'M8 52h48v6H8z', fill: 'currentColor', opacity: '.9' }),
      svg('circle', { cx: '32', cy: '17', r: '3', fill: '#fff' }));
  }

  function emptyState() {
    const button = h('button', { type: 'button', class: 'button button-primary button-large' }, 'Connect a bank');
    button.addEventListener('click', () => connect(button));
    return h('div', { class: 'empty' },
      bankIcon(),
      h('h3', {}, 'Connect your first bank'),
      h('p', {}, 'Mynt uses Plaid to read your accounts and transactions. It can never move money, and your bank password never reaches Mynt.'),
      button);
  }

  /** The sync fields a refresh waits to see change. */
  function syncMark(item) {
    return JSON.stringify([item.sync?.last_synced_at ?? null, item.sync?.last_error ?? null, item.status]);
  }

  /** The item as its card shows it: syncing while a refresh (or a reconnect) it asked for has not changed its
   * sync yet; a bank signed in again through Link is not shown as needing sign-in meanwhile. */
  function shown(item) {
    const mark = refreshing.get(item.item_id);
    if (mark === undefined) return item;
    if (mark !== syncMark(item) || !item.sync) {
      refreshing.delete(item.item_id);
      return item;
    }
    // Signed in again through Link: the sync it asked for decides whether the bank is back.
    const status = item.status === 'login_required' ? 'active' : item.status;
    return { ...item, status, sync: { ...item.sync, status: 'syncing' } };
  }

  /** A button on a card; focusKey lets a redraw give focus back to the same button. */
  function cardButton(item, key, cls, label, hidden, onClick) {
    const button = h('button', { type: 'button', class: `button ${cls}`, dataset: { focusKey: `${item.item_id}:${key}` } },
      label, hidden ? h('span', { class: 'sr-only' }, hidden) : null);
    button.addEventListener('click', () => onClick(button));
    return button;
  }

  function actionButton(item, action, name) {
    switch (action.type) {
      case 'refresh':
        return cardButton(item, 'refresh', 'button-secondary', action.label, ` ${name}`, (b) => refresh(b, item));
      case 'reconnect':
        return cardButton(item, 'reconnect', 'button-primary', action.label, action.label.includes(name) ? null : ` ${name}`,
          (b) => connect(b, item.item_id));
      case 'select_accounts':
        return cardButton(item, 'select', 'button-primary', action.label, ` at ${name}`,
          (b) => connect(b, item.item_id, { accountSelection: true }));
      default:
        return null;
    }
  }

  function bankCard(raw) {
    const item = shown(raw);
    const titleId = uid('bank');
    const name = item.institution_name ?? 'Bank';
    const st = bankStatus(item, new Date());
    const accounts = state.accounts.filter((a) => a.item_id === item.item_id);
    const removeCalledFor = st.actions.some((a) => a.type === 'remove');
    const removeButton = cardButton(item, 'remove', removeCalledFor ? 'button-danger' : 'button-quiet', 'Remove', ` ${name}`,
      async (button) => {
        if (!(await remove.ask(item))) { button.focus(); return; }
        await withBusy(button, 'Removing\u2026', async () => {
          banksAlert.clear();
          try {
            await app.api.removeItem(item.item_id);
          } catch (err) {
            if (!(err instanceof ApiError && err.status === 404)) { showError(banksAlert, err); return; }
          }
          announce(`${name} removed.`);
          await events.reload();
          focusElement(title);
        });
      });
    const buttons = st.actions.map((a) => actionButton(item, a, name)).filter(Boolean);
    const notice = notices.get(item.item_id);
    return h('article', {
      class: `bank bank-${st.tone}`, 'aria-labelledby': titleId,
      dataset: { itemId: item.item_id, status: item.status, sync: st.kind },
    },
    h('header', { class: 'bank-head' },
      h('div', { class: 'bank-name' },
        h('h3', { id: titleId, tabindex: '-1', dataset: { focusKey: `${item.item_id}:title` } }, name),
        h('span', { class: `badge badge-${st.tone}` }, st.badge)),
      h('div', { class: 'bank-actions' }, buttons, removeButton)),
    h('div', { class: 'bank-state' },
      st.message ? h('p', {
        class: 'bank-message',
        dataset: st.kind === 'synced' && item.sync?.last_synced_at ? { syncedAt: item.sync.last_synced_at } : {},
      }, st.kind === 'syncing' ? [spinner(), ' '] : null, st.message) : null,
      st.detail ? h('p', { class: 'bank-detail' }, st.detail) : null,
      notice ? h('p', { class: 'bank-notice' }, notice) : null),
    accounts.length
      ? h('ul', { class: 'accounts', 'aria-label': `${name} accounts` }, accounts.map(accountRow))
      : h('p', { class: 'muted' }, accountsNote(item)));
  }

  function accountsNote(item) {
    if (!state.accountsLoaded) return 'Loading accounts\u2026';
    if (item.status === 'login_required') return 'Its accounts show again once you reconnect.';
    if (item.sync?.status === 'syncing') return 'Its accounts show once the first sync is done.';
    return 'No accounts to show.';
  }

  function renderSummary() {
    if (!state.accounts.length) { summary.hidden = true; return; }
    const cash = totalsByCurrency(state.accounts.filter((a) => a.type === 'depository'), (a) => a.balances?.current);
    const owed = totalsByCurrency(state.accounts.filter((a) => a.type === 'credit'), (a) => a.balances?.current);
    replace(summary,
      h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, 'Cash'), h('p', { class: 'tile-value' }, moneyList(cash))),
      h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, 'Owed on cards'), h('p', { class: 'tile-value' }, moneyList(owed))),
      h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, 'Banks'), h('p', { class: 'tile-value' }, String(state.items.length))));
    summary.hidden = false;
  }

  /** Draws the cards again, giving focus back to the button (or else the card heading) that had it
   * (focusKey: the button that had it before it was made busy), and
   * announces each card whose state changed since it was last drawn. */
  function renderBanks({ focusKey = null } = {}) {
    const any = state.items.length > 0;
    connectButton.hidden = !any;
    const focused = focusKey ?? (banksBody.contains(document.activeElement) ? document.activeElement.dataset?.focusKey : null);
    replace(banksBody, any ? h('div', { class: 'bank-list' }, state.items.map(bankCard)) : emptyState());
    if (focused) {
      const again = banksBody.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)
        ?? banksBody.querySelector(`[data-focus-key="${CSS.escape(`${focused.split(':')[0]}:title`)}"]`);
      if (again) again.focus();
    }
    announceChanges();
    renderSummary();
    events.change(state.items.map(shown), state.accounts);
  }

  /** Says, politely, what each bank whose state changed now says (not on the first drawing, not for a mere clock tick). */
  function announceChanges() {
    const lines = [];
    for (const raw of state.items) {
      const item = shown(raw);
      const st = bankStatus(item, new Date());
      const key = JSON.stringify([st.kind, st.badge, st.detail && !st.detail.startsWith('Last updated') ? st.detail : null,
        notices.get(item.item_id) ?? null]);
      const before = said.get(item.item_id);
      said.set(item.item_id, key);
      if (before === undefined || before === key) continue;
      const notice = notices.get(item.item_id);
      lines.push(`${item.institution_name ?? 'Bank'}: ${notice ?? st.message ?? st.badge}${!notice && st.detail ? ` ${st.detail}` : ''}`);
    }
    for (const id of [...said.keys()]) if (!state.items.some((i) => i.item_id === id)) said.delete(id);
    if (lines.length) announce(lines.join(' '));
  }

  /** Asks for a sync of item now: 202 shows it syncing (and the dashboard watches it); 429 says it was asked a moment ago. */
  async function refresh(button, item) {
    const focusKey = document.activeElement === button ? button.dataset.focusKey : null;
    notices.delete(item.item_id);
    banksAlert.clear();
    await withBusy(button, 'Refreshing\u2026', async () => {
      try {
        const out = await app.api.syncItem(item.item_id);
        const fresh = out?.item && out.item.item_id === item.item_id ? out.item : item;
        state.items = state.items.map((i) => (i.item_id === item.item_id ? { ...i, ...fresh } : i));
        refreshing.set(item.item_id, syncMark(fresh));
        events.syncStarted();
      } catch (err) {
        if (err instanceof ApiError && err.status === 429) {
          notices.set(item.item_id, REFRESHED_RECENTLY);
        } else if (err instanceof ApiError && err.status === 404) {
          await events.reload();
          return;
        } else {
          showError(banksAlert, err);
        }
      }
    });
    renderBanks({ focusKey });
  }

  /** Marks the panel busy (aria-busy) for the length of a reload. */
  function setBusy(busy) {
    section.setAttribute('aria-busy', String(busy));
  }

  /** Reads the linked items and draws them; resolves to false (after offering Try again) when they could not be read. */
  async function loadItems() {
    if (!state.items.length) replace(banksBody, h('p', { class: 'loading-line', role: 'status' }, spinner(), ' Loading your banks\u2026'));
    try {
      const out = await app.api.items();
      state.items = out.items ?? [];
    } catch (err) {
      showError(banksAlert, err);
      const retry = h('button', { type: 'button', class: 'button button-secondary' }, 'Try again');
      retry.addEventListener('click', () => { banksAlert.clear(); events.reload(); });
      replace(banksBody, retry);
      return false;
    }
    state.accountsLoaded = false;
    renderBanks();
    return true;
  }

  /** Reads the accounts of every item; a failure leaves none and is reported (without Reconnect). */
  async function loadAccounts() {
    try {
      const out = await app.api.accounts();
      state.accounts = out.accounts ?? [];
      if (Array.isArray(out.items)) state.items = out.items;
    } catch (err) {
      state.accounts = [];
      // A bank that needs signing in again says so on its own card (with Reconnect).
      showError(banksAlert, err, { offerReconnect: false });
    }
    state.accountsLoaded = true;
    renderBanks();
    events.accountsRead();
  }

  /** Forgets the accounts once no bank is left. */
  function clearAccounts() {
    state.accounts = [];
    renderSummary();
    events.change(state.items, state.accounts);
  }

  /** Reads the items again to show their current status. */
  async function refreshItems() {
    try {
      state.items = (await app.api.items()).items ?? state.items;
      renderBanks();
    } catch (err) {
      showError(banksAlert, err);
    }
  }

  /** Shows items read by the dashboard's watch; draws only when something changed. */
  function updateItems(items) {
    const before = JSON.stringify(state.items);
    state.items = items;
    if (JSON.stringify(items) !== before || refreshing.size) renderBanks();
  }

  /** Brings every "Updated … ago" up to the clock, in place (no redraw, nothing announced). */
  function tickClock() {
    for (const el of banksBody.querySelectorAll('.bank-message[data-synced-at]')) {
      const when = relativeTime(el.dataset.syncedAt, new Date());
      if (when && el.textContent !== `Updated ${when}`) el.textContent = `Updated ${when}`;
    }
  }

  /** Ends the "refreshing" look of every card (the watch gave up waiting) and draws them. */
  function stopWaiting() {
    if (!refreshing.size) return;
    refreshing.clear();
    renderBanks();
  }

  /** Opens Plaid Link (update mode for itemId, with account selection when asked) and links the bank
   * it returns. Focus goes back to button when Link is left without linking. */
  async function connect(button, itemId = null, { accountSelection = false } = {}) {
    if (itemId) notices.delete(itemId);
    const linked = await withBusy(button, 'Opening Plaid\u2026', () => runLink(itemId, accountSelection));
    if (!linked && button.isConnected) button.focus();
  }

  /** Asks for a sync of item after update mode. Until that sync changes the bank, its card reads as syncing (and
   * the dashboard watches it). Refused because the bank was refreshed a moment ago (429), it is asked once more
   * when the minute is over (while the panel is on screen); any other failure is left to the bank's webhook or the
   * daily schedule. */
  async function syncAfterLink(item) {
    try {
      await app.api.syncItem(item.item_id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 429)) return;
      setTimeout(() => {
        if (!section.isConnected || !refreshing.has(item.item_id)) return;
        app.api.syncItem(item.item_id).then(() => events.syncStarted(), () => {});
      }, SYNC_AGAIN_AFTER_MS);
    }
    refreshing.set(item.item_id, syncMark(item));
    events.syncStarted();
  }

  /** Resolves to true when a bank was linked or updated. After update mode it asks for a sync (when
   * the API syncs: its items carry sync), so the bank's new state and any newly shared accounts show
   * without waiting for a webhook or the schedule. */
  async function runLink(itemId, accountSelection) {
    banksAlert.clear();
    events.linkStarted();
    let token;
    try {
      token = (await app.api.linkToken(itemId, { accountSelection })).link_token;
    } catch (err) {
      showError(banksAlert, err);
      return false;
    }
    let result;
    try {
      result = await openLink(app.config.plaid_link_script, token);
    } catch {
      banksAlert.show('Plaid Link could not be loaded. Check your connection and try again.', 'error');
      return false;
    }
    if (result.status !== 'success') {
      if (result.error) banksAlert.show(result.error.display_message || result.error.error_message || 'Plaid Link closed with an error.', 'error');
      return false;
    }
    const institution = result.metadata.institution ?? null;
    if (itemId) {
      const name = institution?.name ?? state.items.find((i) => i.item_id === itemId)?.institution_name ?? 'Your bank';
      const done = accountSelection ? `${name}: your choice of accounts is saved.` : `${name} is reconnected.`;
      announce(done);
      banksAlert.show(done, 'success');
      const item = state.items.find((i) => i.item_id === itemId);
      if (item?.sync) await syncAfterLink(item);
    } else {
      try {
        const out = await app.api.addItem(result.publicToken, institution);
        const name = out?.item?.institution_name ?? institution?.name ?? 'Your bank';
        announce(`${name} connected.`);
        banksAlert.show(`${name} is connected.`, 'success');
        events.syncStarted();
      } catch (err) {
        showError(banksAlert, err);
        return false;
      }
    }
    await events.reload();
    return true;
  }

  return {
    summary,
    section,
    dialog: remove.dialog,
    showError,
    setBusy,
    loadItems,
    loadAccounts,
    clearAccounts,
    refreshItems,
    updateItems,
    stopWaiting,
    tickClock,
    /** True while the dashboard should keep watching: a bank is syncing or a refresh is not answered yet. */
    wantsWatch: () => state.items.some((i) => stillSyncing(shown(i))),
    /** The items as last read. */
    items: () => state.items,
    /** True when at least one bank is linked. */
    any: () => state.items.length > 0,
    /** True when a bank waits for its user to sign in again. */
    needsLogin: () => state.items.some((i) => i.status === 'login_required'),
  };
}
