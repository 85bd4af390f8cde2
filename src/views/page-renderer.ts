import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { TemplateFunction } from 'ejs';
import type { Branding } from './branding.ts';
import type {
  AccountLocals,
  ConfirmLoginLocals,
  DeviceCodeLocals,
  DeviceSuccessLocals,
  ErrorPageLocals,
  InjectedLocals,
  PageLocals,
  SignInRefusedLocals,
} from './page-locals.ts';

/** Our own templates; `npm run build` copies them to `dist/views/templates`. */
export const BUILT_IN_VIEWS_PATH = fileURLToPath(new URL('./templates/', import.meta.url));

const LAYOUT_VIEW = '_layout';
const TEMPLATE_EXTENSION = '.ejs';
// View names come from our code, but a name is a path segment: keep it one.
const VIEW_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

const DEFAULT_TITLES: Readonly<Record<string, string>> = {
  'confirm-login': 'Confirm sign-in',
  error: 'Sign-in could not continue',
  'device-code': 'Connect a device',
  'device-success': 'Device connected',
  account: 'Connected apps',
  'signin-refused': 'Sign-in refused',
};

export interface PageRendererOptions {
  /** OIDC_PROVIDER_VIEWS_PATH: an absolute directory whose templates take precedence over ours. */
  readonly viewsPath?: string | undefined;
  readonly branding: Branding;
}

export interface PageRenderer {
  render(view: 'confirm-login', locals: ConfirmLoginLocals): Promise<string>;
  render(view: 'error', locals: ErrorPageLocals): Promise<string>;
  render(view: 'device-code', locals: DeviceCodeLocals): Promise<string>;
  render(view: 'device-success', locals: DeviceSuccessLocals): Promise<string>;
  render(view: 'account', locals: AccountLocals): Promise<string>;
  render(view: 'signin-refused', locals: SignInRefusedLocals): Promise<string>;
  render(view: string, locals: PageLocals): Promise<string>;
}

/**
 * Renders a view, then wraps it in `_layout` with the view's HTML as `body`,
 * as the reference proxy's render wrapper does, so its custom `_layout.ejs`
 * files work unchanged. Each view is looked up in the custom directory first
 * and falls back to ours, per view: a directory written for the reference has
 * `_layout.ejs` and `confirm-login.ejs` but no `error.ejs`.
 *
 * Templates are read and compiled once per renderer. Rendering errors (a
 * broken custom template, a missing local) are thrown to the caller, which
 * answers with an error page; they are never shown to the person.
 */
export function createPageRenderer(options: PageRendererOptions): PageRenderer {
  const { viewsPath, branding } = options;
  if (viewsPath !== undefined && !isAbsolute(viewsPath)) {
    throw new Error(`viewsPath must be an absolute path, got: ${viewsPath}`);
  }
  const directories = viewsPath === undefined ? [BUILT_IN_VIEWS_PATH] : [viewsPath, BUILT_IN_VIEWS_PATH];
  const compiled = new Map<string, Promise<TemplateFunction>>();

  function template(view: string): Promise<TemplateFunction> {
    let pending = compiled.get(view);
    if (pending === undefined) {
      pending = compileView(view, directories);
      compiled.set(view, pending);
      // A failed read or compile is not remembered: the next request retries.
      pending.catch(() => compiled.delete(view));
    }
    return pending;
  }

  async function render(view: string, locals: PageLocals): Promise<string> {
    if (!VIEW_NAME.test(view)) throw new Error(`invalid view name: ${JSON.stringify(view)}`);
    const [viewTemplate, layoutTemplate] = await Promise.all([template(view), template(LAYOUT_VIEW)]);
    const injected: InjectedLocals = {
      branding,
      title: locals.title ?? DEFAULT_TITLES[view] ?? branding.title,
    };
    const body = viewTemplate({ ...locals, ...injected });
    return layoutTemplate({ ...locals, ...injected, body });
  }

  return { render };
}

async function compileView(view: string, directories: readonly string[]): Promise<TemplateFunction> {
  for (const directory of directories) {
    const filename = join(directory, `${view}${TEMPLATE_EXTENSION}`);
    const source = await readIfPresent(filename);
    if (source === undefined) continue;
    // `filename` makes relative includes and error messages work; `cache` lets
    // EJS keep compiled includes instead of re-reading them on every render.
    return ejs.compile(source, { filename, cache: true, async: false });
  }
  throw new Error(`no template for view "${view}" in ${directories.join(', ')}`);
}

async function readIfPresent(filename: string): Promise<string | undefined> {
  try {
    return await readFile(filename, 'utf8');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
