// suite.mjs - the set-up every browser test file shares: one local stack (mynt-local, moto, the Plaid simulator) and
// one chromium for the whole file, started before its first test and stopped after its last.
import { before, after } from 'node:test';
import { startStack } from '../../api/helpers/stack.mjs';
import { launchBrowser } from './browser.mjs';

/** The file's stack and browser: live bindings, set once useStackAndBrowser's `before` hook has run. */
export let stack;
export let browser;

/** Registers the hooks that start the stack (with stackOptions, as startStack takes them) and the browser before the
 * file's tests and stop them after. */
export function useStackAndBrowser(stackOptions = {}) {
  before(async () => {
    stack = await startStack(stackOptions);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });
}

/**
 * Runs body(w) on w, a page openPage made (perhaps signed in since), then closes w's browser context whatever
 * happened, and once body succeeded runs w.check() (console errors, unexpected statuses, access tokens).
 */
export async function onPage(w, body) {
  try {
    await body(w);
  } finally {
    await w.context.close();
  }
  await w.check();
}
