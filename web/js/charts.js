// charts.js - the Budget view's charts: loads Chart.js (npm's chart.js, served by Mynt at /vendor/chart.umd.js) once,
// and builds the bar charts' configurations from budget-model's chart data (pure).
import { formatMoney } from './format.js';
import { scriptLoader } from './dom.js';

/** Where Mynt serves Chart.js's UMD build (make dev: a mynt-local mount of node_modules/chart.js/dist; AWS: uploaded). */
export const CHART_SCRIPT = '/vendor/chart.umd.js';

/** Colours of the figures, as styles.css names them (income, expense, the category bars). */
export const CHART_COLOURS = Object.freeze({ income: '#12724f', expenses: '#a1382b', category: '#1f7a5a', grid: '#dce7e1', ink: '#4d5f57' });

const loadChartScript = scriptLoader(() => (globalThis.Chart?.register ? globalThis.Chart : null),
  { notStarted: 'Chart.js did not start', notLoaded: 'Chart.js could not be loaded' });

/** Loads Chart.js once; resolves to window.Chart. Rejects when the script cannot be loaded. */
export function loadCharts(src = CHART_SCRIPT) {
  return loadChartScript(src);
}

function moneyTicks(currency, locale) {
  const compact = new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  return (value) => {
    try { return compact.format(value); } catch { return String(value); }
  };
}

function common(currency, { reducedMotion, locale }) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: reducedMotion ? false : { duration: 400 },
    plugins: {
      legend: { labels: { color: CHART_COLOURS.ink } },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatMoney(ctx.parsed[ctx.chart.options.indexAxis === 'y' ? 'x' : 'y'], currency, locale)}` } },
    },
  };
}

/** A bar chart's configuration: labels, datasets (bars with rounded ends) and the shared options with extra over them. */
function barConfig(labels, datasets, base, extra) {
  return {
    type: 'bar',
    data: { labels, datasets: datasets.map((d) => ({ ...d, borderRadius: 4 })) },
    options: { ...base, ...extra },
  };
}

/** The axis of amounts: from zero, gridded, ticks as compact money. */
function moneyAxis(currency, locale) {
  return { beginAtZero: true, grid: { color: CHART_COLOURS.grid }, ticks: { color: CHART_COLOURS.ink, callback: moneyTicks(currency, locale) } };
}

/** The Chart.js configuration of the month chart: income and expenses side by side, one pair of bars a month. */
export function monthChartConfig(data, currency, { reducedMotion = false, locale = undefined } = {}) {
  return barConfig(data.labels, [
    { label: 'Income', data: data.income, backgroundColor: CHART_COLOURS.income },
    { label: 'Expenses', data: data.expenses, backgroundColor: CHART_COLOURS.expenses },
  ], common(currency, { reducedMotion, locale }), {
    scales: { x: { grid: { display: false }, ticks: { color: CHART_COLOURS.ink } }, y: moneyAxis(currency, locale) },
  });
}

/** The Chart.js configuration of the category chart: one horizontal bar a category, largest first. */
export function categoryChartConfig(data, currency, { reducedMotion = false, locale = undefined } = {}) {
  const base = common(currency, { reducedMotion, locale });
  return barConfig(data.labels, [{ label: 'Spent', data: data.expenses, backgroundColor: CHART_COLOURS.category }], base, {
    indexAxis: 'y',
    plugins: { ...base.plugins, legend: { display: false } },
    scales: { x: moneyAxis(currency, locale), y: { grid: { display: false }, ticks: { color: CHART_COLOURS.ink, autoSkip: false } } },
  });
}
