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

/** One MCP endpoint of the deployment. */
export interface DoctorTarget {
  readonly mcpUrl: URL;
  /** Put before each of its findings when several endpoints are probed (a server id or path); undefined for one. */
  readonly label: string | undefined;
}

const labelled = (label: string | undefined, findings: readonly Finding[]): Finding[] =>
  findings.map((finding) =>
    label === undefined ? finding : { ...finding, name: `${label}: ${finding.name}` },
  );

interface EndpointDiscovery {
  readonly target: DoctorTarget;
  readonly findings: Finding[];
  readonly reachable: boolean;
  readonly authorizationServer: string | undefined;
}

/**
 * The challenge and protected resource metadata of one endpoint. The root
 * metadata document describes only the default resource (the first server),
 * so it is probed with the first endpoint alone.
 */
async function discoverEndpoint(
  target: DoctorTarget,
  first: boolean,
  timeoutMs: number,
): Promise<EndpointDiscovery> {
  const challenge = await probeChallenge(target.mcpUrl, timeoutMs);
  if (!challenge.reachable) {
    return { target, findings: challenge.findings, reachable: false, authorizationServer: undefined };
  }
  const resource = await probeResourceMetadata(target.mcpUrl, challenge.resourceMetadataUrl, timeoutMs, {
    root: first,
  });
  const findings = [...challenge.findings, ...resource.findings];
  return { target, findings, reachable: true, authorizationServer: resource.authorizationServer };
}

/** The one authorization server every endpoint names: its metadata, then registration as each known client. */
async function probeIssuer(
  issuer: string | undefined,
  options: DoctorOptions,
): Promise<{ findings: Finding[]; tokenEndpoint: string | undefined }> {
  if (issuer === undefined) {
    const finding = fail(
      'authorization server metadata',
      'not probed: no protected resource metadata names an authorization server',
      'Fix the protected resource metadata first.',
    );
    return { findings: [finding], tokenEndpoint: undefined };
  }
  const server = await probeAuthorizationServer(issuer, options.timeoutMs);
  const findings = [...server.findings];
  const registrationEndpoint = stringField(server.metadata, 'registration_endpoint');
  if (options.register && registrationEndpoint !== undefined) {
    for (const profile of CLIENT_PROFILES) {
      findings.push(await probeRegistration(registrationEndpoint, profile, options.timeoutMs));
    }
  }
  return { findings, tokenEndpoint: stringField(server.metadata, 'token_endpoint') };
}

/**
 * Plays an MCP client's discovery against a running deployment, in the order
 * a client goes (MCP authorization, "Authorization Flow Steps"): the 401
 * challenge and the protected resource metadata of each MCP endpoint, the
 * authorization server metadata, registration as each known client, then the
 * CORS a browser client needs and the JSON answers Claude Code expects on its
 * extra probes. One authorization server serves every endpoint, so it is
 * probed once.
 */
export async function runDoctor(
  targets: readonly DoctorTarget[],
  options: DoctorOptions,
): Promise<Finding[]> {
  const { timeoutMs } = options;
  const discoveries: EndpointDiscovery[] = [];
  for (const [index, target] of targets.entries()) {
    discoveries.push(await discoverEndpoint(target, index === 0, timeoutMs));
  }
  const findings = discoveries.flatMap((discovery) => labelled(discovery.target.label, discovery.findings));
  const reachable = discoveries.filter((discovery) => discovery.reachable);
  if (reachable.length === 0) return findings;

  const issuer = reachable.find(
    (discovery) => discovery.authorizationServer !== undefined,
  )?.authorizationServer;
  const { findings: issuerFindings, tokenEndpoint } = await probeIssuer(issuer, options);
  findings.push(...issuerFindings);
  for (const [index, { target }] of reachable.entries()) {
    // The token endpoint is the same for every endpoint: probed with the first.
    const cors = await probeCors(target.mcpUrl, index === 0 ? tokenEndpoint : undefined, timeoutMs);
    findings.push(...labelled(target.label, cors));
  }
  for (const { target } of reachable) {
    findings.push(...labelled(target.label, await probeNotFound(target.mcpUrl, timeoutMs)));
  }
  return findings;
}

function stringField(metadata: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = metadata?.[field];
  return typeof value === 'string' ? value : undefined;
}
