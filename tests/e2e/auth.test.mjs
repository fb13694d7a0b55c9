// auth.test.mjs - email and password accounts in the browser against the local user pool: the messages for a weak
// password, an email already in use and an unconfirmed account, the password reset, keyboard-only sign-in, and the
// skip link, which moves the focus to the view's content without changing the view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, awsJson } from '../api/helpers/stack.mjs';
import { openPage, screenshot, PHONE } from './helpers/browser.mjs';
import { newEmail, signIn, tabTo, PASSWORD } from './helpers/app.mjs';
import { assertAccessible } from './helpers/axe.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';

useStackAndBrowser();

async function openSignUp(w) {
  await w.page.goto(`${stack.api_url}/#/sign-up`);
  await w.page.getByRole('heading', { name: 'Create your account' }).waitFor();
}

test('sign-up explains a weak password and an email that already has an account', { timeout: 90_000 }, async () => {
  const existing = await newUser(stack);
  await onPage(await openPage(browser, stack, { viewport: PHONE }), async (w) => {
    const { page } = w;
    w.expectStatus(400);
    await openSignUp(w);
    await page.getByLabel('Email').fill(newEmail('weak'));
    await page.getByLabel('Password', { exact: true }).fill('alllowercase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').filter({ hasText: 'That password is too weak.' }).waitFor();
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'auth-weak-password');

    await page.getByLabel('Email').fill(existing.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'An account with this email already exists.' });
    await alert.waitFor();
    await alert.getByRole('link', { name: 'Reset your password' }).waitFor();
    await screenshot(page, 'auth-email-exists');
  });
});

test('signing in before confirming leads to the confirm view, and confirming signs the person in', { timeout: 90_000 }, async () => {
  const email = newEmail('unconfirmed');
  await awsJson(stack, 'AWSCognitoIdentityProviderService.SignUp', {
    ClientId: stack.client_id, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }],
  });
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    w.expectStatus(400);
    await page.goto(`${stack.api_url}/`);
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
    await page.getByText('Your account is not confirmed yet. Enter the code we emailed you.').waitFor();
    await page.getByText('Local mode: no email is sent, and any code confirms the account.').waitFor();
    await screenshot(page, 'auth-confirm');
    await page.getByLabel('Confirmation code').fill('000000');
    await page.getByRole('button', { name: 'Confirm account' }).click();
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();
  });
});

test('a forgotten password is reset with the emailed code, and the new password signs in', { timeout: 90_000 }, async () => {
  const user = await newUser(stack);
  const fresh = 'N3w-Passw0rd-Mynt';
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Send reset code' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('Reset code').fill('123456');
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await screenshot(page, 'auth-password-reset');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    w.expectStatus(400);
    await signIn(page, user.email, PASSWORD);
    await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
  });
});

test('signing in works with the keyboard alone, in a sensible focus order', { timeout: 90_000 }, async () => {
  const user = await newUser(stack);
  await onPage(await openPage(browser, stack), async (w) => {
    const { page } = w;
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const order = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement;
        return el.labels?.[0]?.textContent || el.textContent.trim() || el.getAttribute('aria-label');
      }));
    }
    assert.deepEqual(order, ['Email', 'Password', 'Show password', 'Sign in', 'Forgot your password?', 'Create an account']);
    await page.getByLabel('Email').focus();
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    const focused = await page.evaluate(() => document.activeElement.textContent);
    assert.equal(focused, 'Your money', 'focus moves to the new view\'s heading');
    await screenshot(page, 'auth-keyboard-signed-in');
  });
});

/** Reaches the skip link with Tab alone, sees it shown, activates it with Enter, and checks the focus is on the view's
 * <main> while the address and the view stay those of heading. */
async function skipToContent(page, heading) {
  const hash = await page.evaluate(() => location.hash);
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await tabTo(page, skip);
  const box = await skip.boundingBox();
  assert.ok(box && box.y >= 0, 'the focused skip link is shown on the page');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'the focus is on the content');
  assert.equal(await page.evaluate(() => location.hash), hash, 'the skip link leaves the address as it was');
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)), true,
    'the next Tab goes into the content, not back to the header');
}

test('the skip link moves the focus to the content and stays on the view, signed out and signed in', { timeout: 90_000 }, async () => {
  const user = await newUser(stack);
  await onPage(await openPage(browser, stack, { viewport: PHONE }), async (w) => {
    const { page } = w;
    await openSignUp(w);
    await skipToContent(page, 'Create your account');
    await assertAccessible(page, 'the sign-up view after the skip link');

    await page.goto(`${stack.api_url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, user.email);
    await page.getByRole('heading', { name: 'Your money' }).waitFor();
    await page.goto(`${stack.api_url}/#/budget`);
    await page.getByRole('heading', { level: 1, name: 'Budget' }).waitFor();
    await skipToContent(page, 'Budget');
    await assertAccessible(page, 'the budget view after the skip link');
  });
});
