import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/shared/logger.ts';

/** Logs one line at info and returns it parsed. */
function logOnce(fields: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  createLogger({ level: 'info', appName: 'test', environment: 'test', destination }).info(fields, 'event');
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('createLogger redaction', () => {
  it('censors credential keys one level down in object fields and keeps everything else', () => {
    const line = logOnce({
      event: 'token.issued',
      grantId: 'grant-1',
      tokens: { access_token: 'at', refresh_token: 'rt', id_token: 'it', token_type: 'Bearer' },
      client: { client_secret: 'cs', client_id: 'c1' },
      upstream: { accessToken: 'a', refreshToken: 'r', codeVerifier: 'v', expiresAt: 5 },
    });
    assert.equal(line['grantId'], 'grant-1');
    assert.deepEqual(line['tokens'], {
      access_token: '[redacted]',
      refresh_token: '[redacted]',
      id_token: '[redacted]',
      token_type: 'Bearer',
    });
    assert.deepEqual(line['client'], { client_secret: '[redacted]', client_id: 'c1' });
    assert.deepEqual(line['upstream'], {
      accessToken: '[redacted]',
      refreshToken: '[redacted]',
      codeVerifier: '[redacted]',
      expiresAt: 5,
    });
  });

  it("censors an error's credential properties and keeps its message and error code", () => {
    const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED', accessToken: 'secret' });
    const line = logOnce({ event: 'proxy.error', err: error });
    const err = line['err'] as Record<string, unknown>;
    assert.equal(err['message'], 'refused');
    assert.equal(err['code'], 'ECONNREFUSED');
    assert.equal(err['accessToken'], '[redacted]');
    assert.equal(error.accessToken, 'secret', "the caller's error is not changed");
  });

  it('censors the Authorization and Cookie request headers and Set-Cookie response headers', () => {
    const line = logOnce({
      req: { headers: { authorization: 'Bearer x', cookie: 'a=b', accept: '*/*' } },
      res: { headers: { 'set-cookie': 'a=b', 'content-type': 'text/html' } },
    });
    assert.deepEqual(line['req'], {
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
    });
    assert.deepEqual(line['res'], { headers: { 'set-cookie': '[redacted]', 'content-type': 'text/html' } });
  });

  it("leaves the caller's fields unchanged", () => {
    const tokens = { access_token: 'at' };
    logOnce({ tokens });
    assert.equal(tokens.access_token, 'at');
  });
});
