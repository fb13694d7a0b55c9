// dashboard.js - the signed-in view: lays out the banks panel and the transactions panel and wires the events between them.
import { h } from '../dom.js';
import { focusElement } from '../ui.js';
import { banksPanel } from './banks-panel.js';
import { transactionsPanel } from './transactions-panel.js';

export function dashboardView(app) {
  const user = app.session.user();
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your money');

  const transactions = transactionsPanel(app, {
    // A bank that needs signing in again is marked on its card and offered for Reconnect.
    showError: (box, err) => banks.showError(box, err),
  });
  const banks = banksPanel(app, {
    reload,
    change: (items, accounts) => transactions.setBanks(items, accounts),
    accountsRead: () => transactions.renderAccountOptions(),
    linkStarted: () => transactions.clearAlert(),
  });

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
    }
    banks.setBusy(false);
  }

  const view = h('div', { class: 'dashboard' },
    h('div', { class: 'page-head' }, heading, user?.email ? h('p', { class: 'muted' }, `Signed in as ${user.email}`) : null),
    banks.summary, banks.section, transactions.section, banks.dialog);

  reload();
  return { view, focus: () => focusElement(heading) };
}
