// template_routes.test.mjs - the bootstrap serves exactly the routes template.yaml declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, BUILD } from './helpers/stack.mjs';

test('every template route is in the bootstrap route table with the same group and auth, and no more', () => {
  const template = JSON.parse(execFileSync('python3', [join(ROOT, 'scripts', 'localstack.py'), '--routes-only',
    join(ROOT, 'template.yaml')]).toString());
  const binary = JSON.parse(execFileSync(join(BUILD, 'bootstrap'), ['--routes']).toString());
  const fromTemplate = template.functions.flatMap((fn) => fn.routes.map((r) =>
    `${r.route_key} ${fn.handler} ${r.auth === 'jwt'}`)).sort();
  const fromBinary = binary.routes.map((r) => `${r.route_key} ${r.group} ${r.auth}`).sort();
  assert.deepEqual(fromBinary, fromTemplate);
});
