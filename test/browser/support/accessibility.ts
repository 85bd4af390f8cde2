import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { LayoutShiftEntry, PageGlobals } from './page-globals.ts';

/** WCAG 2.2 A and AA, the level the pages promise (src/views/DESIGN.md). */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
/** Stops after this many Tab presses: the pages have a handful of controls. */
const MAX_TAB_STOPS = 12;

let axeSource: Promise<string> | undefined;

export interface AxeReport {
  /** One line per violation and node: `rule (impact): help at [selector]`. */
  readonly violations: string[];
  /** The rules that ran and passed (to prove e.g. `label` and `color-contrast` were checked). */
  readonly passed: string[];
}

/**
 * axe-core's verdict on the current page for WCAG 2.2 A/AA and best practice.
 * axe is read from node_modules and evaluated through the DevTools protocol,
 * which the page's CSP (no script at all) does not govern; nothing is fetched.
 */
export async function runAxe(page: Page): Promise<AxeReport> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await axeSource);
  const results = await page.evaluate(
    async (tags) =>
      await (globalThis as unknown as PageGlobals).axe.run(
        { exclude: [] },
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
      ),
    AXE_TAGS,
  );
  return {
    violations: results.violations.flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(node.target)}`,
      ),
    ),
    passed: results.passes.map((rule) => rule.id),
  };
}

/** axe's violations only (see `runAxe`). */
export async function axeViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).violations;
}

export interface FocusStop {
  /** `input#confirmed`, `a "Cancel"`, `button "Continue to sign in"` */
  readonly name: string;
  readonly outlineStyle: string;
  readonly outlineWidthPx: number;
  /** Position in the document (not the viewport, which scrolls as focus moves), CSS px. */
  readonly top: number;
  readonly left: number;
}

/** Presses Tab from the top of the page and records each element that takes focus, with its outline. */
export async function tabSequence(page: Page): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  for (let press = 0; press < MAX_TAB_STOPS; press += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const { document, getComputedStyle, scrollX, scrollY } = globalThis as unknown as PageGlobals;
      const element = document.activeElement;
      if (element === null || element === document.body) return undefined;
      const tag = element.tagName.toLowerCase();
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ');
      const style = getComputedStyle(element);
      const rect = element.getBoundingClientRect();
      return {
        name: element.id !== '' ? `${tag}#${element.id}` : `${tag} "${text}"`,
        outlineStyle: style.outlineStyle,
        outlineWidthPx: Number.parseFloat(style.outlineWidth),
        top: rect.top + scrollY,
        left: rect.left + scrollX,
      };
    });
    if (stop === undefined || stops.some((seen) => seen.name === stop.name)) break;
    stops.push(stop);
  }
  return stops;
}

/**
 * The page's cumulative layout shift so far (Layout Instability API, the CLS
 * of Core Web Vitals). A buffered observer gets the entries recorded since
 * navigation through its callback; two painted frames later, `takeRecords`
 * adds any not yet delivered.
 */
export async function layoutShiftScore(page: Page): Promise<number> {
  return await page.evaluate(async () => {
    const { PerformanceObserver, requestAnimationFrame } = globalThis as unknown as PageGlobals;
    const entries: LayoutShiftEntry[] = [];
    const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
    observer.observe({ type: 'layout-shift', buffered: true });
    await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    entries.push(...observer.takeRecords());
    observer.disconnect();
    return entries
      .filter((entry) => entry.hadRecentInput !== true)
      .reduce((sum, entry) => sum + (entry.value ?? 0), 0);
  });
}

/** How far the page is wider than the viewport, in CSS pixels (0: no horizontal scroll). */
export async function horizontalOverflowPx(page: Page): Promise<number> {
  return await page.evaluate(() => {
    const { documentElement } = (globalThis as unknown as PageGlobals).document;
    return documentElement.scrollWidth - documentElement.clientWidth;
  });
}

/** Traces of a leaked exception: stack frames, source paths, Node error names. */
export const STACK_TRACE_PATTERN =
  /\bat [\w$.<>]+ \(|node:internal|node_modules|\.ts:\d+|\.js:\d+|\bTypeError\b|\bReferenceError\b/;
