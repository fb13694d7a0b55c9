// api_bench.mjs - latency of the API through mynt-local (release build): health, and the default
// transactions page merged across two banks. Bounded: fixed request counts. Writes build/bench/api.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, api, newUser, linkBank, ROOT } from '../tests/api/helpers/stack.mjs';

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
  const user = await newUser(stack);
  await linkBank(stack, user, 'ins_109508');
  await linkBank(stack, user, 'ins_109509');
  const results = [
    await measure('GET /health', () => api(stack, 'GET', '/health', { validate: false }), N),
    await measure('GET /me', () => api(stack, 'GET', '/me', { token: user.idToken, validate: false }), N),
    await measure('GET /transactions (100 newest, 2 banks)',
      () => api(stack, 'GET', '/transactions', { token: user.idToken, validate: false }), Math.ceil(N / 4)),
    await measure('GET /transactions (count=500, offset=500, 2 banks)',
      () => api(stack, 'GET', '/transactions?count=500&offset=500', { token: user.idToken, validate: false }), Math.ceil(N / 10)),
  ];
  mkdirSync(join(ROOT, 'build', 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'build', 'bench', 'api.json'), JSON.stringify(results, null, 2));
  for (const r of results) {
    console.log(`${r.label.padEnd(52)} p50 ${r.p50_ms.toFixed(2)} ms  p95 ${r.p95_ms.toFixed(2)} ms  p99 ${r.p99_ms.toFixed(2)} ms  (${r.n})`);
  }
} finally {
  await stack.stop();
}
