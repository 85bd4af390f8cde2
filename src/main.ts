#!/usr/bin/env node
// `npm start` (node dist/main.js): the CLI, which serves when given no
// command. Only the version check is imported statically: the application's
// modules are linked only once this Node can run them.
import { checkNodeVersion } from './shared/supported-node.ts';

if (checkNodeVersion()) await import('./cli/start-cli.ts');
