// banks-panel.js - the dashboard's banks: summary tiles, a card per linked bank with its accounts, Plaid Link (new and update mode), remove.
import { h, replace, uid, spinner } from '../dom.js';
import { apiMessage, ApiError } from '../api.js';
import { formatMoney, humanize } from '../format.js';
import { alertBox, withBusy, announce, focusElement } from '../ui.js';
import { openLink } from '../plaid-link.js';

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
 * accounts were read, linkStarted() when Plaid Link is about to open.
 * Returns the elements to lay out {summary, section, dialog} and the steps the dashboard runs.
 */
export function banksPanel(app, events) {
  const state = { items: [], accounts: [], accountsLoaded: false };

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

  function emptyState() {
    const button = h('button', { type: 'button', class: 'button button-primary button-large' }, 'Connect a bank');
    button.addEventListener('click', () => connect(button));
    return h('div', { class: 'empty' },
      h('div', { class: 'empty-art', 'aria-hidden': 'true' }, '\u{1F3E6}'),
      h('h3', {}, 'Connect your first bank'),
      h('p', {}, 'Mynt uses Plaid to read your accounts and transactions. It can never move money, and your bank password never reaches Mynt.'),
      button);
  }

  function bankCard(item) {
    const titleId = uid('bank');
    const name = item.institution_name ?? 'Bank';
    const needsLogin = item.status === 'login_required';
    const accounts = state.accounts.filter((a) => a.item_id === item.item_id);
    const removeButton = h('button', { type: 'button', class: 'button button-quiet' }, 'Remove', h('span', { class: 'sr-only' }, ` ${name}`));
    removeButton.addEventListener('click', async () => {
      if (!(await remove.ask(item))) { removeButton.focus(); return; }
      await withBusy(removeButton, 'Removing\u2026', async () => {
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
    let reconnect = null;
    if (needsLogin) {
      reconnect = h('button', { type: 'button', class: 'button button-primary' }, 'Reconnect', h('span', { class: 'sr-only' }, ` ${name}`));
      reconnect.addEventListener('click', () => connect(reconnect, item.item_id));
    }
    return h('article', { class: `bank${needsLogin ? ' bank-warn' : ''}`, 'aria-labelledby': titleId, dataset: { itemId: item.item_id, status: item.status } },
      h('header', { class: 'bank-head' },
        h('div', { class: 'bank-name' },
          h('h3', { id: titleId }, name),
          needsLogin ? h('span', { class: 'badge badge-warn' }, 'Needs sign-in') : h('span', { class: 'badge badge-ok' }, 'Connected')),
        h('div', { class: 'bank-actions' }, reconnect, removeButton)),
      needsLogin ? h('p', { class: 'bank-note' }, 'Your bank asks you to sign in again. Until you reconnect, Mynt cannot update this bank.') : null,
      accounts.length
        ? h('ul', { class: 'accounts', 'aria-label': `${name} accounts` }, accounts.map(accountRow))
        : h('p', { class: 'muted' }, accountsNote(needsLogin)));
  }

  function accountsNote(needsLogin) {
    if (!state.accountsLoaded) return 'Loading accounts\u2026';
    return needsLogin ? 'Its accounts show again once you reconnect.' : 'No accounts to show.';
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

  function renderBanks() {
    const any = state.items.length > 0;
    connectButton.hidden = !any;
    replace(banksBody, any ? h('div', { class: 'bank-list' }, state.items.map(bankCard)) : emptyState());
    renderSummary();
    events.change(state.items, state.accounts);
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

  /** Opens Plaid Link (update mode for itemId) and links the bank it returns. Focus goes back to
   * button when Link is left without linking. */
  async function connect(button, itemId = null) {
    const linked = await withBusy(button, itemId ? 'Reconnecting\u2026' : 'Opening Plaid\u2026', () => runLink(itemId));
    if (!linked && button.isConnected) button.focus();
  }

  /** Resolves to true when a bank was linked or reconnected. */
  async function runLink(itemId) {
    banksAlert.clear();
    events.linkStarted();
    let token;
    try {
      token = (await app.api.linkToken(itemId)).link_token;
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
      announce(`${institution?.name ?? 'Your bank'} reconnected.`);
      banksAlert.show(`${institution?.name ?? 'Your bank'} is reconnected.`, 'success');
    } else {
      try {
        const out = await app.api.addItem(result.publicToken, institution);
        const name = out?.item?.institution_name ?? institution?.name ?? 'Your bank';
        announce(`${name} connected.`);
        banksAlert.show(`${name} is connected.`, 'success');
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
    /** True when at least one bank is linked. */
    any: () => state.items.length > 0,
    /** True when a bank waits for its user to sign in again. */
    needsLogin: () => state.items.some((i) => i.status === 'login_required'),
  };
}
