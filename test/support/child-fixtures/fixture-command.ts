import { fileURLToPath } from 'node:url';
import type { McpServerRunConfig } from '../../../src/config/config.ts';

export type ChildFixture = 'listen-after-delay' | 'exit-immediately' | 'ignore-sigterm' | 'spawn-grandchild';

/** The run configuration that starts a fixture with this very Node (type stripping included). */
export function fixtureRun(
  fixture: ChildFixture,
  env: Readonly<Record<string, string>>,
  overrides: Partial<McpServerRunConfig> = {},
): McpServerRunConfig {
  return {
    command: process.execPath,
    args: [fixturePath(fixture)],
    cwd: undefined,
    env,
    startTimeoutMs: 10_000,
    exitWithChild: false,
    ...overrides,
  };
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
}
