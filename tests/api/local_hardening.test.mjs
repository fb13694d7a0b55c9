// local_hardening.test.mjs - the local servers against a hostile page: a Host that is not loopback (DNS rebinding) is
// refused by mynt-local and plaid-sim, a token issued in the future is refused, the web app carries its security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startStack, api, newUser, userPoolSigningKey, signJwt, idClaims } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** GET (or method) base+path with the Host header host (fetch cannot set one); resolves to {status, headers, text}. */
function rawRequest(base, path, host, { method = 'GET', body } = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const headers = { host };
    if (body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(body); }
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

test('mynt-local and plaid-sim answer 421 to a Host that is not a loopback name, and serve loopback names', async () => {
  const user = await newUser(stack);
  const apiPort = new URL(stack.api_url).port;
  const simPort = new URL(stack.plaid_url).port;
  for (const host of [`rebound.example:${apiPort}`, `127.0.0.1.nip.io:${apiPort}`, 'attacker.test']) {
    for (const path of ['/', '/config.json', '/health']) {
      const res = await rawRequest(stack.api_url, path, host);
      assert.equal(res.status, 421, `${host} ${path}: ${res.text}`);
      assert.deepEqual(JSON.parse(res.text), { message: 'Misdirected Request' });
    }
    // a page that rebinds its name cannot link a bank or read the user's data, token or not
    const link = await rawRequest(stack.api_url, '/link/token', host, { method: 'POST', body: '{}' });
    assert.equal(link.status, 421, link.text);
    const sim = await rawRequest(stack.plaid_url, '/sim/link/complete', host.replace(apiPort, simPort),
      { method: 'POST', body: JSON.stringify({ link_token: 'x', institution_id: 'ins_109508' }) });
    assert.equal(sim.status, 421, sim.text);
  }
  for (const host of [`localhost:${apiPort}`, `LOCALHOST:${apiPort}`, `127.0.0.1:${apiPort}`]) {
    const res = await rawRequest(stack.api_url, '/health', host);
    assert.equal(res.status, 200, `${host}: ${res.text}`);
  }
  const simOk = await rawRequest(stack.plaid_url, '/sim/link/complete', `localhost:${simPort}`,
    { method: 'POST', body: JSON.stringify({ link_token: 'x', institution_id: 'ins_109508' }) });
  assert.notEqual(simOk.status, 421, simOk.text);
  // the user's own requests (by 127.0.0.1, as the app makes them) still work
  const me = await api(stack, 'GET', '/me', { token: user.idToken });
  assert.equal(me.status, 200, me.text);
});

test('a token issued an hour in the future is refused with 401; one issued now is accepted', async () => {
  const key = userPoolSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const future = await api(stack, 'GET', '/me', { token: signJwt(idClaims(stack, { iat: now + 3600, exp: now + 7200 }), key),
    validate: false });
  assert.equal(future.status, 401, future.text);
  assert.deepEqual(future.json, { message: 'Unauthorized' });
  const current = await api(stack, 'GET', '/me', { token: signJwt(idClaims(stack), key) });
  assert.equal(current.status, 200, current.text);
});

test('the web app is served with the security headers, and its CSP lets it reach only its own endpoints', async () => {
  const config = (await api(stack, 'GET', '/config.json', { validate: false })).json;
  for (const path of ['/', '/app.js', '/styles.css', '/plaid/link-initialize.js', '/plaid/link.css', '/config.json']) {
    const res = await fetch(stack.api_url + path);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives['default-src'], ["'self'"], path);
    assert.deepEqual(directives['script-src'], ["'self'"], path);
    assert.deepEqual(directives['style-src'], ["'self'"], path);
    assert.deepEqual(directives['img-src'], ["'self'", 'data:'], path);
    assert.deepEqual(directives['connect-src'],
      ["'self'", new URL(config.cognito_endpoint).origin, new URL(config.cognito_domain).origin,
        new URL(config.plaid_url).origin], path); // cognito_domain: the hosted UI (locally mynt-local's stand-in)
    assert.deepEqual(directives['frame-ancestors'], ["'none'"], path);
    assert.deepEqual(directives['base-uri'], ["'none'"], path);
    assert.deepEqual(directives['form-action'], ["'self'"], path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.match(res.headers.get('strict-transport-security') ?? '', /^max-age=\d{8,}; includeSubDomains$/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
  }
});
