import { inspectEsCluster, startEsCluster, stopEsCluster } from './es-cluster.js';
import {
  resolveClusterOptions,
  type ClusterOptions,
  type ClusterStatus,
  type ResolvedClusterOptions,
} from './options.js';
import { stackDirExists, withStackLock } from './stack-dir.js';

/*
 * The local cluster: services run as several nodes on loopback, to try Paperline the way it runs on
 * many machines. Each service is one entry of `services`, started, stopped and inspected by one call
 * in each of the three functions below; `env` gathers what the workers need to reach them all.
 * The Redis Cluster (3 primaries + 3 replicas, redis-cluster.ts) joins as `redis`, next to
 * `elasticsearch`, with one call in each function.
 */

function combine(services: ClusterStatus['services']): ClusterStatus {
  const all = Object.values(services);
  return {
    up: all.every((s) => s.up),
    services,
    env: Object.assign({}, ...all.map((s) => s.env)) as Record<string, string>,
  };
}

function inspect(o: ResolvedClusterOptions): Promise<ClusterStatus> {
  return inspectEsCluster(o).then((elasticsearch) => combine({ elasticsearch }));
}

/**
 * Starts the local cluster: three Elasticsearch nodes on 127.0.0.1 (HTTP 9250–9252 by default), and
 * waits until it is green. Idempotent: nodes already running are kept, and a second caller waits on
 * the stack lock. Print `env` for the workers.
 */
export async function clusterUp(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  const o = resolveClusterOptions(opts);
  return withStackLock(o, 'that is starting the cluster', async () =>
    combine({
      elasticsearch: await startEsCluster(o),
    }),
  );
}

/** Stops every node {@link clusterUp} started (by their pid files); leaves anything else alone. Idempotent. */
export async function clusterDown(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  const o = resolveClusterOptions(opts);
  // No stack dir means we never started anything there: nothing to lock, only to report.
  if (!(await stackDirExists(o.stackDir))) return inspect(o);
  return withStackLock(o, 'to finish', async () =>
    combine({
      elasticsearch: await stopEsCluster(o),
    }),
  );
}

/** Reports every node of the local cluster (up, started by us, pid, version) without changing anything. */
export function clusterStatus(opts: ClusterOptions = {}): Promise<ClusterStatus> {
  return inspect(resolveClusterOptions(opts));
}
