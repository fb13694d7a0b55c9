// sync-watch.js - re-reads the banks every few seconds while one is syncing: bounded in time, stopped when the view is left.

export const WATCH_INTERVAL_MS = 3_000;
export const WATCH_MAX_MS = 3 * 60_000;
/** Outside a watch, the banks are looked at again this often while the page is on screen (a webhook may have
 * changed one: it needs signing in again, has new accounts, …), for at most CHECK_MAX_MS after the person last
 * came back to the page; coming back (focus, the tab shown again) also looks at once. */
export const CHECK_INTERVAL_MS = 60_000;
export const CHECK_MAX_MS = 30 * 60_000;

/**
 * A watcher over the items. start() (again) begins a bounded watch of maxMs from now: every intervalMs
 * it calls readItems() (resolves to the items, or rejects: a failed read is retried next time) and
 * passes them to onItems(items); it stops by itself when wanted(items) is false, when maxMs have
 * passed, or as soon as active() is false (the view was left). stop() ends it (onStop() runs once
 * whenever a watch that was on ends); running() says whether a watch is on.
 * Only one timer is ever pending. Timers and the clock are injectable for tests.
 * Returns {start, stop, running()}.
 */
export function createSyncWatch({
  readItems, onItems, wanted, active = () => true, onStop = () => {}, intervalMs = WATCH_INTERVAL_MS, maxMs = WATCH_MAX_MS,
  setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (t) => clearTimeout(t), now = () => Date.now(),
}) {
  let timer = null;
  let until = 0;
  let generation = 0;
  let live = false;

  function stop() {
    const was = live;
    generation += 1;
    live = false;
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (was) onStop();
  }

  function schedule(gen) {
    timer = setTimer(() => tick(gen), intervalMs);
  }

  async function tick(gen) {
    timer = null;
    if (gen !== generation) return;
    if (!active() || now() >= until) { stop(); return; }
    let items = null;
    try {
      items = await readItems();
    } catch {
      items = null;
    }
    if (gen !== generation) return;
    if (!active()) { stop(); return; }
    if (items) {
      onItems(items);
      if (!wanted(items)) { stop(); return; }
    }
    if (gen !== generation) return;
    if (now() >= until) { stop(); return; }
    schedule(gen);
  }

  return {
    start() {
      generation += 1;
      if (timer !== null) clearTimer(timer);
      timer = null;
      until = now() + maxMs;
      live = true;
      schedule(generation);
    },
    stop,
    running: () => live,
  };
}
