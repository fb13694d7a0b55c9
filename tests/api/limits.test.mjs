// limits.test.mjs - the request limits, each with a clear error and nothing changed: body size (64 KiB in the
// handlers, 6 MB in front of Lambda), JSON nesting depth (32), request line + headers (10,240 bytes, API Gateway's
// quota), budgets per user (one per spending category) and the 24-month range of the export.
// (Banks per user, 100, is held by tests/unit/test_link_moto.c: linking 100 banks here would take minutes.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, startStack, api, newUser, awsJson } from './helpers/stack.mjs';

const spec = parse(readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
const BUDGETABLE = spec.components.schemas.BudgetCategory.enum;
const PRIMARIES = spec.components.parameters.CategoryFilter.schema.enum;
const MAX_BODY = 64 * 1024;
const MAX_DEPTH = 32;
const MAX_HEADER_BYTES = 10240;

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Every record of sub's partition as JSON text, sorted. */
async function partition(sub) {
  const out = await awsJson(stack, 'DynamoDB_20120810.Query', { TableName: stack.table, ConsistentRead: true,
    KeyConditionExpression: 'user_id = :u', ExpressionAttributeValues: { ':u': { S: sub } } }, '1.0');
  assert.equal(out.LastEvaluatedKey, undefined, 'one page holds the partition');
  return out.Items.map((i) => JSON.stringify(i)).sort();
}

const json = { 'content-type': 'application/json' };
const budget = (user, category, body, opts = {}) =>
  api(stack, 'PUT', `/budgets/${category}`, { token: user.idToken, body, headers: json, ...opts });

/** PUTs body as user's TRAVEL budget and asserts the answer is status with the error code; returns the answer. */
async function travelRefused(user, body, status, code) {
  const res = await budget(user, 'TRAVEL', body);
  assert.equal(res.status, status, res.text);
  assert.equal(res.json.error.code, code);
  return res;
}

/** A budget body of exactly size bytes: the JSON object, then spaces (JSON whitespace) up to size. */
function bodyOfSize(size) {
  const text = JSON.stringify({ monthly_limit: 25, iso_currency_code: 'USD' });
  return text + ' '.repeat(size - text.length);
}

test('a body of 64 KiB is taken, one byte more answers 413 payload_too_large and stores nothing', async () => {
  const user = await newUser(stack);
  const before = await partition(user.sub);
  await travelRefused(user, bodyOfSize(MAX_BODY + 1), 413, 'payload_too_large');
  const items = await api(stack, 'POST', '/items', { token: user.idToken, headers: json,
    body: JSON.stringify({ public_token: 'public-sandbox-x' }) + ' '.repeat(MAX_BODY) });
  assert.equal(items.status, 413, items.text);
  assert.deepEqual(await partition(user.sub), before, 'nothing stored for a refused body');

  const exact = await budget(user, 'TRAVEL', bodyOfSize(MAX_BODY));
  assert.equal(exact.status, 201, `a body of exactly ${MAX_BODY} bytes is taken: ${exact.text}`);
});

test('a body past Lambda\'s 6 MB is refused by the gateway with 413 before any function runs', async () => {
  const user = await newUser(stack);
  const before = await partition(user.sub);
  // The gateway answers from the headers (Content-Length) and closes without reading the body, so a client that
  // streams 6 MB first races the close (fetch then sees a reset). A large upload says Expect: 100-continue and
  // sends the body only once the server asks for it: here the server must answer 413 instead.
  const res = await expectContinue(user, '/budgets/TRAVEL', bodyOfSize(6 * 1024 * 1024 + 1));
  assert.equal(res.continued, false, 'the gateway never asked for the body');
  assert.equal(res.status, 413, res.text);
  assert.equal(JSON.parse(res.text).message, 'Request Entity Too Large');
  assert.deepEqual(await partition(user.sub), before);
});

/** PUT path with body (a string) as user, sending the body only on 100 Continue; resolves {status, text, continued}.
 * Bounded: fails after 10 s. */
function expectContinue(user, path, body) {
  const url = new URL(stack.api_url + path);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', timeout: 10000,
      headers: { authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(body), expect: '100-continue' } });
    req.on('continue', () => { continued = true; req.end(body); });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text, continued }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** A budget body whose member x nests arrays so the whole body is depth deep. */
function bodyOfDepth(depth) {
  return `{"monthly_limit":25,"iso_currency_code":"USD","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

test('a body nesting more than 32 levels answers 400 before it is parsed; 32 levels reach the handler\'s checks', async () => {
  const user = await newUser(stack);
  const before = await partition(user.sub);
  const deep = await travelRefused(user, bodyOfDepth(MAX_DEPTH + 1), 400, 'bad_request');
  assert.match(deep.json.error.message, /nests arrays and objects more than 32 levels deep/);
  // Far past jansson's own limit (2048) and still well inside 64 KiB: the same 400, no crash.
  const deeper = await budget(user, 'TRAVEL', bodyOfDepth(20000));
  assert.equal(deeper.status, 400, deeper.text);
  assert.match(deeper.json.error.message, /more than 32 levels/);
  const items = await api(stack, 'POST', '/items', { token: user.idToken, headers: json,
    body: `{"public_token":"public-sandbox-x","x":${'{"a":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}}` });
  assert.equal(items.status, 400, items.text);
  assert.match(items.json.error.message, /more than 32 levels/);
  const link = await api(stack, 'POST', '/link/token', { token: user.idToken, headers: json,
    body: `{"item_id":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}` });
  assert.equal(link.status, 400, link.text);
  assert.match(link.json.error.message, /more than 32 levels/);

  const at = await budget(user, 'TRAVEL', bodyOfDepth(MAX_DEPTH));
  assert.equal(at.status, 400, at.text);
  assert.match(at.json.error.message, /unknown member "x"/, '32 levels are parsed: the handler names the member');
  assert.deepEqual(await partition(user.sub), before, 'nothing stored');
});

/** Sends one raw HTTP/1.1 request to the API whose request line + headers (method SP target SP version, then
 * name ": " value per header, as API Gateway counts them) are exactly total bytes; resolves to {status, text}. */
function rawRequest(method, target, headers, total, body = '') {
  const url = new URL(stack.api_url);
  const all = [['Host', url.host], ...headers, ['Connection', 'close']];
  if (body) all.push(['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]);
  const line = `${method} ${target} HTTP/1.1`;
  const used = line.length + all.reduce((n, [k, v]) => n + k.length + 2 + v.length, 0);
  const padName = 'X-Pad';
  const pad = total - used - padName.length - 2;
  assert.ok(pad >= 0, 'the padding fits');
  all.push([padName, 'p'.repeat(pad)]);
  const request = `${line}\r\n${all.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks = [];
    socket.setTimeout(20_000, () => { socket.destroy(); reject(new Error('no answer in 20 s')); });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status: Number(text.split(' ')[1]), text });
    });
    socket.end(request);
  });
}

test('request line + headers of 10,240 bytes are served, one byte more answers 431 and invokes nothing', async () => {
  const user = await newUser(stack);
  const auth = [['Authorization', `Bearer ${user.idToken}`]];
  const at = await rawRequest('GET', '/me', auth, MAX_HEADER_BYTES);
  assert.equal(at.status, 200, at.text);
  const over = await rawRequest('GET', '/me', auth, MAX_HEADER_BYTES + 1);
  assert.equal(over.status, 431, over.text);
  assert.match(over.text, /Request Header Fields Too Large/);

  const before = await partition(user.sub);
  const body = JSON.stringify({ monthly_limit: 25, iso_currency_code: 'USD' });
  const put = await rawRequest('PUT', '/budgets/TRAVEL', auth, MAX_HEADER_BYTES + 1, body);
  assert.equal(put.status, 431, put.text);
  assert.deepEqual(await partition(user.sub), before, 'the refused PUT stored nothing');
  const ok = await rawRequest('PUT', '/budgets/TRAVEL', auth, MAX_HEADER_BYTES, body);
  assert.equal(ok.status, 201, ok.text);
});

test('budgets are at most one per spending category: the count never passes the documented categories', async () => {
  const user = await newUser(stack);
  assert.ok(BUDGETABLE.length > 0 && BUDGETABLE.every((c) => PRIMARIES.includes(c)));
  for (const category of BUDGETABLE) {
    const res = await budget(user, category, { monthly_limit: 10, iso_currency_code: 'USD' });
    assert.equal(res.status, 201, `${category}: ${res.text}`);
  }
  const before = await partition(user.sub);
  for (const category of BUDGETABLE) {
    const res = await budget(user, category, { monthly_limit: 20, iso_currency_code: 'EUR' });
    assert.equal(res.status, 200, `${category} replaced, not added: ${res.text}`);
  }
  for (const category of [...PRIMARIES.filter((c) => !BUDGETABLE.includes(c)), 'OTHER', 'TRAVEL_2', 'travel']) {
    const res = await budget(user, category, { monthly_limit: 10, iso_currency_code: 'USD' });
    assert.equal(res.status, 400, `${category}: ${res.text}`);
  }
  const listed = await api(stack, 'GET', '/budgets', { token: user.idToken });
  assert.deepEqual(listed.json.budgets.map((b) => b.category), [...BUDGETABLE].sort());
  const records = (await partition(user.sub)).filter((r) => r.includes('"BUDGET#'));
  assert.equal(records.length, BUDGETABLE.length, 'one BUDGET# record per spending category');
  assert.equal(before.filter((r) => r.includes('"BUDGET#')).length, BUDGETABLE.length);
});

test('the export reaches back exactly 24 months: the earliest day is served, the day before answers 400', async () => {
  const user = await newUser(stack);
  const today = new Date().toISOString().slice(0, 10);
  const refused = await api(stack, 'GET', `/transactions/export?start_date=2000-01-01&end_date=${today}`,
    { token: user.idToken });
  assert.equal(refused.status, 400, refused.text);
  const earliest = refused.json.error.message.match(/the earliest is (\d{4}-\d{2}-\d{2})/)?.[1];
  assert.ok(earliest, refused.json.error.message);
  const months = (Number(today.slice(0, 4)) - Number(earliest.slice(0, 4))) * 12
    + Number(today.slice(5, 7)) - Number(earliest.slice(5, 7));
  assert.equal(months, 24, `${earliest} is 24 months before ${today}`);
  const dayBefore = new Date(Date.parse(`${earliest}T00:00:00Z`) - 86400_000).toISOString().slice(0, 10);

  const at = await api(stack, 'GET', `/transactions/export?start_date=${earliest}&end_date=${today}`,
    { token: user.idToken });
  assert.equal(at.status, 200, at.text);
  assert.match(at.headers.get('content-disposition'), new RegExp(`mynt-transactions-${earliest}-${today}\\.csv`));
  const past = await api(stack, 'GET', `/transactions/export?start_date=${dayBefore}&end_date=${today}`,
    { token: user.idToken });
  assert.equal(past.status, 400, past.text);
  assert.match(past.json.error.message, /more than 24 months before today/);
  const summary = await api(stack, 'GET', `/summary?start_date=${dayBefore}&end_date=${today}`, { token: user.idToken });
  assert.equal(summary.status, 400, 'GET /summary keeps the same range');
});
