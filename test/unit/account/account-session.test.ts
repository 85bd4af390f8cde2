import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { AccountSessions } from '../../../src/account/account-session.ts';
import { ACCOUNT_SESSION_SECONDS } from '../../../src/account/index.ts';
import { deriveKey } from '../../../src/shared/crypto.ts';
import { createMemoryStore } from '../../../src/store/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const MASTER_KEY = Buffer.alloc(32, 7);

/** Just enough of a response to collect Set-Cookie lines (http-kit/cookies.ts appends to them). */
function recordingResponse(): ServerResponse & { cookies(): string[] } {
  const headers = new Map<string, unknown>();
  return {
    getHeader: (name: string) => headers.get(name),
    setHeader: (name: string, value: unknown) => headers.set(name, value),
    cookies: () => (headers.get('set-cookie') as string[] | undefined) ?? [],
  } as unknown as ServerResponse & { cookies(): string[] };
}

const requestWith = (setCookies: readonly string[]): IncomingMessage =>
  ({ headers: { cookie: setCookies.map((line) => line.split(';')[0]).join('; ') } }) as IncomingMessage;

function sessions(secure: boolean, clock = createManualClock(), key = MASTER_KEY) {
  return new AccountSessions({
    sessionKey: deriveKey(key, 'account-session'),
    csrfKey: deriveKey(key, 'account-csrf'),
    path: '/account',
    secure,
    store: createMemoryStore({ clock }),
    clock,
  });
}

describe('the connected-apps page session', () => {
  it('is a sealed, Secure, __Secure- cookie on /account outside LOCAL_INSECURE', async () => {
    const res = recordingResponse();
    const pageSessions = sessions(true);
    pageSessions.start(res, 'uid-alice');
    const [line = ''] = res.cookies();
    assert.match(
      line,
      /^__Secure-mcp-account=v1\.[A-Za-z0-9_-]+; Path=\/account; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/,
    );
    assert.doesNotMatch(line, /uid-alice/, 'the account id is sealed, not readable');
    assert.equal((await pageSessions.current(requestWith(res.cookies())))?.accountId, 'uid-alice');
  });

  it('refuses a cookie sealed with another key, a changed one, and one past its hour', async () => {
    const clock = createManualClock();
    const res = recordingResponse();
    const pageSessions = sessions(false, clock);
    pageSessions.start(res, 'uid-alice');
    const [line = ''] = res.cookies();
    assert.equal(await sessions(false, clock, Buffer.alloc(32, 8)).current(requestWith([line])), undefined);
    const tampered = line.replace(/v1\.(.)/, (_, first: string) => `v1.${first === 'A' ? 'B' : 'A'}`);
    assert.equal(await pageSessions.current(requestWith([tampered])), undefined);

    clock.advance(ACCOUNT_SESSION_SECONDS * 1000 - 1);
    assert.notEqual(await pageSessions.current(requestWith([line])), undefined);
    clock.advance(1);
    assert.equal(await pageSessions.current(requestWith([line])), undefined, 'the sealed end holds');
  });

  it('binds the CSRF token to the session and requires it', async () => {
    const res = recordingResponse();
    const pageSessions = sessions(false);
    pageSessions.start(res, 'uid-alice');
    const session = await pageSessions.current(requestWith(res.cookies()));
    assert.ok(session !== undefined);
    const token = pageSessions.csrfToken(session);
    assert.equal(pageSessions.isCsrfSafe(session, new URLSearchParams({ csrf: token })), true);
    assert.equal(pageSessions.isCsrfSafe(session, new URLSearchParams()), false);
    assert.equal(
      pageSessions.isCsrfSafe({ ...session, sessionId: 'other' }, new URLSearchParams({ csrf: token })),
      false,
    );
  });
});
