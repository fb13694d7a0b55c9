// local_link.test.mjs - how make dev serves the local Plaid Link stand-in: mynt-local's /plaid/ mount (and nothing
// outside it), and the simulator's CORS for /sim/link/complete (loopback pages only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, ROOT } from '../api/helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** GETs a raw path (no URL normalisation, unlike fetch) from url's host; resolves to {status, headers, body}. */
function rawGet(url, path, headers = {}, method = 'GET') {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('mynt-local serves the Link stand-in at /plaid/link-initialize.js as JavaScript', { timeout: 30_000 }, async () => {
  const res = await rawGet(stack.api_url, '/plaid/link-initialize.js');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/javascript/);
  assert.equal(res.body, readFileSync(join(ROOT, 'local', 'plaid_sim', 'link', 'link-initialize.js'), 'utf8'));
});

test('the /plaid/ mount refuses paths that climb out of its directory', { timeout: 30_000 }, async () => {
  for (const path of ['/plaid/../scripts/dev.py', '/plaid/../../scripts/dev.py', '/plaid/%2e%2e/plaid_sim.c',
    '/plaid/..%2fplaid_sim.c', '/plaid/%2e%2e%2f%2e%2e%2fMakefile', '/plaid/..\\plaid_sim.c', '/plaid/missing.js']) {
    const res = await rawGet(stack.api_url, path);
    assert.equal(res.status, 404, `${path} answered ${res.status}`);
    assert.doesNotMatch(res.body, /#include|import argparse|MYNT_|\.PHONY/, `${path} leaked a file`);
  }
  const app = await rawGet(stack.api_url, '/app.js');
  assert.equal(app.status, 200, 'the web app is still served beside the mount');
});

test('the simulator answers CORS for /sim/link/complete to loopback pages only', { timeout: 30_000 }, async () => {
  const preflight = (origin) => rawGet(stack.plaid_url, '/sim/link/complete', {
    origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type',
  }, 'OPTIONS');
  for (const origin of [stack.api_url, 'http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:3000']) {
    const res = await preflight(origin);
    assert.equal(res.status, 204, origin);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.match(res.headers['access-control-allow-methods'], /POST/);
    assert.match(res.headers['access-control-allow-headers'], /content-type/i);
  }
  for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example:80',
    'http://128.0.0.1', 'null']) {
    const res = await preflight(origin);
    assert.equal(res.status, 403, origin);
    assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
  }
  const post = (origin) => fetch(`${stack.plaid_url}/sim/link/complete`, {
    method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}',
  });
  const mine = await post(stack.api_url);
  assert.equal(mine.status, 400, 'the request itself is still validated');
  assert.equal(mine.headers.get('access-control-allow-origin'), stack.api_url);
  assert.equal((await post('https://evil.example')).headers.get('access-control-allow-origin'), null);
  const other = await fetch(`${stack.plaid_url}/sim/items`, { headers: { origin: stack.api_url } });
  assert.equal(other.headers.get('access-control-allow-origin'), null, 'other simulator endpoints stay closed to browsers');
});
