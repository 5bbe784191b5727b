import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import {
  assertClientCompatible,
  esNodePaths,
  exitedDuringStartup,
  launchEsNode,
  managedEsPid,
  prepareEsRuntime,
  stopEsNode,
  type EsNodeSpec,
} from './elasticsearch.js';
import type { ClusterNodeStatus, ClusteredService, ResolvedClusterOptions } from './options.js';
import { isPortInUse, probeElasticsearch, readEsHealth, type EsHealth } from './probe.js';
import { tailFile } from './proc.js';
import { esTransportPort, parseElasticsearchUrl } from './url.js';

/** The loopback address every node of the local cluster listens on. */
const HOST = '127.0.0.1';

/**
 * The nodes of the local Elasticsearch cluster, one per HTTP port: `<clusterName>-<port>`, files in
 * `<stackDir>/es-cluster-<port>/`, transport on the HTTP port + 100, and each told every node's
 * transport address (`discovery.seed_hosts`) and every node's name (`cluster.initial_master_nodes`),
 * so that all of them are master-eligible and the first election needs a majority of them.
 */
export function esClusterNodes(
  o: Pick<ResolvedClusterOptions, 'stackDir' | 'esPorts' | 'clusterName' | 'lookup'>,
): EsNodeSpec[] {
  const names = o.esPorts.map((port) => `${o.clusterName}-${port}`);
  const discovery = {
    'discovery.seed_hosts': o.esPorts.map((port) => `${HOST}:${esTransportPort(port)}`).join(','),
    'cluster.initial_master_nodes': names.join(','),
  };
  return o.esPorts.map((port, i) => ({
    target: { ...parseElasticsearchUrl(`http://${HOST}:${port}`), lookup: o.lookup },
    name: names[i]!,
    clusterName: o.clusterName,
    paths: esNodePaths(join(o.stackDir, `es-cluster-${port}`)),
    // One port, not a range: the seed list names it exactly, and a taken port fails loudly.
    transportPort: String(esTransportPort(port)),
    discovery,
  }));
}

/** The cluster's health as the first node that answers sees it. */
async function clusterHealth(nodes: readonly EsNodeSpec[]): Promise<EsHealth> {
  const all = await Promise.all(nodes.map((n) => readEsHealth(n.target)));
  return all.find((h) => h.state === 'answered') ?? all[0]!;
}

function describeHealth(h: EsHealth, expected: number): string {
  return h.state === 'answered'
    ? `cluster health ${h.status}, ${h.nodes} of ${expected} nodes`
    : `no node answers health (${h.detail})`;
}

/** Probes every node and the cluster's health, and looks for our pid files; changes nothing. */
export async function inspectEsCluster(o: ResolvedClusterOptions): Promise<ClusteredService> {
  const nodes = esClusterNodes(o);
  const [health, statuses] = await Promise.all([
    clusterHealth(nodes),
    Promise.all(nodes.map((n) => inspectNode(n))),
  ]);
  const complete = health.state === 'answered' && health.nodes >= nodes.length;
  return {
    up: complete && statuses.every((s) => s.up),
    nodes: statuses,
    env: { ELASTICSEARCH_URL: nodes.map((n) => n.target.displayUrl).join(',') },
    detail: describeHealth(health, nodes.length),
  };
}

async function inspectNode(n: EsNodeSpec): Promise<ClusterNodeStatus> {
  const [probe, own] = await Promise.all([probeElasticsearch(n.target), managedEsPid(n.paths)]);
  const details = [
    probe.detail,
    own.stale !== undefined ? `stale pid file (pid ${own.stale} is gone)` : undefined,
  ].filter((d): d is string => d !== undefined);
  return {
    name: n.name,
    url: n.target.displayUrl,
    up: probe.state === 'up',
    managed: own.pid !== undefined,
    ...(own.pid !== undefined ? { pid: own.pid } : {}),
    ...(probe.state === 'up' && probe.version !== undefined ? { version: probe.version } : {}),
    ...(details.length > 0 ? { detail: details.join('; ') } : {}),
  };
}

/** Throws when a port a node needs is taken by something that is not that node. */
async function assertPortsFree(n: EsNodeSpec): Promise<void> {
  for (const port of [n.target.port, Number(n.transportPort)]) {
    if (await isPortInUse({ host: HOST, port, lookup: n.target.lookup })) {
      throw new StackError(
        `port ${port} on ${HOST}, needed by Elasticsearch node ${n.name}, is taken by something else; ` +
          `choose other ports (the esPorts option)`,
        { context: { port } },
      );
    }
  }
}

/**
 * Starts the nodes of the local Elasticsearch cluster that are not running yet, every one of them
 * before waiting (a lone master-eligible node of three never forms a cluster), then waits until
 * the cluster counts them all and is green. Nodes already running (ours, or answering) are kept.
 * Call with the stack lock held.
 */
export async function startEsCluster(o: ResolvedClusterOptions): Promise<ClusteredService> {
  const nodes = esClusterNodes(o);
  const before = await inspectEsCluster(o);
  for (const s of before.nodes) if (s.version !== undefined) assertClientCompatible(s.version, s.url);
  if (before.up) {
    o.log(`elasticsearch cluster: using ${before.env.ELASTICSEARCH_URL} (${before.detail})`);
    return before;
  }
  const missing = nodes.filter((_, i) => !before.nodes[i]!.managed && !before.nodes[i]!.up);
  for (const n of missing) await assertPortsFree(n);
  const started = Date.now();
  if (missing.length > 0) {
    const rt = await prepareEsRuntime(o);
    o.log(
      `elasticsearch cluster: starting ${missing.map((n) => n.name).join(', ')} (${o.esVersion}, ` +
        `heap ${o.heapMax} each, Java ${rt.jdk.version})…`,
    );
    const launched = await Promise.allSettled(missing.map((n) => launchEsNode(rt, n, o)));
    const failed = launched.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } else {
    o.log('elasticsearch cluster: waiting for the nodes already starting…');
  }
  const health = await waitForGreen(nodes, started, o.timeoutMs);
  o.log(
    `elasticsearch cluster: ${describeHealth(health, nodes.length)} after ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return inspectEsCluster(o);
}

/** Polls until the cluster counts every node and is green; fails early when a node's process is gone. */
async function waitForGreen(nodes: readonly EsNodeSpec[], started: number, timeoutMs: number) {
  const deadline = started + timeoutMs;
  for (;;) {
    const health = await clusterHealth(nodes);
    if (health.state === 'answered' && health.status === 'green' && health.nodes >= nodes.length) {
      return health;
    }
    for (const n of nodes) {
      const own = await managedEsPid(n.paths);
      if (own.stale !== undefined) {
        throw await exitedDuringStartup(n.target.port, n.paths, describeHealth(health, nodes.length));
      }
    }
    if (Date.now() >= deadline) {
      const first = nodes[0]!.paths.serverLog;
      throw new StackError(
        `the Elasticsearch cluster was not green with ${nodes.length} nodes within ${timeoutMs} ms ` +
          `(${describeHealth(health, nodes.length)}); its nodes are left running (stop them with ` +
          `\`pnpm paperline stack down --cluster\`). ${first}:\n${await tailFile(first)}`,
      );
    }
    await sleep(500);
  }
}

/** Stops every node of the local cluster that our pid files name (in parallel); leaves others alone. */
export async function stopEsCluster(o: ResolvedClusterOptions): Promise<ClusteredService> {
  const nodes = esClusterNodes(o);
  const before = await inspectEsCluster(o);
  before.nodes.forEach((s) => {
    if (!s.managed) {
      o.log(
        s.up
          ? `elasticsearch ${s.name}: leaving ${s.url} alone (not started by paperline)`
          : `elasticsearch ${s.name}: not running`,
      );
    }
  });
  await Promise.all(nodes.map((n) => stopEsNode(n.paths, `elasticsearch ${n.name}`, o.log)));
  return inspectEsCluster(o);
}
