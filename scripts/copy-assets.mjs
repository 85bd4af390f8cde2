// Copies the EJS views next to the compiled code so that `dist/` runs on its own.
import { cpSync } from 'node:fs';
cpSync(
  new URL('../src/views/templates', import.meta.url),
  new URL('../dist/views/templates', import.meta.url),
  {
    recursive: true,
  },
);
