/** A Redis node's address, as REDIS_CLUSTER_NODES and REDIS_SENTINELS list them. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * How Paperline reaches Redis (docs/operations.md#redis-cluster-and-sentinel):
 *
 * - `standalone`: one server at REDIS_URL;
 * - `cluster`: a Redis Cluster found through any of its nodes (REDIS_CLUSTER_NODES);
 * - `sentinel`: the primary of the group `name` that the sentinels (REDIS_SENTINELS) point at.
 *
 * In the last two, REDIS_URL gives only the credentials, the TLS choice (`rediss://`) and, with
 * Sentinel, the database.
 */
export type RedisTopology =
  | { kind: 'standalone' }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword?: string };

/** `host:port`, `[v6 address]:port`; a port is 1–65535. */
const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

/**
 * A comma-separated `host:port` list (blanks around commas allowed). Throws a message naming the
 * variable and the entry that is wrong.
 */
export function parseHostPorts(name: string, value: string): HostPort[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new Error(`${name} must list at least one host:port`);
  return entries.map((entry) => {
    const m = HOST_PORT.exec(entry);
    const port = Number(m?.[3]);
    if (!m || !(port >= 1 && port <= 65_535)) {
      throw new Error(`${name}: '${entry}' is not host:port (a port 1-65535; IPv6 as [::1]:7000)`);
    }
    return { host: (m[1] ?? m[2])!, port };
  });
}

/** The Redis variables that choose the topology, as read from the environment. */
export interface TopologyEnv {
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  /** The sentinels' own password (`requirepass` of the sentinels), when they have one. */
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  PAPERLINE_QUEUE_PREFIX: string;
  REDIS_URL: string;
}

/**
 * The topology the environment asks for, checked as a whole: cluster and Sentinel exclude each
 * other, a sentinel group needs its name, a cluster has only database 0, and on a cluster the
 * queue prefix holds no `{…}` (Paperline puts its own hash tags in every key: one in the prefix
 * would pin every key to one slot). Throws a message naming the variable.
 */
export function resolveTopology(e: TopologyEnv): RedisTopology {
  const cluster = e.REDIS_CLUSTER_NODES?.trim();
  const sentinels = e.REDIS_SENTINELS?.trim();
  const sentinelName = e.REDIS_SENTINEL_NAME?.trim();
  if (cluster && sentinels) {
    throw new Error('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: choose Redis Cluster or Sentinel');
  }
  if (sentinelName && !sentinels) throw new Error('REDIS_SENTINEL_NAME is set without REDIS_SENTINELS');
  const sentinelPassword = e.REDIS_SENTINEL_PASSWORD;
  if (sentinelPassword && !sentinels) {
    throw new Error('REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS');
  }
  if (sentinels) {
    if (!sentinelName) {
      throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME, the name of the monitored primary');
    }
    return {
      kind: 'sentinel',
      sentinels: parseHostPorts('REDIS_SENTINELS', sentinels),
      name: sentinelName,
      ...(sentinelPassword ? { sentinelPassword } : {}),
    };
  }
  if (!cluster) return { kind: 'standalone' };
  const nodes = parseHostPorts('REDIS_CLUSTER_NODES', cluster);
  const db = new URL(e.REDIS_URL).pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') {
    throw new Error(`REDIS_URL selects database ${db}, but Redis Cluster (REDIS_CLUSTER_NODES) has only 0`);
  }
  if (/[{}]/.test(e.PAPERLINE_QUEUE_PREFIX)) {
    throw new Error(
      `PAPERLINE_QUEUE_PREFIX '${e.PAPERLINE_QUEUE_PREFIX}' holds a {hash tag}: on Redis Cluster Paperline ` +
        `tags each key family itself, and a tag in the prefix would put every key in one slot; drop the braces`,
    );
  }
  return { kind: 'cluster', nodes };
}
