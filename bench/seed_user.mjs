// seed_user.mjs - the benchmarks' user: five banks of the simulator (BENCH_BANKS: 1-5) linked through the API, and
// their syncs awaited until the whole 24 months of each are stored (mynt-local's drain, then every item synced with
// history_complete), at most BENCH_SYNC_SECONDS.
import { api, newUser, linkBank, drainSyncs } from '../tests/api/helpers/stack.mjs';

export const BANKS = ['ins_109508', 'ins_109509', 'ins_109510', 'ins_109511', 'ins_109512']
  .slice(0, Number(process.env.BENCH_BANKS ?? 5));
const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 180);

/** Waits until every item's first sync and full history are stored; resolves to the items, throws past the bound. */
async function awaitSyncs(stack, user) {
  const deadline = Date.now() + SYNC_SECONDS * 1000;
  for (;;) {
    const drained = await drainSyncs(stack).catch((e) => ({ idle: false, error: e.message }));
    const res = await api(stack, 'GET', '/items', { token: user.idToken, validate: false });
    if (res.status !== 200) throw new Error(`GET /items: ${res.status} ${res.text}`);
    const items = res.json.items;
    const done = items.filter((i) => i.sync.status === 'synced' && i.sync.history_complete);
    if (drained.idle && done.length === BANKS.length) return items;
    if (Date.now() > deadline) {
      throw new Error(`syncs not complete after ${SYNC_SECONDS} s: ${JSON.stringify(items.map((i) => i.sync))}`);
    }
  }
}

/** A new user with BANKS linked and synced; resolves to { user, syncSeconds } (seconds from the last link). */
export async function seedUser(stack) {
  const user = await newUser(stack);
  for (const institution of BANKS) {
    const res = await linkBank(stack, user, institution);
    if (res.status !== 201) throw new Error(`POST /items ${institution}: ${res.status} ${res.text}`);
  }
  const started = Date.now();
  await awaitSyncs(stack, user);
  return { user, syncSeconds: (Date.now() - started) / 1000 };
}

/** YYYY-MM-DD of the first day of the month `back` months before date (YYYY-MM-DD). */
export function monthStart(date, back) {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 - back, 1)).toISOString().slice(0, 10);
}
