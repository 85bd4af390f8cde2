import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const SCREENSHOTS_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/**
 * Saves a full-page PNG into docs/screenshots/ only when UPDATE_SCREENSHOTS=1,
 * so that ordinary runs (and CI) never change the working tree.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: `${SCREENSHOTS_DIR}${name}.png`, fullPage: true, animations: 'disabled' });
}
