// dashboard.js - the signed-in view: linked banks with their accounts and balances, Plaid Link, and the transactions table.
import { h, replace, uid, spinner } from '../dom.js';
import { apiMessage, ApiError } from '../api.js';
import {
  formatMoney, transactionAmount, flowInfo, categoryLabel, formatDate, humanize, isoDate, monthsBefore,
  dateRangeProblem, pageSummary,
} from '../format.js';
import { alertBox, withBusy, announce, focusElement } from '../ui.js';
import { openLink } from '../plaid-link.js';

const PAGE_SIZES = [25, 50, 100, 250, 500];
const DEFAULT_COUNT = 100;

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

function accountLabel(account) {
  return account.mask ? `${account.name} \u2022\u2022${account.mask}` : account.name;
}

export function dashboardView(app) {
  const state = {
    items: [],
    accounts: [],
    filter: { start: '', end: '', accountId: '', count: DEFAULT_COUNT, offset: 0 },
    page: null,
    txSeq: 0,
  };
  const user = app.session.user();
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your money');

  // ---- banks and accounts -----------------------------------------------------------
  const banksAlert = alertBox();
  const banksBody = h('div', { class: 'banks-body' });
  const connectButton = h('button', { type: 'button', class: 'button button-secondary', hidden: true }, '+ Connect a bank');
  connectButton.addEventListener('click', () => connect(connectButton));
  const summary = h('div', { class: 'summary', hidden: true });
  const banksSection = h('section', { class: 'panel', id: 'banks', 'aria-labelledby': 'banks-title', 'aria-busy': 'false' },
    h('div', { class: 'section-head' }, h('h2', { id: 'banks-title', tabindex: '-1' }, 'Banks and accounts'), connectButton),
    banksAlert.el, banksBody);

  // ---- transactions -----------------------------------------------------------------
  const today = new Date();
  const minDate = isoDate(monthsBefore(today, 24));
  const maxDate = isoDate(today);
  const startInput = h('input', { type: 'date', id: 'tx-start', name: 'start_date', min: minDate, max: maxDate });
  const endInput = h('input', { type: 'date', id: 'tx-end', name: 'end_date', min: minDate, max: maxDate });
  const accountSelect = h('select', { id: 'tx-account', name: 'account_id' }, h('option', { value: '' }, 'All accounts'));
  const countSelect = h('select', { id: 'tx-count', name: 'count' },
    PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === DEFAULT_COUNT }, String(n))));
  const showButton = h('button', { type: 'submit', class: 'button button-primary' }, 'Show');
  const recentButton = h('button', { type: 'button', class: 'button button-secondary', hidden: true }, 'Most recent');
  const filterAlert = alertBox();
  const filters = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filter transactions' },
    h('div', { class: 'field' }, h('label', { for: 'tx-start' }, 'From'), startInput),
    h('div', { class: 'field' }, h('label', { for: 'tx-end' }, 'To'), endInput),
    h('div', { class: 'field field-wide' }, h('label', { for: 'tx-account' }, 'Account'), accountSelect),
    h('div', { class: 'field field-narrow' }, h('label', { for: 'tx-count' }, 'Per page'), countSelect),
    h('div', { class: 'filter-actions' }, showButton, recentButton));
  const scope = h('p', { class: 'muted', id: 'tx-scope' }, 'Your most recent transactions');
  const txAlert = alertBox();
  const tbody = h('tbody');
  const table = h('table', { class: 'transactions', 'aria-describedby': 'tx-scope' },
    h('caption', { class: 'sr-only' }, 'Transactions, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Date'),
      h('th', { scope: 'col' }, 'Description'),
      h('th', { scope: 'col' }, 'Category'),
      h('th', { scope: 'col' }, 'Account'),
      h('th', { scope: 'col', class: 'num' }, 'Amount'))),
    tbody);
  const txStatus = h('p', { class: 'loading-line', hidden: true, role: 'status' }, spinner(), ' Loading transactions\u2026');
  const tableWrap = h('div', { class: 'table-wrap', hidden: true }, table);
  const prevButton = h('button', { type: 'button', class: 'button button-secondary', disabled: true }, '\u2190 Previous');
  const nextButton = h('button', { type: 'button', class: 'button button-secondary', disabled: true }, 'Next \u2192');
  const pageText = h('p', { class: 'page-text', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Transaction pages', hidden: true }, prevButton, pageText, nextButton);
  const txSection = h('section', { class: 'panel', id: 'transactions', 'aria-labelledby': 'tx-title', 'aria-busy': 'false', hidden: true },
    h('div', { class: 'section-head' }, h('h2', { id: 'tx-title' }, 'Transactions'), scope),
    filters, filterAlert.el, txAlert.el, txStatus, tableWrap, pager);

  // ---- remove confirmation ----------------------------------------------------------
  const dialogTitle = h('h2', { id: 'remove-title' });
  const dialogText = h('p', { id: 'remove-text' });
  const dialogCancel = h('button', { type: 'button', class: 'button button-secondary', value: 'cancel' }, 'Cancel');
  const dialogConfirm = h('button', { type: 'button', class: 'button button-danger', value: 'remove' }, 'Remove bank');
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'remove-title', 'aria-describedby': 'remove-text' },
    dialogTitle, dialogText, h('div', { class: 'dialog-actions' }, dialogCancel, dialogConfirm));
  dialogCancel.addEventListener('click', () => dialog.close('cancel'));
  dialogConfirm.addEventListener('click', () => dialog.close('remove'));

  function confirmRemove(item) {
    dialogTitle.textContent = `Remove ${item.institution_name ?? 'this bank'}?`;
    dialogText.textContent = 'Mynt will disconnect it at Plaid and stop showing its accounts and transactions. You can connect it again later.';
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'remove'), { once: true });
      dialog.showModal();
      dialogCancel.focus();
    });
  }

  const view = h('div', { class: 'dashboard' },
    h('div', { class: 'page-head' }, heading, user?.email ? h('p', { class: 'muted' }, `Signed in as ${user.email}`) : null),
    summary, banksSection, txSection, dialog);

  // ---- behaviour --------------------------------------------------------------------

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
    const remove = h('button', { type: 'button', class: 'button button-quiet' }, 'Remove', h('span', { class: 'sr-only' }, ` ${name}`));
    remove.addEventListener('click', async () => {
      if (!(await confirmRemove(item))) { remove.focus(); return; }
      await withBusy(remove, 'Removing\u2026', async () => {
        banksAlert.clear();
        try {
          await app.api.removeItem(item.item_id);
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404)) { showError(banksAlert, err); return; }
        }
        announce(`${name} removed.`);
        await loadAll();
        focusElement(document.getElementById('banks-title'));
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
        h('div', { class: 'bank-actions' }, reconnect, remove)),
      needsLogin ? h('p', { class: 'bank-note' }, 'Your bank asks you to sign in again. Until you reconnect, Mynt cannot update this bank.') : null,
      accounts.length
        ? h('ul', { class: 'accounts', 'aria-label': `${name} accounts` }, accounts.map(accountRow))
        : h('p', { class: 'muted' }, accountsNote(needsLogin)));
  }

  function accountsNote(needsLogin) {
    if (!state.accountsLoaded) return 'Loading accounts\u2026';
    return needsLogin ? 'Its accounts show again once you reconnect.' : 'No accounts to show.';
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
    txSection.hidden = !any;
    replace(banksBody, any ? h('div', { class: 'bank-list' }, state.items.map(bankCard)) : emptyState());
    renderSummary();
  }

  function renderAccountOptions() {
    const keep = state.filter.accountId;
    const groups = state.items.map((item) => {
      const accounts = state.accounts.filter((a) => a.item_id === item.item_id);
      if (!accounts.length) return null;
      return h('optgroup', { label: item.institution_name ?? 'Bank' },
        accounts.map((a) => h('option', { value: a.account_id, selected: a.account_id === keep }, accountLabel(a))));
    });
    replace(accountSelect, h('option', { value: '' }, 'All accounts'), groups);
    if (keep && !state.accounts.some((a) => a.account_id === keep)) state.filter.accountId = '';
    accountSelect.value = state.filter.accountId;
  }

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
    renderAccountOptions();
  }

  function txRow(t) {
    const account = state.accounts.find((a) => a.account_id === t.account_id);
    const amount = transactionAmount(t.amount, t.iso_currency_code);
    const flow = flowInfo(t.flow);
    const title = t.merchant_name || t.name;
    const multiBank = state.items.length > 1;
    return h('tr', { class: `tx flow-${t.flow}${t.pending ? ' tx-pending' : ''}`, dataset: { transactionId: t.transaction_id, accountId: t.account_id, itemId: t.item_id, flow: t.flow, pending: String(t.pending), date: t.date } },
      h('td', { class: 'tx-date', 'data-label': 'Date' }, h('time', { datetime: t.date }, formatDate(t.date))),
      h('td', { class: 'tx-desc', 'data-label': 'Description' },
        h('span', { class: 'tx-title' }, title),
        t.pending ? h('span', { class: 'badge badge-pending', title: 'Not yet posted by the bank' }, 'Pending') : null,
        t.merchant_name && t.merchant_name !== t.name ? h('span', { class: 'tx-sub' }, t.name) : null),
      h('td', { class: 'tx-cat', 'data-label': 'Category' },
        h('span', { class: `badge badge-flow badge-${t.flow}` }, h('span', { 'aria-hidden': 'true' }, `${flow.symbol} `), flow.label),
        h('span', { class: 'tx-sub' }, categoryLabel(t.category, t.category_detailed))),
      h('td', { class: 'tx-acct', 'data-label': 'Account' },
        account ? h('span', {}, account.name, account.mask ? h('span', { class: 'nowrap' }, ` \u2022\u2022${account.mask}`) : null) : 'Account',
        multiBank && account?.institution_name ? h('span', { class: 'tx-sub' }, account.institution_name) : null),
      h('td', { class: `num tx-amount amount-${amount.direction}`, 'data-label': 'Amount' },
        amount.text, h('span', { class: 'sr-only' }, ` (${amount.label})`)));
  }

  function renderTransactions() {
    const page = state.page;
    const f = state.filter;
    if (!page) return;
    tableWrap.hidden = false;
    pager.hidden = false;
    const rows = page.transactions ?? [];
    replace(tbody, rows.length ? rows.map(txRow)
      : h('tr', { class: 'tx-empty' }, h('td', { colspan: '5' }, f.start ? 'No transactions in this range.' : 'No transactions yet.')));
    const accountName = f.accountId ? state.accounts.find((a) => a.account_id === f.accountId) : null;
    const where = accountName ? ` in ${accountLabel(accountName)}` : '';
    scope.textContent = f.start
      ? `${formatDate(page.start_date ?? f.start)} \u2013 ${formatDate(page.end_date ?? f.end)}${where}`
      : `Your most recent transactions${where}`;
    pageText.textContent = pageSummary(page.offset ?? f.offset, rows.length, page.total_transactions ?? rows.length);
    prevButton.disabled = f.offset <= 0;
    nextButton.disabled = f.offset + rows.length >= (page.total_transactions ?? 0) || rows.length === 0;
    recentButton.hidden = !f.start && !f.accountId && f.offset === 0;
  }

  async function loadTransactions({ focusTable = false } = {}) {
    const seq = ++state.txSeq;
    const f = state.filter;
    txAlert.clear();
    txSection.setAttribute('aria-busy', 'true');
    tableWrap.classList.add('stale');
    txStatus.hidden = false;
    for (const b of [prevButton, nextButton, showButton]) b.disabled = true;
    try {
      const page = await app.api.transactions({
        start_date: f.start || undefined, end_date: f.end || undefined,
        count: f.count, offset: f.offset, account_id: f.accountId || undefined,
      });
      if (seq !== state.txSeq) return false;
      state.page = page;
      renderTransactions();
      announce(`${pageText.textContent}.`);
      if (focusTable) focusElement(table);
      return true;
    } catch (err) {
      if (seq !== state.txSeq) return false;
      showError(txAlert, err);
      prevButton.disabled = f.offset <= 0;
      nextButton.disabled = !state.page;
      return false;
    } finally {
      if (seq === state.txSeq) {
        txSection.setAttribute('aria-busy', 'false');
        tableWrap.classList.remove('stale');
        txStatus.hidden = true;
        showButton.disabled = false;
      }
    }
  }

  async function loadAll() {
    banksSection.setAttribute('aria-busy', 'true');
    if (!state.items.length) replace(banksBody, h('p', { class: 'loading-line', role: 'status' }, spinner(), ' Loading your banks\u2026'));
    try {
      const out = await app.api.items();
      state.items = out.items ?? [];
    } catch (err) {
      showError(banksAlert, err);
      const retry = h('button', { type: 'button', class: 'button button-secondary' }, 'Try again');
      retry.addEventListener('click', () => { banksAlert.clear(); loadAll(); });
      replace(banksBody, retry);
      banksSection.setAttribute('aria-busy', 'false');
      return;
    }
    state.accountsLoaded = false;
    renderBanks();
    if (state.items.length) {
      const [, read] = await Promise.all([loadAccounts(), loadTransactions()]);
      // Reading a bank that needed signing in again marks it active: show its new status.
      if (read && state.items.some((i) => i.status === 'login_required')) await refreshItems();
    } else {
      state.accounts = [];
      state.page = null;
      state.filter = { ...state.filter, accountId: '', offset: 0 };
      renderSummary();
    }
    banksSection.setAttribute('aria-busy', 'false');
  }

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
    txAlert.clear();
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
    await loadAll();
    return true;
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    filterAlert.clear();
    startInput.removeAttribute('aria-invalid');
    endInput.removeAttribute('aria-invalid');
    const problem = dateRangeProblem(startInput.value, endInput.value);
    if (problem) {
      filterAlert.show(problem, 'error');
      const bad = !startInput.value || (endInput.value && startInput.value > endInput.value) ? startInput : endInput;
      bad.setAttribute('aria-invalid', 'true');
      bad.focus();
      return;
    }
    state.filter = {
      start: startInput.value, end: endInput.value, accountId: accountSelect.value,
      count: Number(countSelect.value), offset: 0,
    };
    loadTransactions();
  });
  recentButton.addEventListener('click', () => {
    filterAlert.clear();
    startInput.value = '';
    endInput.value = '';
    accountSelect.value = '';
    state.filter = { start: '', end: '', accountId: '', count: Number(countSelect.value), offset: 0 };
    loadTransactions();
  });
  prevButton.addEventListener('click', () => {
    state.filter.offset = Math.max(0, state.filter.offset - state.filter.count);
    loadTransactions({ focusTable: true });
  });
  nextButton.addEventListener('click', () => {
    state.filter.offset += state.filter.count;
    loadTransactions({ focusTable: true });
  });

  loadAll();
  return { view, focus: () => focusElement(heading) };
}
