// budget.js - the Budget view: a period, income and expenses by month and spending by category as charts with their
// text equivalents (each category leading to its transactions), and the monthly budgets, set, changed and removed inline.
import { h, replace, spinner, uid } from '../dom.js';
import { apiMessage, ApiError } from '../api.js';
import { formatMoney, formatDate, dateRangeProblem, isoDate, monthsBefore } from '../format.js';
import {
  BUDGETABLE, categoryName, budgetState, budgetStateWords, currentMonth, budgetCurrencies, summaryCurrencies,
  monthChartData, categoryChartData, monthChartSummary, categoryChartSummary, monthLabel,
} from '../budget-model.js';
import { loadCharts, monthChartConfig, categoryChartConfig } from '../charts.js';
import { transactionsSyncNote } from '../bank-status.js';
import { hashFor } from '../route.js';
import { alertBox, announce, focusElement, onSubmit, markInvalid, withBusy } from '../ui.js';

/** Which field of the budget forms an API 400 message is about: 'limit', 'currency', 'category' or null (the form's). */

/**
 * A chart's figure: a canvas labelled title (until the figures describe it) in a box of boxClass, then a table of the
 * same figures (caption title; headings: the first names the row, the others are numeric columns), shown under
 * "Show as a table" when collapsed. Returns {figure, canvas, box, body}: body is the table's tbody to fill.
 */
function chartFigure({ id, title, boxClass, tableClass, headings, collapsed = false }) {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const box = h('div', { class: boxClass }, canvas);
  const body = h('tbody');
  const table = h('table', { class: tableClass }, h('caption', { class: 'sr-only' }, title),
    h('thead', {}, h('tr', {}, ...headings.map((text, i) => h('th', i ? { scope: 'col', class: 'num' } : { scope: 'col' }, text)))),
    body);
  const figure = h('figure', { class: 'chart', id }, h('figcaption', {}, title), box,
    collapsed ? h('details', { class: 'chart-details' }, h('summary', {}, 'Show as a table'), table) : table);
  return { figure, canvas, box, body };
}
export function budgetErrorField(message) {
  const text = String(message ?? '');
  if (/monthly_limit/i.test(text)) return 'limit';
  if (/iso_currency_code|currency/i.test(text)) return 'currency';
  if (/categor/i.test(text)) return 'category';
  return null;
}

/** The number a person typed as a limit ('1,250.50', '$80'): currency signs, spaces and thousands commas are
 * dropped; what is left goes to the API as is (a number, or null so the API says what is wrong). */
export function limitValue(text) {
  const plain = String(text ?? '').replace(/[\s,$€£]/g, '');
  if (plain === '') return null;
  const n = Number(plain);
  return Number.isFinite(n) ? n : null;
}

/** An error line next to a field: show(text) / clear(); role=alert so it is announced. */
function fieldError() {
  const el = h('p', { class: 'field-error', id: uid('err'), role: 'alert', hidden: true });
  return {
    el,
    show(text) { el.textContent = text; el.hidden = false; },
    clear() { el.textContent = ''; el.hidden = true; },
  };
}

export function budgetView(app, query = {}) {
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Budget');
  const scope = h('p', { class: 'muted', id: 'budget-scope' }, '');
  const today = new Date();
  const fromQuery = query.start_date && query.end_date && !dateRangeProblem(query.start_date, query.end_date, today);
  const period = fromQuery ? { start: query.start_date, end: query.end_date } : currentMonth(today);
  const state = { period, summary: null, currency: null, seq: 0, chartSeq: 0, charts: [], editing: null };

  // ---- the period ----
  const minDate = isoDate(monthsBefore(today, 24));
  const maxDate = isoDate(today);
  const startInput = h('input', { type: 'date', id: 'budget-start', name: 'start_date', min: minDate, max: maxDate, value: period.start });
  const endInput = h('input', { type: 'date', id: 'budget-end', name: 'end_date', min: minDate, max: maxDate, value: period.end });
  const showButton = h('button', { type: 'submit', class: 'button button-primary' }, 'Show');
  const periodAlert = alertBox();
  const periodForm = h('form', { class: 'filters period-form', novalidate: true, 'aria-label': 'Budget period' },
    h('div', { class: 'field' }, h('label', { for: 'budget-start' }, 'From'), startInput),
    h('div', { class: 'field' }, h('label', { for: 'budget-end' }, 'To'), endInput),
    h('div', { class: 'filter-actions' }, showButton));

  const loadAlert = alertBox();
  const status = h('p', { class: 'loading-line', role: 'status', hidden: true }, spinner(), ' Loading your budget\u2026');
  const syncNote = h('p', { class: 'sync-note', hidden: true });
  const noBank = h('p', { class: 'alert alert-info', hidden: true },
    'Connect a bank on the ', h('a', { href: '#/' }, 'Overview'), ' to see where your money goes.');
  const tiles = h('div', { class: 'summary', 'aria-label': 'Totals for the period', role: 'group' });

  // ---- the charts and the category table ----
  const currencySelect = h('select', { id: 'budget-currency-shown', name: 'currency' });
  const currencyField = h('div', { class: 'field field-narrow currency-shown', hidden: true },
    h('label', { for: 'budget-currency-shown' }, 'Currency shown'), currencySelect);
  const month = chartFigure({ id: 'chart-months', title: 'Income and expenses by month', boxClass: 'chart-box',
    tableClass: 'data-table', headings: ['Month', 'Income', 'Expenses', 'Net'], collapsed: true });
  const category = chartFigure({ id: 'chart-categories', title: 'Spending by category',
    boxClass: 'chart-box chart-box-categories', tableClass: 'data-table categories-table',
    headings: ['Category', 'Spent', 'Transactions'] });
  const { canvas: monthCanvas, body: monthTableBody, figure: monthFigure } = month;
  const { canvas: categoryCanvas, box: categoryBox, body: categoryBody, figure: categoryFigure } = category;
  const chartAlert = alertBox();
  const chartsSection = h('section', { class: 'panel', id: 'budget-charts', 'aria-labelledby': 'charts-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'charts-title' }, 'Where your money goes'), currencyField),
    chartAlert.el, h('div', { class: 'chart-grid' }, monthFigure, categoryFigure));

  // ---- the budgets ----
  const budgetsTitle = h('h2', { id: 'budgets-title', tabindex: '-1' }, 'Budgets');
  const budgetList = h('ul', { class: 'budget-list' });
  const noBudgets = h('p', { class: 'muted', hidden: true }, 'No budgets yet. Set a monthly limit for a category below.');
  const addCategory = h('select', { id: 'budget-add-category', name: 'category' });
  const addLimit = h('input', { id: 'budget-add-limit', name: 'monthly_limit', type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const addCurrency = h('select', { id: 'budget-add-currency', name: 'iso_currency_code' });
  const addErrors = { category: fieldError(), limit: fieldError(), currency: fieldError(), form: alertBox() };
  addCategory.setAttribute('aria-describedby', addErrors.category.el.id);
  addLimit.setAttribute('aria-describedby', addErrors.limit.el.id);
  addCurrency.setAttribute('aria-describedby', addErrors.currency.el.id);
  // Usable once the summary says which categories have a budget already.
  const addButton = h('button', { type: 'submit', class: 'button button-primary', disabled: true }, 'Add budget');
  const addForm = h('form', { class: 'budget-add', novalidate: true, 'aria-label': 'Add a budget' },
    h('div', { class: 'field' }, h('label', { for: 'budget-add-category' }, 'Category'), addCategory, addErrors.category.el),
    h('div', { class: 'field' }, h('label', { for: 'budget-add-limit' }, 'Monthly limit'), addLimit, addErrors.limit.el),
    h('div', { class: 'field field-narrow' }, h('label', { for: 'budget-add-currency' }, 'Currency'), addCurrency, addErrors.currency.el),
    h('div', { class: 'filter-actions' }, addButton), addErrors.form.el);
  const addTitle = h('h3', { class: 'budget-add-title' }, 'Add a budget');
  const allSet = h('p', { class: 'muted', hidden: true }, 'Every spending category has a budget.');
  const budgetsSection = h('section', { class: 'panel', id: 'budgets', 'aria-labelledby': 'budgets-title' },
    h('div', { class: 'section-head' }, budgetsTitle,
      h('p', { class: 'muted' }, 'Monthly limits per category; a period of several months adds up their limits.')),
    noBudgets, budgetList, addTitle, addForm, allSet);

  const view = h('div', { class: 'budget-view' },
    h('div', { class: 'page-head' }, heading, scope),
    periodForm, periodAlert.el, loadAlert.el, status, syncNote, noBank, tiles, chartsSection, budgetsSection);

  // ---- rendering ----
  function renderTiles() {
    const totals = state.summary?.totals ?? [];
    const several = totals.length > 1;
    const tile = (label, text, extra = null) => h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, label),
      h('p', { class: 'tile-value' }, text), extra);
    replace(tiles, totals.length === 0
      ? tile('Spending', formatMoney(0, 'USD'), h('p', { class: 'tile-sub' }, 'No transactions in this period.'))
      : totals.map((t) => {
        const suffix = several ? ` (${t.iso_currency_code})` : '';
        return [
          tile(`Income${suffix}`, formatMoney(t.income, t.iso_currency_code)),
          tile(`Spending${suffix}`, formatMoney(t.expenses, t.iso_currency_code),
            t.pending_expenses ? h('p', { class: 'tile-sub' }, `${formatMoney(t.pending_expenses, t.iso_currency_code)} pending`) : null),
          tile(`Net${suffix}`, formatMoney(t.net, t.iso_currency_code),
            h('p', { class: 'tile-sub' }, t.net < 0 ? 'more out than in' : 'left over')),
        ];
      }));
  }

  function renderTables() {
    const s = state.summary;
    const currency = state.currency;
    const months = (s?.months ?? []).filter((m) => m.iso_currency_code === currency)
      .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
    const money = (v) => formatMoney(v, currency);
    replace(monthTableBody, months.length ? months.map((m) => h('tr', {},
      h('th', { scope: 'row', 'data-label': 'Month' }, monthLabel(m.month)),
      h('td', { class: 'num', 'data-label': 'Income' }, money(m.income)),
      h('td', { class: 'num', 'data-label': 'Expenses' }, money(m.expenses)),
      h('td', { class: 'num', 'data-label': 'Net' }, money(m.net))))
      : h('tr', { class: 'empty-row' }, h('td', { colspan: '4' }, 'Nothing in this period.')));
    const categories = (s?.categories ?? []).filter((c) => c.iso_currency_code === currency);
    replace(categoryBody, categories.length ? categories.map((c) => h('tr', { dataset: { category: c.category } },
      h('th', { scope: 'row', 'data-label': 'Category' },
        h('a', { href: hashFor('dashboard', { category: c.category, start_date: s.start_date, end_date: s.end_date }) }, categoryName(c.category))),
      h('td', { class: 'num', 'data-label': 'Spent' }, money(c.expenses)),
      h('td', { class: 'num', 'data-label': 'Transactions' }, String(c.transactions))))
      : h('tr', { class: 'empty-row' }, h('td', { colspan: '3' }, 'No spending in this period.')));
  }

  async function renderCharts() {
    const seq = ++state.chartSeq;
    const currency = state.currency;
    const months = monthChartData(state.summary, currency);
    const categories = categoryChartData(state.summary, currency);
    monthCanvas.setAttribute('aria-label', monthChartSummary(months, currency));
    categoryCanvas.setAttribute('aria-label', categoryChartSummary(categories, currency));
    // A bar a category: the box grows with them so the names stay readable on a phone (CSSOM, allowed by the CSP).
    categoryBox.style.height = `${Math.max(10, 2.4 * categories.labels.length + 3)}rem`;
    for (const chart of state.charts) chart.destroy();
    state.charts = [];
    let Chart;
    try {
      Chart = await loadCharts();
    } catch {
      chartAlert.show('The charts could not be loaded. The tables show the same figures.', 'warning');
      return;
    }
    chartAlert.clear();
    if (!view.isConnected || seq !== state.chartSeq) return;
    for (const chart of state.charts) chart.destroy();
    state.charts = [];
    const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    try {
      state.charts.push(new Chart(monthCanvas, monthChartConfig(months, currency, { reducedMotion })));
      state.charts.push(new Chart(categoryCanvas, categoryChartConfig(categories, currency, { reducedMotion })));
    } catch {
      for (const chart of state.charts) chart.destroy();
      state.charts = [];
      chartAlert.show('The charts could not be drawn. The tables show the same figures.', 'warning');
    }
  }

  function budgetItem(b) {
    const name = categoryName(b.category);
    const stateName = budgetState(b.percent);
    const money = (v) => formatMoney(v, b.iso_currency_code);
    const percent = Math.max(0, Number(b.percent) || 0);
    const fill = h('div', { class: 'meter-fill' });
    fill.style.width = `${Math.min(percent, 100)}%`;
    const meter = h('div', {
      class: 'meter', role: 'progressbar', 'aria-label': `${name} budget used`,
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.min(percent, 100)),
      'aria-valuetext': `${percent}% of the limit`,
    }, fill);
    const months = b.monthly_limit > 0 ? Math.round(b.limit_for_period / b.monthly_limit) : 1;
    const edit = h('button', { type: 'button', class: 'button button-secondary button-small', dataset: { action: 'edit' } },
      'Edit', h('span', { class: 'sr-only' }, ` budget for ${name}`));
    const remove = h('button', { type: 'button', class: 'button button-quiet button-small', dataset: { action: 'remove' } },
      'Remove', h('span', { class: 'sr-only' }, ` budget for ${name}`));
    const li = h('li', { class: `budget budget-${stateName}`, dataset: { category: b.category, state: stateName } },
      h('div', { class: 'budget-head' },
        h('h3', { class: 'budget-name' }, name),
        h('span', { class: `badge badge-budget-${stateName}` }, budgetStateWords(stateName))),
      h('p', { class: 'budget-figures' },
        h('span', { class: 'budget-spent' }, `${money(b.spent)} spent of ${money(b.limit_for_period)}`),
        months > 1 ? h('span', { class: 'tx-sub' }, `${months} months \u00d7 ${money(b.monthly_limit)}`) : null),
      meter,
      h('p', { class: 'budget-left' }, b.remaining >= 0 ? `${money(b.remaining)} left (${percent}% used)`
        : `${money(-b.remaining)} over the limit (${percent}% used)`),
      h('div', { class: 'budget-actions' }, edit, remove));
    edit.addEventListener('click', () => startEdit(li, b));
    remove.addEventListener('click', () => removeBudget(remove, b));
    return li;
  }

  function renderBudgets() {
    const budgets = state.summary?.budgets ?? [];
    state.editing = null;
    replace(budgetList, budgets.map(budgetItem));
    noBudgets.hidden = budgets.length > 0;
    const taken = new Set(budgets.map((b) => b.category));
    const free = BUDGETABLE.filter((c) => !taken.has(c));
    const keepCategory = addCategory.value;
    replace(addCategory, free.map((c) => h('option', { value: c, selected: c === keepCategory }, categoryName(c))));
    const keepCurrency = addCurrency.value;
    const currencies = budgetCurrencies(state.summary);
    replace(addCurrency, currencies.map((c) => h('option', { value: c, selected: c === (keepCurrency || currencies[0]) }, c)));
    addForm.hidden = free.length === 0;
    addButton.disabled = false;
    allSet.hidden = free.length > 0;
    addTitle.hidden = free.length === 0;
  }

  function render() {
    const s = state.summary;
    scope.textContent = `${formatDate(s.start_date)} \u2013 ${formatDate(s.end_date)}`;
    const note = transactionsSyncNote(s.items ?? []);
    syncNote.textContent = note ?? '';
    syncNote.hidden = !note;
    noBank.hidden = (s.items ?? []).length > 0;
    const currencies = summaryCurrencies(s);
    if (!currencies.includes(state.currency)) state.currency = currencies[0];
    replace(currencySelect, currencies.map((c) => h('option', { value: c, selected: c === state.currency }, c)));
    currencyField.hidden = currencies.length < 2;
    renderTiles();
    renderTables();
    renderBudgets();
    renderCharts();
  }

  /** Reads the summary of the period; resolves to true when shown. */
  async function load() {
    const seq = ++state.seq;
    loadAlert.clear();
    view.setAttribute('aria-busy', 'true');
    status.hidden = false;
    showButton.disabled = true;
    try {
      const summary = await app.api.summary({ start_date: state.period.start, end_date: state.period.end });
      if (seq !== state.seq) return false;
      state.summary = summary;
      render();
      return true;
    } catch (err) {
      if (seq !== state.seq) return false;
      loadAlert.show(`Your budget could not be read. ${apiMessage(err)}`, 'error');
      return false;
    } finally {
      if (seq === state.seq) {
        view.setAttribute('aria-busy', 'false');
        status.hidden = true;
        showButton.disabled = false;
      }
    }
  }

  // ---- changing budgets ----
  function startEdit(li, b) {
    if (state.editing && state.editing !== li) cancelEdit(state.editing);
    const name = categoryName(b.category);
    const inputId = uid('limit');
    const unitId = `${inputId}-unit`;
    const error = fieldError();
    const input = h('input', {
      id: inputId, type: 'text', inputmode: 'decimal', autocomplete: 'off', value: String(b.monthly_limit),
      'aria-describedby': `${unitId} ${error.el.id}`,
    });
    const save = h('button', { type: 'submit', class: 'button button-primary button-small' }, 'Save');
    const cancel = h('button', { type: 'button', class: 'button button-quiet button-small' }, 'Cancel');
    const form = h('form', { class: 'budget-edit', novalidate: true, 'aria-label': `Edit budget for ${name}` },
      h('div', { class: 'field' },
        h('label', { for: inputId }, 'Monthly limit', h('span', { class: 'sr-only' }, ` for ${name}`)),
        h('div', { class: 'input-with-unit' }, input, h('span', { class: 'unit', id: unitId }, b.iso_currency_code)),
        error.el),
      h('div', { class: 'budget-actions' }, save, cancel));
    const saved = [...li.childNodes];
    li.dataset.editing = 'true';
    li.replaceChildren(li.querySelector('.budget-head') ?? '', form);
    li.savedNodes = saved;
    state.editing = li;
    const back = () => cancelEdit(li);
    cancel.addEventListener('click', back);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.preventDefault(); back(); }
    });
    onSubmit(form, { clear: () => error.clear() }, async () => {
      const limit = limitValue(input.value);
      if (input.value.trim() === '') {
        error.show('Enter a monthly limit.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      try {
        await withBusy(save, 'Saving\u2026', () => app.api.putBudget(b.category, { monthly_limit: limit, iso_currency_code: b.iso_currency_code }));
      } catch (err) {
        error.show(apiMessage(err));
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      announce(`Budget for ${name} saved.`);
      await load();
      focusBudgetButton(b.category, 'edit');
    });
    input.focus();
    input.select();
  }

  function cancelEdit(li) {
    if (!li.savedNodes) return;
    li.replaceChildren(...li.savedNodes);
    delete li.savedNodes;
    delete li.dataset.editing;
    if (state.editing === li) state.editing = null;
    li.querySelector('[data-action="edit"]')?.focus();
  }

  function focusBudgetButton(category, action) {
    const li = [...budgetList.children].find((el) => el.dataset.category === category);
    const button = li?.querySelector(`[data-action="${action}"]`);
    if (button) button.focus();
    else focusElement(budgetsTitle);
  }

  async function removeBudget(button, b) {
    const name = categoryName(b.category);
    const li = button.closest('li');
    let problem = null;
    try {
      await withBusy(button, 'Removing\u2026', () => app.api.removeBudget(b.category));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) problem = err;
    }
    if (problem) {
      let box = li.querySelector('.budget-error');
      if (!box) {
        box = h('p', { class: 'field-error budget-error', role: 'alert' });
        li.append(box);
      }
      box.textContent = `The budget for ${name} could not be removed. ${apiMessage(problem)}`;
      return;
    }
    announce(`Budget for ${name} removed.`);
    await load();
    focusElement(budgetsTitle);
  }

  onSubmit(addForm, { clear: () => { for (const e of Object.values(addErrors)) e.clear(); } }, async () => {
    const category = addCategory.value;
    const name = categoryName(category);
    if (addLimit.value.trim() === '') {
      addErrors.limit.show('Enter a monthly limit.');
      addLimit.setAttribute('aria-invalid', 'true');
      addLimit.focus();
      return;
    }
    try {
      await withBusy(addButton, 'Adding\u2026', () => app.api.putBudget(category, {
        monthly_limit: limitValue(addLimit.value), iso_currency_code: addCurrency.value,
      }));
    } catch (err) {
      const where = err instanceof ApiError && err.status === 400 ? budgetErrorField(err.message) : null;
      const input = { limit: addLimit, currency: addCurrency, category: addCategory }[where];
      if (input) {
        addErrors[where].show(apiMessage(err));
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        addErrors.form.show(`The budget could not be added. ${apiMessage(err)}`, 'error');
      }
      return;
    }
    addLimit.value = '';
    announce(`Budget for ${name} added.`);
    await load();
    focusBudgetButton(category, 'edit');
  });

  onSubmit(periodForm, periodAlert, () => {
    const start = startInput.value;
    const end = endInput.value;
    if (!start && !end) {
      state.period = currentMonth(new Date());
      startInput.value = state.period.start;
      endInput.value = state.period.end;
    } else {
      const problem = dateRangeProblem(start, end);
      if (problem) {
        const bad = !start || (end && start > end) ? startInput : endInput;
        markInvalid(periodAlert, bad, problem.replace(', or clear both for the most recent transactions', ''));
        return;
      }
      state.period = { start, end };
    }
    // The address keeps the period, so a reload or the Back button comes back to it.
    history.replaceState(null, '', `${location.pathname}${location.search}${hashFor('budget', { start_date: state.period.start, end_date: state.period.end })}`);
    load().then((shown) => { if (shown) announce(`Budget for ${scope.textContent}.`); });
  });

  currencySelect.addEventListener('change', () => {
    state.currency = currencySelect.value;
    renderTables();
    renderCharts();
  });

  load();
  return { view, focus: () => focusElement(heading) };
}
