import type { ESLint } from 'eslint';
import { maxOwnFunctionLines } from './max-own-function-lines.ts';

/** This project's own lint rules, as the `local` plugin of eslint.config.js. */
export const localRules: ESLint.Plugin = {
  meta: { name: 'mcp-auth-proxy-local' },
  rules: { 'max-own-function-lines': maxOwnFunctionLines },
};

export { layerZones, LAYERS } from './layers.ts';
export { DEFAULT_MAX_OWN_LINES } from './max-own-function-lines.ts';
