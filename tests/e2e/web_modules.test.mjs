// web_modules.test.mjs - the web app's pure modules under Node: PKCE and the OAuth callback, money/date/category
// formatting, Cognito and API error handling, and the session's refresh before expiry.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  codeChallenge, beginSignIn, completeSignIn, parseCallback, checkCallback, tokenRequest, authorizeUrl, PENDING_KEY,
  PENDING_MAX_AGE_MS, isFirstLinkFailure, refreshSignIn, revokeSignIn, logoutUrl,
} from '../../web/js/pkce.js';
import {
  transactionAmount, categoryLabel, dateRangeProblem, formatDate, formatMoney, pageSummary, parseIsoDate, monthsBefore, isoDate,
} from '../../web/js/format.js';
import { createCognito, cognitoMessage, CognitoError, passwordProblems } from '../../web/js/cognito.js';
import { createApi, apiMessage, ApiError } from '../../web/js/api.js';
import { createSession } from '../../web/js/session.js';

/** A Storage-like map. */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k),
    get length() { return m.size; },
  };
}

/** A fetch that records calls and answers with answer(url, init) → {status, json}. */
function fakeFetch(answer) {
  const calls = [];
  const fn = async (url, init = {}) => {
    calls.push({ url, init });
    const { status = 200, json = {} } = answer(url, init);
    return { ok: status >= 200 && status < 300, status, json: async () => json };
  };
  fn.calls = calls;
  return fn;
}

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const jwt = (claims) => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;
const CFG = { domain: 'auth.example.com', clientId: 'client123' };

test('the S256 challenge matches RFC 7636\'s example', async () => {
  assert.equal(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('beginning Google sign-in stores a fresh verifier and state and asks the hosted UI for Google with S256', async () => {
  const storage = memoryStorage();
  const url = new URL(await beginSignIn({ ...CFG, redirectUri: 'https://app.example.com/' }, { storage, nowMs: 1000 }));
  const pending = JSON.parse(storage.getItem(PENDING_KEY));
  assert.equal(url.origin + url.pathname, 'https://auth.example.com/oauth2/authorize');
  assert.equal(url.searchParams.get('identity_provider'), 'Google');
  assert.equal(url.searchParams.get('state'), pending.state);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('code_challenge'), createHash('sha256').update(pending.verifier).digest('base64url'));
  assert.ok(pending.verifier.length >= 43 && pending.verifier.length <= 128);
  assert.equal(pending.createdAt, 1000);
  const again = memoryStorage();
  await beginSignIn({ ...CFG, redirectUri: 'https://app.example.com/' }, { storage: again });
  assert.notEqual(JSON.parse(again.getItem(PENDING_KEY)).state, pending.state, 'state is random per sign-in');
});

test('completing sign-in posts the code and verifier form-encoded and consumes the pending record', async () => {
  const storage = memoryStorage();
  storage.setItem(PENDING_KEY, JSON.stringify({ state: 's1', verifier: 'v'.repeat(64), redirectUri: 'https://app/', createdAt: 0 }));
  const fetchImpl = fakeFetch(() => ({ json: { id_token: 'id', access_token: 'at', refresh_token: 'rt', expires_in: 3600 } }));
  const tokens = await completeSignIn({ code: 'c1', state: 's1' }, CFG, { storage, fetchImpl, nowMs: 1 });
  assert.deepEqual(tokens, { idToken: 'id', accessToken: 'at', refreshToken: 'rt', expiresIn: 3600 });
  const [{ url, init }] = fetchImpl.calls;
  assert.equal(url, 'https://auth.example.com/oauth2/token');
  assert.equal(init.method, 'POST');
  assert.equal(init.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(init.body)), {
    grant_type: 'authorization_code', client_id: 'client123', code: 'c1', redirect_uri: 'https://app/', code_verifier: 'v'.repeat(64),
  });
  await assert.rejects(completeSignIn({ code: 'c1', state: 's1' }, CFG, { storage, fetchImpl }), { code: 'no_pending' });
  assert.equal(fetchImpl.calls.length, 1, 'a replayed callback is not exchanged');
});

test('a callback with a wrong state, no pending sign-in, an old sign-in or a provider error is refused before any token call', async () => {
  const pending = { state: 'good', verifier: 'v'.repeat(50), redirectUri: 'https://app/', createdAt: 0 };
  assert.throws(() => checkCallback({ code: 'c', state: 'evil' }, pending, 1), { code: 'state_mismatch' });
  assert.throws(() => checkCallback({ code: 'c', state: 'good' }, null, 1), { code: 'no_pending' });
  assert.throws(() => checkCallback({ code: 'c', state: 'good' }, pending, PENDING_MAX_AGE_MS + 1), { code: 'expired' });
  assert.throws(() => checkCallback({ error: 'access_denied', state: 'good' }, pending, 1), { code: 'provider_error', message: /cancelled/ });
  assert.throws(() => checkCallback({ error: 'access_denied', state: 'evil' }, pending, 1), { code: 'state_mismatch' });
  const storage = memoryStorage();
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  const fetchImpl = fakeFetch(() => ({ json: { id_token: 'x' } }));
  await assert.rejects(completeSignIn({ code: 'c', state: 'evil' }, CFG, { storage, fetchImpl, nowMs: 1 }), { code: 'state_mismatch' });
  assert.equal(fetchImpl.calls.length, 0);
  assert.equal(storage.getItem(PENDING_KEY), null, 'a refused callback still uses up the pending record');
});

test('a refused code at the token endpoint is an OAuth error, not a session', async () => {
  const storage = memoryStorage();
  storage.setItem(PENDING_KEY, JSON.stringify({ state: 's', verifier: 'v'.repeat(50), redirectUri: 'https://app/', createdAt: 0 }));
  const fetchImpl = fakeFetch(() => ({ status: 400, json: { error: 'invalid_grant' } }));
  await assert.rejects(completeSignIn({ code: 'c', state: 's' }, CFG, { storage, fetchImpl, nowMs: 1 }), { code: 'token_error' });
});

test('callbacks are recognised only with code and state (or an error)', () => {
  assert.deepEqual(parseCallback('?code=a&state=b'), { code: 'a', state: 'b' });
  assert.equal(parseCallback('?code=a'), null);
  assert.equal(parseCallback(''), null);
  assert.equal(parseCallback('?error=access_denied&state=b').error, 'access_denied');
  assert.equal(tokenRequest({ domain: 'https://auth.example.com/', clientId: 'c', code: 'x', redirectUri: 'r', verifier: 'v' }).url,
    'https://auth.example.com/oauth2/token');
  assert.throws(() => authorizeUrl({ domain: '', clientId: 'c', redirectUri: 'r', state: 's', challenge: 'x' }), { code: 'config' });
});

test('Cognito\'s first-link refusal restarts the sign-in once, and only for the pending sign-in', () => {
  const linked = parseCallback('?error_description=Already+found+an+entry+for+username+Google_123&error=invalid_request&state=s1');
  const pending = { state: 's1', verifier: 'v', redirectUri: 'r', createdAt: 0 };
  assert.equal(isFirstLinkFailure(linked, pending, false), true);
  assert.equal(isFirstLinkFailure(linked, pending, true), false, 'not twice');
  assert.equal(isFirstLinkFailure(linked, { ...pending, state: 'other' }, false), false, 'not for a state nobody started');
  assert.equal(isFirstLinkFailure(linked, null, false), false);
  assert.equal(isFirstLinkFailure(parseCallback('?error=access_denied&state=s1'), pending, false), false);
  assert.equal(isFirstLinkFailure(parseCallback('?code=c&state=s1'), pending, false), false);
});

test('a hosted-UI session refreshes at the token endpoint and signs out through /logout', async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, form: new URLSearchParams(init.body) });
    return { ok: true, json: async () => ({ id_token: 'i2', access_token: 'a2', expires_in: 3600 }) };
  };
  const next = await refreshSignIn('r1', { domain: 'auth.example.com', clientId: 'c' }, { fetchImpl });
  assert.deepEqual(next, { idToken: 'i2', accessToken: 'a2', refreshToken: 'r1', expiresIn: 3600 });
  assert.equal(calls[0].url, 'https://auth.example.com/oauth2/token');
  assert.deepEqual(Object.fromEntries(calls[0].form), { grant_type: 'refresh_token', client_id: 'c', refresh_token: 'r1' });
  const refused = async () => ({ ok: false, json: async () => ({ error: 'invalid_grant' }) });
  await assert.rejects(refreshSignIn('r1', { domain: 'auth.example.com', clientId: 'c' }, { fetchImpl: refused }),
    { type: 'NotAuthorizedException' });
  const down = async () => { throw new TypeError('failed'); };
  await assert.rejects(refreshSignIn('r1', { domain: 'auth.example.com', clientId: 'c' }, { fetchImpl: down }), { type: 'NetworkError' });
  assert.equal(logoutUrl({ domain: 'http://127.0.0.1:8080', clientId: 'c', logoutUri: 'http://127.0.0.1:8080/' }),
    'http://127.0.0.1:8080/logout?client_id=c&logout_uri=http%3A%2F%2F127.0.0.1%3A8080%2F');
});

test('signing out revokes the refresh token: RevokeToken for a password session, /oauth2/revoke for a hosted-UI one', async () => {
  const fetchImpl = fakeFetch(() => ({ status: 200, json: {} }));
  const cognito = createCognito({ endpoint: 'http://cognito.local', clientId: 'c', fetchImpl });
  await cognito.revokeToken('rt1');
  assert.equal(fetchImpl.calls[0].init.headers['x-amz-target'], 'AWSCognitoIdentityProviderService.RevokeToken');
  assert.deepEqual(JSON.parse(fetchImpl.calls[0].init.body), { ClientId: 'c', Token: 'rt1' });

  const calls = [];
  const answered = (status, json) => async (url, init) => {
    calls.push({ url, init, form: new URLSearchParams(init.body) });
    return { ok: status === 200, status, json: async () => json };
  };
  const ui = { domain: 'auth.example.com', clientId: 'c' };
  await revokeSignIn('rt2', ui, { fetchImpl: answered(200, {}) });
  assert.equal(calls[0].url, 'https://auth.example.com/oauth2/revoke');
  assert.equal(calls[0].init.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(calls[0].form), { token: 'rt2', client_id: 'c' });
  await assert.rejects(revokeSignIn('rt2', ui, { fetchImpl: answered(401, { error: 'invalid_client' }) }),
    { type: 'RevokeRefused', code: 'invalid_client' });
  await assert.rejects(revokeSignIn('rt2', ui, { fetchImpl: async () => { throw new TypeError('offline'); } }),
    { type: 'NetworkError' });
});

test('amounts keep Plaid\'s sign: positive is money out, negative is money in', () => {
  assert.deepEqual(transactionAmount(12.5, 'USD', 'en-US'), { text: '\u2212$12.50', direction: 'out', label: 'money out' });
  assert.deepEqual(transactionAmount(-2500, 'USD', 'en-US'), { text: '+$2,500.00', direction: 'in', label: 'money in' });
  assert.equal(transactionAmount(-3, 'EUR', 'en-US').text, '+\u20ac3.00');
  assert.equal(formatMoney(null, 'USD'), '\u2014');
  assert.equal(formatMoney(1.5, null, 'en-US'), '1.50');
});

test('categories read as words and the detailed part drops the repeated prefix', () => {
  assert.equal(categoryLabel('FOOD_AND_DRINK', 'FOOD_AND_DRINK_COFFEE'), 'Food and drink \u00b7 Coffee');
  assert.equal(categoryLabel('INCOME', 'INCOME_WAGES'), 'Income \u00b7 Wages');
  assert.equal(categoryLabel(null, null), 'Uncategorized');
});

test('date ranges must be both or neither, real, ordered and within 24 months', () => {
  const today = new Date(2026, 10, 25);
  assert.equal(dateRangeProblem('', '', today), null);
  assert.equal(dateRangeProblem('2026-10-01', '2026-10-31', today), null);
  assert.match(dateRangeProblem('2026-10-01', '', today), /both/);
  assert.match(dateRangeProblem('2026-02-30', '2026-03-01', today), /real calendar dates/);
  assert.match(dateRangeProblem('2026-10-31', '2026-10-01', today), /on or before/);
  assert.match(dateRangeProblem('2024-11-01', '2024-12-01', today), /24 months/);
  assert.equal(isoDate(monthsBefore(new Date(2026, 2, 31), 1)), '2026-02-28');
  assert.equal(parseIsoDate('2024-02-29').d, 29);
  assert.equal(parseIsoDate('2023-02-29'), null);
  assert.equal(formatDate('2026-11-25', 'en-US'), 'Nov 25, 2026');
  assert.equal(pageSummary(100, 100, 1593, 'en-US'), 'Showing 101\u2013200 of 1,593');
});

test('Cognito errors become the messages people need', async () => {
  const fetchImpl = fakeFetch(() => ({ status: 400, json: { __type: 'com.amazonaws#NotAuthorizedException', message: 'Incorrect username or password.' } }));
  const cognito = createCognito({ endpoint: 'http://cognito.local', clientId: 'c', fetchImpl });
  const err = await cognito.signIn('a@b.co', 'x').catch((e) => e);
  assert.ok(err instanceof CognitoError);
  assert.equal(err.type, 'NotAuthorizedException');
  assert.equal(fetchImpl.calls[0].url, 'http://cognito.local/');
  assert.equal(fetchImpl.calls[0].init.headers['x-amz-target'], 'AWSCognitoIdentityProviderService.InitiateAuth');
  assert.equal(cognitoMessage(err), 'Incorrect email or password.');
  assert.match(cognitoMessage(new CognitoError('UserNotConfirmedException', '')), /not confirmed/);
  assert.match(cognitoMessage(new CognitoError('InvalidPasswordException', '')), /too weak/);
  assert.match(cognitoMessage(new CognitoError('UsernameExistsException', '')), /already exists/);
  assert.deepEqual(passwordProblems('abc'), ['at least 8 characters', 'an upper-case letter', 'a number']);
  assert.deepEqual(passwordProblems('Corr3ct-Horse'), []);
});

test('API errors carry the status, code and item, and a 401 ends the session', async () => {
  let ended = 0;
  const answers = {
    '/transactions': { status: 409, json: { error: { code: 'item_login_required', message: 'm', item_id: 'item-1' } } },
    '/items': { status: 401, json: { message: 'Unauthorized' } },
    '/accounts': { status: 429, json: { error: { code: 'rate_limited', message: 'm' } } },
  };
  const fetchImpl = fakeFetch((url) => answers[new URL(url).pathname]);
  const api = createApi({ baseUrl: 'http://api.local', token: async () => 'tok', onUnauthorized: () => { ended += 1; }, fetchImpl });
  const conflict = await api.transactions({ count: 100, start_date: undefined }).catch((e) => e);
  assert.ok(conflict instanceof ApiError);
  assert.equal(conflict.itemId, 'item-1');
  assert.match(apiMessage(conflict), /Reconnect/);
  assert.equal(fetchImpl.calls[0].url, 'http://api.local/transactions?count=100');
  assert.equal(fetchImpl.calls[0].init.headers.authorization, 'Bearer tok');
  await api.items().catch(() => {});
  assert.equal(ended, 1);
  assert.match(apiMessage(await api.accounts().catch((e) => e)), /Too many requests/);
  assert.match(apiMessage(new ApiError(502, 'upstream_error', '')), /having trouble/);
  assert.match(apiMessage(new ApiError(503, 'service_unavailable', '')), /having trouble/);
});

test('the session refreshes its tokens before they expire and forgets everything when refresh is refused', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  try {
    const storage = memoryStorage();
    const refreshed = [];
    let refuse = false;
    let ended = 0;
    const exp = (s) => jwt({ sub: 'u', email: 'a@b.co', exp: Math.floor(Date.now() / 1000) + s });
    const session = createSession({
      storage,
      onEnded: () => { ended += 1; },
      refreshTokens: async (rt) => {
        refreshed.push(rt);
        if (refuse) throw new CognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
        return { idToken: exp(600), accessToken: 'at2' };
      },
    });
    session.start({ idToken: exp(600), accessToken: 'at1', refreshToken: 'rt1' });
    assert.equal(storage.getItem('mynt.refresh'), 'rt1', 'only the refresh token is stored');
    assert.equal(session.user().email, 'a@b.co');
    mock.timers.tick(7 * 60 * 1000);
    assert.deepEqual(refreshed, [], 'not yet');
    mock.timers.tick(60 * 1000 + 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(refreshed, ['rt1'], 'refreshed two minutes before expiry');
    assert.equal(session.accessToken(), 'at2');
    assert.equal(storage.getItem('mynt.refresh'), 'rt1', 'Cognito keeps the refresh token');
    refuse = true;
    mock.timers.tick(9 * 60 * 1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(session.signedIn(), false);
    assert.equal(storage.length, 0);
    assert.equal(ended, 1);
  } finally {
    mock.timers.reset();
  }
});
