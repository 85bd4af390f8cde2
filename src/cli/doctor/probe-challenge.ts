import { fail, pass, type Finding } from '../output.ts';
import { probe, summarize } from './http-probe.ts';

const NAME = '401 challenge';

/** An MCP `initialize`, the first request every client sends (MCP lifecycle §initialization). */
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'mcp-auth-proxy-doctor', version: '1' },
  },
};

export interface ChallengeOutcome {
  readonly findings: Finding[];
  /** False when the URL did not answer at all: nothing else is worth probing. */
  readonly reachable: boolean;
  /** The absolute `resource_metadata` URL from the challenge, when there is one. */
  readonly resourceMetadataUrl: string | undefined;
}

/**
 * RFC 9728 §5.1 and MCP authorization: an unauthenticated request gets 401 with
 * `WWW-Authenticate: Bearer resource_metadata="<absolute URL>"`, the only way a
 * client learns where to sign in. Claude.ai needs the URL absolute (clients.md §5.1).
 */
export async function probeChallenge(mcpUrl: URL, timeoutMs: number): Promise<ChallengeOutcome> {
  const result = await probe(
    mcpUrl.href,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // No Origin: programs (the SDK, Claude Code, mcp-remote) send none; browsers are probed in probe-cors.ts.
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(INITIALIZE),
    },
    timeoutMs,
  );
  if (!result.ok) {
    return {
      findings: [
        fail(
          NAME,
          `POST ${mcpUrl.href} failed: ${result.error}`,
          'Check the URL, and that the deployment runs and is reachable from here.',
        ),
      ],
      reachable: false,
      resourceMetadataUrl: undefined,
    };
  }
  const { answer } = result;
  const findings: Finding[] = [];
  let resourceMetadataUrl: string | undefined;
  if (answer.status !== 401) {
    findings.push(
      fail(
        NAME,
        `POST without a token answered ${summarize(answer)}, not 401: clients never start signing in`,
        answer.status === 404
          ? 'Pass the MCP endpoint itself: BASE_URL followed by the path of MCP_SERVER_URL, e.g. https://mcp.example.com/mcp.'
          : 'The MCP endpoint must answer 401 with WWW-Authenticate to a request without a bearer token.',
      ),
    );
  } else {
    const challenge = parseBearerChallenge(answer.headers.get('www-authenticate'));
    resourceMetadataUrl = challenge?.['resource_metadata'];
    findings.push(judgeChallenge(challenge, resourceMetadataUrl));
  }
  return { findings, reachable: true, resourceMetadataUrl };
}

function judgeChallenge(
  challenge: Record<string, string> | undefined,
  metadataUrl: string | undefined,
): Finding {
  if (challenge === undefined) {
    return fail(
      NAME,
      '401 without a Bearer WWW-Authenticate challenge',
      'Answer 401 with WWW-Authenticate: Bearer resource_metadata="<absolute URL>" (RFC 9728 §5.1).',
    );
  }
  if (metadataUrl === undefined) {
    return fail(
      NAME,
      'the Bearer challenge has no resource_metadata: clients cannot find the authorization server',
      'Add resource_metadata="<absolute URL of the protected resource metadata>" to the challenge (RFC 9728 §5.1).',
    );
  }
  const parsed = URL.parse(metadataUrl);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    return fail(
      NAME,
      `resource_metadata ${JSON.stringify(metadataUrl)} is not an absolute URL: Claude.ai and others cannot follow it`,
      'Make resource_metadata an absolute https URL; check BASE_URL.',
    );
  }
  const scope = challenge['scope'] === undefined ? '' : `, scope "${challenge['scope']}"`;
  return pass(NAME, `401 with resource_metadata ${metadataUrl}${scope}`);
}

/** The auth-params of a `Bearer` challenge (RFC 7235 §2.1), or undefined when there is none. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (header === null) return undefined;
  const start = header.search(/(^|,)\s*Bearer(\s|$)/i);
  if (start === -1) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const match of header
    .slice(start)
    .replace(/^\s*,?\s*Bearer/i, '')
    .matchAll(pattern)) {
    const name = match[1];
    if (name !== undefined && !(name in params))
      params[name] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return params;
}
