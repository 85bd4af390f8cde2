import type { Locator, Page } from 'playwright-core';
import type { ClientRedirectServer } from './client-redirect-server.ts';

/** How to find the controls a person uses, by their accessible names. */
export interface LoginPageLabels {
  /** The confirmation checkbox's label. */
  readonly confirmCheckbox: RegExp;
  readonly continueButton: RegExp;
  /** The IdP login form's user name field and submit button. */
  readonly username: RegExp;
  readonly signInButton: RegExp;
}

/** Our confirm page in front of test/support/fake-idp.ts's login form. */
export const DEFAULT_LABELS: LoginPageLabels = {
  confirmCheckbox: /I trust this application/,
  continueButton: /Continue to sign in/,
  username: /Username/,
  signInButton: /Sign in/,
};

export interface LoginWalkOptions {
  readonly authorizationUrl: URL;
  readonly redirect: ClientRedirectServer;
  /** Origin of the IdP's login page. */
  readonly identityProviderOrigin: string;
  readonly username: string;
  readonly labels?: LoginPageLabels;
  /** Runs on the confirmation page before anything is clicked (checks, screenshots). */
  readonly atConfirmation?: (page: Page) => Promise<void>;
  /** Runs on the IdP's login page before anything is typed. */
  readonly atIdentityProvider?: (page: Page) => Promise<void>;
}

/**
 * Plays the person: opens the authorization URL, ticks the confirmation
 * checkbox by its label, continues, types a user name at the IdP, signs in,
 * and returns the URL the browser finally reached at the client.
 */
export async function walkThroughLogin(page: Page, options: LoginWalkOptions): Promise<URL> {
  const labels = options.labels ?? DEFAULT_LABELS;
  await openConfirmationPage(page, options.authorizationUrl);
  await options.atConfirmation?.(page);

  await page.getByLabel(labels.confirmCheckbox).check();
  await clickAndArrive(
    page,
    page.getByRole('button', { name: labels.continueButton }),
    options.identityProviderOrigin,
  );
  await options.atIdentityProvider?.(page);

  await page.getByLabel(labels.username).fill(options.username);
  await clickAndArrive(
    page,
    page.getByRole('button', { name: labels.signInButton }),
    options.redirect.origin,
  );
  return new URL(page.url());
}

/**
 * Clicks a control that submits a form and waits for the page that the
 * redirects end on; fails at once, with that page's text, when it is not on
 * the expected origin (an error page rather than a 10 s timeout).
 */
async function clickAndArrive(page: Page, control: Locator, expectedOrigin: string): Promise<void> {
  const before = page.url();
  await control.click();
  await page.waitForURL((url) => url.href !== before);
  const arrived = new URL(page.url());
  if (arrived.origin !== expectedOrigin) {
    const text = (await page.locator('body').innerText()).trim().replace(/\s+/g, ' ').slice(0, 500);
    throw new Error(`expected a page on ${expectedOrigin}, the browser stopped at ${arrived.href}: ${text}`);
  }
}

/** Opens an authorization URL and waits for the proxy's confirmation page (`/interaction/<uid>`). */
export async function openConfirmationPage(page: Page, authorizationUrl: URL): Promise<void> {
  await page.goto(authorizationUrl.href);
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  await page.getByRole('heading', { level: 1 }).waitFor();
}
