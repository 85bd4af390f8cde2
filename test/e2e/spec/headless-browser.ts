/**
 * A stand-in browser for real MCP clients that "open the browser" through the
 * BROWSER environment variable (xdg-open's convention, which mcp-remote's
 * opener follows): `node headless-browser.ts <authorization URL>`. It plays
 * the person through the proxy's confirmation page and the test IdP's login,
 * then delivers the final redirect to the client's own callback server, as a
 * browser would. Exits 0 when the callback was delivered.
 *
 * Environment: HEADLESS_BROWSER_USERNAME (the IdP user, default alice),
 * HEADLESS_BROWSER_LOG (a file that receives one line per outcome).
 */
import { appendFile } from 'node:fs/promises';
import { loginInBrowser } from '../../support/sdk-oauth-client.ts';
import { UserAgent } from '../../support/user-agent.ts';

async function note(line: string): Promise<void> {
  const path = process.env['HEADLESS_BROWSER_LOG'];
  if (path !== undefined) await appendFile(path, `${line}\n`);
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (target === undefined) throw new Error('usage: headless-browser.ts <url>');
  const authorization = new URL(target);
  const redirectUri = authorization.searchParams.get('redirect_uri');
  if (redirectUri === null) throw new Error(`no redirect_uri in ${authorization.href}`);
  const login = await loginInBrowser(new UserAgent(), authorization, redirectUri, {
    username: process.env['HEADLESS_BROWSER_USERNAME'] ?? 'alice',
  });
  const response = await fetch(login.callback);
  await response.arrayBuffer();
  await note(`delivered ${login.callback.origin}${login.callback.pathname} -> ${response.status}`);
}

main().catch(async (error: unknown) => {
  await note(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
