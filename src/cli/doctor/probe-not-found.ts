import { fail, pass, type Finding } from '../output.ts';
import { probe, summarize } from './http-probe.ts';

/**
 * The discovery URLs Claude Code tries before the right ones (clients.md §5.2,
 * in its order). Whatever they answer must be JSON: Claude Code parses every
 * answer, and an HTML 404 page stops its discovery with a parse error.
 */
export function claudeCodeProbePaths(mcpPath: string): string[] {
  const path = mcpPath === '/' ? '' : mcpPath.replace(/\/$/, '');
  return [
    `/.well-known/oauth-authorization-server${path}`,
    `/.well-known/openid-configuration${path}`,
    `${path}/.well-known/openid-configuration`,
  ];
}

export async function probeNotFound(mcpUrl: URL, timeoutMs: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of claudeCodeProbePaths(mcpUrl.pathname)) {
    const url = `${mcpUrl.origin}${path}`;
    const name = `JSON answer at ${path}`;
    const fix = `Answer ${path} with JSON, a JSON 404 at least ({"error":"not_found"}).`;
    const result = await probe(url, { headers: { accept: 'application/json' } }, timeoutMs);
    if (!result.ok) {
      findings.push(fail(name, `GET ${url} failed: ${result.error}`, fix));
      continue;
    }
    const { answer } = result;
    if (answer.status >= 500) {
      findings.push(fail(name, `GET ${url} answered ${summarize(answer)}: Claude Code stops discovery`, fix));
    } else if (answer.json === undefined) {
      findings.push(
        fail(
          name,
          `GET ${url} answered ${summarize(answer)}: Claude Code fails to parse it and stops discovery`,
          fix,
        ),
      );
    } else {
      findings.push(pass(name, `HTTP ${answer.status} with a JSON body`));
    }
  }
  return findings;
}
