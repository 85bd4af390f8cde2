import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Observe } from '../observability/index.ts';

/** The fields of the token entities oidc-provider puts on a context; only ids are read. */
interface TokenEntity {
  readonly accountId?: string | undefined;
  readonly grantId?: string | undefined;
}

/** The account a token request or revocation acted for, from whichever token entity it loaded. */
function tokenEntityOf(ctx: KoaContextWithOIDC): TokenEntity | undefined {
  const entities = ctx.oidc.entities as Record<string, TokenEntity | undefined>;
  return (
    entities['AccessToken'] ??
    entities['RefreshToken'] ??
    entities['AuthorizationCode'] ??
    entities['DeviceCode'] ??
    entities['Grant']
  );
}

/**
 * oidc-provider's events (its public seam for what it did) as observed events:
 * registrations, authorization requests accepted, tokens issued and revoked,
 * grants revoked, and by whom.
 */
export function observeProviderEvents(provider: Provider, observe: Observe): void {
  provider.on(
    'registration_create.success',
    (ctx: KoaContextWithOIDC, client: { clientId: string; clientName?: string | undefined }) => {
      observe({
        type: 'client.registered',
        registration: 'dynamic',
        clientId: client.clientId,
        clientName: client.clientName,
        request: ctx.req,
      });
    },
  );
  provider.on('interaction.started', (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    if (clientId !== undefined) observe({ type: 'authorization.started', clientId, request: ctx.req });
  });
  provider.on('authorization.success', (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    if (clientId !== undefined) observe({ type: 'authorization.completed', clientId, request: ctx.req });
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    const grantType = ctx.oidc.params?.['grant_type'];
    if (clientId === undefined || typeof grantType !== 'string') return;
    const token = tokenEntityOf(ctx);
    observe({
      type: 'token.issued',
      grantType,
      clientId,
      accountId: token?.accountId,
      grantId: token?.grantId,
      request: ctx.req,
    });
  });
  // oidc-provider has no event for a revocation that succeeded: its answer is read instead. RFC 7009
  // §2.2 answers 200 for unknown tokens too; only a token it found counts.
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    if (ctx.oidc?.route !== 'revocation' || ctx.status !== 200) return;
    const token = tokenEntityOf(ctx);
    const clientId = ctx.oidc.client?.clientId;
    if (token === undefined || clientId === undefined) return;
    observe({
      type: 'token.revoked',
      clientId,
      accountId: token.accountId,
      grantId: token.grantId,
      request: ctx.req,
    });
  });
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    // At /token/revocation the client asked; at /token a code or refresh token was presented again.
    observe({
      type: 'grant.revoked',
      by: ctx.oidc?.route === 'revocation' ? 'client' : 'replay',
      grantId,
      accountId: ctx.oidc === undefined ? undefined : tokenEntityOf(ctx)?.accountId,
      clientId: ctx.oidc?.client?.clientId,
      request: ctx.req,
    });
  });
}
