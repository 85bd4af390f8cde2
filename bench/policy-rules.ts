/**
 * Access rules as a deployment writes them (docs/access-rules.md), which touch the benchmark's user (no
 * groups, no roles) but allow the echo tool: every tool call then goes through the whole policy step (the
 * identity from the access cache, the remembered decision, the body parsed and checked) and is forwarded.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BENCH_RULES = [
  'access:',
  "  - { id: finance-payments, deny: { tools: ['payments_*'] }, unless: { groups: [finance] } }",
  "  - { id: no-admin, deny: { tools: ['*_admin', 'drop_*'] }, unless: { roles: [admin] } }",
  "  - { id: no-secrets, deny: { resources: ['secret://*'] } }",
  '',
].join('\n');

/** Writes BENCH_RULES into `dir` and returns the path, for MCP_AUTH_PROXY_ACCESS_RULES_FILE. */
export async function writeBenchRules(dir: string): Promise<string> {
  const path = join(dir, 'access-rules.yaml');
  await writeFile(path, BENCH_RULES);
  return path;
}
