// axe.mjs - runs axe-core (the npm package, injected from node_modules) on a page and fails on any WCAG 2.x A/AA violation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource = null;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** The violations axe finds on what page shows now (WCAG 2.0–2.2 A/AA and best practices), as
 * [{id, impact, help, targets}]. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self', no inline script) does not govern.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Asserts axe finds nothing on page; what names the state checked (e.g. 'syncing card at phone width'). */
export async function assertAccessible(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe: ${what}:\n${violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`).join('\n')}`);
}
