import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@elastic/elasticsearch';
import { CrawlStore } from '@paperline/core/pipeline';
import { RedisKeys, createRedis, type RedisClient } from '@paperline/core/redis';
import { clusterCli } from '@paperline/stack';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import {
  expectEveryPaperOnce,
  isAlive,
  waitFor,
  waitForStageWorkers,
  type Summary,
} from '../helpers/faults.js';
import { primaryOf, startTestCluster, waitForClusterOk, type TestCluster } from '../helpers/redis-cluster.js';

/**
 * The whole pipeline on a Redis Cluster of 3 primaries and 3 replicas (its own, on loopback ports
 * 7100–7105): every process reaches it through REDIS_CLUSTER_NODES.
 */
describe('Redis Cluster', () => {
  const es = new Client({ node: ELASTICSEARCH_URL });
  const truth = snapshotTruth();
  const used: Array<ReturnType<typeof uniqueNames>> = [];
  let site: SnapshotSite;
  let cluster: TestCluster;
  let redis: RedisClient;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    cluster = await startTestCluster();
    redis = createRedis(target(), 'producer');
    redis.on('error', () => undefined);
  });

  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await site?.close();
    if (redis) {
      for (const names of used) await cleanup(redis, es, names);
      redis.disconnect();
    }
    await cluster?.stop();
    await es.close();
  });

  /** The cluster, as every process here reaches it. */
  const target = () => ({
    redisUrl: 'redis://127.0.0.1:6379',
    redisTopology: {
      kind: 'cluster' as const,
      nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
    },
  });

  /** Names and environment of one crawl's run: its own prefix and index, on the cluster. */
  function clusterEnv(tag: string, extra: Record<string, string> = {}) {
    const names = uniqueNames(tag);
    used.push(names);
    const env = testEnv(names, { REDIS_CLUSTER_NODES: cluster.nodesEnv, HF_BASE_URL: site.url, ...extra });
    return { names, env };
  }

  const seeds = () => site.days.map((d) => `${site.url}/papers/date/${d}`);

  /** The crawl finished with every page fetched, every paper indexed exactly once, nothing failed. */
  async function expectComplete(s: Summary, names: { index: string }, env: NodeJS.ProcessEnv): Promise<void> {
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds().length + truth.length,
      truth,
    });
  }

  it('a crawl runs through every stage and indexes every paper exactly once; keys spread over the primaries', async () => {
    const { names, env } = clusterEnv('f-cluster');
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
    const res = await runCli(['crawl', ...seeds(), '--depth', '1', '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    await expectComplete(lastJson<Summary>(res.stdout), names, env);

    // Queues, crawl books and paper entries are not all in one slot: every primary holds keys.
    const primaries = (
      await Promise.all(cluster.ports.map(async (p) => ({ p, role: await clusterCli(p, 'role') })))
    )
      .filter((n) => n.role?.startsWith('master'))
      .map((n) => n.p);
    expect(primaries).toHaveLength(3);
    for (const p of primaries)
      expect(Number(await clusterCli(p, 'dbsize')), `keys on ${p}`).toBeGreaterThan(0);

    await stopWorkers(workers);
    workers = undefined;
  });

  it('a primary SIGKILLed mid-crawl: its replica takes over, workers reconnect, every paper once, nothing failed', async () => {
    const { names, env } = clusterEnv('f-cluster-kill', {
      PAPERLINE_HOST_INTERVAL_MS: '150',
      PAPERLINE_LOCK_MS: '4000',
    });
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
    // Every stage's worker is connected before the failover (not one starting during it).
    await waitForStageWorkers(target(), names.prefix);
    const started = await runCli(['crawl', ...seeds(), '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);
    const total = seeds().length + truth.length;
    const crawls = new CrawlStore(redis, names.prefix);
    const fetched = async () => (await crawls.sizes(crawlId).catch(() => ({ fetched: -1 }))).fetched;

    await waitFor('8 pages fetched', async () => (await fetched()) >= 8, 90_000);
    // The primary of the crawl's own books: the state every stage writes.
    const booksKey = new RedisKeys(names.prefix).crawl(crawlId).open;
    const victim = await primaryOf(cluster.ports[0]!, booksKey);
    const pid = await cluster.pid(victim.port);
    expect(pid, `pid of the primary on ${victim.port}`).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const live = cluster.ports.filter((p) => p !== victim.port);

    await waitFor(
      `a replica of ${victim.port} promoted`,
      async () => (await primaryOf(live[0]!, booksKey).catch(() => victim)).id !== victim.id,
      60_000,
      200,
    );
    await waitForClusterOk(live, { nodes: cluster.ports.length });
    const promoted = await primaryOf(live[0]!, booksKey);
    expect(promoted.port).not.toBe(victim.port);
    expect(await fetched(), 'still mid-crawl when the failover completed').toBeLessThan(total);
    expect(isAlive(workers), 'workers alive through the failover').toBe(true);

    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(
      `[faults] cluster failover: primary ${victim.port} killed, ${promoted.port} promoted; summary ${JSON.stringify(s)}\n`,
    );
    await expectComplete(s, names, env);
    expect(isAlive(workers), 'workers still running').toBe(true);
  });
});
