// stack.mjs - starts the same local stack `make dev` runs (scripts/dev.py) on free ports in a
// temporary state directory, and offers small clients for the API, Cognito and DynamoDB.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { createHash, sign } from 'node:crypto';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BUILD = resolve(ROOT, process.env.MYNT_BUILD ?? 'build/asan');

/** Starts the stack; resolves to its stack.json plus a stop() function. cognitoDomain: the web config's cognito_domain
 * (mynt-local builds the page's CSP from that config, so a test's endpoint must be in it from the start). */
export async function startStack({ bootstrap = join(BUILD, 'bootstrap'), cognitoDomain = '' } = {}) {
  const state = mkdtempSync(join(tmpdir(), 'mynt-api-'));
  const child = spawn('python3', [join(ROOT, 'scripts', 'dev.py'), '--state', state,
    '--port', '0', '--moto-port', '0', '--plaid-port', '0', '--quiet', '--cognito-domain', cognitoDomain,
    '--plaid-sim', join(BUILD, 'plaid-sim'),
    '--bootstrap', bootstrap, '--mynt-local', join(BUILD, 'mynt-local')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1' },
  });
  const logs = [];
  child.stderr.on('data', (d) => { logs.push(d.toString()); });
  const stackFile = join(state, 'stack.json');
  const deadline = Date.now() + 60_000;
  while (!existsSync(stackFile)) {
    if (child.exitCode !== null) throw new Error(`dev.py exited ${child.exitCode}:\n${logs.join('')}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`stack not ready in 60 s:\n${logs.join('')}`); }
    await sleep(100);
  }
  const stack = JSON.parse(readFileSync(stackFile, 'utf8'));
  stack.state = state;
  stack.logs = () => logs.join('');
  stack.stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(state, { recursive: true, force: true });
  };
  return stack;
}

/** Every response body seen by api(), so a suite can scan them all for secrets. */
export const seenResponses = [];

/** Calls the API; returns {status, headers, text, json}. Unless validate is false, the answer
 * must conform to docs/openapi.yaml (the assertion throws otherwise). */
export async function api(stack, method, path, { token, body, headers = {}, validate = true } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string') { h['content-type'] = 'application/json'; body = JSON.stringify(body); }
  const res = await fetch(stack.api_url + path, { method, headers: h, body });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  seenResponses.push({ method, path, status: res.status, headers: [...res.headers.entries()], text });
  if (validate) {
    const { assertConforms } = await import('./openapi.mjs');
    assertConforms(method, path, res.status, res.headers.get('content-type'), text === '' ? undefined : json,
      { text, headers: res.headers });
  }
  return { status: res.status, headers: res.headers, text, json };
}

const SERVICES = { DynamoDB_20120810: 'dynamodb', AmazonSSM: 'ssm', AWSCognitoIdentityProviderService: 'cognito-idp' };

/** Calls an AWS JSON-protocol API on the local endpoint. moto does not check signatures but
 * routes by the credential scope's service, so a well-formed (unsigned) scope is sent. */
export async function awsJson(stack, target, payload, version = '1.1') {
  const service = SERVICES[target.split('.')[0]];
  const headers = { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target };
  if (service !== 'cognito-idp') {
    headers.authorization = `AWS4-HMAC-SHA256 Credential=AKIDLOCALMYNT/20260101/${stack.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  }
  const res = await fetch(stack.aws_endpoint + '/', {
    method: 'POST',
    headers,
    body: JSON.stringify(payload),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${target}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Signs up, confirms and signs in a new user through the local user pool (as the web app will). */
export async function newUser(stack, email = `user-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`) {
  const password = 'Corr3ct-Horse-Battery';
  const cognito = (op, p) => awsJson(stack, `AWSCognitoIdentityProviderService.${op}`, p);
  const signUp = await cognito('SignUp', { ClientId: stack.client_id, Username: email, Password: password,
    UserAttributes: [{ Name: 'email', Value: email }] });
  await cognito('ConfirmSignUp', { ClientId: stack.client_id, Username: email, ConfirmationCode: '123456' });
  const auth = await cognito('InitiateAuth', { ClientId: stack.client_id, AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: password } });
  return { email, sub: signUp.UserSub, idToken: auth.AuthenticationResult.IdToken,
    accessToken: auth.AuthenticationResult.AccessToken };
}

/** Reads one item straight from the local DynamoDB table. */
export async function getItem(stack, key) {
  const out = await awsJson(stack, 'DynamoDB_20120810.GetItem', { TableName: stack.table, Key: key }, '1.0');
  return out.Item;
}

/** The private key moto signs its user pools' tokens with (the local pool's signing key). */
export function userPoolSigningKey() {
  const dir = execFileSync('python3', ['-c', 'import os, moto.cognitoidp as m; print(os.path.dirname(m.__file__))']).toString().trim();
  return JSON.parse(gunzipSync(readFileSync(join(dir, 'resources', 'jwks-private.json.gz'))).toString());
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const big = (b64) => BigInt('0x' + Buffer.from(b64, 'base64url').toString('hex'));
function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
  }
  return result;
}

/** RSASSA-PKCS1-v1_5 with SHA-256 from a JWK holding only n, e, d (the form moto ships). */
function rs256WithJwk(jwk, input) {
  const n = big(jwk.n);
  const k = Buffer.from(jwk.n, 'base64url').length;
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    createHash('sha256').update(input).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - digestInfo.length - 3, 0xff),
    Buffer.from([0]), digestInfo]);
  const s = modPow(BigInt('0x' + em.toString('hex')), big(jwk.d), n);
  return Buffer.from(s.toString(16).padStart(k * 2, '0'), 'hex');
}

/** Makes an RS256 JWT for claims, signed with a private JWK {n,e,d,kid} or a node KeyObject. */
export function signJwt(claims, key, header = {}) {
  const head = { alg: 'RS256', kid: key.kid ?? 'dummy', typ: 'JWT', ...header };
  const input = `${b64url(head)}.${b64url(claims)}`;
  const sig = key.type === 'private' ? sign('RSA-SHA256', Buffer.from(input), key) : rs256WithJwk(key, input);
  return `${input}.${sig.toString('base64url')}`;
}

/** Claims like the local pool's ID tokens, for stack; override any. */
export function idClaims(stack, overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'forged-user', aud: stack.client_id, iss: stack.issuer, token_use: 'id',
    email: 'forged@example.com', iat: now, auth_time: now, exp: now + 3600, ...overrides };
}


/** Calls the Plaid simulator's own /sim/ endpoints (test truth and fault knobs; never tokens). */
export async function sim(stack, method, path, body) {
  const res = await fetch(stack.plaid_url + path, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  seenResponses.push({ method, path: `sim:${path}`, status: res.status, headers: [...res.headers.entries()], text });
  if (!res.ok) throw new Error(`sim ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Links a bank for user the way the web app does: link token → Link (simulated) → POST /items. */
export async function linkBank(stack, user, institutionId = 'ins_109508') {
  const link = await api(stack, 'POST', '/link/token', { token: user.idToken });
  if (link.status !== 200) throw new Error(`POST /link/token: ${link.status} ${link.text}`);
  const done = await sim(stack, 'POST', '/sim/link/complete', { link_token: link.json.link_token,
    institution_id: institutionId, username: 'user_good', password: 'pass_good' });
  const res = await api(stack, 'POST', '/items', { token: user.idToken, body: { public_token: done.public_token,
    institution_id: done.institution.institution_id, institution_name: done.institution.name } });
  return { ...res, public_token: done.public_token, sim_item_id: done.item_id };
}

/** Waits (bounded by mynt-local, at most 30 s) until no asynchronous invocation is queued or running: the syncs that
 * linking, refreshes and webhooks started have run. */
export async function drainSyncs(stack) {
  const res = await fetch(`${stack.api_url}/_local/drain`, { method: 'POST' });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /_local/drain: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Any Plaid access token, in any environment (the prefix alone is enough to flag it). */
export const ACCESS_TOKEN = /access-(sandbox|development|production)-/;

/** Fails if any response seen so far (body or header) or any line the stack logged carries an access token. */
export function assertNoAccessTokenSeen(stack) {
  for (const r of seenResponses) {
    assert.doesNotMatch(r.text, ACCESS_TOKEN, `${r.method} ${r.path} body carries an access token`);
    assert.doesNotMatch(JSON.stringify(r.headers), ACCESS_TOKEN, `${r.method} ${r.path} headers carry an access token`);
  }
  assert.doesNotMatch(stack?.logs() ?? '', ACCESS_TOKEN, 'a log line carries an access token');
}

/** A suite's after(): checks that no access token was seen anywhere (then runs each of alsoAfter, awaited in turn),
 * and stops the stack even if a check failed. */
export async function finishStack(stack, ...alsoAfter) {
  try {
    assertNoAccessTokenSeen(stack);
    for (const check of alsoAfter) await check();
  } finally {
    await stack?.stop();
  }
}

/** Waits (bounded, 15 s) until the simulator has delivered every webhook it queued; returns its delivery log. */
export async function simDelivered(stack) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const log = await sim(stack, 'GET', '/sim/webhooks');
    if (log.pending === 0) return log.webhooks;
    assert.ok(Date.now() < deadline, 'the simulator still had webhooks to send after 15 s');
    await sleep(50);
  }
}

/** The simulator's webhooks are delivered, then the syncs they started have run (nothing left queued). */
export async function settle(stack) {
  await simDelivered(stack);
  assert.deepEqual(await drainSyncs(stack), { idle: true });
}

/** Links a bank (institutionId) for user, asserts it was made (201) and waits for its first sync; returns linkBank's
 * answer. */
export async function linkAndSync(stack, user, institutionId) {
  const res = await linkBank(stack, user, institutionId);
  assert.equal(res.status, 201, res.text);
  await settle(stack);
  return res;
}

/** The route keys the bootstrap's route table serves (`bootstrap --routes`, bounded at 10 s), or [] when the binary
 * cannot say (not built): callers skip what needs a route that is not there. */
export function bootstrapRouteKeys() {
  try {
    return JSON.parse(execFileSync(join(BUILD, 'bootstrap'), ['--routes'], { timeout: 10_000 })).routes.map((r) => r.route_key);
  } catch {
    return [];
  }
}
