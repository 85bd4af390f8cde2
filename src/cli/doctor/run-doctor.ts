import { CLIENT_PROFILES } from '../client-profiles.ts';
import { fail, type Finding } from '../output.ts';
import { probeAuthorizationServer } from './probe-authorization-server.ts';
import { probeChallenge } from './probe-challenge.ts';
import { probeCors } from './probe-cors.ts';
import { probeNotFound } from './probe-not-found.ts';
import { probeRegistration } from './probe-registration.ts';
import { probeResourceMetadata } from './probe-resource-metadata.ts';

export interface DoctorOptions {
  /** The limit for each request, in milliseconds. */
  readonly timeoutMs: number;
  /** Register one client per profile (they stay registered, marked as doctor's). */
  readonly register: boolean;
}

/**
 * Plays an MCP client's discovery against a running deployment, in the order
 * a client goes (MCP authorization, "Authorization Flow Steps"): the 401
 * challenge, the protected resource metadata, the authorization server
 * metadata, registration as each known client, then the CORS a browser client
 * needs and the JSON answers Claude Code expects on its extra probes.
 */
export async function runDoctor(mcpUrl: URL, options: DoctorOptions): Promise<Finding[]> {
  const { timeoutMs } = options;
  const challenge = await probeChallenge(mcpUrl, timeoutMs);
  if (!challenge.reachable) return challenge.findings;

  const resource = await probeResourceMetadata(mcpUrl, challenge.resourceMetadataUrl, timeoutMs);
  const findings = [...challenge.findings, ...resource.findings];
  let tokenEndpoint: string | undefined;
  if (resource.authorizationServer === undefined) {
    findings.push(
      fail(
        'authorization server metadata',
        'not probed: no protected resource metadata names an authorization server',
        'Fix the protected resource metadata first.',
      ),
    );
  } else {
    const server = await probeAuthorizationServer(resource.authorizationServer, timeoutMs);
    findings.push(...server.findings);
    const registrationEndpoint = stringField(server.metadata, 'registration_endpoint');
    tokenEndpoint = stringField(server.metadata, 'token_endpoint');
    if (options.register && registrationEndpoint !== undefined) {
      for (const profile of CLIENT_PROFILES) {
        findings.push(await probeRegistration(registrationEndpoint, profile, timeoutMs));
      }
    }
  }
  findings.push(...(await probeCors(mcpUrl, tokenEndpoint, timeoutMs)));
  findings.push(...(await probeNotFound(mcpUrl, timeoutMs)));
  return findings;
}

function stringField(metadata: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = metadata?.[field];
  return typeof value === 'string' ? value : undefined;
}
