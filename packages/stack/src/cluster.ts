import { inspectEsCluster, startEsCluster, stopEsCluster } from './es-cluster.js';
import {
  ensureRedisCluster,
  inspectRedisCluster,
  redisClusterDir,
  stopRedisCluster,
} from './redis-cluster.js';
import {
  resolveClusterOptions,
  type ClusteredService,
  type ClusterOptions,
  type ClusterStatus,
  type ResolvedClusterOptions,
} from './options.js';
import { stackDirExists, withStackLock } from './stack-dir.js';

/*
 * The local cluster: services run as several nodes on loopback, to try Paperline the way it runs on
 * many machines. Each service is one entry of `services`, started, stopped and inspected by one call
 * in each of the three functions below; `env` gathers what the workers need to reach them all.
 * The services are `elasticsearch` (three nodes) and `redis` (a Redis Cluster of three primaries
 * and three replicas, redis-cluster.ts).
 */

function combine(services: ClusterStatus['services']): ClusterStatus {
  const all = Object.values(services);
  return {
    up: all.every((s) => s.up),
    services,
    env: Object.assign({}, ...all.map((s) => s.env)) as Record<string, string>,
  };
}

/** The Redis Cluster's part of a step, or nothing when it has no ports (Elasticsearch alone). */
async function redisPart(
  o: ResolvedClusterOptions,
  step: (ports: readonly number[], dir: string) => Promise<ClusteredService>,
): Promise<{ redis?: ClusteredService }> {
  return o.redisPorts.length === 0 ? {} : { redis: await step(o.redisPorts, redisClusterDir(o.stackDir)) };
}

async function inspect(o: ResolvedClusterOptions): Promise<ClusterStatus> {
  return combine({ elasticsearch: await inspectEsCluster(o), ...(await redisPart(o, inspectRedisCluster)) });
}

/**
 * Starts the local cluster: three Elasticsearch nodes on 127.0.0.1 (HTTP 9250–9252 by default),
 * waits until it is green, and a Redis Cluster of 3 + 3 nodes (7100–7105 by default). Idempotent: nodes already running are kept, and a second caller waits on
 * the stack lock. Print `env` for the workers.
 */
export async function clusterUp(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  const o = resolveClusterOptions(opts);
  return withStackLock(o, 'that is starting the cluster', async () =>
    combine({
      elasticsearch: await startEsCluster(o),
      ...(await redisPart(o, (ports, dir) => ensureRedisCluster(ports, dir, o.log))),
    }),
  );
}

/** Stops every node {@link clusterUp} started (by their pid files); leaves anything else alone. Idempotent. */
export async function clusterDown(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  const o = resolveClusterOptions(opts);
  // No stack dir means we never started anything there: nothing to lock, only to report.
  if (!(await stackDirExists(o.stackDir))) return inspect(o);
  return withStackLock(o, 'to finish', async () => {
    const elasticsearch = await stopEsCluster(o);
    const redis = await redisPart(o, async (ports, dir) => {
      await stopRedisCluster({ ports, dir });
      return inspectRedisCluster(ports, dir);
    });
    return combine({ elasticsearch, ...redis });
  });
}

/** Reports every node of the local cluster (up, started by us, pid, version) without changing anything. */
export function clusterStatus(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  return inspect(resolveClusterOptions(opts));
}
