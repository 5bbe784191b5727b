import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { ChangeFeed, CrawlStore } from '@paperline/core/pipeline';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

describe('workers SIGKILLed mid-crawl, restarted, then `wait`', () => {
  const names = uniqueNames('e2e-crash');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const crawls = new CrawlStore(redis, names.prefix);
  let site: SnapshotSite;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
  });

  afterAll(async () => {
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('loses nothing and duplicates nothing', async () => {
    // Slow enough that the kill lands mid-crawl: paper pages are discovered (depth 1) and
    // fetched one per 150 ms; locks expire fast so the restarted workers take over quickly.
    const env = testEnv(names, {
      HF_BASE_URL: site.url,
      PAPERLINE_HOST_INTERVAL_MS: '150',
      PAPERLINE_LOCK_MS: '4000',
    });
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    let workers = startWorkersProcess(env);
    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);

    // Wait until the crawl is well under way, then kill every worker without warning.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { fetched } = await crawls.sizes(crawlId);
      if (fetched >= seeds.length + 3) break;
      if (Date.now() > deadline) throw new Error('crawl did not get under way');
      await sleep(100);
    }
    killGroup(workers, 'SIGKILL');
    await exited(workers);
    const open = await crawls.openCount(crawlId);
    expect(open).toBeGreaterThan(0); // really mid-crawl

    workers = startWorkersProcess(env);
    try {
      const waited = await runCli(['wait', crawlId, '--json'], env);
      expect(waited.code, waited.stderr).toBe(0);
      const s = lastJson<{ indexed: number; unchanged: number; failed: number; fetched: number }>(
        waited.stdout,
      );
      const truth = snapshotTruth();
      expect(s.failed).toBe(0);
      expect(s.fetched).toBe(seeds.length + truth.length);
      expect(s.indexed + s.unchanged).toBe(truth.length);

      await es.indices.refresh({ index: names.index });
      const all = await es.search({
        index: names.index,
        size: 1000,
        query: { match_all: {} },
        version: true,
      });
      const ids = all.hits.hits.map((h) => h._id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(truth.map((p) => `arxiv:${p.id}`).sort());

      // The change feed lost no write to the kill: each paper's last entry is its indexed version.
      const { entries } = await new ChangeFeed(redis, names.prefix).read(undefined, 10_000);
      const last = new Map(entries.map((e) => [e.id, e.version]));
      for (const h of all.hits.hits) expect(last.get(h._id!), h._id).toBe(h._version);
    } finally {
      await stopWorkers(workers);
    }
  });
});
