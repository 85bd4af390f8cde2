import { parseArgs } from 'node:util';
import type { CliCommand } from './command.ts';
import type { CliIo } from './cli-io.ts';
import { runDoctor, type DoctorTarget } from './doctor/run-doctor.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { reportPassed, writeReport } from './output.ts';
import { parseOrUsage } from './parse-command-args.ts';
import { UsageError } from './usage-error.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary:
    "Play an MCP client's discovery against a running deployment and report what a client would trip over.",
  usage: 'doctor [<mcp-url>...] [--json] [--no-register] [--timeout-ms <ms>]',
  description: [
    'Against the MCP URL of a running deployment (e.g. https://mcp.example.com/mcp), or each of several, or',
    'without one every MCP server of the configuration in this directory: the 401 challenge with an',
    'absolute resource_metadata; both protected resource metadata URLs; the authorization server metadata',
    '(issuer, PKCE S256, registration endpoint); registration with the payload of Claude.ai, Claude Code, Cursor,',
    'VS Code, ChatGPT, mcp-remote and MCP Inspector; CORS preflights on the MCP endpoint and the token endpoint;',
    'JSON answers on the paths Claude Code probes. Registration leaves one client per profile behind, named',
    '"<client> (mcp-auth-proxy doctor)". Exit 0 when nothing failed.',
  ].join('\n'),
  options: [
    { flag: '--json', description: 'Print the report as JSON.' },
    { flag: '--no-register', description: 'Skip the registrations (nothing is written at the server).' },
    { flag: '--timeout-ms <ms>', description: `The limit for each request (default ${DEFAULT_TIMEOUT_MS}).` },
  ],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('doctor', () =>
      parseArgs({
        args: [...args],
        options: {
          json: { type: 'boolean' },
          register: { type: 'boolean', default: true },
          'timeout-ms': { type: 'string' },
        },
        allowPositionals: true,
        allowNegative: true,
      }),
    );
    const timeoutMs = values['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError('--timeout-ms must be a positive whole number of milliseconds', 'doctor');
    }
    const targets = positionals.length > 0 ? argumentTargets(positionals) : configuredTargets(io);

    const findings = await runDoctor(targets, { timeoutMs, register: values.register });
    const report = {
      title: `mcp-auth-proxy doctor ${targets.map((target) => target.mcpUrl.href).join(' ')}`,
      findings,
    };
    writeReport(io.stdout, report, values.json === true);
    return reportPassed(report) ? EXIT_OK : EXIT_FAILURE;
  },
};

/**
 * The URLs given on the command line. Several are labelled by their paths, or
 * by the whole URL when two share a path (they only need telling apart).
 */
function argumentTargets(argumentList: readonly string[]): DoctorTarget[] {
  const urls = argumentList.map((argument) => {
    const mcpUrl = URL.parse(argument);
    if (mcpUrl === null || (mcpUrl.protocol !== 'https:' && mcpUrl.protocol !== 'http:')) {
      throw new UsageError(`${JSON.stringify(argument)} is not an http(s) URL`, 'doctor');
    }
    return mcpUrl;
  });
  const paths = new Set(urls.map((url) => url.pathname));
  return urls.map((mcpUrl) => ({
    mcpUrl,
    label: urls.length === 1 ? undefined : paths.size === urls.length ? mcpUrl.pathname : mcpUrl.href,
  }));
}

/** Without a URL: each MCP server of the configuration in the working directory, labelled by its id. */
function configuredTargets(io: CliIo): DoctorTarget[] {
  const { result } = loadCliConfig(io);
  if (!result.ok) {
    throw new UsageError(
      'the MCP URL of a running deployment is required (without one, doctor probes the MCP servers of a valid configuration in the working directory)',
      'doctor',
    );
  }
  const { servers } = result.config;
  return servers.map((server) => ({
    mcpUrl: new URL(server.resource),
    label: servers.length > 1 ? server.id : undefined,
  }));
}
