#!/usr/bin/env node
// The package's `bin` (dist/cli/main.js). Only the version check is imported
// statically: the CLI's modules are linked only once this Node can run them.
import { checkNodeVersion } from '../shared/supported-node.ts';

if (checkNodeVersion()) await import('./start-cli.ts');
