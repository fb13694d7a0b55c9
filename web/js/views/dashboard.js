// dashboard.js - the signed-in view: lays out the banks panel and the transactions panel, wires the events between
// them and watches the banks while one is syncing.
import { h } from '../dom.js';
import { focusElement } from '../ui.js';
import { syncProgressed } from '../bank-status.js';
import { createSyncWatch } from '../sync-watch.js';
import { banksPanel } from './banks-panel.js';
import { transactionsPanel } from './transactions-panel.js';

export function dashboardView(app) {
  const user = app.session.user();
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your money');
  let lastItems = [];

  const transactions = transactionsPanel(app, {
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
  const watch = createSyncWatch({
    readItems: async () => (await app.api.items({ quiet: true })).items ?? [],
    onItems: (items) => {
      const progressed = syncProgressed(lastItems, items);
      lastItems = items;
      banks.updateItems(items);
      if (progressed && banks.any()) refreshData();
    },
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

  reload();
  return { view, focus: () => focusElement(heading) };
}
