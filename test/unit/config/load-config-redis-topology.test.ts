import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig } from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

const KEYED_ENV = { ...MINIMAL_ENV, MCP_AUTH_PROXY_ENCRYPTION_KEY: '0123456789abcdef'.repeat(4) };
const SENTINEL_ENV = {
  ...KEYED_ENV,
  MCP_AUTH_PROXY_REDIS_SENTINELS: 'sentinel-a.internal:26379, 10.0.0.7:26380,[fd00::7]:26381',
  MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: 'mymaster',
};
const CLUSTER_ENV = {
  ...KEYED_ENV,
  MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: 'redis-a.internal:6379,redis-b.internal:6379',
};

describe('loadConfig Redis Sentinel and Cluster', () => {
  it('reads Sentinel: the sentinels (IPv6 in brackets), the master name and both sets of credentials', () => {
    const { config } = loadOk({
      ...SENTINEL_ENV,
      MCP_AUTH_PROXY_REDIS_SENTINEL_USERNAME: 'watcher',
      MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      MCP_AUTH_PROXY_REDIS_USERNAME: 'proxy',
      MCP_AUTH_PROXY_REDIS_PASSWORD: 'data-secret',
      MCP_AUTH_PROXY_REDIS_TLS: 'true',
      MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED: 'true',
    });
    assert.deepEqual(config.store, {
      kind: 'redis',
      topology: {
        kind: 'sentinel',
        sentinels: [
          { host: 'sentinel-a.internal', port: 26379 },
          { host: '10.0.0.7', port: 26380 },
          { host: 'fd00::7', port: 26381 },
        ],
        masterName: 'mymaster',
        sentinelAuth: { username: 'watcher', password: 'sentinel-secret' },
        auth: { username: 'proxy', password: 'data-secret' },
        tls: true,
        natMap: {},
      },
      keyPrefix: 'oidc:',
      tlsRejectUnauthorized: true,
    });
  });

  it('reads Cluster: the seed nodes and a NAT map from announced to reachable addresses', () => {
    const { config } = loadOk({
      ...CLUSTER_ENV,
      MCP_AUTH_PROXY_REDIS_NAT_MAP:
        '10.0.1.5:6379=redis-a.example.com:16379, [fd00::5]:6379=[2001:db8::5]:6379',
    });
    assert.deepEqual(config.store.kind === 'redis' && config.store.topology, {
      kind: 'cluster',
      nodes: [
        { host: 'redis-a.internal', port: 6379 },
        { host: 'redis-b.internal', port: 6379 },
      ],
      auth: { username: undefined, password: undefined },
      tls: false,
      natMap: {
        '10.0.1.5:6379': { host: 'redis-a.example.com', port: 16379 },
        'fd00::5:6379': { host: '2001:db8::5', port: 6379 },
      },
    });
  });

  it('keeps MCP_AUTH_PROXY_REDIS_URL meaning one Redis', () => {
    const { config } = loadOk({ ...KEYED_ENV, MCP_AUTH_PROXY_REDIS_URL: 'redis://127.0.0.1:6379/2' });
    assert.deepEqual(config.store.kind === 'redis' && config.store.topology, {
      kind: 'single',
      url: 'redis://127.0.0.1:6379/2',
    });
  });

  it('refuses more than one way of naming Redis, on each variable that competes', () => {
    const problems = loadProblems({
      ...SENTINEL_ENV,
      MCP_AUTH_PROXY_REDIS_URL: 'redis://127.0.0.1:6379',
      MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: 'redis-a.internal:6379',
    });
    for (const name of ['MCP_AUTH_PROXY_REDIS_SENTINELS', 'MCP_AUTH_PROXY_REDIS_CLUSTER_NODES']) {
      assert.match(problemFor(problems, name).message, /set exactly one/);
    }
    assert.match(
      problemFor(problems, 'MCP_AUTH_PROXY_REDIS_SENTINELS').message,
      /MCP_AUTH_PROXY_REDIS_URL and MCP_AUTH_PROXY_REDIS_SENTINELS and MCP_AUTH_PROXY_REDIS_CLUSTER_NODES are all set/,
    );
  });

  it('requires the master name with the sentinels', () => {
    const problems = loadProblems({ ...SENTINEL_ENV, MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: undefined });
    assert.match(
      problemFor(problems, 'MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER').message,
      /required with MCP_AUTH_PROXY_REDIS_SENTINELS.*For example: MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER=mymaster/,
    );
  });

  it('names every bad address, all at once, with the other bad values', () => {
    const problems = loadProblems({
      ...SENTINEL_ENV,
      MCP_AUTH_PROXY_REDIS_SENTINELS: 'ok.internal:26379,no-port,[::1]:70000,,::1:26379,[::1]:0',
      MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: 'my master',
      MCP_AUTH_PROXY_REDIS_NAT_MAP: '10.0.0.1:6379,10.0.0.2:6379=bad host:1',
      MCP_AUTH_PROXY_REDIS_TLS: 'sometimes',
    });
    const messages = (name: string) =>
      problems.filter((problem) => problem.variable === name).map((problem) => problem.message);
    const sentinels = messages('MCP_AUTH_PROXY_REDIS_SENTINELS').join('\n');
    assert.match(sentinels, /"no-port", which is not host:port/);
    assert.match(sentinels, /"\[::1\]:70000", whose port is not between 1 and 65535/);
    assert.match(sentinels, /"\[::1\]:0", whose port is not between 1 and 65535/);
    assert.match(sentinels, /has an empty entry/);
    assert.match(sentinels, /"::1:26379", which is not host:port, with an IPv6 address in brackets/);
    assert.doesNotMatch(sentinels, /ok\.internal/);
    assert.match(
      problemFor(problems, 'MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER').message,
      /master name .* \(one word\), got "my master"/,
    );
    const natMap = messages('MCP_AUTH_PROXY_REDIS_NAT_MAP').join('\n');
    assert.match(natMap, /internal=external address pairs .* got "10\.0\.0\.1:6379"/);
    assert.match(natMap, /"bad host:1", which is not host:port/);
    assert.match(problemFor(problems, 'MCP_AUTH_PROXY_REDIS_TLS').message, /true or false.*"sometimes"/);
  });

  it('refuses a cluster key prefix with a brace, which Redis Cluster would read as a hash tag', () => {
    const problems = loadProblems({ ...CLUSTER_ENV, MCP_AUTH_PROXY_REDIS_PREFIX: '{proxy}:' });
    assert.match(problemFor(problems, 'MCP_AUTH_PROXY_REDIS_PREFIX').message, /must not contain \{ or \}/);
    const sentinel = loadOk({ ...SENTINEL_ENV, MCP_AUTH_PROXY_REDIS_PREFIX: '{proxy}:' });
    assert.equal(sentinel.config.store.kind === 'redis' && sentinel.config.store.keyPrefix, '{proxy}:');
  });

  it('refuses a NAT map that maps one address twice', () => {
    const problems = loadProblems({
      ...CLUSTER_ENV,
      MCP_AUTH_PROXY_REDIS_NAT_MAP: '10.0.0.1:6379=a.example.com:1,10.0.0.1:6379=b.example.com:2',
    });
    assert.match(
      problemFor(problems, 'MCP_AUTH_PROXY_REDIS_NAT_MAP').message,
      /maps "10\.0\.0\.1:6379" twice/,
    );
  });

  it('warns about settings the chosen Redis shape does not use', () => {
    const single = loadOk({
      ...KEYED_ENV,
      MCP_AUTH_PROXY_REDIS_URL: 'redis://127.0.0.1:6379',
      MCP_AUTH_PROXY_REDIS_PASSWORD: 'ignored-secret',
      MCP_AUTH_PROXY_REDIS_TLS: 'true',
    });
    assert.deepEqual(single.warnings, [
      'MCP_AUTH_PROXY_REDIS_PASSWORD, MCP_AUTH_PROXY_REDIS_TLS are ignored because MCP_AUTH_PROXY_REDIS_URL is set (it carries the user and password; rediss:// chooses TLS)',
    ]);
    const cluster = loadOk({ ...CLUSTER_ENV, MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: 'mymaster' });
    assert.deepEqual(cluster.warnings, [
      'MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER is ignored because MCP_AUTH_PROXY_REDIS_CLUSTER_NODES is set, not Sentinel',
    ]);
    const sqlite = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER: 'mymaster' });
    assert.match(
      sqlite.warnings.join('\n'),
      /MCP_AUTH_PROXY_REDIS_SENTINEL_MASTER is ignored because no Redis/,
    );
  });

  it('requires a shared encryption key with Sentinel and Cluster too', () => {
    for (const env of [SENTINEL_ENV, CLUSTER_ENV]) {
      const problems = loadProblems({ ...env, MCP_AUTH_PROXY_ENCRYPTION_KEY: undefined });
      assert.match(problemFor(problems, 'MCP_AUTH_PROXY_ENCRYPTION_KEY').message, /store is Redis/);
    }
  });

  it('describes Sentinel without its passwords', () => {
    const { config } = loadOk({
      ...SENTINEL_ENV,
      MCP_AUTH_PROXY_REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      MCP_AUTH_PROXY_REDIS_PASSWORD: 'data-secret',
    });
    const description = JSON.stringify(describeConfig(config));
    assert.doesNotMatch(description, /sentinel-secret|data-secret/);
    assert.match(
      description,
      /"sentinels":\["sentinel-a.internal:26379","10.0.0.7:26380","\[fd00::7\]:26381"\]/,
    );
    assert.match(description, /"sentinelPassword":"\[set\]"/);
  });
});
