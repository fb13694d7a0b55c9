// health_and_routing.test.mjs - the public routes, API Gateway-style routing errors and body limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

function assertErrorBody(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0);
}

test('health answers 200 ok without a token', async () => {
  const res = await api(stack, 'GET', '/health');
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.json.status, 'ok');
});

test('an unknown route answers 404 with a JSON error', async () => {
  assertErrorBody(await api(stack, 'GET', '/no/such/route'), 404, 'not_found');
  assertErrorBody(await api(stack, 'DELETE', '/nothing-here'), 404, 'not_found');
});

test('a known path with the wrong method answers 405 and names the allowed methods', async () => {
  const res = await api(stack, 'POST', '/health', { body: { ping: 1 } });
  assertErrorBody(res, 405, 'method_not_allowed');
  assert.match(res.headers.get('allow') ?? '', /GET/);
});

test('a body over 64 KiB answers 413 and nothing runs', async () => {
  const big = JSON.stringify({ blob: 'x'.repeat(64 * 1024 + 1) });
  assertErrorBody(await api(stack, 'POST', '/health', { body: big, headers: { 'content-type': 'application/json' } }),
    413, 'payload_too_large');
});

test('the gateway keeps serving many concurrent requests', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, () => api(stack, 'GET', '/health')));
  assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
});

test('the web app and its config are served beside the API', async () => {
  const page = await fetch(stack.api_url + '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const config = await api(stack, 'GET', '/config.json', { validate: false });
  assert.equal(config.status, 200);
  assert.equal(config.json.user_pool_id, stack.user_pool_id);
  assert.equal(config.json.client_id, stack.client_id);
  assert.equal(config.json.region, stack.region);
});
