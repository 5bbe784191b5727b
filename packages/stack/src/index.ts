/**
 * The embedded local stack: Redis and Elasticsearch for `pnpm paperline stack up|down|status`,
 * `demo` and the test global setup. Uses services that already answer at the configured URLs and
 * starts local ones (Elasticsearch from Maven Central) on loopback ports otherwise. The local
 * cluster (`stack up --cluster`): several Elasticsearch nodes on loopback.
 */
export { stackUp, stackDown, stackStatus } from './stack.js';
export { clusterUp, clusterDown, clusterStatus } from './cluster.js';
export { StackError } from './errors.js';
export { mavenFailure } from './maven.js';
export {
  CLIENT_MAJOR,
  DEFAULT_CLUSTER_ES_PORTS,
  DEFAULT_ES_VERSION,
  defaultStackDir,
  resolveClusterOptions,
  resolveStackOptions,
  type ClusterNodeStatus,
  type ClusterOptions,
  type ClusterStatus,
  type ClusteredService,
  type ResolvedClusterOptions,
  type StackOptions,
  type ResolvedStackOptions,
  type ServiceStatus,
  type StackStatus,
} from './options.js';
export {
  startRedisCluster,
  stopRedisCluster,
  waitForClusterOk,
  clusterNodes,
  clusterCli,
  type RedisCluster,
  type RedisClusterOptions,
  type ClusterNodeInfo,
} from './redis-cluster.js';
