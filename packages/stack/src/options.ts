import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StackError } from './errors.js';

/** The major version of the Elasticsearch client Paperline ships; the server must match it. */
export const CLIENT_MAJOR = 9;

/**
 * Newest Elasticsearch that Maven Central serves as `integ-test-zip`. The metadata lists nothing
 * past 8.19, but the 9.3.2 files are there (9.3.3 to 9.5.x and 9.4.x are refused).
 */
export const DEFAULT_ES_VERSION = '9.3.2';

/** Options of {@link stackUp}, {@link stackDown} and {@link stackStatus}. */
export interface StackOptions {
  /** Redis to use or start, e.g. `redis://127.0.0.1:6379`. Only loopback hosts are started. */
  redisUrl: string;
  /** Elasticsearch to use or start, e.g. `http://127.0.0.1:9200`. Only loopback hosts are started. */
  elasticsearchUrl: string;
  /**
   * Where the Elasticsearch install, data, logs and pid files go.
   * @defaultValue env `PAPERLINE_STACK_DIR`, else `/var/lib/paperline/stack` when root, else `~/.paperline/stack`
   */
  stackDir?: string;
  /**
   * Elasticsearch version to download from Maven Central (`integ-test-zip`) and run.
   * @defaultValue env `PAPERLINE_ES_VERSION`, else {@link DEFAULT_ES_VERSION}
   */
  esVersion?: string;
  /**
   * JDK that runs Elasticsearch (passed as `ES_JAVA_HOME`).
   * @defaultValue env `PAPERLINE_JAVA_HOME`, else a JDK under `/usr/lib/jvm` (or `JAVA_HOME`) suited to
   * the Elasticsearch major: 8.x wants 21 or 17, 9.x wants 21 or newer
   */
  javaHome?: string;
  /** Initial JVM heap of Elasticsearch (`-Xms`). @defaultValue `'512m'` */
  heapMin?: string;
  /** Maximum JVM heap of Elasticsearch (`-Xmx`). @defaultValue `'1g'` */
  heapMax?: string;
  /** How long to wait for a started service (or for the start lock) before giving up. @defaultValue `120000` */
  timeoutMs?: number;
  /** Receives progress lines meant for a terminal. @defaultValue ignore them */
  log?: (msg: string) => void;
  /**
   * Resolves the host names of both URLs when probing the services (tests pass a stand-in, so
   * that nothing asks a DNS server).
   * @defaultValue `dns.lookup`
   */
  lookup?: LookupFunction;
}

/** One service as seen now. */
export interface ServiceStatus {
  /** The configured URL, password masked. */
  url: string;
  /** Answers and is usable (Redis: `PING` → `PONG`; Elasticsearch: cluster health green or yellow). */
  up: boolean;
  /** Started by Paperline: our pid file is present and its process is alive. */
  managed: boolean;
  /** Process id, when managed. */
  pid?: number;
  /** Server version, when it answered. */
  version?: string;
  /** Why it is down, or extra facts (cluster health, stale pid file). */
  detail?: string;
}

/** Both services of the local stack. */
export interface StackStatus {
  redis: ServiceStatus;
  elasticsearch: ServiceStatus;
}

/** One node of a service that `clusterUp` runs as several. */
export interface ClusterNodeStatus extends ServiceStatus {
  /** The node's name in its cluster (Elasticsearch `node.name`). */
  name: string;
}

/** A service run as several nodes (the Elasticsearch cluster). */
export interface ClusteredService {
  /** Every node answers and the cluster counts them all (Elasticsearch: health green or yellow). */
  up: boolean;
  nodes: ClusterNodeStatus[];
  /** The environment the workers need to use it, e.g. `ELASTICSEARCH_URL` listing every node. */
  env: Record<string, string>;
  /** Cluster-wide facts (health, nodes counted), or why it is not up. */
  detail?: string;
}

/** Everything `clusterUp` runs. */
export interface ClusterStatus {
  /** Every service is up. */
  up: boolean;
  /** Each clustered service by name. */
  services: { elasticsearch: ClusteredService; redis?: ClusteredService };
  /** The environment of all services together: what to export before starting workers. */
  env: Record<string, string>;
}

/** {@link StackOptions} with every default applied. */
export interface ResolvedStackOptions {
  redisUrl: string;
  elasticsearchUrl: string;
  stackDir: string;
  esVersion: string;
  /** Explicit JDK (option or env); `undefined` means pick one automatically. */
  javaHome: { home: string; source: string } | undefined;
  heapMin: string;
  heapMax: string;
  timeoutMs: number;
  log: (msg: string) => void;
  lookup: LookupFunction;
}

const HEAP = /^\d+[kmgKMG]?$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?$/;

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The stack directory when neither the option nor `PAPERLINE_STACK_DIR` is set. */
export function defaultStackDir(root: boolean = isRoot(), home: string = homedir()): string {
  return root ? '/var/lib/paperline/stack' : join(home, '.paperline', 'stack');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The settings `stackUp` and `clusterUp` share, resolved: version, JDK, stack directory, timeout… */
function resolveCommon(
  opts: Omit<StackOptions, 'redisUrl' | 'elasticsearchUrl' | 'heapMin' | 'heapMax'>,
  env: NodeJS.ProcessEnv,
  defaultTimeoutMs: number,
): Omit<ResolvedStackOptions, 'redisUrl' | 'elasticsearchUrl' | 'heapMin' | 'heapMax'> {
  const esVersion = nonEmpty(opts.esVersion) ?? nonEmpty(env.PAPERLINE_ES_VERSION) ?? DEFAULT_ES_VERSION;
  if (!VERSION.test(esVersion)) {
    throw new StackError(
      `Elasticsearch version "${esVersion}" is not of the form 8.19.21 (PAPERLINE_ES_VERSION)`,
    );
  }
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new StackError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  const explicitJava = nonEmpty(opts.javaHome);
  const envJava = nonEmpty(env.PAPERLINE_JAVA_HOME);
  return {
    stackDir: nonEmpty(opts.stackDir) ?? nonEmpty(env.PAPERLINE_STACK_DIR) ?? defaultStackDir(),
    esVersion,
    javaHome:
      explicitJava !== undefined
        ? { home: explicitJava, source: 'the javaHome option' }
        : envJava !== undefined
          ? { home: envJava, source: 'PAPERLINE_JAVA_HOME' }
          : undefined,
    timeoutMs,
    log: opts.log ?? (() => undefined),
    lookup: opts.lookup ?? (dnsLookup as LookupFunction),
  };
}

function checkHeap(name: string, value: string): string {
  if (!HEAP.test(value)) throw new StackError(`${name} "${value}" is not a JVM size such as 512m or 1g`);
  return value;
}

/** Applies defaults and environment overrides, and rejects malformed values. */
export function resolveStackOptions(
  opts: StackOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedStackOptions {
  return {
    redisUrl: opts.redisUrl,
    elasticsearchUrl: opts.elasticsearchUrl,
    ...resolveCommon(opts, env, 120_000),
    heapMin: checkHeap('heapMin', opts.heapMin ?? '512m'),
    heapMax: checkHeap('heapMax', opts.heapMax ?? '1g'),
  };
}

/** HTTP ports of the Elasticsearch nodes `clusterUp` starts (transport ports 100 above). */
export const DEFAULT_CLUSTER_ES_PORTS: readonly number[] = [9250, 9251, 9252];

/** Ports of the local Redis Cluster: three primaries, then their three replicas. */
export const DEFAULT_CLUSTER_REDIS_PORTS: readonly number[] = [7100, 7101, 7102, 7103, 7104, 7105];

/** Options of `clusterUp`, `clusterDown` and `clusterStatus`. */
export interface ClusterOptions extends Omit<
  StackOptions,
  'redisUrl' | 'elasticsearchUrl' | 'heapMin' | 'heapMax' | 'timeoutMs'
> {
  /**
   * HTTP ports of the Elasticsearch nodes on 127.0.0.1, one node each, all master-eligible data
   * nodes; each node's transport port is its HTTP port + 100. At least three, so that the cluster
   * keeps a master and every shard when one node is lost.
   * @defaultValue {@link DEFAULT_CLUSTER_ES_PORTS}
   */
  esPorts?: readonly number[];
  /**
   * Ports of the Redis Cluster's nodes on 127.0.0.1: three primaries first, then one replica each;
   * none for an Elasticsearch cluster alone. @defaultValue {@link DEFAULT_CLUSTER_REDIS_PORTS}
   */
  redisPorts?: readonly number[];
  /** JVM heap of each Elasticsearch node (`-Xms` and `-Xmx`). @defaultValue `'512m'` */
  esHeap?: string;
  /** `cluster.name`; node names are `<clusterName>-<http port>`. @defaultValue `'paperline-cluster'` */
  clusterName?: string;
  /** How long to wait for the cluster to turn green (or for the stack lock). @defaultValue `180000` */
  timeoutMs?: number;
}

/** {@link ClusterOptions} with every default applied. */
export interface ResolvedClusterOptions extends Omit<ResolvedStackOptions, 'redisUrl' | 'elasticsearchUrl'> {
  esPorts: readonly number[];
  redisPorts: readonly number[];
  clusterName: string;
}

const CLUSTER_NAME = /^[a-z0-9][a-z0-9_-]*$/;

function checkClusterPorts(ports: readonly number[]): readonly number[] {
  const where = 'the esPorts option';
  if (ports.length < 3) {
    throw new StackError(
      `${where} lists ${ports.length} port(s); an Elasticsearch cluster that survives the loss of a node needs at least 3`,
    );
  }
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1024 || port > 65435) {
      throw new StackError(
        `${where}: ${port} is not a port from 1024 to 65435 (the transport port is 100 above)`,
      );
    }
  }
  const taken = new Set<number>();
  for (const port of ports) {
    for (const p of [port, port + 100]) {
      if (taken.has(p))
        throw new StackError(
          `${where}: port ${p} would be used twice (HTTP and transport ports of ${ports.join(', ')})`,
        );
      taken.add(p);
    }
  }
  return ports;
}

/** Applies defaults and environment overrides to {@link ClusterOptions}, and rejects malformed values. */
export function resolveClusterOptions(
  opts: ClusterOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedClusterOptions {
  const heap = checkHeap('esHeap', opts.esHeap ?? '512m');
  const clusterName = opts.clusterName ?? 'paperline-cluster';
  if (!CLUSTER_NAME.test(clusterName)) {
    throw new StackError(
      `clusterName "${clusterName}" must be lower-case letters, digits, "-" and "_", starting with a letter or digit`,
    );
  }
  return {
    ...resolveCommon(opts, env, 180_000),
    heapMin: heap,
    heapMax: heap,
    esPorts: checkClusterPorts(opts.esPorts ?? DEFAULT_CLUSTER_ES_PORTS),
    redisPorts: opts.redisPorts ?? DEFAULT_CLUSTER_REDIS_PORTS,
    clusterName,
  };
}
