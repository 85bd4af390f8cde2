#!/usr/bin/env node
// `npm start` (node dist/main.js) and the package's main entry: the CLI, which
// serves when given no command (src/cli/main.ts).
import './cli/main.ts';
