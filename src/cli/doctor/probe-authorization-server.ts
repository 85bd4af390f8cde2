import { fail, pass, warn, type Finding } from '../output.ts';
import { isObject, probe, PROBE_ORIGIN, summarize } from './http-probe.ts';

const NAME = 'authorization server metadata';

export interface AuthorizationServerOutcome {
  readonly findings: Finding[];
  readonly metadata: Record<string, unknown> | undefined;
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
export function authorizationServerMetadataUrl(issuer: URL): string {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  return `${issuer.origin}/.well-known/oauth-authorization-server${path}`;
}

/**
 * The authorization server's RFC 8414 metadata, judged as MCP clients use it:
 * the same issuer as the resource named (§3.3), PKCE S256 (MCP authorization
 * requires it; the SDK refuses a server without it), a registration endpoint
 * (Cursor and most clients register dynamically), and the endpoints of the
 * code flow. `iss` in responses (RFC 9207) and `offline_access` are advised.
 */
export async function probeAuthorizationServer(
  issuer: string,
  timeoutMs: number,
): Promise<AuthorizationServerOutcome> {
  const issuerUrl = URL.parse(issuer);
  if (issuerUrl === null) {
    return {
      findings: [
        fail(
          NAME,
          `authorization server ${JSON.stringify(issuer)} is not a URL`,
          'Name the issuer URL in authorization_servers.',
        ),
      ],
      metadata: undefined,
    };
  }
  const url = authorizationServerMetadataUrl(issuerUrl);
  const result = await probe(
    url,
    { headers: { accept: 'application/json', origin: PROBE_ORIGIN } },
    timeoutMs,
  );
  const fix = `Serve the RFC 8414 metadata of ${issuer} at ${url}.`;
  if (!result.ok)
    return { findings: [fail(NAME, `GET ${url} failed: ${result.error}`, fix)], metadata: undefined };
  if (result.answer.status !== 200 || !isObject(result.answer.json)) {
    return {
      findings: [fail(NAME, `GET ${url} answered ${summarize(result.answer)}`, fix)],
      metadata: undefined,
    };
  }
  const metadata = result.answer.json;
  return { findings: judgeMetadata(url, issuer, metadata), metadata };
}

function judgeMetadata(url: string, issuer: string, metadata: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const has = (field: string, value: string) =>
    Array.isArray(metadata[field]) && metadata[field].includes(value);
  if (metadata['issuer'] !== issuer) {
    findings.push(
      fail(
        NAME,
        `${url} names issuer ${JSON.stringify(metadata['issuer'])}, but the resource names ${issuer}: clients must refuse it (RFC 8414 §3.3)`,
        'Make authorization_servers[0] of the resource metadata and the issuer identical (BASE_URL).',
      ),
    );
  }
  const missing = ['authorization_endpoint', 'token_endpoint'].filter(
    (field) => typeof metadata[field] !== 'string',
  );
  if (missing.length > 0) {
    findings.push(
      fail(NAME, `${url} lacks ${missing.join(', ')}`, 'Publish the authorization and token endpoints.'),
    );
  }
  if (!has('code_challenge_methods_supported', 'S256')) {
    findings.push(
      fail(
        'PKCE',
        'code_challenge_methods_supported does not list S256: the MCP SDK and most clients refuse to go on',
        'Support PKCE with S256 and advertise it.',
      ),
    );
  } else {
    findings.push(pass('PKCE', 'S256 advertised'));
  }
  if (typeof metadata['registration_endpoint'] !== 'string') {
    findings.push(
      fail(
        'dynamic registration',
        'no registration_endpoint: Cursor reports "Incompatible auth server: does not support dynamic client registration", VS Code asks the user for a client id',
        'Enable dynamic client registration (RFC 7591).',
      ),
    );
  } else {
    findings.push(pass('dynamic registration', `registration endpoint ${metadata['registration_endpoint']}`));
  }
  if (metadata['authorization_response_iss_parameter_supported'] !== true) {
    findings.push(
      warn(
        NAME,
        'authorization_response_iss_parameter_supported is not true (RFC 9207 mix-up defence)',
        'Return iss in authorization responses and advertise it.',
      ),
    );
  }
  if (!has('scopes_supported', 'offline_access')) {
    findings.push(
      warn(
        NAME,
        'scopes_supported lacks offline_access: ChatGPT and Claude Code ask for refresh tokens only when it is advertised',
        'Add offline_access to PROVIDER_SCOPE.',
      ),
    );
  }
  if (!findings.some((finding) => finding.name === NAME && finding.status === 'fail')) {
    findings.unshift(pass(NAME, `${url}: issuer ${issuer}`));
  }
  return findings;
}
