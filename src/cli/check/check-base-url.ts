import type { Config } from '../../config/index.ts';
import { pass, warn, type Finding } from '../output.ts';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * BASE_URL against the URLs derived from it: the redirect URI the IdP must
 * have registered (byte for byte, RFC 6749 §3.1.2.3), the MCP URLs clients are
 * given (one per server), and whether a browser coming back from the IdP can reach this process.
 */
export function checkBaseUrl(config: Config): Finding[] {
  const base = new URL(config.baseUrl);
  const resources = config.servers.map((server) => server.resource).join(', ');
  const findings: Finding[] = [
    pass(
      'redirect URI',
      `register exactly ${config.identity.redirectUri} at the identity provider (BASE_URL + IDENTITY_CALLBACK_PATH)`,
    ),
  ];
  if (base.protocol === 'http:') {
    findings.push(
      warn(
        'BASE_URL',
        `${config.baseUrl} is plain http (LOCAL_INSECURE=true): tokens and session cookies cross it unencrypted; MCP clients connect to ${resources}`,
        'Use an https:// BASE_URL and remove LOCAL_INSECURE anywhere but on your own machine.',
      ),
    );
  } else {
    findings.push(pass('BASE_URL', `${config.baseUrl} is https; MCP clients connect to ${resources}`));
  }
  if (config.localInsecure && config.nodeEnv === 'production') {
    findings.push(
      warn(
        'LOCAL_INSECURE',
        'LOCAL_INSECURE=true with NODE_ENV=production: forwarded headers are not trusted and cookies are not Secure',
        'Remove LOCAL_INSECURE in production.',
      ),
    );
  }
  // On a developer's machine nothing sits in front of the proxy: the browser returning from the IdP
  // reaches BASE_URL's port, so it must be the port the proxy listens on.
  const basePort = base.port === '' ? (base.protocol === 'https:' ? 443 : 80) : Number(base.port);
  if (LOOPBACK_HOSTNAMES.has(base.hostname) && config.port !== 0 && basePort !== config.port) {
    findings.push(
      warn(
        'PORT',
        `BASE_URL is on port ${basePort} of this machine, but the proxy listens on PORT ${config.port}: the redirect back from the IdP would miss it`,
        `Set PORT=${basePort}, or put BASE_URL's port to ${config.port}.`,
      ),
    );
  }
  return findings;
}
