import type { AnyVariable, VariableGroup } from '../variable.ts';
import { defaultText, GENERATED_NOTICE, herokuText } from './describe-variable.ts';

/** A table cell: pipes escaped (GFM tables), line breaks flattened. */
export const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Inline code that survives backticks inside the value (CommonMark §6.1). */
export const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

export function defaultCell(variable: AnyVariable): string {
  const kind = variable.default.kind;
  if (kind === 'required') return '**required**';
  if (kind === 'value') return code(defaultText(variable));
  return cell(defaultText(variable));
}

const nameCell = (variable: AnyVariable): string =>
  `${code(variable.name)}${variable.secret ? ' (secret)' : ''}`;

function renderGroup(group: VariableGroup): string[] {
  return [
    `## ${group.title}`,
    '',
    '| Variable | Default | Description | Example | Heroku proxy |',
    '| --- | --- | --- | --- | --- |',
    ...group.variables.map((variable) => {
      const cells = [
        nameCell(variable),
        defaultCell(variable),
        cell(variable.description),
        cell(code(variable.example)),
        cell(herokuText(variable)),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
    '',
  ];
}

/**
 * docs/configuration.md, before Prettier. The generator and the freshness test
 * both format it with the repository's Prettier settings.
 */
export function renderConfigurationMarkdown(groups: readonly VariableGroup[]): string {
  return [
    '# Configuration',
    '',
    `<!-- ${GENERATED_NOTICE} -->`,
    '',
    'The proxy is configured only through environment variables. At start it reads the process environment over a `.env` file in the working directory (a variable set in the real environment wins over the file), validates every variable, and either starts or prints every problem at once and exits.',
    '',
    '- A blank value counts as unset.',
    '- Booleans accept `true`/`false`, `1`/`0` and `yes`/`no`, in any case; anything else is a problem.',
    '- Durations carry their unit in the name (`_MS`, `_SECONDS`); sizes are in bytes.',
    '- Variables marked (secret) never appear in problem reports or logs; the start-up summary shows them as `[set]`.',
    '- An unknown variable starting with `MCP_AUTH_PROXY_`, `IDENTITY_` or `BRANDING_` gets a warning, usually a typo.',
    '',
    'The **Heroku proxy** column compares each variable with the Heroku MCP Auth Proxy, whose configuration this proxy accepts unchanged: _same_ (name, meaning and default kept), _new_ (not in the Heroku proxy), or _changed_ (what differs on purpose).',
    '',
    ...groups.flatMap(renderGroup),
  ].join('\n');
}
