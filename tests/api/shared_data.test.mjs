// shared_data.test.mjs - the convention for suites needing ../shared: a missing file skips their tests visibly, and
// under CI=true fails the run naming the path; checked on the helper and on the Plaid conformance suite itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/stack.mjs';
import { sharedDataSkip } from './helpers/shared_data.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mynt-shared-'));
const missing = join(dir, 'no-such-spec.json');

test('sharedDataSkip: present data runs, absent data skips saying what and where, CI=true fails naming the path', () => {
  try {
    assert.equal(sharedDataSkip('the spec', dir, {}), false);
    assert.equal(sharedDataSkip('the spec', missing, {}), `SKIPPED: the spec missing at ${missing}`);
    assert.equal(sharedDataSkip('the spec', missing, { CI: 'false' }), `SKIPPED: the spec missing at ${missing}`);
    assert.throws(() => sharedDataSkip('the spec', missing, { CI: 'true' }),
      { message: `FAILED: the spec missing at ${missing} (CI=true: the run needs it)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the Plaid conformance suite with its spec at a missing path; returns {status, out}. */
function conformanceWithoutSpec(ci) {
  const env = { ...process.env, MYNT_PLAID_SPEC: missing };
  delete env.CI;
  delete env.NODE_TEST_CONTEXT; // a child of node --test would otherwise report to this run instead of running
  if (ci) env.CI = ci;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', join(ROOT, 'tests', 'api', 'plaid_sim_conformance.test.mjs')],
    { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the Plaid conformance suite without its spec: skipped outside CI, a failed run under CI=true', { timeout: 130_000 }, () => {
  const local = conformanceWithoutSpec(null);
  assert.equal(local.status, 0, local.out);
  assert.match(local.out, /# SKIP SKIPPED: Plaid's OpenAPI spec \(set MYNT_PLAID_SPEC\) missing at /);
  assert.match(local.out, /^# pass 0$/m);
  assert.doesNotMatch(local.out, /^# skipped 0$/m);

  const ci = conformanceWithoutSpec('true');
  assert.notEqual(ci.status, 0, ci.out);
  assert.ok(ci.out.includes(`FAILED: Plaid's OpenAPI spec (set MYNT_PLAID_SPEC) missing at ${missing} (CI=true`), ci.out);
});
