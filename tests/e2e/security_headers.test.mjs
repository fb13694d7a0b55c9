// security_headers.test.mjs - the web app under the CSP mynt-local serves (the same headers as CloudFront in AWS): the
// browser enforces it (an inline script does not run), and the app and the Plaid Link stand-in work within it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers/browser.mjs';
import { newEmail, signUpAndConfirm, connectBank } from './helpers/app.mjs';
import { useStackAndBrowser, onPage, stack, browser } from './helpers/suite.mjs';

useStackAndBrowser();

test('the browser enforces the page\'s CSP: an inline script is refused and does not run', { timeout: 60_000 }, async () => {
  const w = await openPage(browser, stack);
  const { page } = w;
  try {
    const res = await page.goto(`${stack.api_url}/`);
    assert.match(res.headers()['content-security-policy'] ?? '', /script-src 'self';/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assert.rejects(page.addScriptTag({ content: 'window.__inlineRan = true;' }), /Content Security Policy/);
    assert.equal(await page.evaluate(() => window.__inlineRan), undefined);
  } finally {
    await w.context.close();
  }
  // the refusal is the only thing the console reports
  assert.ok(w.problems.length > 0 && w.problems.every((p) => /Content Security Policy/.test(p)), w.problems.join('\n'));
});

test('under the CSP a person signs up and links a bank through the Link stand-in, styled by its own stylesheet', { timeout: 180_000 }, async () => {
  await onPage(await openPage(browser, stack), async ({ page }) => {
    await page.goto(`${stack.api_url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signUpAndConfirm(page, newEmail('csp'));
    await page.getByRole('button', { name: /Connect a bank/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Select your bank' });
    await dialog.waitFor();
    // link.css, not an inline <style>, lays the stand-in out: its backdrop covers the page
    assert.equal(await page.locator('.mynt-link-backdrop').evaluate((el) => getComputedStyle(el).position), 'fixed');
    assert.equal(await page.locator('style').count(), 0, 'no inline <style> element');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' }).catch(() => {});
    if (await dialog.count()) await dialog.getByRole('button', { name: /Close/ }).click();
    await connectBank(page, 'First Platypus Bank');
  });
});
