import { parseArgs } from 'node:util';
import type { ConfigResult } from '../config/index.ts';
import type { CliCommand } from './command.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { fail, pass, reportPassed, warn, writeReport, type Finding, type Report } from './output.ts';
import { atMostPositionals, parseOrUsage } from './parse-command-args.ts';
import { UsageError } from './usage-error.ts';

const TITLE = 'mcp-auth-proxy check';

const CHECK_OPTIONS = {
  json: { type: 'boolean' },
  explain: { type: 'boolean' },
  user: { type: 'string' },
  server: { type: 'string' },
  tool: { type: 'string' },
  prompt: { type: 'string' },
  resource: { type: 'string' },
} as const;

/** The options that describe what to explain. */
const EXPLAIN_ONLY = ['user', 'server', 'tool', 'prompt', 'resource'] as const;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Validate the configuration, then check every dependency live.',
  usage:
    'check [--json] | check --explain --user <claims JSON or file> [--server <id>] [--tool <name> | --prompt <name> | --resource <uri>]',
  description: [
    'Reads the configuration as `serve` does and reports every problem at once (exit 3), access rules',
    'included. When it is valid, checks live, each with a fix for a failure: the store answers; the identity',
    'provider publishes its metadata and accepts the client credentials as configured; the MCP server accepts',
    'connections (or its command can be started); BASE_URL fits the redirect URI to register at the IdP. Exit 0',
    'when all pass. With --explain, checks nothing live: it prints how the access rules decide for a user',
    '(docs/access-rules.md), rule by rule, and exits 0 when allowed, 1 when refused.',
  ].join('\n'),
  options: [
    { flag: '--json', description: 'Print the report (or the explanation) as JSON.' },
    { flag: '--explain', description: "Explain the access rules' decision for --user instead of checking." },
    {
      flag: '--user <claims>',
      description: 'The user as the IdP describes them: claims as JSON, or a JSON or YAML file of them.',
    },
    { flag: '--server <id>', description: 'The MCP server to explain (the only one, when there is one).' },
    { flag: '--tool <name>', description: 'A tool on that server.' },
    { flag: '--prompt <name>', description: 'A prompt on that server.' },
    { flag: '--resource <uri>', description: 'A resource (or resource template) on that server.' },
  ],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('check', () =>
      parseArgs({ args: [...args], options: CHECK_OPTIONS, allowPositionals: true }),
    );
    atMostPositionals('check', positionals, 0);
    const json = values.json === true;
    const explaining = values.explain === true;
    if (!explaining && EXPLAIN_ONLY.some((option) => values[option] !== undefined)) {
      throw new UsageError(`--${EXPLAIN_ONLY.join(', --')} go with --explain`, 'check');
    }

    const { environment, result } = loadCliConfig(io);
    if (!result.ok) {
      writeReport(io.stdout, { title: TITLE, findings: configFindings(result) }, json);
      return EXIT_CONFIG_INVALID;
    }
    if (explaining) {
      // Loaded only now: the policy compiler is not needed for --help.
      const { explainAccess } = await import('./check/explain-access.ts');
      return explainAccess(result.config, { ...values, json }, io);
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

/** Variables that name a file: the fix is in the file, described by its own document. */
const FILE_FIXES: Readonly<Record<string, string>> = {
  MCP_AUTH_PROXY_SERVERS_FILE:
    'Correct MCP_AUTH_PROXY_SERVERS_FILE, or the servers file it names; docs/multi-server.md describes the file and docs/access-rules.md its rules.',
  MCP_AUTH_PROXY_ACCESS_RULES_FILE:
    'Correct MCP_AUTH_PROXY_ACCESS_RULES_FILE, or the rules file it names; docs/access-rules.md describes the rules.',
};

const variableFix = (variable: string): string =>
  `Correct ${variable} in the environment or .env; docs/configuration.md describes it.`;

function configFindings(result: ConfigResult): Finding[] {
  if (!result.ok) {
    // Each message names its variable already (src/config), so the finding is just `configuration`.
    return result.problems.map((problem) =>
      fail('configuration', problem.message, FILE_FIXES[problem.variable] ?? variableFix(problem.variable)),
    );
  }
  return [
    pass('configuration', 'every variable is valid'),
    ...result.warnings.map((warning) => warn('configuration', warning)),
  ];
}
