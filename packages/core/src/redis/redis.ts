import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisTopology } from '../config/redis-topology.js';

/** A connection to Redis as Paperline uses it: one server (standalone or Sentinel's primary) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Where to connect: REDIS_URL (with the password put in) and the topology (standalone when absent). */
export interface RedisTarget {
  redisUrl: string;
  redisTopology?: RedisTopology;
}

/**
 * How a connection behaves while Redis is away:
 * - `worker`: waits for Redis forever (`maxRetriesPerRequest: null`, as BullMQ's workers require),
 *   and rides out a Cluster failover;
 * - `server` (the API): keeps reconnecting, but lets a command fail soon (`/readyz` answers 503);
 * - `producer` (the CLI, the bench): fails fast instead of hanging.
 */
export type RedisRole = 'worker' | 'server' | 'producer';

/** Per-connection options of each role (for a Cluster: of its connection to each node). */
function roleOptions(role: RedisRole): RedisOptions {
  switch (role) {
    case 'worker':
      return { maxRetriesPerRequest: null, enableReadyCheck: true };
    case 'server':
      return { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 500, 5000) };
    case 'producer':
      return {
        maxRetriesPerRequest: 2,
        connectTimeout: 5000,
        retryStrategy: (times) => (times > 3 ? null : Math.min(times * 200, 1000)),
      };
  }
}

/**
 * Cluster-level options of each role. A worker retries a command for about 30 s while its slot's
 * primary is down and a replica takes over (ioredis counts those retries as redirections), and
 * reconnects to the cluster forever; a producer gives up after ioredis's defaults (a few seconds).
 */
function clusterOptions(role: RedisRole): ClusterOptions {
  switch (role) {
    case 'worker':
      return {
        clusterRetryStrategy: (n) => Math.min(100 + n * 200, 2000),
        retryDelayOnFailover: 500,
        retryDelayOnClusterDown: 500,
        retryDelayOnTryAgain: 200,
        maxRedirections: 60,
      };
    case 'server':
      return { clusterRetryStrategy: (n) => Math.min(n * 500, 5000) };
    case 'producer':
      return { clusterRetryStrategy: (n) => (n > 3 ? null : Math.min(n * 200, 1000)) };
  }
}

/** Credentials, TLS and database of REDIS_URL, for connections whose addresses come from elsewhere. */
function urlCredentials(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    ...(db > 0 ? { db } : {}),
  };
}

/**
 * The one way Paperline connects to Redis (workers, CLI, API, bench; BullMQ's queues and workers
 * get this connection too): a standalone server at REDIS_URL, a Redis Cluster through
 * REDIS_CLUSTER_NODES, or Sentinel's current primary through REDIS_SENTINELS, with REDIS_URL's
 * credentials and TLS in every case.
 */
export function createRedis(target: RedisTarget | string, role: RedisRole): RedisClient {
  const { redisUrl, redisTopology = { kind: 'standalone' } } =
    typeof target === 'string' ? { redisUrl: target } : target;
  const opts = roleOptions(role);
  switch (redisTopology.kind) {
    case 'standalone':
      return new Redis(redisUrl, { ...opts, lazyConnect: false });
    case 'sentinel':
      return new Redis({
        ...urlCredentials(redisUrl),
        ...opts,
        sentinels: redisTopology.sentinels,
        name: redisTopology.name,
        ...(redisTopology.sentinelPassword ? { sentinelPassword: redisTopology.sentinelPassword } : {}),
        // On a failover the sentinels name the new primary; reconnect there.
        failoverDetector: true,
      });
    case 'cluster': {
      const { tls, ...creds } = urlCredentials(redisUrl);
      return new Cluster(redisTopology.nodes, {
        ...clusterOptions(role),
        enableReadyCheck: true,
        redisOptions: { ...creds, ...opts, ...(tls ? { tls } : {}) },
        ...(tls ? { dnsLookup: (address, cb) => cb(null, address) } : {}),
      });
    }
  }
}

/** Whether a connection is to a Redis Cluster (keys of one command or script must share a slot). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/** Redis URL with any password masked, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/**
 * Unlinks every key of one server matching a SCAN pattern; returns how many. A server of a
 * cluster refuses a multi-key UNLINK across slots, so there each key has its own.
 */
async function unlinkMatchingOn(redis: Redis, pattern: string, clusterNode: boolean): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    if (!clusterNode) removed += await redis.unlink(...keys);
    else removed += sum(await Promise.all(keys.map((k) => redis.unlink(k))));
  } while (cursor !== '0');
  return removed;
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/**
 * Unlinks every key matching a SCAN pattern (e.g. a key family's); returns how many. On a
 * Cluster, every primary is scanned (SCAN sees one server's keys only).
 */
export async function unlinkMatching(redis: RedisClient, pattern: string): Promise<number> {
  if (!isCluster(redis)) return unlinkMatchingOn(redis, pattern, false);
  return sum(await Promise.all(redis.nodes('master').map((node) => unlinkMatchingOn(node, pattern, true))));
}
