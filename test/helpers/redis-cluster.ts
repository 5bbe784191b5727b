import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slotOf } from '@paperline/core/redis';
import {
  clusterNodes,
  startRedisCluster,
  stopRedisCluster,
  waitForClusterOk,
  type ClusterNodeInfo,
  type RedisCluster,
} from '@paperline/stack';

/** First port of this suite's cluster (3 primaries + 3 replicas on the next 6 ports). */
const PORT_BASE = Number(process.env.PAPERLINE_CLUSTER_PORT_BASE ?? 7100);

/** A test's own Redis Cluster on loopback (packages/stack starts it); `stop()` removes everything. */
export interface TestCluster extends RedisCluster {
  stop(): Promise<void>;
}

/**
 * Starts 3 primaries and 3 replicas on ports PORT_BASE… PORT_BASE+5 in a temporary directory,
 * with a short node timeout so a failover takes seconds, and waits for `cluster_state:ok`.
 */
export async function startTestCluster(nodeTimeoutMs = 2000): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'paperline-cluster-'));
  const ports = Array.from({ length: 6 }, (_, i) => PORT_BASE + i);
  const cluster = await startRedisCluster({
    ports,
    dir,
    nodeTimeoutMs,
    log: (m) => process.stderr.write(`[cluster] ${m}\n`),
  });
  return { ...cluster, stop: () => stopRedisCluster(cluster) };
}

/** The primary serving a key's slot, as the node on `askPort` sees the cluster. */
export async function primaryOf(askPort: number, key: string): Promise<ClusterNodeInfo> {
  const slot = slotOf(key);
  const nodes = await clusterNodes(askPort);
  const primary = nodes.find(
    (n) => n.role === 'master' && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b),
  );
  if (!primary) throw new Error(`no live primary serves slot ${slot} (${key}) as port ${askPort} sees it`);
  return primary;
}

export { waitForClusterOk };
