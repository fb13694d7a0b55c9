// api_bench.mjs - latency of the API through mynt-local (release build), answered from the store after the linked
// banks' syncs are done: /health, /me, /accounts, /transactions (default 100, a 12-month range), /summary (the current
// month, and the same 12 months: the range read once, whole, and summed). Each figure is also
// printed as a ratio to GET /health of the same run (the machine is shared, so absolute times drift; the ratios travel).
// Bounded: fixed request counts, syncs awaited through mynt-local's drain for at most BENCH_SYNC_SECONDS.
// Writes build/bench/api.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, api, sim, ROOT } from '../tests/api/helpers/stack.mjs';
import { BANKS, monthStart, seedUser } from './seed_user.mjs';

const N = Number(process.env.BENCH_API_REQUESTS ?? 200);

async function measure(label, fn, n) {
  await fn(); // warm the function's process
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 200) throw new Error(`${label}: ${res.status} ${res.text}`);
  }
  times.sort((a, b) => a - b);
  const pick = (p) => times[Math.min(times.length - 1, Math.round((p / 100) * (times.length - 1)))];
  return { label, n, p50_ms: pick(50), p95_ms: pick(95), p99_ms: pick(99) };
}

const stack = await startStack();
try {
  const { user, syncSeconds } = await seedUser(stack);

  // A 12-month range as the capacity figures count it: the simulator's current month and the 11 before it.
  const { today } = await sim(stack, 'GET', '/sim/health');
  const range = `start_date=${monthStart(today, 11)}&end_date=${today}`;
  const first = await api(stack, 'GET', `/transactions?${range}`, { token: user.idToken, validate: false });
  if (first.status !== 200) throw new Error(`GET /transactions?${range}: ${first.status} ${first.text}`);
  const inRange = first.json.total_transactions;
  // The last page of the range: the store reads every month of it (newest first, as far as offset + count).
  const lastOffset = Math.min(Math.max(0, inRange - 100), 10000 - 100);
  const get = (query) => () => api(stack, 'GET', `/transactions${query}`, { token: user.idToken, validate: false });
  const banks = `${BANKS.length} banks`;

  const results = [
    await measure('GET /health', () => api(stack, 'GET', '/health', { validate: false }), N),
    await measure('GET /me', () => api(stack, 'GET', '/me', { token: user.idToken, validate: false }), N),
    await measure(`GET /accounts (${banks})`,
      () => api(stack, 'GET', '/accounts', { token: user.idToken, validate: false }), Math.ceil(N / 4)),
    await measure(`GET /transactions (100 newest, ${banks})`, get(''), Math.ceil(N / 4)),
    await measure(`GET /transactions (12 months, first 100)`, get(`?${range}`), Math.ceil(N / 4)),
    await measure(`GET /transactions (12 months, last 100: all read)`,
      get(`?${range}&offset=${lastOffset}`), Math.ceil(N / 4)),
    await measure(`GET /transactions (count=500, offset=500)`, get('?count=500&offset=500'), Math.ceil(N / 10)),
    await measure(`GET /summary (current month, ${banks})`,
      () => api(stack, 'GET', '/summary', { token: user.idToken, validate: false }), Math.ceil(N / 4)),
    await measure(`GET /summary (12 months, ${banks})`,
      () => api(stack, 'GET', `/summary?${range}`, { token: user.idToken, validate: false }), Math.ceil(N / 4)),
  ];
  const base = results[0].p50_ms;
  for (const r of results) r.p50_ratio_to_health = r.p50_ms / base;
  mkdirSync(join(ROOT, 'build', 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'build', 'bench', 'api.json'),
    JSON.stringify({ banks: BANKS.length, sync_seconds: syncSeconds, range, transactions_in_range: inRange, results },
      null, 2));
  console.log(`${banks} linked; their syncs (24 months each) were stored ${syncSeconds.toFixed(1)} s after the last ` +
    `link; 12 months (${range}): ${inRange} transactions`);
  for (const r of results) {
    console.log(`${r.label.padEnd(52)} p50 ${r.p50_ms.toFixed(2).padStart(7)} ms  p95 ${r.p95_ms.toFixed(2).padStart(7)} ms` +
      `  p99 ${r.p99_ms.toFixed(2).padStart(7)} ms  p50 ${r.p50_ratio_to_health.toFixed(1).padStart(5)}x /health  (${r.n})`);
  }
} finally {
  await stack.stop();
}
