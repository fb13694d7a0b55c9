// transactions-panel.js - the dashboard's transactions: the date range, search, category, flow, account and page size
// filters (pre-set from the address bar's query), the table and its pages, and the CSV export of the chosen range.
import { h, replace, spinner } from '../dom.js';
import { apiMessage } from '../api.js';
import { CATEGORIES, UNCATEGORIZED, categoryName } from '../budget-model.js';
import {
  transactionAmount, flowInfo, categoryLabel, formatDate, isoDate, monthsBefore, dateRangeProblem, pageSummary,
} from '../format.js';
import { transactionsSyncNote } from '../bank-status.js';
import { alertBox, announce, focusElement, onSubmit, markInvalid, withBusy } from '../ui.js';

const PAGE_SIZES = [25, 50, 100, 250, 500];
const DEFAULT_COUNT = 100;
const FLOWS = [['', 'All'], ['income', 'Income'], ['expense', 'Expenses'], ['transfer', 'Transfers']];
const Q_MAX = 100;

/**
 * The filter a hash query (#/?category=…&flow=…&q=…&start_date=…&end_date=…) asks for, with what the
 * panel cannot show dropped: an unknown category or flow, a search longer than 100 characters, dates
 * that are not a valid range. Pure; today is injectable.
 */
export function filterFromQuery(query = {}, today = new Date()) {
  const f = { start: '', end: '', q: '', category: '', flow: '' };
  if (query.category && (CATEGORIES.includes(query.category) || query.category === UNCATEGORIZED)) f.category = query.category;
  if (query.flow && FLOWS.some(([v]) => v && v === query.flow)) f.flow = query.flow;
  const q = String(query.q ?? '').trim();
  if (q && q.length <= Q_MAX) f.q = q;
  if (query.start_date && query.end_date && !dateRangeProblem(query.start_date, query.end_date, today)) {
    f.start = query.start_date;
    f.end = query.end_date;
  }
  return f;
}

/** Whether f narrows the list by search, category or flow. */
function filtered(f) {
  return Boolean(f.q || f.category || f.flow);
}

/** The search, category and flow of f in words, for the line above the table: ' · Food and drink · Expenses · matching “coffee”'. */
function filterWords(f) {
  const parts = [];
  if (f.category) parts.push(categoryName(f.category));
  if (f.flow) parts.push(FLOWS.find(([v]) => v === f.flow)?.[1] ?? f.flow);
  if (f.q) parts.push(`matching \u201c${f.q}\u201d`);
  return parts.map((p) => ` \u00b7 ${p}`).join('');
}

/** Saves blob as a file called name through a temporary <a download> (the object URL is released after). */
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function accountLabel(account) {
  return account.mask ? `${account.name} \u2022\u2022${account.mask}` : account.name;
}

/**
 * The transactions panel. It owns the filter and the page on show; the banks and accounts it
 * names come from setBanks(). showError(box, err) reports a failed read (the banks panel's, so a
 * bank that needs signing in again offers Reconnect). Returns {section} and the steps the
 * dashboard runs.
 */
export function transactionsPanel(app, { showError, query = {} }) {
  const state = {
    items: [],
    accounts: [],
    filter: { ...filterFromQuery(query), accountId: '', count: DEFAULT_COUNT, offset: 0 },
    page: null,
    seq: 0,
  };

  const today = new Date();
  const minDate = isoDate(monthsBefore(today, 24));
  const maxDate = isoDate(today);
  const startInput = h('input', { type: 'date', id: 'tx-start', name: 'start_date', min: minDate, max: maxDate, value: state.filter.start });
  const endInput = h('input', { type: 'date', id: 'tx-end', name: 'end_date', min: minDate, max: maxDate, value: state.filter.end });
  const searchInput = h('input', {
    type: 'search', id: 'tx-q', name: 'q', maxlength: String(Q_MAX), autocomplete: 'off', value: state.filter.q,
    placeholder: 'Name or merchant',
  });
  const categorySelect = h('select', { id: 'tx-category', name: 'category' },
    h('option', { value: '' }, 'All categories'),
    [...CATEGORIES, UNCATEGORIZED].map((c) => h('option', { value: c, selected: c === state.filter.category }, categoryName(c))));
  const flowSelect = h('select', { id: 'tx-flow', name: 'flow' },
    FLOWS.map(([value, label]) => h('option', { value, selected: value === state.filter.flow }, label)));
  const accountSelect = h('select', { id: 'tx-account', name: 'account_id' }, h('option', { value: '' }, 'All accounts'));
  const countSelect = h('select', { id: 'tx-count', name: 'count' },
    PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === DEFAULT_COUNT }, String(n))));
  const showButton = h('button', { type: 'submit', class: 'button button-primary' }, 'Show');
  const recentButton = h('button', { type: 'button', class: 'button button-secondary', hidden: true }, 'Most recent');
  const exportButton = h('button', { type: 'button', class: 'button button-secondary filter-export', 'aria-describedby': 'tx-export-hint' }, 'Export CSV');
  const filterAlert = alertBox();
  const exportAlert = alertBox();
  const filters = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filter transactions' },
    h('div', { class: 'field' }, h('label', { for: 'tx-start' }, 'From'), startInput),
    h('div', { class: 'field' }, h('label', { for: 'tx-end' }, 'To'), endInput),
    h('div', { class: 'field field-wide' }, h('label', { for: 'tx-account' }, 'Account'), accountSelect),
    h('div', { class: 'field field-narrow' }, h('label', { for: 'tx-count' }, 'Per page'), countSelect),
    h('div', { class: 'field field-search' }, h('label', { for: 'tx-q' }, 'Search'), searchInput),
    h('div', { class: 'field' }, h('label', { for: 'tx-category' }, 'Category'), categorySelect),
    h('div', { class: 'field' }, h('label', { for: 'tx-flow' }, 'Flow'), flowSelect),
    h('div', { class: 'filter-actions' }, showButton, recentButton, exportButton),
    h('p', { class: 'hint filter-hint', id: 'tx-export-hint' },
      'Export CSV saves every transaction of these dates and filters (no dates: the last 24 months) as a spreadsheet file.'));
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
  const syncNote = h('p', { class: 'sync-note', id: 'tx-sync-note', hidden: true });
  const txStatus = h('p', { class: 'loading-line', hidden: true, role: 'status' }, spinner(), ' Loading transactions\u2026');
  const tableWrap = h('div', { class: 'table-wrap', hidden: true }, table);
  const prevButton = h('button', { type: 'button', class: 'button button-secondary', disabled: true }, '\u2190 Previous');
  const nextButton = h('button', { type: 'button', class: 'button button-secondary', disabled: true }, 'Next \u2192');
  const pageText = h('p', { class: 'page-text', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Transaction pages', hidden: true }, prevButton, pageText, nextButton);
  const section = h('section', { class: 'panel', id: 'transactions', 'aria-labelledby': 'tx-title', 'aria-busy': 'false', hidden: true },
    h('div', { class: 'section-head' }, h('h2', { id: 'tx-title' }, 'Transactions'), scope),
    filters, filterAlert.el, exportAlert.el, txAlert.el, syncNote, txStatus, tableWrap, pager);

  /** Takes the banks and accounts rows and filters name; the panel shows only while a bank is linked,
   * with a note above the list while a bank is still syncing. */
  function setBanks(items, accounts) {
    state.items = items;
    state.accounts = accounts;
    section.hidden = items.length === 0;
    const note = transactionsSyncNote(items);
    syncNote.textContent = note ?? '';
    syncNote.hidden = !note;
  }

  /** Offers the accounts (grouped by bank) in the account filter, keeping the chosen one while it exists,
   * and names them on the rows already shown (the transactions may have arrived first). */
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
    renderTransactions();
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
      : h('tr', { class: 'tx-empty' }, h('td', { colspan: '5' }, filtered(f) ? 'No transactions match these filters.'
        : f.start ? 'No transactions in this range.' : 'No transactions yet.')));
    const accountName = f.accountId ? state.accounts.find((a) => a.account_id === f.accountId) : null;
    const where = `${accountName ? ` in ${accountLabel(accountName)}` : ''}${filterWords(f)}`;
    scope.textContent = f.start
      ? `${formatDate(page.start_date ?? f.start)} \u2013 ${formatDate(page.end_date ?? f.end)}${where}`
      : `Your most recent transactions${where}`;
    pageText.textContent = pageSummary(page.offset ?? f.offset, rows.length, page.total_transactions ?? rows.length);
    prevButton.disabled = f.offset <= 0;
    nextButton.disabled = f.offset + rows.length >= (page.total_transactions ?? 0) || rows.length === 0;
    recentButton.hidden = !f.start && !f.accountId && !filtered(f) && f.offset === 0;
  }

  /** Reads the page the filter names; resolves to true when it was read and shown (false when it
   * failed or a newer read overtook it). */
  async function load({ focusTable = false } = {}) {
    const seq = ++state.seq;
    const f = state.filter;
    txAlert.clear();
    section.setAttribute('aria-busy', 'true');
    tableWrap.classList.add('stale');
    txStatus.hidden = false;
    for (const b of [prevButton, nextButton, showButton]) b.disabled = true;
    try {
      const page = await app.api.transactions({
        start_date: f.start || undefined, end_date: f.end || undefined,
        count: f.count, offset: f.offset, account_id: f.accountId || undefined,
        category: f.category || undefined, flow: f.flow || undefined, q: f.q || undefined,
      });
      if (seq !== state.seq) return false;
      state.page = page;
      renderTransactions();
      announce(`${pageText.textContent}.`);
      if (focusTable) focusElement(table);
      return true;
    } catch (err) {
      if (seq !== state.seq) return false;
      showError(txAlert, err);
      prevButton.disabled = f.offset <= 0;
      nextButton.disabled = !state.page;
      return false;
    } finally {
      if (seq === state.seq) {
        section.setAttribute('aria-busy', 'false');
        tableWrap.classList.remove('stale');
        txStatus.hidden = true;
        showButton.disabled = false;
      }
    }
  }

  /** Forgets the page and the account filter once no bank is left. */
  function reset() {
    state.page = null;
    state.filter = { ...state.filter, accountId: '', offset: 0 };
  }

  /** The form's filter, or null after marking what is wrong with it. */
  function formFilter() {
    const problem = dateRangeProblem(startInput.value, endInput.value);
    if (problem) {
      const bad = !startInput.value || (endInput.value && startInput.value > endInput.value) ? startInput : endInput;
      markInvalid(filterAlert, bad, problem);
      return null;
    }
    return {
      start: startInput.value, end: endInput.value, accountId: accountSelect.value,
      q: searchInput.value.trim(), category: categorySelect.value, flow: flowSelect.value,
      count: Number(countSelect.value), offset: 0,
    };
  }

  onSubmit(filters, filterAlert, () => {
    const f = formFilter();
    if (!f) return;
    state.filter = f;
    load();
  });
  recentButton.addEventListener('click', () => {
    filterAlert.clear();
    exportAlert.clear();
    for (const input of [startInput, endInput, searchInput]) input.value = '';
    for (const select of [accountSelect, categorySelect, flowSelect]) select.value = '';
    state.filter = { start: '', end: '', accountId: '', q: '', category: '', flow: '', count: Number(countSelect.value), offset: 0 };
    load();
  });
  // The export takes what the form says now (checked as Show checks it): the dates, search, category, flow and account.
  exportButton.addEventListener('click', async () => {
    for (const el of filters.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    filterAlert.clear();
    exportAlert.clear();
    const f = formFilter();
    if (!f) return;
    try {
      const { blob, filename } = await withBusy(exportButton, 'Exporting\u2026', () => app.api.exportTransactions({
        start_date: f.start || undefined, end_date: f.end || undefined, account_id: f.accountId || undefined,
        category: f.category || undefined, flow: f.flow || undefined, q: f.q || undefined,
      }));
      const name = filename ?? (f.start ? `mynt-transactions-${f.start}-${f.end}.csv` : 'mynt-transactions.csv');
      saveBlob(blob, name);
      exportAlert.show(`Your transactions are saved as ${name}.`, 'success');
    } catch (err) {
      exportAlert.show(`The CSV file could not be made. ${apiMessage(err)}`, 'error');
    }
  });
  prevButton.addEventListener('click', () => {
    state.filter.offset = Math.max(0, state.filter.offset - state.filter.count);
    load({ focusTable: true });
  });
  nextButton.addEventListener('click', () => {
    state.filter.offset += state.filter.count;
    load({ focusTable: true });
  });

  return {
    section,
    setBanks,
    renderAccountOptions,
    load,
    reset,
    /** Clears the panel's error (a new bank is being linked). */
    clearAlert: () => txAlert.clear(),
  };
}
