// sign_out.test.mjs - "Sign out" really signs out: the refresh token the page held is revoked at Cognito (RevokeToken for
// a password session, the hosted UI's /oauth2/revoke for a Google one, through mynt-local's stand-in) and can no longer
// mint tokens; the sign-in view says so, after the hosted UI's /logout too; offline, the page still forgets the session
// and says calmly what it could not do. Keyboard-driven; axe on the signed-out view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import { newEmail, signUpAndConfirm, watchBearer, tabTo } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';

useStackAndBrowser(); // cognito_endpoint and cognito_domain are mynt-local's own origin (moto behind it)

const REFRESH_KEY = 'mynt.refresh';
const OFFLINE_MESSAGE = /You are signed out on this device\. Mynt could not reach the sign-in service/;

/** The refresh token the page keeps (sessionStorage), or null. */
function storedRefreshToken(page) {
  return page.evaluate((key) => sessionStorage.getItem(key), REFRESH_KEY);
}

/** A refresh with REFRESH_TOKEN_AUTH at the app's Cognito endpoint (the web config's cognito_endpoint). */
async function refreshWithCognito(token) {
  const res = await fetch(`${stack.api_url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ ClientId: stack.client_id, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } }),
  });
  return { status: res.status, json: await res.json() };
}

/** A refresh at the hosted UI's token endpoint, as the app makes it for a Google session. */
async function refreshWithHostedUi(token) {
  const res = await fetch(`${stack.api_url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: stack.client_id, refresh_token: token }).toString(),
  });
  return { status: res.status, json: await res.json() };
}

/** Signs out with the keyboard (Tab to "Sign out", Enter) and waits for the sign-in view and its message. */
async function signOutByKeyboard(page, message) {
  await tabTo(page, page.getByRole('button', { name: 'Sign out' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText(message).waitFor();
}

/** Checks the signed-out view with axe at desktop and phone width. */
async function assertSignedOutViewAccessible(page, what) {
  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    await page.setViewportSize(viewport);
    await assertAccessible(page, `${what} at ${label} width`);
  }
  await page.setViewportSize(DESKTOP);
}

/** Signs up at the app served from origin, signs out by keyboard and checks the refresh token was revoked. */
async function passwordSignOut(origin, shot) {
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    const bearer = watchBearer(page, origin);
    await page.goto(`${origin}/`);
    await signUpAndConfirm(page, newEmail('signout-pw'));
    const refresh = await storedRefreshToken(page);
    assert.ok(refresh, 'a signed-in page keeps its refresh token');
    assert.equal((await refreshWithCognito(refresh)).status, 200, 'before signing out the refresh token works');
    const idToken = bearer();

    const revoke = page.waitForRequest((req) => req.headers()['x-amz-target'] === 'AWSCognitoIdentityProviderService.RevokeToken');
    await signOutByKeyboard(page, 'You are signed out.');
    assert.deepEqual(JSON.parse((await revoke).postData()), { ClientId: stack.client_id, Token: refresh });
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing left in sessionStorage');
    await screenshot(page, shot);
    await assertSignedOutViewAccessible(page, 'the signed-out view');

    const after = await refreshWithCognito(refresh);
    assert.equal(after.status, 400);
    assert.equal(after.json.__type, 'NotAuthorizedException', 'the revoked refresh token mints no tokens');
    // What revocation cannot do (docs/security.md): the API's JWT authorizer accepts an ID token already issued until
    // it expires, as API Gateway's does.
    const me = await fetch(`${stack.api_url}/me`, { headers: { authorization: `Bearer ${idToken}` } });
    assert.equal(me.status, 200);
  });
}

test('signing out of a password session revokes its refresh token at Cognito', { timeout: 120_000 },
  () => passwordSignOut(stack.api_url, 'sign-out-password'));

test('from the app\'s other local origin (localhost) the Cognito calls cross origins and sign-out revokes all the same', { timeout: 120_000 },
  () => passwordSignOut(stack.api_url.replace('//127.0.0.1:', '//localhost:'), 'sign-out-password-localhost'));

/** Signs in with Google through the stand-in, by keyboard, as a new identity; returns the page's refresh token. */
async function signInWithGoogle(page, tag) {
  await page.goto(`${stack.api_url}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await tabTo(page, page.getByRole('button', { name: 'Sign in with Google' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Choose a Google account' }).waitFor();
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(newEmail(tag));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Your money' }).waitFor();
  return storedRefreshToken(page);
}

/** Takes out of w's recorded problems the one console line of the request the test aborted on purpose. */
function forgiveAbortedRequest(w) {
  const provoked = w.problems.filter((p) => /ERR_INTERNET_DISCONNECTED/.test(p));
  assert.ok(provoked.length <= 1, provoked.join('\n'));
  w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !provoked.includes(p)));
}

test('signing out of a Google session revokes it at the hosted UI, ends it at /logout, and says so back in the app', { timeout: 120_000 }, async () => {
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    const refresh = await signInWithGoogle(page, 'signout-google');
    assert.ok(refresh);
    assert.equal((await refreshWithHostedUi(refresh)).status, 200, 'before signing out the refresh token works');

    const revoke = page.waitForRequest((req) => new URL(req.url()).pathname === '/oauth2/revoke');
    const logout = page.waitForRequest((req) => new URL(req.url()).pathname === '/logout');
    await signOutByKeyboard(page, 'You are signed out.');
    const sent = new URLSearchParams((await revoke).postData());
    assert.deepEqual(Object.fromEntries(sent), { token: refresh, client_id: stack.client_id });
    assert.equal(new URL((await logout).url()).searchParams.get('logout_uri'), `${stack.api_url}/`);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing left in sessionStorage, the message neither');
    await screenshot(page, 'sign-out-google');
    await assertSignedOutViewAccessible(page, 'the signed-out view after /logout');

    const after = await refreshWithHostedUi(refresh);
    assert.equal(after.status, 400);
    assert.deepEqual(after.json, { error: 'invalid_grant' }, 'the revoked refresh token mints no tokens');

    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByText('You are signed out.').count(), 0, 'the message is shown once');
  });
});

test('signing out offline still forgets the session here and says calmly what it could not do', { timeout: 120_000 }, async () => {
  const w = await openPage(browser, stack);
  await onPage(w, async () => {
    const { page } = w;
    await page.goto(`${stack.api_url}/`);
    await signUpAndConfirm(page, newEmail('signout-offline'));
    const refresh = await storedRefreshToken(page);
    // The connection drops just as the page asks Cognito to revoke the token.
    await page.route(`${stack.api_url}/`, (route) => (
      route.request().headers()['x-amz-target']?.endsWith('.RevokeToken') ? route.abort('internetdisconnected') : route.continue()));
    await signOutByKeyboard(page, OFFLINE_MESSAGE);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the session is forgotten all the same');
    assert.equal(await page.getByRole('alert').count(), 0, 'a status, not an alarm');
    await screenshot(page, 'sign-out-offline');
    await assertSignedOutViewAccessible(page, 'the signed-out view after an offline sign-out');
    // Honest: the token was not revoked, as the message says.
    assert.equal((await refreshWithCognito(refresh)).status, 200);
    forgiveAbortedRequest(w);
  });
});

test('a Google session whose /oauth2/revoke answer cannot be read is revoked with RevokeToken instead', { timeout: 120_000 }, async () => {
  const w = await openPage(browser, stack);
  await onPage(w, async () => {
    const { page } = w;
    const refresh = await signInWithGoogle(page, 'signout-fallback');
    // As a browser sees an endpoint whose answer it may not read (no CORS header) or a connection that drops.
    await page.route(`${stack.api_url}/oauth2/revoke`, (route) => route.abort('internetdisconnected'));
    const revoke = page.waitForRequest((req) => req.headers()['x-amz-target'] === 'AWSCognitoIdentityProviderService.RevokeToken');
    await signOutByKeyboard(page, 'You are signed out.');
    assert.deepEqual(JSON.parse((await revoke).postData()), { ClientId: stack.client_id, Token: refresh });
    assert.deepEqual((await refreshWithHostedUi(refresh)).json, { error: 'invalid_grant' });
    forgiveAbortedRequest(w);
  });
});
