import { resolveBranding, type PagePalette } from '../views/index.ts';

export interface LoginPageOptions {
  /** The authorization request, carried through the form as hidden fields. */
  readonly hiddenFields: ReadonlyArray<readonly [name: string, value: string]>;
  /** The host the user returns to after signing in (the proxy's callback). */
  readonly returnHost: string;
  /** The user name typed before an error, shown again. */
  readonly username?: string;
  /** Shown beside the field, announced to screen readers. */
  readonly error?: string;
}

export const DEVELOPMENT_IDP_TITLE = 'Development identity provider';

/** The same branding as the proxy's own pages: the generic palette, contrast-checked in src/views. */
const BRANDING = resolveBranding({ brandingTitle: DEVELOPMENT_IDP_TITLE });

/** HTML text and attribute values (HTML §13.1.2.3, attribute values in double quotes). */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function styles(palette: PagePalette): string {
  return `
    *, *::before, *::after { box-sizing: border-box; }
    /* Top-aligned, as the proxy's pages (_layout.ejs): a partly parsed page only grows downwards (CLS 0). */
    body { margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center; padding: max(1rem, 8vh) 1rem 1rem;
      background: ${palette.pageBackground}; color: ${palette.text};
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 1rem; line-height: 1.5; }
    .card { width: 100%; max-width: 28rem; padding: 1.5rem 1.25rem; background: ${palette.surface};
      border: 1px solid ${palette.surfaceBorder}; border-radius: 0.75rem; box-shadow: 0 0.5rem 2rem rgba(0, 0, 0, 0.18); }
    @media (min-width: 40rem) { .card { padding: 2rem 2.25rem; } }
    .brand { display: flex; align-items: center; gap: 0.75rem; margin: 0 0 1.25rem; }
    .brand svg { display: block; height: 2rem; width: auto; }
    .brand p { margin: 0; color: ${palette.textMuted}; font-size: 0.875rem; }
    h1 { margin: 0 0 1rem; font-size: 1.5rem; line-height: 1.25; }
    p { margin: 0 0 1rem; }
    .notice { padding: 0.75rem 1rem; border-left: 0.25rem solid ${palette.primaryButton.border};
      background: ${palette.codeBackground}; color: ${palette.codeText}; }
    code { padding: 0.1rem 0.35rem; border-radius: 0.25rem; background: ${palette.codeBackground}; color: ${palette.codeText};
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
    label { display: block; margin: 0 0 0.35rem; font-weight: 600; }
    input[type="text"] { display: block; width: 100%; min-height: 2.75rem; padding: 0.5rem 0.75rem; font: inherit;
      color: ${palette.text}; background: ${palette.surface}; border: 2px solid ${palette.secondaryButton.border}; border-radius: 0.5rem; }
    .hint { margin: 0.35rem 0 1.25rem; color: ${palette.textMuted}; font-size: 0.875rem; }
    .error { margin: 0.35rem 0 0; color: ${palette.text}; font-weight: 600; }
    .error::before { content: "⚠ "; }
    .actions { display: flex; justify-content: flex-end; }
    button { min-height: 2.75rem; padding: 0.6rem 1.25rem; border-radius: 0.5rem; font: inherit; font-weight: 600; cursor: pointer;
      background: ${palette.primaryButton.background}; color: ${palette.primaryButton.text}; border: 2px solid ${palette.primaryButton.border}; }
    @media (max-width: 30rem) { .actions button { flex: 1 1 100%; } }
    button:focus-visible, input:focus-visible { outline: 3px solid ${palette.focusRing}; outline-offset: 3px; }
    button:hover { text-decoration: underline; text-underline-offset: 0.2em; }
    @media (forced-colors: active) { button, input[type="text"] { border-color: ButtonText; } }`;
}

/**
 * The development identity provider's sign-in page: one labelled field, no
 * password, no script and nothing loaded from elsewhere (the CSP of
 * src/views/page-headers.ts applies). The field is named `username`.
 */
export function renderLoginPage(options: LoginPageOptions): string {
  const hidden = options.hiddenFields
    .map(
      ([name, value]) =>
        `      <input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  const describedBy = options.error === undefined ? 'username-hint' : 'username-hint username-error';
  const invalid = options.error === undefined ? '' : ' aria-invalid="true"';
  const error =
    options.error === undefined
      ? ''
      : `\n      <p id="username-error" class="error" role="alert">${escapeHtml(options.error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex, nofollow">
  <meta name="referrer" content="no-referrer">
  <title>Sign in | ${escapeHtml(DEVELOPMENT_IDP_TITLE)}</title>
  <style>${styles(BRANDING.palette)}
  </style>
</head>
<body>
  <main class="card" aria-labelledby="page-title">
    <header class="brand">
      <span aria-hidden="true">${BRANDING.logoSvg}</span>
      <p>${escapeHtml(DEVELOPMENT_IDP_TITLE)}</p>
    </header>
    <h1 id="page-title">Sign in</h1>
    <p class="notice">For local development only: any user name signs in, and there is no password.</p>
    <p>After signing in you return to <code>${escapeHtml(options.returnHost)}</code>.</p>
    <form method="post" action="/login">
${hidden}
      <label for="username">User name</label>
      <input type="text" id="username" name="username" value="${escapeHtml(options.username ?? '')}" required maxlength="64" autocomplete="username" autocapitalize="none" spellcheck="false" aria-describedby="${describedBy}"${invalid}>${error}
      <p id="username-hint" class="hint">Any name, for example alice or bob. Each name is a different user.</p>
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
  </main>
</body>
</html>
`;
}
