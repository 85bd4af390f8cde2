import type Provider from 'oidc-provider';
import { displayUserCode } from '../authorization-server/index.ts';
import { OAuthError } from '../oauth/oauth-error.ts';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * For an interaction a device started (RFC 8628; oidc-provider links it to
 * the device code), the user code that device shows, as the person typed it;
 * undefined for an authorization-code interaction.
 */
export async function deviceUserCodeOf(
  provider: Provider,
  details: InteractionDetails,
): Promise<string | undefined> {
  if (typeof details.deviceCode !== 'string') return undefined;
  const code = await provider.DeviceCode.find(details.deviceCode, { ignoreExpiration: true });
  if (code === undefined || code.isExpired) {
    throw new OAuthError('invalid_request', 'this device sign-in has expired; start again on your device');
  }
  return displayUserCode(code.userCode);
}
