#!/usr/bin/env node
import { runCli } from './cli/index.ts';

// `npm start` (node dist/main.js): the CLI, which serves when given no command.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  exit: (code) => process.exit(code),
});
