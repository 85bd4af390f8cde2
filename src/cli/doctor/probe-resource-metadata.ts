import { fail, pass, warn, type Finding } from '../output.ts';
import { isObject, probe, PROBE_ORIGIN, summarize } from './http-probe.ts';

export interface ResourceMetadataOutcome {
  readonly findings: Finding[];
  /** `authorization_servers[0]` of the first good document: the issuer clients go on with. */
  readonly authorizationServer: string | undefined;
}

/**
 * RFC 9728 §3: the protected resource metadata, at the path-suffixed URL
 * (which MCP Inspector and the SDK try first) and at the root (which others
 * use; only for the default resource), plus the one the challenge named when it is a third. Each must be JSON
 * whose `resource` is the MCP URL (§3.3: clients must refuse a mismatch) and
 * whose `authorization_servers` names at least one issuer.
 */
export async function probeResourceMetadata(
  mcpUrl: URL,
  fromChallenge: string | undefined,
  timeoutMs: number,
  /** root: false skips the root document, which describes only the default resource (the first server). */
  options: { readonly root: boolean } = { root: true },
): Promise<ResourceMetadataOutcome> {
  const path = mcpUrl.pathname === '/' ? '' : mcpUrl.pathname.replace(/\/$/, '');
  const targets = new Map<string, string>([
    [`${mcpUrl.origin}/.well-known/oauth-protected-resource${path}`, 'path-suffixed'],
  ]);
  if (options.root) targets.set(`${mcpUrl.origin}/.well-known/oauth-protected-resource`, 'root');
  if (fromChallenge !== undefined && URL.parse(fromChallenge) !== null && !targets.has(fromChallenge)) {
    targets.set(fromChallenge, 'from the challenge');
  }
  const findings: Finding[] = [];
  let authorizationServer: string | undefined;
  for (const [url, label] of targets) {
    const outcome = await judgeDocument(
      url,
      `protected resource metadata (${label})`,
      mcpUrl.href,
      timeoutMs,
    );
    findings.push(outcome.finding);
    authorizationServer ??= outcome.authorizationServer;
  }
  return { findings, authorizationServer };
}

async function judgeDocument(
  url: string,
  name: string,
  resource: string,
  timeoutMs: number,
): Promise<{ finding: Finding; authorizationServer?: string }> {
  const fix = `Serve JSON at ${url} with "resource": "${resource}" and "authorization_servers": ["<issuer>"] (RFC 9728 §3).`;
  const result = await probe(
    url,
    { headers: { accept: 'application/json', origin: PROBE_ORIGIN } },
    timeoutMs,
  );
  if (!result.ok) return { finding: fail(name, `GET ${url} failed: ${result.error}`, fix) };
  const { answer } = result;
  if (answer.status !== 200 || !isObject(answer.json)) {
    return {
      finding: fail(
        name,
        `GET ${url} answered ${summarize(answer)}: clients find no authorization server`,
        fix,
      ),
    };
  }
  const document = answer.json;
  const servers = document['authorization_servers'];
  const first = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : undefined;
  if (document['resource'] !== resource) {
    const trailingSlash = document['resource'] === `${resource}/`;
    const detail = `${url} names resource ${JSON.stringify(document['resource'])}, not ${resource}`;
    if (!trailingSlash)
      return { finding: fail(name, `${detail}: clients must refuse it (RFC 9728 §3.3)`, fix) };
    return {
      finding: warn(name, `${detail}: strict clients refuse the trailing slash`, fix),
      ...(first === undefined ? {} : { authorizationServer: first }),
    };
  }
  if (first === undefined) {
    return { finding: fail(name, `${url} has no authorization_servers: clients cannot go on`, fix) };
  }
  if (answer.headers.get('access-control-allow-origin') === null) {
    return {
      finding: fail(
        name,
        `${url} is right but has no Access-Control-Allow-Origin: browser clients (MCP Inspector) cannot read it`,
        'Allow cross-origin GETs of the metadata documents.',
      ),
      authorizationServer: first,
    };
  }
  return {
    finding: pass(name, `${url}: resource ${resource}, authorization server ${first}`),
    authorizationServer: first,
  };
}
