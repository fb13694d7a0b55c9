// google_signin.test.mjs - "Sign in with Google" through the Cognito hosted UI: the authorize request (PKCE S256,
// state, identity_provider=Google), the callback's code exchange at /oauth2/token with the matching code_verifier,
// and the callbacks the app must refuse. The hosted UI and its token endpoint are answered by the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newUser, awsJson } from '../api/helpers/stack.mjs';
import { openPage, screenshot } from './helpers/browser.mjs';
import { PASSWORD } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';

const DOMAIN = 'mynt-e2e.auth.us-east-1.amazoncognito.com';

useStackAndBrowser({ cognitoDomain: DOMAIN }); // in the served config, so the page's CSP lets it reach the token endpoint

/** Real tokens of a local user, standing in for what Cognito issues after Google. */
async function googleUserTokens() {
  const user = await newUser(stack);
  const auth = await awsJson(stack, 'AWSCognitoIdentityProviderService.InitiateAuth', {
    ClientId: stack.client_id, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.email, PASSWORD },
  });
  const r = auth.AuthenticationResult;
  return { email: user.email, id_token: r.IdToken, access_token: r.AccessToken, refresh_token: r.RefreshToken, expires_in: r.ExpiresIn, token_type: 'Bearer' };
}

/**
 * Answers the hosted UI on page: /oauth2/authorize redirects back to the app with code and the state
 * stateFor(sentState) chooses; /oauth2/token answers tokenAnswer(form). Returns what was seen.
 */
async function fakeHostedUi(page, { stateFor = (s) => s, tokenAnswer }) {
  const seen = { authorize: null, token: [] };
  await page.route(`https://${DOMAIN}/oauth2/authorize?**`, (route) => {
    const url = new URL(route.request().url());
    seen.authorize = url;
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('code', 'code-from-cognito');
    back.searchParams.set('state', stateFor(url.searchParams.get('state')));
    route.fulfill({ status: 302, headers: { location: back.toString() } });
  });
  await page.route(`https://${DOMAIN}/oauth2/token`, (route) => {
    const req = route.request();
    const form = new URLSearchParams(req.postData() ?? '');
    seen.token.push({ method: req.method(), contentType: req.headers()['content-type'], form });
    const { status, json } = tokenAnswer(form);
    route.fulfill({ status, json, headers: { 'access-control-allow-origin': stack.api_url } });
  });
  return seen;
}

test('Google sign-in sends PKCE S256 and state, and exchanges the code with the verifier that matches the challenge', { timeout: 120_000 }, async () => {
  const tokens = await googleUserTokens();
  await onPage(await openPage(browser, stack, { config: { cognito_domain: DOMAIN } }), async (w) => {
    const { page } = w;
    const seen = await fakeHostedUi(page, { tokenAnswer: () => ({ status: 200, json: tokens }) });
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    await page.getByText(`Signed in as ${tokens.email}`).waitFor();

    const q = seen.authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), stack.client_id);
    assert.equal(q.get('redirect_uri'), `${stack.api_url}/`);
    assert.equal(q.get('identity_provider'), 'Google');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('scope'), /\bopenid\b/);
    assert.match(q.get('state'), /^[A-Za-z0-9_-]{43,}$/, 'state is long and random');
    assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);

    assert.equal(seen.token.length, 1, 'the code is exchanged once');
    const { method, contentType, form } = seen.token[0];
    assert.equal(method, 'POST');
    assert.match(contentType, /^application\/x-www-form-urlencoded/);
    assert.equal(form.get('grant_type'), 'authorization_code');
    assert.equal(form.get('client_id'), stack.client_id);
    assert.equal(form.get('code'), 'code-from-cognito');
    assert.equal(form.get('redirect_uri'), `${stack.api_url}/`);
    const verifier = form.get('code_verifier');
    assert.match(verifier, /^[A-Za-z0-9_-]{43,128}$/);
    assert.equal(createHash('sha256').update(verifier).digest('base64url'), q.get('code_challenge'), 'SHA-256 of the verifier is the challenge');

    assert.equal(await page.evaluate(() => location.search), '', 'the code is gone from the address bar');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('mynt.oauth.pending')), null, 'the pending sign-in is used up');
    await screenshot(page, 'google-signed-in');

    await page.reload();
    await page.getByText(`Signed in as ${tokens.email}`).waitFor();
    assert.equal(seen.token.length, 2, 'a reload asks the token endpoint once more');
    assert.equal(seen.token[1].form.get('grant_type'), 'refresh_token', 'with the refresh token, not the code');
    assert.equal(seen.token[1].form.get('refresh_token'), tokens.refresh_token);
    assert.equal(seen.token[1].form.get('client_id'), stack.client_id);
  });
});

test('a Google callback whose state does not match is refused without calling the token endpoint', { timeout: 120_000 }, async () => {
  await onPage(await openPage(browser, stack, { config: { cognito_domain: DOMAIN } }), async (w) => {
    const { page } = w;
    const seen = await fakeHostedUi(page, { stateFor: () => 'forged-state', tokenAnswer: () => ({ status: 500, json: {} }) });
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'state mismatch' }).waitFor();
    assert.equal(seen.token.length, 0, 'no token request for a forged state');
    assert.equal(await page.evaluate(() => location.search), '');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'no session and no pending sign-in left');
    await screenshot(page, 'google-state-mismatch');

    await page.goto(`${stack.api_url}/?code=stolen-code&state=anything`);
    await page.getByRole('alert').filter({ hasText: 'This sign-in was not started here' }).waitFor();
    assert.equal(seen.token.length, 0, 'a callback nobody started is not exchanged');
  });
});

test('a code the token endpoint refuses leaves the person signed out with an explanation', { timeout: 120_000 }, async () => {
  await onPage(await openPage(browser, stack, { config: { cognito_domain: DOMAIN } }), async (w) => {
    const { page } = w;
    const seen = await fakeHostedUi(page, { tokenAnswer: () => ({ status: 400, json: { error: 'invalid_grant' } }) });
    w.expectStatus(400);
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await page.getByRole('alert').filter({ hasText: 'Google sign-in could not be completed' }).waitFor();
    assert.equal(seen.token.length, 1);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    await screenshot(page, 'google-code-refused');
  });
});

test('without a hosted UI in the config there is no Google button (and no note about one)', { timeout: 60_000 }, async () => {
  await onPage(await openPage(browser, stack, { config: { cognito_domain: '' } }), async (w) => {
    const { page } = w;
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /with Google/ }).count(), 0);
    assert.doesNotMatch(await page.locator('main').textContent(), /not available/);
  });
});
