import { parseArgs } from 'node:util';
import type { CliCommand } from './command.ts';
import { runDoctor } from './doctor/run-doctor.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { reportPassed, writeReport } from './output.ts';
import { parseOrUsage } from './parse-command-args.ts';
import { UsageError } from './usage-error.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary:
    "Play an MCP client's discovery against a running deployment and report what a client would trip over.",
  usage: 'doctor <mcp-url> [--json] [--no-register] [--timeout-ms <ms>]',
  description: [
    'Against the MCP URL of a running deployment (e.g. https://mcp.example.com/mcp): the 401 challenge with an',
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
    const [target, extra] = positionals;
    if (target === undefined)
      throw new UsageError('the MCP URL of a running deployment is required', 'doctor');
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`, 'doctor');
    const mcpUrl = URL.parse(target);
    if (mcpUrl === null || (mcpUrl.protocol !== 'https:' && mcpUrl.protocol !== 'http:')) {
      throw new UsageError(`${JSON.stringify(target)} is not an http(s) URL`, 'doctor');
    }
    const timeoutMs = values['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError('--timeout-ms must be a positive whole number of milliseconds', 'doctor');
    }

    const findings = await runDoctor(mcpUrl, { timeoutMs, register: values.register });
    const report = { title: `mcp-auth-proxy doctor ${mcpUrl.href}`, findings };
    writeReport(io.stdout, report, values.json === true);
    return reportPassed(report) ? EXIT_OK : EXIT_FAILURE;
  },
};
