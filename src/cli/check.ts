import { parseArgs } from 'node:util';
import type { ConfigResult } from '../config/index.ts';
import type { CliCommand } from './command.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { fail, pass, reportPassed, warn, writeReport, type Finding, type Report } from './output.ts';
import { atMostPositionals, parseOrUsage } from './parse-command-args.ts';

const TITLE = 'mcp-auth-proxy check';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Validate the configuration, then check every dependency live.',
  usage: 'check [--json]',
  description: [
    'Reads the configuration as `serve` does and reports every problem at once (exit 3). When it is valid,',
    'checks live, each with a fix for a failure: the store answers; the identity provider publishes its',
    'metadata and accepts the client credentials as configured; the MCP server accepts connections (or its',
    'command can be started); BASE_URL fits the redirect URI to register at the IdP. Exit 0 when all pass.',
  ].join('\n'),
  options: [{ flag: '--json', description: 'Print the report as JSON.' }],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('check', () =>
      parseArgs({ args: [...args], options: { json: { type: 'boolean' } }, allowPositionals: true }),
    );
    atMostPositionals('check', positionals, 0);
    const json = values.json === true;

    const { environment, result } = loadCliConfig(io);
    if (!result.ok) {
      writeReport(io.stdout, { title: TITLE, findings: configFindings(result) }, json);
      return EXIT_CONFIG_INVALID;
    }
    // Loaded only now: the identity client and the store drivers are not needed for --help.
    const { runChecks } = await import('./check/run-checks.ts');
    const report: Report = {
      title: TITLE,
      findings: [...configFindings(result), ...(await runChecks(result.config, environment, io.cwd))],
    };
    writeReport(io.stdout, report, json);
    return reportPassed(report) ? EXIT_OK : EXIT_FAILURE;
  },
};

function configFindings(result: ConfigResult): Finding[] {
  if (!result.ok) {
    // Each message names its variable already (src/config), so the finding is just `configuration`.
    return result.problems.map((problem) =>
      fail(
        'configuration',
        problem.message,
        problem.variable === 'MCP_AUTH_PROXY_SERVERS_FILE'
          ? 'Correct MCP_AUTH_PROXY_SERVERS_FILE, or the servers file it names; docs/multi-server.md describes the file.'
          : `Correct ${problem.variable} in the environment or .env; docs/configuration.md describes it.`,
      ),
    );
  }
  return [
    pass('configuration', 'every variable is valid'),
    ...result.warnings.map((warning) => warn('configuration', warning)),
  ];
}
