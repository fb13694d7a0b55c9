// auth_and_me.test.mjs - the JWT authorizer as API Gateway applies it, and GET /me.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startStack, api, newUser, getItem, userPoolSigningKey, signJwt, idClaims } from './helpers/stack.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

function assertUnauthorized(res) {
  assert.equal(res.status, 401, res.text);
  assert.deepEqual(res.json, { message: 'Unauthorized' });
}

test('GET /me without a token answers 401', async () => {
  assertUnauthorized(await api(stack, 'GET', '/me'));
});

test('GET /me with a malformed token answers 401', async () => {
  assertUnauthorized(await api(stack, 'GET', '/me', { token: 'not.a.jwt' }));
  assertUnauthorized(await api(stack, 'GET', '/me', { token: 'garbage' }));
});

test('a token signed with the pool key and valid claims passes (control for the cases below)', async () => {
  const res = await api(stack, 'GET', '/me', { token: signJwt(idClaims(stack), userPoolSigningKey()) });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user_id, 'forged-user');
});

test('an expired token answers 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(idClaims(stack, { iat: now - 7200, exp: now - 3600 }), userPoolSigningKey());
  assertUnauthorized(await api(stack, 'GET', '/me', { token }));
});

test('a token signed by another key answers 401', async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey.kid = 'dummy';
  assertUnauthorized(await api(stack, 'GET', '/me', { token: signJwt(idClaims(stack), privateKey) }));
});

test('a token for another issuer, audience or use answers 401', async () => {
  const key = userPoolSigningKey();
  for (const bad of [{ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' },
    { aud: 'some-other-client' }, { token_use: 'refresh' }]) {
    assertUnauthorized(await api(stack, 'GET', '/me', { token: signJwt(idClaims(stack, bad), key) }));
  }
});

test('an unsigned (alg none) token answers 401', async () => {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const token = `${b64({ alg: 'none', kid: 'dummy' })}.${b64(idClaims(stack))}.`;
  assertUnauthorized(await api(stack, 'GET', '/me', { token }));
});

test('GET /me returns the signed-in user and stores their profile', async () => {
  const user = await newUser(stack);
  const res = await api(stack, 'GET', '/me', { token: user.idToken });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user_id, user.sub);
  assert.equal(res.json.email, user.email);
  const item = await getItem(stack, { user_id: { S: user.sub }, sk: { S: 'PROFILE' } });
  assert.ok(item, 'PROFILE record written to mynt-users');
  assert.equal(item.email.S, user.email);
  assert.ok(item.created_at?.S, 'created_at stored');
});

test('GET /me with an access token (no email claim) keeps the stored email and created_at', async () => {
  const user = await newUser(stack);
  const first = await api(stack, 'GET', '/me', { token: user.idToken });
  assert.equal(first.status, 200, first.text);
  const before = await getItem(stack, { user_id: { S: user.sub }, sk: { S: 'PROFILE' } });
  const again = await api(stack, 'GET', '/me', { token: user.accessToken });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.user_id, user.sub);
  assert.equal(again.json.email, user.email);
  const after = await getItem(stack, { user_id: { S: user.sub }, sk: { S: 'PROFILE' } });
  assert.equal(after.created_at.S, before.created_at.S);
});

test('the user is the token subject, never a user id from the request', async () => {
  const alice = await newUser(stack);
  const bob = await newUser(stack);
  const res = await api(stack, 'GET', `/me?user_id=${encodeURIComponent(bob.sub)}`,
    { token: alice.idToken, headers: { 'x-user-id': bob.sub } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user_id, alice.sub);
  assert.equal(res.json.email, alice.email);
});
