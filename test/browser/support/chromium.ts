import { access, constants } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's package (`apt-get install chromium`); never a browser downloaded by Playwright. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that keep Chromium from talking to anything but the pages under test
 * (no component updates, sync, first-run pings or QUIC probes). Playwright
 * gives every launch a fresh temporary `--user-data-dir` of its own and
 * deletes it on close (it refuses the flag in `args` for `launch()`).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Every page here is local and small; a step that takes longer has failed. */
const ACTION_TIMEOUT_MS = 10_000;

export interface Viewport {
  readonly name: 'desktop' | 'phone';
  readonly options: BrowserContextOptions;
}
export const DESKTOP: Viewport = { name: 'desktop', options: { viewport: { width: 1280, height: 800 } } };
export const PHONE: Viewport = {
  name: 'phone',
  options: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};
export const VIEWPORTS: readonly Viewport[] = [DESKTOP, PHONE];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Launches headless Chromium for one test file (call it in `before`). Where it
 * is not installed this prints a loud notice and returns undefined, and every
 * test then skips itself through `browserOrSkip`; under CI=true a missing
 * Chromium is a failure instead: `.ci/run` installs it, so CI never silently
 * skips the browser tests.
 */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!(await isExecutable(CHROMIUM_PATH))) {
    if (process.env.CI === 'true') {
      throw new Error(`${CHROMIUM_PATH} is missing and CI=true requires it (apt-get install -y chromium)`);
    }
    process.stderr.write(
      `\n!!! SKIPPED: no ${CHROMIUM_PATH}; run \`apt-get install -y chromium\` to run the browser tests !!!\n\n`,
    );
    return undefined;
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** The launched browser, or undefined after skipping the test when there is none. */
export function browserOrSkip(t: TestContext, browser: Browser | undefined): Browser | undefined {
  if (browser === undefined) t.skip(`no ${CHROMIUM_PATH}`);
  return browser;
}

/** A fresh context (no cookies, no cache) at a viewport, with short timeouts. */
export async function newContextAt(browser: Browser, viewport: Viewport): Promise<BrowserContext> {
  const context = await browser.newContext(viewport.options);
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  return context;
}
