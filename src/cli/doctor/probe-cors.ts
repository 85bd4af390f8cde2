import { fail, pass, warn, type Finding } from '../output.ts';
import { headerListIncludes, probe, PROBE_ORIGIN, summarize, type HttpAnswer } from './http-probe.ts';

/** The request headers a browser MCP client sends on the MCP endpoint (Streamable HTTP transport). */
const MCP_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'mcp-protocol-version',
  'mcp-session-id',
  'last-event-id',
];
/** The browser MCP client: MCP Inspector, served from its default local port (clients.md §5.7). */
const INSPECTOR_ORIGIN = 'http://localhost:6274';

/**
 * The CORS a browser client needs (Fetch standard, CORS protocol). The
 * discovery, registration and token endpoints must allow any origin. The MCP
 * endpoint may refuse origins it does not know (the MCP transport requires
 * servers to validate Origin against DNS rebinding), so a refusal of MCP
 * Inspector's origin there is a warning, not a failure.
 */
export async function probeCors(
  mcpUrl: URL,
  tokenEndpoint: string | undefined,
  timeoutMs: number,
): Promise<Finding[]> {
  const findings = await probeMcpEndpoint(mcpUrl, timeoutMs);
  if (tokenEndpoint !== undefined) {
    findings.push(
      await probePreflight(
        'CORS: token endpoint preflight',
        tokenEndpoint,
        PROBE_ORIGIN,
        ['content-type'],
        timeoutMs,
      ),
    );
    findings.push(await probeTokenAnswer(tokenEndpoint, timeoutMs));
  }
  return findings;
}

async function probeMcpEndpoint(mcpUrl: URL, timeoutMs: number): Promise<Finding[]> {
  const preflight = await probePreflight(
    'CORS: MCP endpoint preflight',
    mcpUrl.href,
    INSPECTOR_ORIGIN,
    MCP_REQUEST_HEADERS,
    timeoutMs,
  );
  const post = await probe(
    mcpUrl.href,
    {
      method: 'POST',
      headers: {
        origin: INSPECTOR_ORIGIN,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    },
    timeoutMs,
  );
  if (post.ok && post.answer.status === 403) {
    return [
      warn(
        'CORS: MCP endpoint',
        `a browser client at ${INSPECTOR_ORIGIN} (MCP Inspector) is refused with 403; programs and same-origin pages are not affected`,
        `To use MCP Inspector in a browser, add its origin to MCP_AUTH_PROXY_ALLOWED_ORIGINS (e.g. ${INSPECTOR_ORIGIN}).`,
      ),
    ];
  }
  const name = 'CORS: MCP endpoint response';
  if (!post.ok)
    return [
      preflight,
      fail(name, `POST ${mcpUrl.href} failed: ${post.error}`, 'Check that the MCP endpoint answers.'),
    ];
  return [preflight, judgeExposedHeaders(name, post.answer)];
}

/** A browser reads the challenge and the session id only when the response exposes them. */
function judgeExposedHeaders(name: string, answer: HttpAnswer): Finding {
  const allowOrigin = answer.headers.get('access-control-allow-origin');
  const exposed = answer.headers.get('access-control-expose-headers');
  const missing = ['WWW-Authenticate', 'Mcp-Session-Id'].filter(
    (header) => !headerListIncludes(exposed, header),
  );
  if (allowOrigin === null) {
    return fail(
      name,
      `${summarize(answer)} without Access-Control-Allow-Origin: a browser client (MCP Inspector) cannot read it`,
      'Answer cross-origin requests on the MCP endpoint with Access-Control-Allow-Origin.',
    );
  }
  if (missing.length > 0) {
    return fail(
      name,
      `Access-Control-Expose-Headers lacks ${missing.join(', ')}: a browser client cannot see the challenge or the session`,
      'Expose WWW-Authenticate and Mcp-Session-Id on MCP endpoint responses.',
    );
  }
  return pass(
    name,
    `Access-Control-Allow-Origin ${allowOrigin}; WWW-Authenticate and Mcp-Session-Id exposed`,
  );
}

/**
 * The preflight a browser makes before a cross-origin POST with these
 * headers: a 2xx allowing the origin, POST, and every header.
 */
async function probePreflight(
  name: string,
  url: string,
  origin: string,
  requestHeaders: readonly string[],
  timeoutMs: number,
): Promise<Finding> {
  const result = await probe(
    url,
    {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': requestHeaders.join(', '),
      },
    },
    timeoutMs,
  );
  const fix = `Answer OPTIONS ${url} with Access-Control-Allow-Origin, -Methods (POST) and -Headers (${requestHeaders.join(', ')}).`;
  if (!result.ok) return fail(name, `OPTIONS ${url} failed: ${result.error}`, fix);
  const { answer } = result;
  if (answer.status < 200 || answer.status >= 300) {
    return fail(
      name,
      `OPTIONS ${url} answered ${summarize(answer)}: browsers block the request that follows`,
      fix,
    );
  }
  const headers = answer.headers;
  const problems: string[] = [];
  const allowedOrigin = headers.get('access-control-allow-origin');
  if (allowedOrigin !== '*' && allowedOrigin !== origin)
    problems.push(`Access-Control-Allow-Origin is ${allowedOrigin ?? 'absent'}`);
  if (!headerListIncludes(headers.get('access-control-allow-methods'), 'POST'))
    problems.push('POST is not an allowed method');
  const allowed = headers.get('access-control-allow-headers');
  const missing = requestHeaders.filter((header) => !headerListIncludes(allowed, header));
  if (missing.length > 0) problems.push(`the headers ${missing.join(', ')} are not allowed`);
  if (problems.length > 0)
    return fail(name, `${problems.join('; ')}: a browser client cannot call ${url}`, fix);
  return pass(name, `OPTIONS ${url} allows POST with ${requestHeaders.join(', ')} from ${origin}`);
}

/** A browser reads even a token error only when its answer carries Access-Control-Allow-Origin. */
async function probeTokenAnswer(tokenEndpoint: string, timeoutMs: number): Promise<Finding> {
  const name = 'CORS: token endpoint response';
  const result = await probe(
    tokenEndpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PROBE_ORIGIN },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'doctor-probe',
        client_id: 'doctor-probe',
      }).toString(),
    },
    timeoutMs,
  );
  const fix =
    'Answer cross-origin POSTs to the token endpoint with Access-Control-Allow-Origin (also on errors).';
  if (!result.ok) return fail(name, `POST ${tokenEndpoint} failed: ${result.error}`, fix);
  const origin = result.answer.headers.get('access-control-allow-origin');
  if (origin === null) {
    return fail(
      name,
      `POST ${tokenEndpoint} answered ${summarize(result.answer)} without Access-Control-Allow-Origin: browser clients cannot read tokens or errors`,
      fix,
    );
  }
  return pass(
    name,
    `a cross-origin POST gets Access-Control-Allow-Origin ${origin} (${summarize(result.answer)})`,
  );
}
