/**
 * The metric names a Grafana dashboard's PromQL queries use: what a panel
 * would show "No data" for if the proxy did not export them.
 */

export interface DashboardQuery {
  /** The panel title and target refId (or the templating variable). */
  readonly where: string;
  readonly names: readonly string[];
}

/** PromQL words that look like names: operators, modifiers and grouping keywords. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring']);

/** The metric names in one PromQL expression. */
export function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map((match) => match[0]);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name)))];
}

interface Panel {
  readonly title?: string;
  readonly targets?: ReadonlyArray<{ readonly refId?: string; readonly expr?: string }>;
  readonly panels?: readonly Panel[];
}

interface Dashboard {
  readonly panels?: readonly Panel[];
  readonly templating?: {
    readonly list?: ReadonlyArray<{ readonly name?: string; readonly definition?: string }>;
  };
}

export function metricNamesOfDashboard(json: unknown): DashboardQuery[] {
  const dashboard = json as Dashboard;
  const queries: DashboardQuery[] = [];
  const visit = (panels: readonly Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        queries.push({
          where: `${panel.title ?? '?'} ${target.refId ?? '?'}`,
          names: metricNamesOf(target.expr ?? ''),
        });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
  for (const variable of dashboard.templating?.list ?? []) {
    const labelValues = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(variable.definition ?? '');
    if (labelValues?.[1] !== undefined) {
      queries.push({ where: `variable ${variable.name ?? '?'}`, names: [labelValues[1]] });
    }
  }
  return queries;
}
