import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpServerStartError } from '../../../src/supervisor/index.ts';

const address = { host: '127.0.0.1', port: 3001 };

describe('McpServerStartError', () => {
  it('names the command, the port, the timeout and the last stderr lines on a timeout', () => {
    const error = new McpServerStartError({
      reason: 'timeout',
      command: 'node',
      address,
      timeoutMs: 10_000,
      stderrTail: ['loading tools', 'still loading'],
    });
    assert.equal(error.name, 'McpServerStartError');
    assert.match(error.message, /"node"/);
    assert.match(error.message, /127\.0\.0\.1:3001/);
    assert.match(error.message, /10000 ms/);
    assert.match(error.message, /\n {2}loading tools\n {2}still loading$/);
  });

  it('states the exit code of a child that died before it was ready', () => {
    const error = new McpServerStartError({
      reason: 'exited',
      command: 'npm',
      address,
      timeoutMs: 10_000,
      exit: { code: 3, signal: null },
    });
    assert.match(error.message, /exited with code 3 before accepting connections on 127\.0\.0\.1:3001/);
    assert.match(error.message, /wrote nothing to stderr/);
  });

  it('brackets an IPv6 host so that the port stays readable', () => {
    const error = new McpServerStartError({
      reason: 'port-in-use',
      command: 'node',
      address: { host: '::1', port: 8080 },
      timeoutMs: 1,
    });
    assert.match(error.message, /\[::1\]:8080/);
  });

  it('keeps the spawn failure as its cause', () => {
    const cause = new Error('spawn nope ENOENT');
    const error = new McpServerStartError({
      reason: 'spawn-failed',
      command: 'nope',
      address,
      timeoutMs: 1,
      cause,
    });
    assert.equal(error.cause, cause);
    assert.match(error.message, /ENOENT/);
  });
});
