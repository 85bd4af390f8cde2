import type { Branding } from './branding.ts';

/**
 * The `client` local of the confirm page. The names are those of oidc-provider's
 * `Client` instance (camelCase of the RFC 7591 metadata), which is what the
 * reference proxy passes and what its templates read (`client.clientName`,
 * `client.clientUri`, `client.redirectUris`, `client.logoUri`). Build it from
 * `client.metadata()` so custom templates keep working.
 */
export type ConfirmLoginClient = {
  readonly clientId: string;
  readonly clientName?: string | undefined;
  readonly clientUri?: string | undefined;
  readonly redirectUris: readonly string[];
  readonly logoUri?: string | undefined;
  readonly policyUri?: string | undefined;
  readonly tosUri?: string | undefined;
};

/** An MCP server the client asks for access to (RFC 8707 `resource`), as the confirm page names it. */
export type ConfirmLoginServer = {
  /** Its id in the configuration (`default` for the MCP_SERVER_* server). */
  readonly id: string;
  /** Its display name from the servers file; undefined = the page shows its URL only. */
  readonly displayName: string | undefined;
  /** Its URL: the protected resource. */
  readonly resource: string;
};

/** Locals the confirm page is rendered with; `branding` is injected by the renderer. */
export type ConfirmLoginLocals = {
  /** Defaults to "Confirm sign-in". */
  readonly title?: string | undefined;
  readonly client: ConfirmLoginClient;
  /** The interaction uid; it is placed in the form action and the Cancel link. */
  readonly uid: string;
  /** The interaction's prompt details (reference: `prompt.details`). */
  readonly details: Readonly<Record<string, unknown>>;
  /** The authorization request parameters (reference: `interactionDetails().params`). */
  readonly params: Readonly<Record<string, unknown>>;
  /** IDENTITY_SERVER_URL as configured (reference local). */
  readonly identityServerUrl: string;
  /** Ours: the `csrf` hidden field the confirm POST must echo. */
  readonly csrfToken: string;
  /** Ours: the hosts the client's redirect URIs point at (see `redirectHostnames`). */
  readonly redirectHostnames: readonly string[];
  /** Ours: the IdP as a person should read it, e.g. `id.heroku.com`. */
  readonly identityProviderName: string;
  /** Ours: the scopes that will be requested, shown to the person. */
  readonly scopes: readonly string[];
  /** Ours: the MCP servers the client asks for access to, in the order asked (at least one). */
  readonly servers: readonly ConfirmLoginServer[];
  /**
   * Ours: set when a device asks (RFC 8628): the user code it shows, for the person to compare.
   * The page then has no redirect to speak of; the form and Cancel link stay the same.
   */
  readonly userCode?: string | undefined;
};

/** Locals of the device flow's code-entry page (`device-code`). */
export type DeviceCodeLocals = {
  readonly title?: string | undefined;
  /** The verification URI the form posts to. */
  readonly action: string;
  /** oidc-provider's anti-CSRF field: post it back as `xsrf`. */
  readonly xsrf: string;
  /** Pre-filled code (from the link, or as typed when it was wrong). */
  readonly userCode: string | undefined;
  /** `enter`, `check`, `not_found`, `expired`, `already_used`, `no_code`, `cancelled` or `failed`. */
  readonly notice: string;
  /** With `failed`: the OAuth error code and its description. */
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
};

/** Locals of the device flow's success page (`device-success`). */
export type DeviceSuccessLocals = {
  readonly title?: string | undefined;
  readonly clientId: string;
  readonly clientName: string | undefined;
};

/** A moment shown on a page: machine-readable for `<time datetime>`, and as a person reads it. */
export type PageTime = {
  /** ISO 8601 UTC. */
  readonly iso: string;
  /** E.g. `12 May 2026, 14:03 UTC`. */
  readonly text: string;
};

/** An MCP server a connected app may use, with the scopes its grant holds there. */
export type AccountAppServer = ConfirmLoginServer & { readonly scopes: readonly string[] };

/** One grant on the connected-apps page: an app that holds the person's access. */
export type AccountApp = {
  /** What the revoke form posts as `grant`. */
  readonly grantId: string;
  readonly clientId: string;
  /** The client's registered or published name; undefined when it gave none. */
  readonly clientName: string | undefined;
  /** How the page names it: its name, else "An app published by <host>", else "An unnamed app". */
  readonly label: string;
  /** For a client ID metadata document client: the host that publishes its document (its client_id). */
  readonly publisher: string | undefined;
  /** Its registered redirect URIs; empty when unknown (a metadata document client). */
  readonly redirectUris: readonly string[];
  /** The hosts they point at (see `redirectHostnames`). */
  readonly redirectHostnames: readonly string[];
  /** Each server it may use, with the scopes it holds there. */
  readonly servers: readonly AccountAppServer[];
  /** Every scope it holds: the OpenID ones (`openid`, `offline_access`) and each server's. */
  readonly scopes: readonly string[];
  /** When the person signed in to it (the grant's creation). */
  readonly firstUsed: PageTime | undefined;
  /** When it last got a token; undefined when not recorded (see the page's precision note). */
  readonly lastUsed: PageTime | undefined;
};

/** What the connected-apps page says after an action (shown once). */
export type AccountNotice =
  | { readonly kind: 'revoked'; readonly app: string }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'session_ended' };

/** Locals of the connected-apps page (`account`). */
export type AccountLocals = {
  /** Defaults to "Connected apps". */
  readonly title?: string | undefined;
  /** `apps`: the signed-in person's apps; `signed-out`; `refused`: a form post without its CSRF token (403). */
  readonly page: 'apps' | 'signed-out' | 'refused';
  /** The signed-in person's account id at the IdP (with `apps`). */
  readonly accountId: string | undefined;
  readonly apps: readonly AccountApp[];
  readonly notice: AccountNotice | undefined;
  /** The `csrf` hidden field every form on the page must post (with `apps`). */
  readonly csrfToken: string | undefined;
  /** Where the page and its forms are: `/account`, `/account/revoke`, `/account/sign-out`. */
  readonly paths: { readonly page: string; readonly revoke: string; readonly signOut: string };
  /** How stale "last used" may be, e.g. `an hour`: an app in use gets a token at least this often. */
  readonly lastUsedPrecision: string;
};

/** Locals of the page for a sign-in the access rules refused (`signin-refused`). */
export type SignInRefusedLocals = {
  readonly title?: string | undefined;
  /** The whole sentence, naming the rule: `Sign-in refused by rule "staff-only". ...`. */
  readonly message: string;
  /** The id of the rule that refused. */
  readonly rule: string;
  /** The rule's description (the operator's sentence), when it has one. */
  readonly description: string | undefined;
  readonly clientName: string | undefined;
  /** Where the application learns of the refusal (`access_denied` at its redirect URI). */
  readonly returnTo: string;
};

/** Locals of the error page. Never pass an exception message or stack. */
export type ErrorPageLocals = {
  /** Defaults to "Sign-in could not continue". */
  readonly title?: string | undefined;
  /** An OAuth error code, e.g. `server_error`. */
  readonly error: string;
  readonly errorDescription?: string | undefined;
  readonly requestId?: string | undefined;
};

/** Locals of any other view (a custom directory may bring its own). */
export type PageLocals = Readonly<Record<string, unknown>> & { readonly title?: string | undefined };

/** What templates receive on top of the view's locals; `_layout` also gets `body`. */
export type InjectedLocals = {
  readonly branding: Branding;
  readonly title: string;
};
