import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { managedPid, run, stopProcess, tailFile, which } from './proc.js';
import type { ClusterNodeStatus, ClusteredService } from './options.js';

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** One loopback port per node: primaries first, then their replicas (6 for 3 + 3). */
  ports: readonly number[];
  /** Where the nodes keep their files (`<dir>/node-<port>/`); removed by {@link stopRedisCluster}. */
  dir: string;
  /** Replicas per primary. @defaultValue 1 */
  replicas?: number;
  /**
   * How long a node may be unreachable before the others count it failed and promote one of its
   * replicas (`cluster-node-timeout`). @defaultValue 5000
   */
  nodeTimeoutMs?: number;
  /** How long to wait for `cluster_state:ok` on every node. @defaultValue 60000 */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** One line of `CLUSTER NODES`. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** Flagged `fail` (or `fail?`) by the node asked. */
  failing: boolean;
  /** A replica's primary. */
  primaryId?: string;
  /** Slot ranges a primary serves, e.g. `[[0, 5460]]`. */
  slots: Array<[number, number]>;
}

/** A Redis Cluster started by {@link startRedisCluster}. */
export interface RedisCluster {
  ports: readonly number[];
  dir: string;
  /** `127.0.0.1:<port>,…`: the value of REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  /** The pid of the node on `port` (undefined when it is not running). */
  pid(port: number): Promise<number | undefined>;
}

const nodeDir = (dir: string, port: number) => join(dir, `node-${port}`);
const pidFile = (dir: string, port: number) => join(nodeDir(dir, port), 'redis.pid');

async function tool(name: 'redis-server' | 'redis-cli'): Promise<string> {
  const path = await which(name);
  if (path === undefined) {
    throw new StackError(`${name} is not on PATH; install Redis 7 (e.g. \`apt-get install redis-server\`)`);
  }
  return path;
}

/** `redis-cli -p <port> <args…>`: its output, or undefined when the node does not answer. */
export async function clusterCli(port: number, ...args: string[]): Promise<string | undefined> {
  const res = await run(await tool('redis-cli'), ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeoutMs: 10_000,
  });
  const out = res.output.trim();
  return res.code === 0 && !/^(Could not connect|Error:)/m.test(out) ? out : undefined;
}

/** The cluster as the node on `port` sees it (`CLUSTER NODES`); empty when it does not answer. */
export async function clusterNodes(port: number): Promise<ClusterNodeInfo[]> {
  const out = await clusterCli(port, 'cluster', 'nodes');
  if (out === undefined) return [];
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [id, addr, flags, primary, , , , , ...slots] = line.trim().split(/\s+/);
      const f = flags!.split(',');
      return {
        id: id!,
        port: Number(/:(\d+)/.exec(addr!)?.[1]),
        role: f.includes('master') ? 'master' : 'replica',
        failing: f.includes('fail') || f.includes('fail?'),
        ...(primary && primary !== '-' ? { primaryId: primary } : {}),
        slots: slots
          .filter((s) => /^\d+(-\d+)?$/.test(s))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a!, b ?? a!] as [number, number];
          }),
      };
    });
}

/** Whether the node on `port` says `cluster_state:ok` and knows `nodes` nodes. */
async function clusterOk(port: number, nodes: number): Promise<boolean> {
  const info = await clusterCli(port, 'cluster', 'info');
  return (
    info !== undefined &&
    info.includes('cluster_state:ok') &&
    info.includes(`cluster_known_nodes:${nodes}`) &&
    info.includes('cluster_slots_assigned:16384')
  );
}

/** Waits until `cond` holds, polling every 200 ms; throws a StackError naming `what` after `timeoutMs`. */
async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new StackError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Waits until every running node of the cluster says `cluster_state:ok` (e.g. after a failover). */
export async function waitForClusterOk(
  ports: readonly number[],
  opts: { nodes?: number; timeoutMs?: number } = {},
): Promise<void> {
  const nodes = opts.nodes ?? ports.length;
  await waitUntil(
    `cluster_state:ok on ports ${ports.join(', ')}`,
    async () => (await Promise.all(ports.map((p) => clusterOk(p, nodes)))).every(Boolean),
    opts.timeoutMs ?? 60_000,
  );
}

async function launchNode(server: string, dir: string, port: number, nodeTimeoutMs: number): Promise<void> {
  const d = nodeDir(dir, port);
  await mkdir(d, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    join(d, 'nodes.conf'),
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // A replica takes over however long it was cut off (its primary is gone for good in tests).
    '--cluster-replica-validity-factor',
    '0',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    d,
    '--pidfile',
    pidFile(dir, port),
    '--logfile',
    join(d, 'redis.log'),
    '--daemonize',
    'yes',
  ];
  const res = await run(server, args, { timeoutMs: 30_000 });
  if (res.code !== 0) {
    throw new StackError(
      `redis-server did not start on port ${port}: ${res.output.trim() || (await tailFile(join(d, 'redis.log')))}`,
    );
  }
}

/**
 * Starts a Redis Cluster on loopback: one `redis-server --cluster-enabled yes` per port (daemons,
 * without persistence, files under `dir`), joined by `redis-cli --cluster create` with
 * `replicas` replicas per primary, and waits until every node says `cluster_state:ok`. Refuses
 * ports where something already answers. Stop it with {@link stopRedisCluster}.
 */
export async function startRedisCluster(opts: RedisClusterOptions): Promise<RedisCluster> {
  const { ports, dir } = opts;
  const replicas = opts.replicas ?? 1;
  const log = opts.log ?? (() => undefined);
  if (ports.length < 3 * (1 + replicas)) {
    throw new StackError(
      `a cluster with ${replicas} replica(s) per primary needs ${3 * (1 + replicas)} ports`,
    );
  }
  const server = await tool('redis-server');
  const busy = (
    await Promise.all(ports.map(async (p) => ((await clusterCli(p, 'ping')) ? p : undefined)))
  ).filter((p) => p !== undefined);
  if (busy.length > 0) throw new StackError(`something already answers on port(s) ${busy.join(', ')}`);

  const self: RedisCluster = {
    ports,
    dir,
    nodesEnv: ports.map((p) => `127.0.0.1:${p}`).join(','),
    pid: async (port) => (await managedPid(pidFile(dir, port), 'redis-server')).pid,
  };
  try {
    log(`redis cluster: starting ${ports.length} nodes on ports ${ports.join(', ')}…`);
    await Promise.all(ports.map((p) => launchNode(server, dir, p, opts.nodeTimeoutMs ?? 5000)));
    await waitUntil(
      'every node to answer',
      async () => (await Promise.all(ports.map((p) => clusterCli(p, 'ping')))).every(Boolean),
      30_000,
    );
    const create = await run(
      await tool('redis-cli'),
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeoutMs: 60_000 },
    );
    if (create.code !== 0) throw new StackError(`redis-cli --cluster create failed: ${create.output.trim()}`);
    await waitForClusterOk(ports, { timeoutMs: opts.timeoutMs ?? 60_000 });
    log('redis cluster: cluster_state:ok');
    return self;
  } catch (err) {
    await stopRedisCluster(self);
    throw err;
  }
}

/** Stops every node of a cluster started by {@link startRedisCluster} and removes its directory. */
export async function stopRedisCluster(cluster: Pick<RedisCluster, 'ports' | 'dir'>): Promise<void> {
  await Promise.all(
    cluster.ports.map(async (port) => {
      const own = await managedPid(pidFile(cluster.dir, port), 'redis-server');
      if (own.pid !== undefined) await stopProcess(own.pid, 10_000);
    }),
  );
  await rm(cluster.dir, { recursive: true, force: true });
}

/** Where the local cluster's Redis nodes keep their files. */
export const redisClusterDir = (stackDir: string): string => join(stackDir, 'redis-cluster');

/** The Redis Cluster of `ports` as a clustered service: every node answering, the cluster ok. */
export async function inspectRedisCluster(ports: readonly number[], dir: string): Promise<ClusteredService> {
  const nodes = await Promise.all(
    ports.map(async (port): Promise<ClusterNodeStatus> => {
      const answers = (await clusterCli(port, 'ping')) !== undefined;
      const own = await managedPid(pidFile(dir, port), 'redis-server');
      return {
        name: `redis-${port}`,
        url: `redis://127.0.0.1:${port}`,
        up: answers,
        managed: own.pid !== undefined,
        ...(own.pid !== undefined ? { pid: own.pid } : {}),
      };
    }),
  );
  const allUp = nodes.every((n) => n.up);
  const ok = allUp && (await clusterOk(ports[0]!, ports.length));
  return {
    up: ok,
    nodes,
    env: { REDIS_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(',') },
    detail: ok
      ? `cluster_state:ok, ${ports.length} nodes`
      : `${nodes.filter((n) => n.up).length} of ${ports.length} nodes answer${allUp ? ', cluster not ok' : ''}`,
  };
}

/**
 * Starts the Redis Cluster of `ports` unless it runs already: a cluster that is up is kept; nodes
 * that answer without forming it are an error naming them (they are someone else's, or a
 * half-started cluster for `stack down --cluster` to clear).
 */
export async function ensureRedisCluster(
  ports: readonly number[],
  dir: string,
  log: (msg: string) => void,
): Promise<ClusteredService> {
  const now = await inspectRedisCluster(ports, dir);
  if (now.up) return now;
  const answering = now.nodes.filter((n) => n.up);
  if (answering.length > 0) {
    throw new StackError(
      `Redis answers on ${answering.map((n) => n.url).join(', ')} without a healthy cluster of all ${ports.length} ports; ` +
        `stop it (\`paperline stack down --cluster\` for one started here) and start again`,
    );
  }
  await startRedisCluster({ ports, dir, log });
  return inspectRedisCluster(ports, dir);
}
