// format.js - pure formatting of money, dates, categories and transaction flows for display.

const moneyFormats = new Map();

function moneyFormat(currency, locale) {
  const key = `${locale ?? ''}|${currency ?? ''}`;
  if (!moneyFormats.has(key)) {
    moneyFormats.set(key, currency
      ? new Intl.NumberFormat(locale, { style: 'currency', currency })
      : new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  }
  return moneyFormats.get(key);
}

/** Formats a number as money in currency (an ISO 4217 code; null = a plain two-decimal number).
 * Returns '—' for null/undefined. */
export function formatMoney(value, currency, locale = undefined) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  try {
    return moneyFormat(currency, locale).format(value);
  } catch {
    return moneyFormat(null, locale).format(value) + (currency ? ` ${currency}` : '');
  }
}

/** Describes a transaction amount with Plaid's sign (positive = money out of the account):
 * {text: '+$12.00' | '−$12.00', direction: 'in' | 'out', label: 'money in' | 'money out'}. */
export function transactionAmount(amount, currency, locale = undefined) {
  const out = amount > 0;
  const magnitude = formatMoney(Math.abs(amount), currency, locale);
  if (amount === 0) return { text: magnitude, direction: 'none', label: 'no money moved' };
  return out
    ? { text: `\u2212${magnitude}`, direction: 'out', label: 'money out' }
    : { text: `+${magnitude}`, direction: 'in', label: 'money in' };
}

const FLOWS = {
  income: { label: 'Income', symbol: '\u2193' },
  expense: { label: 'Expense', symbol: '\u2191' },
  transfer: { label: 'Transfer', symbol: '\u21c4' },
};

/** Returns {label, symbol} for a flow (income, expense, transfer); unknown flows read as themselves. */
export function flowInfo(flow) {
  return FLOWS[flow] ?? { label: String(flow ?? 'Other'), symbol: '\u2022' };
}

/** 'FOOD_AND_DRINK' → 'Food and drink'. */
export function humanize(code) {
  if (!code) return '';
  const words = String(code).toLowerCase().split('_').filter(Boolean);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Category text from Plaid's personal finance category: 'Food and drink · Coffee'. The
 * detailed code repeats the primary as its prefix, which is dropped. */
export function categoryLabel(primary, detailed) {
  if (!primary && !detailed) return 'Uncategorized';
  const main = humanize(primary);
  let detail = detailed ?? '';
  if (primary && detail.startsWith(`${primary}_`)) detail = detail.slice(primary.length + 1);
  detail = humanize(detail);
  if (!main) return detail;
  return detail && detail.toLowerCase() !== main.toLowerCase() ? `${main} \u00b7 ${detail}` : main;
}

/** Parses 'YYYY-MM-DD' as a calendar date; returns {y, m, d} or null when it is not a real date. */
export function parseIsoDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  if (!match) return null;
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return { y, m, d };
}

/** 'YYYY-MM-DD' for a Date in local time (what the user calls today). */
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The date months before date (clamped to the month's last day), as a new Date. */
export function monthsBefore(date, months) {
  const d = new Date(date.getFullYear(), date.getMonth() - months, 1);
  const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
  d.setDate(Math.min(date.getDate(), last));
  return d;
}

/** 'YYYY-MM-DD' → 'Nov 25, 2026' (no time zone shift); unparseable text is returned as is. */
export function formatDate(text, locale = undefined) {
  const p = parseIsoDate(text);
  if (!p) return String(text ?? '');
  return new Date(Date.UTC(p.y, p.m - 1, p.d)).toLocaleDateString(locale,
    { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Checks a date range the user typed: both or neither, real dates, start ≤ end, not in the
 * future, at most 24 months back. Returns null when fine, or a message saying what is wrong. */
export function dateRangeProblem(start, end, today = new Date()) {
  if (!start && !end) return null;
  if (!start || !end) return 'Choose both a start and an end date, or clear both for the most recent transactions.';
  const s = parseIsoDate(start);
  const e = parseIsoDate(end);
  if (!s || !e) return 'Dates must be real calendar dates.';
  if (start > end) return 'The start date must be on or before the end date.';
  if (start < isoDate(monthsBefore(today, 24))) return 'Mynt can show at most the last 24 months.';
  if (start > isoDate(today)) return 'The start date is in the future.';
  return null;
}

/** 'Showing 101–200 of 1,234' for a page. */
export function pageSummary(offset, shown, total, locale = undefined) {
  const n = (v) => new Intl.NumberFormat(locale).format(v);
  if (total === 0 || shown === 0) return 'No transactions';
  return `Showing ${n(offset + 1)}\u2013${n(offset + shown)} of ${n(total)}`;
}

const RELATIVE_STEPS = [
  { unit: 'minute', ms: 60_000, upTo: 60 },
  { unit: 'hour', ms: 3_600_000, upTo: 24 },
  { unit: 'day', ms: 86_400_000, upTo: 7 },
];

/** How long ago an ISO time was, in words: 'just now', '5 minutes ago', 'yesterday', '3 days ago',
 * then the date ('on Nov 25, 2026'). A time a little in the future (clock skew) reads as 'just now';
 * null or an unparseable time returns null. */
export function relativeTime(iso, now = new Date(), locale = undefined) {
  const at = Date.parse(iso ?? '');
  if (Number.isNaN(at)) return null;
  const ago = now.getTime() - at;
  if (ago < 45_000) return 'just now';
  const words = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const step of RELATIVE_STEPS) {
    const n = Math.max(1, Math.round(ago / step.ms));
    if (n < step.upTo) return words.format(-n, step.unit);
  }
  const date = new Date(at);
  return `on ${date.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })}`;
}
