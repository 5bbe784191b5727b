import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { CrawlStore } from '@paperline/core/pipeline';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import {
  RSS_LIMIT_MIB,
  expectEveryPaperOnce,
  isAlive,
  sampleWorkerRss,
  startOwnRedis,
  waitFor,
  type OwnRedis,
  type Summary,
} from '../helpers/faults.js';

/** This test's own Redis (AOF on); the shared 6379 is never touched. */
const REDIS_PORT = Number(process.env.PAPERLINE_FAULTS_REDIS_PORT ?? 6395);

describe('Redis SIGKILLed and shut down mid-crawl, restarted from its AOF', () => {
  const names = uniqueNames('f-redis');
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let own: OwnRedis;
  let dir: string;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'paperline-faults-redis-'));
    own = await startOwnRedis(REDIS_PORT, dir);
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await site.close();
    if (own) {
      const redis = new Redis(own.url);
      await cleanup(redis, es, names);
      redis.disconnect();
      await own.stop('shutdown');
    }
    await es.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('workers reconnect and the crawl finishes with nothing lost or doubled', async () => {
    const env = testEnv(names, {
      REDIS_URL: own.url,
      HF_BASE_URL: site.url,
      PAPERLINE_HOST_INTERVAL_MS: '120',
      PAPERLINE_LOCK_MS: '4000',
    });
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const truth = snapshotTruth();
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
    const rss = sampleWorkerRss(() => (workers ? [workers] : []));
    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);
    const total = seeds.length + truth.length;

    const probe = () => {
      const r = new Redis(own.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      r.on('error', () => undefined);
      return r;
    };
    const fetched = async () => {
      const r = probe();
      try {
        return (await new CrawlStore(r, names.prefix).sizes(crawlId)).fetched;
      } finally {
        r.disconnect();
      }
    };

    const outages: string[] = [];
    for (const [how, atFetched] of [
      ['kill', 8],
      ['shutdown', 22],
    ] as const) {
      await waitFor(`${atFetched} pages fetched`, async () => (await fetched()) >= atFetched, 90_000);
      const before = await fetched();
      const downAt = Date.now();
      await own.stop(how);
      await sleep(2000);
      expect(isAlive(workers), `workers alive with Redis down (${how})`).toBe(true);
      await own.start();
      const after = await fetched();
      outages.push(`${how} at ${before} fetched, back after ${Date.now() - downAt} ms with ${after} fetched`);
      expect(after, 'the AOF kept every acknowledged write').toBeGreaterThanOrEqual(before);
      expect(after).toBeLessThan(total); // still mid-crawl
    }

    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(`[faults] redis restarts: ${outages.join('; ')}; summary ${JSON.stringify(s)}\n`);
    await expectEveryPaperOnce(s, { es, index: names.index, env, fetched: total, truth });

    expect(isAlive(workers), 'workers still running').toBe(true);
    const peak = rss.stop();
    process.stderr.write(
      `[faults] redis restarts: peak RSS MiB ${JSON.stringify(Object.fromEntries(peak))}\n`,
    );
    expect([...peak.keys()].sort()).toEqual(['deduplicator', 'fetcher', 'indexer', 'parser']);
    for (const [kind, mb] of peak) expect(mb, `${kind} RSS`).toBeLessThan(RSS_LIMIT_MIB);
  });
});
