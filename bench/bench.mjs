// bench.mjs - make bench: starts the local stack from the release build (moto, plaid-sim, mynt-local), gives one user
// five banks of the simulator with their 24 months synced into the table, and five more items of the same banks for
// the Node.js baseline (bench/baseline/); then runs bench/lambda_bench.py, which measures the packaged bootstrap, the
// floor and the baseline against that stack, prints the ratios and writes build/bench/results.json.
// Bounded: the syncs are awaited at most BENCH_SYNC_SECONDS, the measuring at most BENCH_SECONDS.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, awsJson, sim, ROOT } from '../tests/api/helpers/stack.mjs';
import { BANKS, monthStart, seedUser } from './seed_user.mjs';

const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 480);
const BASELINE_TABLE = 'bench-baseline-items';

const seedPath = join(ROOT, 'build', 'bench', 'seed.json');
const stack = await startStack({ bootstrap: join(ROOT, 'build', 'release', 'bootstrap') });
let code = 1;
try {
  const { user, syncSeconds } = await seedUser(stack);

  // The baseline's own table (one row per item, as most teams keep it) and five public tokens of the same banks.
  await awsJson(stack, 'DynamoDB_20120810.CreateTable', {
    TableName: BASELINE_TABLE, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }, { AttributeName: 'item_id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }, { AttributeName: 'item_id', KeyType: 'RANGE' }],
  }, '1.0');
  const routes = JSON.parse(readFileSync(join(stack.state, 'routes.json'), 'utf8'));
  const plaidEnv = routes.functions.find((f) => f.handler === 'items').environment;
  const creds = { client_id: 'plaid-sim-client', secret: 'plaid-sim-secret' };
  const publicTokens = [];
  for (const institution of BANKS) {
    const res = await fetch(`${stack.plaid_url}/sandbox/public_token/create`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, institution_id: institution, initial_products: ['transactions'],
        options: { transactions: { days_requested: 730 } } }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`sandbox/public_token/create ${institution}: ${res.status} ${JSON.stringify(body)}`);
    publicTokens.push({ public_token: body.public_token, institution_id: institution });
  }
  const claims = JSON.parse(Buffer.from(user.idToken.split('.')[1], 'base64url').toString());
  const { today } = await sim(stack, 'GET', '/sim/health');
  mkdirSync(join(ROOT, 'build', 'bench'), { recursive: true });
  writeFileSync(seedPath, JSON.stringify({
    stack: { ...stack, logs: undefined, stop: undefined }, functions: routes.functions, banks: BANKS.length,
    sync_seconds: syncSeconds, claims, range: { start_date: monthStart(today, 11), end_date: today },
    plaid: { base_url: stack.plaid_url, ...creds, env: plaidEnv.PLAID_ENV ?? '' },
    baseline: { table: BASELINE_TABLE, public_tokens: publicTokens },
  }, null, 2));

  if (process.env.BENCH_HOLD) {
    // Keeps the seeded stack up for repeated runs of lambda_bench.py by hand, until interrupted.
    console.log(`seeded: python3 bench/lambda_bench.py ${seedPath}   (Ctrl-C stops the stack)`);
    await new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
    code = 0;
  } else {
    const child = spawn('python3', [join(ROOT, 'bench', 'lambda_bench.py'), seedPath], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGTERM'), BENCH_SECONDS * 1000);
    code = await new Promise((resolve) => child.once('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
    clearTimeout(timer);
  }
} finally {
  rmSync(seedPath, { force: true });
  await stack.stop();
}
process.exitCode = code;
