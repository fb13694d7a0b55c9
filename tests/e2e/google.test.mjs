// google.test.mjs - "Sign in with Google" end to end through mynt-local's hosted-UI stand-in and the real Pre sign-up
// trigger: a new Google identity; the Google identity of an existing password user (one user: same sub, same banks);
// and an unconfirmed password user's address, which must not be merged. Keyboard-driven; axe on the local Google page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, PHONE, DESKTOP } from './helpers/browser.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import { PASSWORD, newEmail, signUpAndConfirm, signIn, connectBank, watchBearer, tabTo, bankIds } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';
import { awsJson } from '../api/helpers/stack.mjs';

useStackAndBrowser(); // cognito_domain is mynt-local's own origin: its stand-in answers /oauth2/*

const BANK = 'First Platypus Bank';

/** GET /me as the signed-in user (the page's latest bearer token). */
async function me(token) {
  const res = await fetch(`${stack.api_url}/me`, { headers: { authorization: `Bearer ${token()}` } });
  assert.equal(res.status, 200);
  return res.json();
}

/** The claims of a JWT (not verified: the API already did). */
function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** From the sign-in view, with the keyboard: Tab to "Sign in with Google", Enter; waits for the local Google page. */
async function openGooglePage(page) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await tabTo(page, page.getByRole('button', { name: 'Sign in with Google' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Choose a Google account' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/oauth2/authorize');
}

/** On the local Google page, with the keyboard: the email (typed over what is there), the name, Enter. */
async function chooseAccount(page, email, name) {
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
}

/** Runs body({w, page, token, email}) on a fresh page showing the app, with a new address tagged tag and the page's
 * bearer token watched. */
function onApp(tag, body) {
  return async () => onPage(await openPage(browser, stack), async (w) => {
    const token = watchBearer(w.page, stack.api_url);
    await w.page.goto(`${stack.api_url}/`);
    await body({ w, page: w.page, token, email: newEmail(tag) });
  });
}

test('a new Google identity signs in, links a bank and sees it, also after a reload', { timeout: 180_000 }, onApp('google-new', async ({ page, token, email }) => {
  await openGooglePage(page);
  assert.match(await page.locator('main').textContent(), /stand-in/, 'the page says it is not Google');
  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    await page.setViewportSize(viewport);
    await assertAccessible(page, `the local Google page at ${label} width`);
  }
  await screenshot(page, 'google-choose-account');
  await page.setViewportSize(DESKTOP);
  await chooseAccount(page, email, 'Robin New');

  await page.getByRole('heading', { name: 'Your money' }).waitFor();
  assert.equal(await page.evaluate(() => location.search), '', 'the code is gone from the address bar');
  const itemId = await connectBank(page, BANK, 'Connect a bank');
  const who = await me(token);
  const id = claims(token());
  assert.equal(who.email, email);
  assert.equal(who.user_id, id.sub);
  assert.match(id['cognito:username'], /^Google_\d{21}$/, 'a federated user, named as Cognito names them');
  assert.equal(id.identities[0].providerName, 'Google');

  await page.reload();
  await page.getByRole('heading', { name: 'Your money' }).waitFor();
  await page.locator(`article.bank[data-item-id="${itemId}"]`).waitFor();
  assert.deepEqual(await bankIds(page), [itemId], 'the session and the bank survive a reload');
  await screenshot(page, 'google-new-signed-in');
}));

test('a password user who continues with Google is the same user with the same banks; the password still works', { timeout: 240_000 }, onApp('google-link', async ({ page, token, email }) => {
  await signUpAndConfirm(page, email);
  const itemId = await connectBank(page, BANK, 'Connect a bank');
  const before = await me(token);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await openGooglePage(page);
  const restarted = page.waitForRequest((req) => new URL(req.url()).pathname === '/oauth2/authorize');
  await chooseAccount(page, email, 'Pat Password');
  // Cognito refuses the first sign-in after its trigger linked the identity; the app starts it again by itself,
  // and the local Google remembers the account chosen.
  const again = new URL((await restarted).url());
  assert.equal(again.searchParams.get('identity_provider'), 'Google');
  await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  await page.getByRole('heading', { name: 'Choose a Google account' }).waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), email);
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { name: 'Your money' }).waitFor();
  await page.locator(`article.bank[data-item-id="${itemId}"]`).waitFor();
  const after = await me(token);
  assert.equal(after.user_id, before.user_id, 'one user: the same sub');
  assert.equal(claims(token()).identities[0].providerName, 'Google');
  assert.deepEqual(await bankIds(page), [itemId], 'the same banks');
  await screenshot(page, 'google-linked-signed-in');

  await page.getByRole('button', { name: 'Sign out' }).click(); // through the hosted UI's /logout, back here
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, email, PASSWORD);
  await page.getByRole('heading', { name: 'Your money' }).waitFor();
  await page.locator(`article.bank[data-item-id="${itemId}"]`).waitFor();
  assert.equal((await me(token)).user_id, before.user_id, 'the password signs in to the same user');
  assert.deepEqual(await bankIds(page), [itemId]);
}));

test('a Google address that belongs to an unconfirmed password user is not merged into it', { timeout: 180_000 }, onApp('google-unconfirmed', async ({ w, page, token, email }) => {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Confirm your email' }).waitFor(); // never confirmed
  await page.getByRole('link', { name: 'Back to sign in' }).click();

  await openGooglePage(page);
  await chooseAccount(page, email, 'Someone Else');
  await page.getByRole('heading', { name: 'Your money' }).waitFor(); // no first-link refusal: nothing was linked
  const id = claims(token());
  assert.match(id['cognito:username'], /^Google_\d{21}$/, 'a federated user of its own');
  assert.equal((await me(token)).user_id, id.sub);
  const pool = await awsJson(stack, 'AWSCognitoIdentityProviderService.ListUsers',
    { UserPoolId: stack.user_pool_id, Filter: `email = "${email}"` });
  const native = pool.Users.filter((u) => u.UserStatus === 'UNCONFIRMED');
  assert.equal(native.length, 1, 'the password user is still there, unconfirmed');
  assert.notEqual(native[0].Attributes.find((a) => a.Name === 'sub').Value, id.sub, 'and is another user');
  await page.getByRole('button', { name: 'Connect a bank' }).waitFor();
  assert.deepEqual(await bankIds(page), [], 'none of anyone else\'s banks');

  // The unconfirmed account is untouched: it is still waiting for its code.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  w.expectStatus(400); // Cognito's UserNotConfirmedException
  await signIn(page, email, PASSWORD);
  await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
}));
