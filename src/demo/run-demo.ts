#!/usr/bin/env node
// `npm run demo` (node dist/demo/run-demo.js). Only the version check is
// imported statically: the demo's modules (node:sqlite among them) are linked
// only once this Node can run them.
import { checkNodeVersion } from '../shared/supported-node.ts';

if (checkNodeVersion()) {
  const { runDemo } = await import('./demo-runner.ts');
  const exitCode = await runDemo({
    args: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    processEnv: undefined,
  });
  if (exitCode !== undefined) process.exitCode = exitCode;
}
