import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { CrawlSummary } from '@paperline/contracts';
import type { FailedRow } from '@paperline/ops';
import {
  DEFAULT_ES_VERSION,
  clusterDown,
  clusterUp,
  defaultStackDir,
  stackDown,
  stackUp,
  type ClusterNodeStatus,
} from '@paperline/stack';
import { CrawlStore } from '@paperline/core/pipeline';
import { startSnapshotSite, type SnapshotSite } from '@paperline/snapshot-site';
import { exited, killGroup, lastJson, runCli } from './cli.js';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from './env.js';
import { startFaultSite, type FaultSite } from './faults-servers.js';
import { RedisKeys, createRedis, type RedisTarget } from '@paperline/core/redis';

/** Helpers of the fault suite (test/faults): process trees, memory, private Redis and Elasticsearch. */

const run = promisify(execFile);

/** `PAPERLINE_FAULTS_LONG=1` runs the long variants (e.g. a 60 s Elasticsearch outage). */
export const LONG = process.env.PAPERLINE_FAULTS_LONG === '1';

/** Polls `cond` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits until each stage's queue has a worker connected (the worker processes are ready). */
export async function waitForStageWorkers(
  redis: RedisTarget | string,
  prefix: string,
  stages: readonly string[] = ['fetch', 'parse', 'dedupe', 'index'],
  timeoutMs = 60_000,
): Promise<void> {
  const connection = createRedis(redis, 'worker');
  const queues = stages.map(
    (s) => new Queue(s, { connection, prefix: new RedisKeys(prefix).queuePrefix(s) }),
  );
  try {
    await waitFor(
      `workers on ${stages.join(', ')}`,
      async () => (await Promise.all(queues.map((q) => q.getWorkersCount()))).every((n) => n > 0),
      timeoutMs,
      200,
    );
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    connection.disconnect();
  }
}

/** Direct children of a process (Linux /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const raw = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (raw) out.push(...raw.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

/** Every descendant of a process, depth first. */
export function descendantPids(pid: number): number[] {
  return childPids(pid).flatMap((c) => [c, ...descendantPids(c)]);
}

/**
 * The worker processes under a `paperline workers` process (cli → one child per kind, or per
 * group of kinds with `--chain`): kinds (joined with `+`) → pid, read from their command lines.
 */
export function workerPids(workers: ChildProcess): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of descendantPids(workers.pid ?? -1)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const m = /services\/workers\/dist\/main\.js\0([\w,]+)/.exec(cmd);
      if (m) out.set(m[1]!.replaceAll(',', '+'), pid);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Resident set size of a process in MiB, or undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Samples the RSS of every worker child of the given `paperline workers` processes, every
 * `everyMs`; `stop()` returns the peak per kind (MiB).
 */
export function sampleWorkerRss(
  groups: () => ChildProcess[],
  everyMs = 200,
): { stop(): Map<string, number>; peak(): Map<string, number> } {
  const peak = new Map<string, number>();
  const tick = () => {
    for (const g of groups()) {
      for (const [kind, pid] of workerPids(g)) {
        const mb = rssMiB(pid);
        if (mb !== undefined) peak.set(kind, Math.max(peak.get(kind) ?? 0, mb));
      }
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    peak: () => new Map(peak),
    stop() {
      clearInterval(timer);
      tick();
      return new Map(peak);
    },
  };
}

/** A worker process's RSS ceiling in these tests (compiled code, undici, ES and Redis clients). */
export const RSS_LIMIT_MIB = 400;

/** Rows of `paperline failed --json`: core's listing. */
export type { FailedRow };

export async function failedRows(env: NodeJS.ProcessEnv, args: string[] = []): Promise<FailedRow[]> {
  const res = await runCli(['failed', '--json', ...args], env);
  if (res.code !== 0) throw new Error(`paperline failed exited ${res.code}: ${res.stderr}`);
  return lastJson<FailedRow[]>(res.stdout);
}

/** What `crawl --json` / `wait --json` print that these tests read. */
export type Summary = Pick<
  CrawlSummary,
  'crawlId' | 'fetched' | 'parsed' | 'indexed' | 'unchanged' | 'duplicates' | 'failed'
>;

/**
 * How every crawl of the snapshot site under a fault must end: `fetched` URLs fetched, nothing
 * failed, each paper of the snapshot in the index exactly once, and `paperline failed` empty.
 */
export async function expectEveryPaperOnce(
  s: Summary,
  o: {
    es: Client;
    index: string;
    env: NodeJS.ProcessEnv;
    fetched: number;
    truth: ReadonlyArray<{ id: string }>;
  },
): Promise<void> {
  expect(s.failed).toBe(0);
  expect(s.fetched).toBe(o.fetched);
  expect(s.indexed + s.unchanged).toBe(o.truth.length);
  const ids = await indexedIds(o.es, o.index);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(o.truth.map((p) => `arxiv:${p.id}`).sort());
  expect(await failedRows(o.env)).toEqual([]);
}

/**
 * A fault test that crawls the snapshot site through the faulty stand-in: its names, clients and
 * crawl books, the two servers (started before its tests) and the worker process groups it starts
 * (SIGTERMed after them, then its keys and indices removed). Call it inside `describe`.
 */
export function faultSiteFixture(prefix: string) {
  const names = uniqueNames(prefix);
  const redis = new Redis(REDIS_URL);
  const fx = {
    names,
    redis,
    es: new Client({ node: ELASTICSEARCH_URL }),
    crawls: new CrawlStore(redis, names.prefix),
    groups: [] as ChildProcess[],
    site: undefined as unknown as SnapshotSite,
    front: undefined as unknown as FaultSite,
  };
  beforeAll(async () => {
    fx.site = await startSnapshotSite({ port: 0 });
    fx.front = await startFaultSite({ upstream: fx.site.url });
  });
  afterAll(async () => {
    for (const g of fx.groups) if (isAlive(g)) killGroup(g, 'SIGTERM');
    await Promise.all(fx.groups.map(exited));
    await fx.front.close();
    await fx.site.close();
    await cleanup(fx.redis, fx.es, names);
    fx.redis.disconnect();
    await fx.es.close();
  });
  return fx;
}

/** Every document id in an index (refreshed first). */
export async function indexedIds(es: Client, index: string): Promise<string[]> {
  await es.indices.refresh({ index });
  const res = await es.search({ index, size: 5000, _source: false, query: { match_all: {} } });
  return res.hits.hits.map((h) => h._id!);
}

// ---------------------------------------------------------------------------------------------
// A private Redis with AOF, to kill and restart without touching the shared one.

export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  pid(): number | undefined;
  /** SIGKILL (no chance to write anything more) or a clean SHUTDOWN (AOF flushed). */
  stop(how: 'kill' | 'shutdown'): Promise<void>;
  /** Starts it again on the same port and directory (the AOF is replayed). */
  start(): Promise<void>;
}

/**
 * `redis-server --port P --appendonly yes --dir D --daemonize yes`, as docker-compose runs it
 * (appendfsync everysec): Redis write()s the AOF before it replies, so killing the process loses
 * nothing a client was told; only a crash of the machine could lose the last second.
 */
export async function startOwnRedis(port: number, dir: string): Promise<OwnRedis> {
  await mkdir(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--appendonly',
    'yes',
    '--save',
    '',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--logfile',
    join(dir, 'redis.log'),
    '--daemonize',
    'yes',
  ];
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG' && (await r.info('persistence')).includes('loading:0');
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  };
  const pid = () => {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const self: OwnRedis = {
    url,
    port,
    dir,
    pid,
    async start() {
      await run('redis-server', args);
      await waitFor(`redis on ${port}`, ping, 15_000, 50);
    },
    async stop(how) {
      const p = pid();
      if (how === 'kill') {
        if (p) process.kill(p, 'SIGKILL');
      } else {
        await run('redis-cli', ['-p', String(port), 'shutdown']).catch(() => undefined);
      }
      await waitFor(`redis on ${port} to stop`, async () => !(await ping()), 15_000, 50);
      if (p) await waitFor(`redis pid ${p} to exit`, () => !existsSync(`/proc/${p}`), 15_000, 50);
    },
  };
  if (await ping()) throw new Error(`something already answers on port ${port}`);
  await self.start();
  return self;
}

// ---------------------------------------------------------------------------------------------
// A second Elasticsearch, from packages/stack, on its own port and stack directory.

export interface OwnElasticsearch {
  url: string;
  stackDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Links the Elasticsearch install of the default stack directory into `stackDir` when it is there,
 * so that a test's own Elasticsearch downloads nothing; otherwise the stack fetches it from Maven
 * Central as on a fresh machine.
 */
async function linkSharedEsInstall(stackDir: string): Promise<void> {
  await mkdir(stackDir, { recursive: true });
  const version = process.env.PAPERLINE_ES_VERSION ?? DEFAULT_ES_VERSION;
  const name = `elasticsearch-${version}`;
  const shared = join(process.env.PAPERLINE_STACK_DIR ?? defaultStackDir(), name);
  if (existsSync(join(shared, 'bin', 'elasticsearch')) && !existsSync(join(stackDir, name)))
    await symlink(shared, join(stackDir, name));
}

/**
 * A second Elasticsearch (512 MB heap) for one test: `stackUp` with its own port and stack
 * directory (the shared install linked in).
 */
export async function startOwnElasticsearch(port: number, stackDir: string): Promise<OwnElasticsearch> {
  await linkSharedEsInstall(stackDir);
  const url = `http://127.0.0.1:${port}`;
  const opts = {
    // The shared Redis is only looked at (it answers, so it is used as is and never started or stopped).
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    elasticsearchUrl: url,
    stackDir,
    heapMin: '512m',
    heapMax: '512m',
    timeoutMs: 180_000,
    log: (m: string) => process.stderr.write(`[es-${port}] ${m}\n`),
  };
  const self: OwnElasticsearch = {
    url,
    stackDir,
    async start() {
      const s = await stackUp(opts);
      if (!s.elasticsearch.up) throw new Error(`second Elasticsearch not up: ${JSON.stringify(s)}`);
    },
    async stop() {
      const s = await stackDown(opts);
      if (s.elasticsearch.up) throw new Error(`second Elasticsearch still up: ${JSON.stringify(s)}`);
    },
  };
  await self.start();
  return self;
}

// ---------------------------------------------------------------------------------------------
// A three-node Elasticsearch cluster, from packages/stack, on its own ports and stack directory.

export interface OwnEsCluster {
  /** The `ELASTICSEARCH_URL` listing every node. */
  url: string;
  /** Each node's name, URL and pid, as started. */
  nodes: ClusterNodeStatus[];
  /** Stops every node still running (`clusterDown`). */
  stop(): Promise<void>;
}

/** `clusterUp` (512 MB heap per node) on `esPorts` with its own stack directory (the shared install linked in). */
export async function startOwnEsCluster(esPorts: number[], stackDir: string): Promise<OwnEsCluster> {
  await linkSharedEsInstall(stackDir);
  const opts = {
    stackDir,
    esPorts,
    // Elasticsearch alone: the Redis Cluster fault test has its own.
    redisPorts: [],
    timeoutMs: 200_000,
    log: (m: string) => process.stderr.write(`[es-cluster-${esPorts[0]}] ${m}\n`),
  };
  const s = await clusterUp(opts);
  if (!s.up) throw new Error(`Elasticsearch cluster not up: ${JSON.stringify(s)}`);
  return {
    url: s.env.ELASTICSEARCH_URL!,
    nodes: s.services.elasticsearch.nodes,
    async stop() {
      const down = await clusterDown(opts);
      if (down.services.elasticsearch.nodes.some((n) => n.managed))
        throw new Error(`Elasticsearch cluster nodes still running: ${JSON.stringify(down)}`);
    },
  };
}
