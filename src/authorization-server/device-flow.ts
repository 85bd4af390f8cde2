import type { Configuration, ErrorOut, KoaContextWithOIDC } from 'oidc-provider';

/**
 * RFC 8628 §6.1: 8 characters from a 20-letter alphabet without vowels or
 * look-alikes (about 34.5 bits) is the RFC's own example; guessing is further
 * limited by the per-address rate limit on `/device` and the 10-minute life.
 */
export const USER_CODE_CHARSET = 'base-20';
export const USER_CODE_MASK = '****-****';
export const DEVICE_CODE_TTL_SECONDS = 10 * 60;
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** What the code-entry page tells the person. */
export type DeviceCodeNotice =
  /** First visit: type the code your device shows. */
  | 'enter'
  /** The code came in the link (verification_uri_complete): check it against the device. */
  | 'check'
  | 'not_found'
  | 'expired'
  | 'already_used'
  | 'no_code'
  /** The person cancelled on the confirmation page; the device is told `access_denied`. */
  | 'cancelled'
  /** Any other error; `error` carries its OAuth code. */
  | 'failed';

export interface DeviceCodePage {
  /** Where the form posts (the verification URI). */
  readonly action: string;
  /** oidc-provider's own anti-CSRF field for this form, bound to its session cookie. */
  readonly xsrf: string;
  /** Pre-filled code: from the link, or as typed when it was wrong. */
  readonly userCode: string | undefined;
  readonly notice: DeviceCodeNotice;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
}

export interface DeviceSuccessPage {
  readonly clientId: string;
  readonly clientName: string | undefined;
}

/** The device-flow pages, rendered by the views (the authorization server never imports them). */
export interface DevicePages {
  codeEntry(page: DeviceCodePage): Promise<string>;
  success(page: DeviceSuccessPage): Promise<string>;
}

/** oidc-provider's re-render errors (helpers/re_render_errors.js), by name: each is a wrong or spent code. */
const NOTICE_BY_ERROR: Readonly<Record<string, { notice: DeviceCodeNotice; status: number }>> = {
  NotFoundError: { notice: 'not_found', status: 400 },
  ExpiredError: { notice: 'expired', status: 400 },
  AlreadyUsedError: { notice: 'already_used', status: 400 },
  NoCodeError: { notice: 'no_code', status: 400 },
  AbortedError: { notice: 'cancelled', status: 200 },
};

/**
 * oidc-provider's device flow (RFC 8628) with our pages. The person's side
 * is: `/device` (type the code) → `/interaction/<uid>` (the confirmation
 * page of the code flow, always shown for a device: RFC 8628 §5.4) → the
 * upstream IdP → `/device/<uid>` (success). So the code-entry form posts
 * `confirm=yes` itself: oidc-provider's separate "is this your code?" step
 * would only ask twice. A link that carries the code (verification_uri_complete)
 * still gets that step, rendered as the same page with the code filled in;
 * the page in between that posts the link's code on is oidc-provider's own
 * (an inline script it hashes into a CSP's `script-src`), so it gets none of
 * our headers: our CSP, having no `script-src`, would stop it.
 *
 * The form keeps oidc-provider's `xsrf` field: a random secret held in its
 * session (signed, SameSite=Lax cookie) and compared in constant time, which
 * is a synchronizer token already; a second one of ours would add nothing.
 */
export function deviceFlowFeature(options: {
  pages: DevicePages;
  pageHeaders: Readonly<Record<string, string>>;
}): NonNullable<NonNullable<Configuration['features']>['deviceFlow']> {
  const { pages, pageHeaders } = options;
  const send = (ctx: KoaContextWithOIDC, status: number, html: string) => {
    for (const [name, value] of Object.entries(pageHeaders)) ctx.set(name, value);
    ctx.status = status;
    ctx.body = html;
  };
  const codeEntry = (ctx: KoaContextWithOIDC, form: string, fields: Partial<DeviceCodePage>) =>
    pages.codeEntry({
      action: ctx.oidc.urlFor('code_verification'),
      xsrf: xsrfOf(form),
      userCode: undefined,
      notice: 'enter',
      error: undefined,
      errorDescription: undefined,
      ...fields,
    });

  return {
    enabled: true,
    charset: USER_CODE_CHARSET,
    mask: USER_CODE_MASK,
    userCodeInputSource: async (ctx, form, out?: ErrorOut, error?: Error) => {
      if (out === undefined) {
        send(ctx, 200, await codeEntry(ctx, form, {}));
        return;
      }
      const known = error === undefined ? undefined : NOTICE_BY_ERROR[error.name];
      const typed = (error as { userCode?: unknown } | undefined)?.userCode;
      const html = await codeEntry(ctx, form, {
        notice: known?.notice ?? 'failed',
        userCode: typeof typed === 'string' ? typed : undefined,
        error: known === undefined ? out.error : undefined,
        errorDescription: known === undefined ? out.error_description : undefined,
      });
      send(ctx, known?.status ?? ctx.status, html);
    },
    userCodeConfirmSource: async (ctx, form, _client, _deviceInfo, userCode) => {
      send(ctx, 200, await codeEntry(ctx, form, { notice: 'check', userCode }));
    },
    successSource: async (ctx) => {
      const client = ctx.oidc.client;
      send(
        ctx,
        200,
        await pages.success({ clientId: client?.clientId ?? '', clientName: client?.clientName }),
      );
    },
  };
}

/**
 * The `xsrf` value of the form oidc-provider hands to the source functions
 * (helpers/user_code_form.js). Our page builds its own form (a labelled input,
 * no inline script, which our CSP would block) and carries this value over.
 */
export function xsrfOf(form: string): string {
  const value = /name="xsrf" value="([^"]*)"/.exec(form)?.[1];
  if (value === undefined) throw new Error('oidc-provider device form has no xsrf field');
  return value;
}

/** A stored (normalized) user code as the person saw it, e.g. `WDJBMJHT` -> `WDJB-MJHT`. */
export function displayUserCode(normalized: string): string {
  const characters = [...normalized];
  return [...USER_CODE_MASK].map((slot) => (slot === '*' ? (characters.shift() ?? '') : slot)).join('');
}
