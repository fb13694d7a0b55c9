// dashboard.js - the signed-in view: lays out the banks panel and the transactions panel, wires the events between
// them (the address bar's query pre-sets the transactions' filters), watches the banks while one is syncing and looks at them again when the person comes back to the page.
import { h } from '../dom.js';
import { focusElement } from '../ui.js';
import { syncProgressed } from '../bank-status.js';
import { createSyncWatch, CHECK_INTERVAL_MS, CHECK_MAX_MS } from '../sync-watch.js';
import { banksPanel } from './banks-panel.js';
import { transactionsPanel } from './transactions-panel.js';

/** The Overview. query: the address bar's (#/?category=…&start_date=…&end_date=…&flow=…&q=…), pre-setting the transactions' filters. */
export function dashboardView(app, query = {}) {
  const user = app.session.user();
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your money');
  let lastItems = [];

  const transactions = transactionsPanel(app, {
    query,
    // A bank that needs signing in again is marked on its card and offered for Reconnect.
    showError: (box, err) => banks.showError(box, err),
  });
  const banks = banksPanel(app, {
    reload,
    change: (items, accounts) => transactions.setBanks(items, accounts),
    accountsRead: () => transactions.renderAccountOptions(),
    linkStarted: () => transactions.clearAlert(),
    syncStarted: () => watch.start(),
  });

  const view = h('div', { class: 'dashboard' },
    h('div', { class: 'page-head' }, heading, user?.email ? h('p', { class: 'muted' }, `Signed in as ${user.email}`) : null),
    banks.summary, banks.section, transactions.section, banks.dialog);

  // While a bank syncs, its items are read again every few seconds (for a few minutes at most, and
  // only while this view is on screen); when a sync saved something, accounts and transactions are read again.
  const readItems = async () => (await app.api.items({ quiet: true })).items ?? [];
  function onItems(items) {
    const progressed = syncProgressed(lastItems, items);
    lastItems = items;
    banks.updateItems(items);
    if (progressed && banks.any()) refreshData();
  }
  const watch = createSyncWatch({
    readItems,
    onItems,
    wanted: () => banks.wantsWatch(),
    active: () => view.isConnected,
    onStop: () => banks.stopWaiting(),
  });

  let refreshing = null;
  /** Reads accounts and transactions again (once at a time; a request while one runs is folded into it). */
  function refreshData() {
    if (refreshing) return refreshing;
    refreshing = Promise.all([banks.loadAccounts(), transactions.load()]).finally(() => { refreshing = null; });
    return refreshing;
  }

  /** Reads the banks, then their accounts and the transactions together; with no bank left, forgets both. */
  async function reload() {
    banks.setBusy(true);
    if (await banks.loadItems()) {
      if (banks.any()) {
        const [, read] = await Promise.all([banks.loadAccounts(), transactions.load()]);
        // Reading a bank that needed signing in again marks it active: show its new status.
        if (read && banks.needsLogin()) await banks.refreshItems();
      } else {
        banks.clearAccounts();
        transactions.reset();
      }
      lastItems = banks.items();
      if (banks.wantsWatch()) watch.start();
    }
    banks.setBusy(false);
  }

  // "Updated 5 minutes ago" keeps up with the clock while the view is on screen.
  const clock = setInterval(() => {
    if (view.isConnected) banks.tickClock();
    else clearInterval(clock);
  }, 30_000);

  // A bank's state can change while nothing syncs (a webhook: sign in again, new accounts, access revoked):
  // the banks are looked at again when the person comes back to the page, and slowly while it stays on screen.
  let checking = false;
  let checkUntil = Date.now() + CHECK_MAX_MS;
  async function checkItems() {
    if (!view.isConnected || checking || watch.running() || document.visibilityState === 'hidden' || !banks.any()) return;
    checking = true;
    try {
      const items = await readItems();
      if (!view.isConnected) return;
      onItems(items);
      if (banks.wantsWatch()) watch.start();
    } catch {
      // Quiet: the next check (or the person's next action) reads them again.
    } finally {
      checking = false;
    }
  }
  function cameBack() {
    if (!view.isConnected) { forget(); return; }
    if (document.visibilityState === 'hidden') return;
    checkUntil = Date.now() + CHECK_MAX_MS;
    checkItems();
  }
  const slowCheck = setInterval(() => {
    if (!view.isConnected) forget();
    else if (Date.now() < checkUntil) checkItems();
  }, CHECK_INTERVAL_MS);
  function forget() {
    clearInterval(slowCheck);
    window.removeEventListener('focus', cameBack);
    document.removeEventListener('visibilitychange', cameBack);
  }
  window.addEventListener('focus', cameBack);
  document.addEventListener('visibilitychange', cameBack);

  reload();
  return { view, focus: () => focusElement(heading) };
}
