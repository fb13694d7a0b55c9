// shared_data.mjs - what a suite does when the reference data it needs from outside the repository (../shared) is
// absent: its tests are skipped, saying so, unless CI=true, where the absence fails the run.
import { existsSync } from 'node:fs';

/** The `skip` option for tests needing path (what names it, e.g. "Plaid's OpenAPI spec"): false when path exists,
 * 'SKIPPED: <what> missing at <path>' when it does not. Under env.CI === 'true' a missing path throws instead, so the
 * test file fails to load and the run fails with the path named. */
export function sharedDataSkip(what, path, env = process.env) {
  if (existsSync(path)) return false;
  const message = `${what} missing at ${path}`;
  if (env.CI === 'true') throw new Error(`FAILED: ${message} (CI=true: the run needs it)`);
  return `SKIPPED: ${message}`;
}
