import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@elastic/elasticsearch';
import { createRedis, type RedisClient } from '@paperline/core/redis';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { failedRows, indexedIds, type Summary } from '../helpers/faults.js';
import { startTestSentinel, type TestSentinel } from '../helpers/redis-sentinel.js';

/** Workers, the CLI and this test reach Redis through a sentinel (REDIS_SENTINELS), not REDIS_URL. */
describe('Redis through Sentinel', () => {
  const names = uniqueNames('f-sentinel');
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let sentinel: TestSentinel;
  let redis: RedisClient | undefined;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    sentinel = await startTestSentinel();
  });

  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await site?.close();
    if (redis) {
      await cleanup(redis, es, names);
      redis.disconnect();
    }
    await sentinel?.stop();
    await es.close();
  });

  it('a crawl through the primary the sentinel names indexes every paper exactly once', async () => {
    // REDIS_URL names a port where nothing listens: only the sentinel can lead to the primary.
    const env = testEnv(names, {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: sentinel.sentinelsEnv,
      REDIS_SENTINEL_NAME: sentinel.name,
      HF_BASE_URL: site.url,
    });
    redis = createRedis(
      {
        redisUrl: env.REDIS_URL!,
        redisTopology: {
          kind: 'sentinel',
          name: sentinel.name,
          sentinels: [{ host: '127.0.0.1', port: sentinel.sentinelPort }],
        },
      },
      'producer',
    );
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    const truth = snapshotTruth();
    expect(s).toMatchObject({ fetched: seeds.length, indexed: truth.length, failed: 0 });
    const ids = await indexedIds(es, names.index);
    expect([...ids].sort()).toEqual(truth.map((p) => `arxiv:${p.id}`).sort());
    expect(await failedRows(env)).toEqual([]);

    // The books were written on the primary (and replicated), never elsewhere.
    const onPrimary = await sentinel.cli(
      sentinel.primaryPort,
      '--scan',
      '--pattern',
      `${names.prefix}:crawl:*`,
    );
    expect(onPrimary).toContain(`${names.prefix}:crawl:{${s.crawlId}}:meta`);
    expect(await sentinel.cli(sentinel.replicaPort, 'role')).toMatch(/^slave/);
  });
});
