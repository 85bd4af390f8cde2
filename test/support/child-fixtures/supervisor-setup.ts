import type { SupervisorOptions } from '../../../src/supervisor/index.ts';
import { fixtureRun, type ChildFixture } from './fixture-command.ts';
import { freePort } from './free-port.ts';
import { captureLogs, type LogCapture } from './log-capture.ts';

export interface SupervisorSetup {
  readonly port: number;
  readonly logs: LogCapture;
  readonly options: SupervisorOptions;
}

/** Supervisor options that run a fixture on a fresh port, probing fast and logging into memory. */
export async function supervisorSetup(
  fixture: ChildFixture,
  env: Readonly<Record<string, string>> = {},
  overrides: Partial<SupervisorOptions['run']> = {},
): Promise<SupervisorSetup> {
  const port = await freePort();
  const logs = captureLogs();
  const options: SupervisorOptions = {
    run: fixtureRun(fixture, { PORT: String(port), ...env }, overrides),
    baseEnv: {},
    probeUrl: new URL(`http://127.0.0.1:${port}/mcp`),
    logger: logs.logger,
    probeIntervalMs: 20,
  };
  return { port, logs, options };
}
