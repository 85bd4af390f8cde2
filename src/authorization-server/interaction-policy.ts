import { interactionPolicy } from 'oidc-provider';

const { Check, Prompt, base } = interactionPolicy;

/**
 * The interaction policy: every authorization request goes through our login
 * bridge (confirmation when needed, then the upstream IdP), even when the
 * browser already has a session. Upstream tokens belong to a grant (user +
 * client), so a new authorization needs a fresh upstream login to obtain
 * tokens for it; the IdP's own SSO session keeps that quick for the user.
 *
 * `select_account` is added as a requestable prompt only so that clients that
 * send `prompt=select_account` are accepted (the reference refused them); the
 * upstream login is where an account is selected.
 */
export function createInteractionPolicy(): ReturnType<typeof base> {
  const policy = base();
  const login = policy.get('login');
  if (login === undefined) throw new Error('oidc-provider base policy has no login prompt');
  login.checks.add(
    new Check(
      'upstream_login_required',
      'the end-user must sign in at the upstream identity provider for this grant',
      (ctx) => (ctx.oidc.result?.login === undefined ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
    ),
  );
  policy.add(new Prompt({ name: 'select_account', requestable: true }));
  return policy;
}
