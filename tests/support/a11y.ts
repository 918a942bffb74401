/**
 * axe-core in a real page, for the e2e tests: the serious and critical findings on the page as
 * it is now (none is the bar the console and the phone page are held to; console-a11y.test.ts
 * walks the whole console). axe is loaded into the page once, from node_modules.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: unknown }[];
}

/** Each serious or critical finding as `id: selectors`, prefixed with `where` when given; [] when none. */
export async function axeSerious(page: Page, where?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where ? `${where}: ` : ''}${v.id}: ${v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)).join(', ')}`);
}
