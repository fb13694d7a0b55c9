// budget-model.js - pure: Plaid's categories, a budget's state, the Budget view's default period and GET /summary → chart data and words.
import { humanize, formatMoney, isoDate } from './format.js';

/** Plaid's personal_finance_category primaries, in Plaid's order (the API refuses any other). */
export const CATEGORIES = Object.freeze([
  'INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS', 'BANK_FEES', 'ENTERTAINMENT', 'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE', 'HOME_IMPROVEMENT', 'MEDICAL', 'PERSONAL_CARE', 'GENERAL_SERVICES',
  'GOVERNMENT_AND_NON_PROFIT', 'TRANSPORTATION', 'TRAVEL', 'RENT_AND_UTILITIES',
]);

/** Mynt's group for transactions without a category (a filter value; never budgeted). */
export const UNCATEGORIZED = 'UNCATEGORIZED';

const NOT_SPENDING = new Set(['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS']);

/** The categories a budget can be set for: Plaid's primaries whose flow is expense. */
export const BUDGETABLE = Object.freeze(CATEGORIES.filter((c) => !NOT_SPENDING.has(c)));

/** A category code in words (format.js humanize): 'FOOD_AND_DRINK' → 'Food and drink'; none → 'Uncategorized'. */
export function categoryName(code) {
  return humanize(code || UNCATEGORIZED);
}

/** A budget's state from the API's percent (spent × 100 / limit): 'over' above 100, 'near' from 80 to 100, else 'ok'. */
export function budgetState(percent) {
  const p = Number(percent);
  if (!Number.isFinite(p)) return 'ok';
  if (p > 100) return 'over';
  if (p >= 80) return 'near';
  return 'ok';
}

const STATE_WORDS = { ok: 'On track', near: 'Near the limit', over: 'Over budget' };

/** The state in words (never colour alone): 'On track', 'Near the limit', 'Over budget'. */
export function budgetStateWords(state) {
  return STATE_WORDS[state] ?? STATE_WORDS.ok;
}

/** The Budget view's default period: the current calendar month, its first day to today (local dates). */
export function currentMonth(today = new Date()) {
  return { start: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), end: isoDate(today) };
}

/** The currencies a budget can be set in: USD first (the default), then the others the summary's totals have, sorted. */
export function budgetCurrencies(summary) {
  const seen = (summary?.totals ?? []).map((t) => t.iso_currency_code).filter((c) => c && c !== 'USD');
  return ['USD', ...[...new Set(seen)].sort()];
}

/** The currencies the summary has figures in (its totals, sorted), USD first when there; ['USD'] when none. */
export function summaryCurrencies(summary) {
  const seen = [...new Set((summary?.totals ?? []).map((t) => t.iso_currency_code).filter(Boolean))].sort();
  if (!seen.length) return ['USD'];
  return seen.includes('USD') ? ['USD', ...seen.filter((c) => c !== 'USD')] : seen;
}

/** 'YYYY-MM' → 'Jan 2026' (no time zone shift). */
export function monthLabel(month, locale = undefined) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(month ?? ''));
  if (!m) return String(month ?? '');
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))
    .toLocaleDateString(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** GET /summary's months in one currency → {labels, months, income, expenses} for the bar chart (months ascending). */
export function monthChartData(summary, currency, locale = undefined) {
  const rows = (summary?.months ?? []).filter((m) => m.iso_currency_code === currency)
    .slice().sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  return {
    labels: rows.map((m) => monthLabel(m.month, locale)),
    months: rows.map((m) => m.month),
    income: rows.map((m) => m.income),
    expenses: rows.map((m) => m.expenses),
  };
}

/** GET /summary's categories in one currency → {labels, categories, expenses} (the API's order: expenses
 * descending); only categories with spending above zero (a chart cannot draw a refunded-to-negative slice). */
export function categoryChartData(summary, currency) {
  const rows = (summary?.categories ?? []).filter((c) => c.iso_currency_code === currency && c.expenses > 0);
  return {
    labels: rows.map((c) => categoryName(c.category)),
    categories: rows.map((c) => c.category),
    expenses: rows.map((c) => c.expenses),
  };
}

/** The month chart's text for screen readers (its canvas's aria-label). */
export function monthChartSummary(data, currency, locale = undefined) {
  if (!data.labels.length) return `Income and expenses by month in ${currency}: nothing in this period.`;
  const money = (v) => formatMoney(v, currency, locale);
  const parts = data.labels.map((label, i) => `${label}: income ${money(data.income[i])}, expenses ${money(data.expenses[i])}`);
  return `Income and expenses by month in ${currency}. ${parts.join('; ')}.`;
}

/** The category chart's text for screen readers: the biggest categories first (at most five named). */
export function categoryChartSummary(data, currency, locale = undefined) {
  if (!data.labels.length) return `Spending by category in ${currency}: no spending in this period.`;
  const money = (v) => formatMoney(v, currency, locale);
  const named = data.labels.slice(0, 5).map((label, i) => `${label} ${money(data.expenses[i])}`);
  const more = data.labels.length > 5 ? `, and ${data.labels.length - 5} more (see the table below)` : '';
  return `Spending by category in ${currency}, largest first: ${named.join(', ')}${more}.`;
}
