/**
 * A Redis Cluster of real processes: three primaries and three replicas,
 * created with `redis-cli --cluster create --cluster-replicas 1`, on free ports
 * (each node also gets a free cluster-bus port), with a 1 s node timeout and
 * TEST_REDIS_PASSWORD required. Start
 * it once per test file; stop() always removes everything.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RedisTopology } from '../../src/config/config.ts';
import {
  ask,
  EPHEMERAL_SERVER_ARGS,
  freePorts,
  REDIS_CLI,
  RedisProcesses,
  TEST_REDIS_PASSWORD,
  until,
} from './redis-processes.ts';

const PRIMARIES = 3;
const NODES = PRIMARIES * 2;
const CLUSTER_NODE_TIMEOUT_MS = 1_000;

const run = promisify(execFile);

export interface RedisCluster {
  /** The configuration the proxy reads (MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: every node as a seed). */
  readonly env: Readonly<Record<string, string>>;
  readonly topology: Extract<RedisTopology, { kind: 'cluster' }>;
  /** Every node's client port. */
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const processes = await RedisProcesses.create('cluster');
  try {
    const allPorts = await freePorts(NODES * 2);
    const ports = allPorts.slice(0, NODES);
    ports.forEach((port, index) => {
      processes.startDataNode(port, [
        '--port',
        String(port),
        '--cluster-enabled',
        'yes',
        // Redis 7: the bus port need not be port + 10000, which may be taken or out of range.
        '--cluster-port',
        String(allPorts[NODES + index]),
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(CLUSTER_NODE_TIMEOUT_MS),
        '--dir',
        processes.directory,
        ...EPHEMERAL_SERVER_ARGS,
      ]);
    });
    for (const port of ports) {
      await until(`node ${port} to answer`, async () => (await ask(port, 'ping')) === 'PONG');
    }
    await run(REDIS_CLI, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
      '-a',
      TEST_REDIS_PASSWORD,
      '--no-auth-warning',
    ]);
    for (const port of ports) {
      await until(`node ${port} to see a healthy cluster of ${NODES} nodes`, async () => {
        const info = String(await ask(port, 'cluster', 'info'));
        return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${NODES}`);
      });
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    return {
      env: {
        MCP_AUTH_PROXY_REDIS_CLUSTER_NODES: nodes.map(({ host, port }) => `${host}:${port}`).join(','),
        MCP_AUTH_PROXY_REDIS_PASSWORD: TEST_REDIS_PASSWORD,
      },
      topology: {
        kind: 'cluster',
        nodes,
        auth: { username: undefined, password: TEST_REDIS_PASSWORD },
        tls: false,
        natMap: {},
      },
      ports,
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}
