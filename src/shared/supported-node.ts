/**
 * Which Node.js versions run this project, checked before anything else loads.
 *
 * Every entry point (`dist/main.js`, `dist/cli/main.js`, `dist/demo/run-demo.js`)
 * imports only this module statically, checks, and then loads the application
 * with `await import()`. ESM links every static import before any code runs,
 * so an application import of `node:sqlite` on an old Node fails with
 * ERR_UNKNOWN_BUILTIN_MODULE before a check in the same graph could say why.
 * This module is compiled with the rest but written to run on old Nodes: no
 * imports, and no syntax newer than Node 16's.
 */

/** A half-open span of versions: `from` included, `below` excluded (none: no upper end). */
export interface VersionSpan {
  readonly from: readonly [number, number];
  readonly below?: readonly [number, number];
}

/**
 * What `dist/` needs: `node:sqlite` without a flag, which came in 22.13 on the
 * 22 line and in 23.4 on the 23 line. package.json `engines.node` says the same
 * (a unit test keeps them equal).
 */
export const RUNTIME_NODE: readonly VersionSpan[] = [{ from: [22, 13], below: [23, 0] }, { from: [23, 4] }];

/**
 * What the tests and scripts need: `node --test` on `.ts` files, that is type
 * stripping on by default, from 22.18 on the 22 line and 23.6 on the 23 line.
 * package.json `devEngines` says the same; `.ci/run` provisions Node 24 below it.
 */
export const DEVELOPMENT_NODE: readonly VersionSpan[] = [
  { from: [22, 18], below: [23, 0] },
  { from: [23, 6] },
];

/** The spans as an npm semver range, e.g. `>=22.13.0 <23.0.0 || >=23.4.0`. */
export function semverRange(spans: readonly VersionSpan[]): string {
  return spans
    .map((span) => {
      const lower = `>=${span.from[0]}.${span.from[1]}.0`;
      return span.below === undefined ? lower : `${lower} <${span.below[0]}.${span.below[1]}.0`;
    })
    .join(' || ');
}

export function isSupported(version: string, spans: readonly VersionSpan[]): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  const at = (limit: readonly [number, number]) => major * 1000 + minor - (limit[0] * 1000 + limit[1]);
  return spans.some((span) => at(span.from) >= 0 && (span.below === undefined || at(span.below) < 0));
}

/** The one line an unsupported Node gets: the version required, the version found, and how to get one. */
export function unsupportedNodeMessage(found: string): string {
  const first = RUNTIME_NODE[0]?.from ?? [0, 0];
  const onOddLine = found.startsWith('23.') ? ' (23.4 or newer on the 23 line)' : '';
  return (
    `mcp-auth-proxy needs Node.js ${first[0]}.${first[1]} or newer${onOddLine}, but this is Node.js ${found}: ` +
    'install the current LTS (Node.js 24) from https://nodejs.org/ or with a version manager (nvm install 24), ' +
    'or run the Docker image.'
  );
}

/**
 * True when this Node runs the application; otherwise writes the one line to
 * stderr, sets a failing exit code, and the caller loads nothing.
 */
export function checkNodeVersion(
  found: string = process.versions.node,
  stderr: { write(text: string): unknown } = process.stderr,
): boolean {
  if (isSupported(found, RUNTIME_NODE)) return true;
  stderr.write(`${unsupportedNodeMessage(found)}\n`);
  process.exitCode = 1;
  return false;
}
