import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactRedisUrl, redisConnectionOptions } from '../../../src/store/redis/redis-connection-options.ts';

describe('redisConnectionOptions', () => {
  it('reads host, port, database index and percent-decoded credentials from a redis:// URL', () => {
    assert.deepEqual(redisConnectionOptions('redis://app:p%40ss%3Aword@cache.internal:6380/4', true), {
      host: 'cache.internal',
      port: 6380,
      db: 4,
      username: 'app',
      password: 'p@ss:word',
    });
  });

  it('defaults to port 6379 and database 0, and takes a password without a user name', () => {
    assert.deepEqual(redisConnectionOptions('redis://:secret@localhost', true), {
      host: 'localhost',
      port: 6379,
      db: 0,
      password: 'secret',
    });
    assert.equal(redisConnectionOptions('redis://localhost/', true).db, 0);
  });

  it('turns on TLS for rediss:// with the certificate check as configured and SNI for host names', () => {
    assert.deepEqual(redisConnectionOptions('rediss://:pw@ec2-1-2-3-4.compute.example:25061', false).tls, {
      servername: 'ec2-1-2-3-4.compute.example',
      rejectUnauthorized: false,
    });
    assert.deepEqual(redisConnectionOptions('rediss://10.0.0.5:6380', true).tls, {
      rejectUnauthorized: true,
    });
    assert.equal(redisConnectionOptions('redis://localhost', false).tls, undefined);
  });

  it('accepts an IPv6 address literal', () => {
    assert.equal(redisConnectionOptions('redis://[::1]:6379', true).host, '::1');
  });

  it('rejects other schemes and a path that is not a database index', () => {
    assert.throws(() => redisConnectionOptions('http://localhost:6379', true), TypeError);
    assert.throws(() => redisConnectionOptions('redis://localhost/cache', true), TypeError);
  });
});

describe('redactRedisUrl', () => {
  it('replaces the password and keeps everything an operator needs to recognise the server', () => {
    const redacted = redactRedisUrl('rediss://user:very-secret@cache.example:6380/2');
    assert.ok(!redacted.includes('very-secret'));
    assert.equal(redacted, 'rediss://user:redacted@cache.example:6380/2');
  });

  it('returns a URL without a password unchanged and never throws on garbage', () => {
    assert.equal(redactRedisUrl('redis://localhost:6379'), 'redis://localhost:6379');
    assert.equal(redactRedisUrl('not a url :secret@'), '[unparseable Redis URL]');
  });
});
