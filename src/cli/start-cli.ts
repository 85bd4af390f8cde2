import { runCli } from './index.ts';

// What the package's `bin` (main.ts) loads once the Node version is known to
// be good. Everything is injected from here, so that tests run the same
// commands in-process with their own environment and output.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  exit: (code) => process.exit(code),
});
