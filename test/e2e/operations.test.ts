import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { CrawlStore } from '@paperline/core/pipeline';
import type { ChildProcess } from 'node:child_process';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { startFaultyProxy, type FaultyProxy } from '../helpers/proxy.js';

interface Summary {
  crawlId: string;
  fetched: number;
  parsed: number;
  indexed: number;
  unchanged: number;
  duplicates: number;
  failed: number;
}

describe('operations: retry by code, reprocess offline, backfill resumed after SIGKILL', () => {
  const names = uniqueNames('e2e-ops');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let proxy: FaultyProxy;
  let env: NodeJS.ProcessEnv;
  let workers: ChildProcess | undefined;
  const truth = snapshotTruth();

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    proxy = await startFaultyProxy(site.url);
    env = testEnv(names, { HF_BASE_URL: proxy.url, PAPERLINE_FETCH_ATTEMPTS: '1' });
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await proxy.close();
    await site.close().catch(() => undefined);
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('a page that failed with HTTP_NOT_FOUND is listed by code, and retrying that code completes the crawl', async () => {
    workers = startWorkersProcess(env);
    const first = site.days[0]!;
    proxy.fail.set(`/papers/date/${first}`, 404);
    const seeds = site.days.map((d) => `${proxy.url}/papers/date/${d}`);
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code).toBe(3); // finished, with failures
    const s = lastJson<Summary>(res.stdout);
    expect(s.failed).toBe(1);

    const failed = await runCli(['failed', '--code', 'HTTP_NOT_FOUND', '--json'], env);
    const rows = lastJson<
      Array<{ jobId: string; stage: string; url: string; code: string; crawlId: string }>
    >(failed.stdout);
    expect(rows).toEqual([
      expect.objectContaining({ stage: 'fetch', code: 'HTTP_NOT_FOUND', url: seeds[0], crawlId: s.crawlId }),
    ]);
    expect((await runCli(['failed', '--code', 'PARSE_ERROR', '--json'], env)).stdout.trim()).toBe('[]');

    proxy.fail.clear();
    const retried = await runCli(['retry', '--code', 'HTTP_NOT_FOUND'], env);
    expect(retried.stdout).toContain('retried 1 job');
    const done = lastJson<Summary>((await runCli(['wait', s.crawlId, '--json'], env)).stdout);
    expect(done.failed).toBe(0);
    expect(done.fetched).toBe(seeds.length);
    expect(done.indexed).toBe(truth.length);
  });

  it('reprocess rebuilds an emptied index from the archive with the source site gone', async () => {
    await site.close();
    await proxy.close();
    await es.indices.refresh({ index: names.index });
    const ids = (
      await es.search({ index: names.index, size: 1000, _source: false, query: { match_all: {} } })
    ).hits.hits.map((h) => h._id!);
    expect(ids).toHaveLength(truth.length);
    await es.bulk({
      refresh: true,
      operations: ids.map((id) => ({ delete: { _index: names.index, _id: id } })),
    });
    expect((await es.count({ index: names.index })).count).toBe(0);

    const res = await runCli(['reprocess', '--source', 'hf', '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    expect(s).toMatchObject({ fetched: 0, parsed: site.days.length, failed: 0, indexed: truth.length });
    await es.indices.refresh({ index: names.index });
    expect((await es.count({ index: names.index })).count).toBe(truth.length);

    const again = lastJson<Summary>((await runCli(['reprocess', '--wait', '--json'], env)).stdout);
    expect(again).toMatchObject({ indexed: 0, unchanged: truth.length, failed: 0 });

    // --rewrite writes every paper again, each under a newer external version.
    const versionBefore = (await es.get({ index: names.index, id: ids[0]! }))._version!;
    const rewritten = await runCli(['reprocess', '--rewrite', '--wait', '--json'], env);
    expect(lastJson<Summary>(rewritten.stdout)).toMatchObject({ indexed: truth.length, failed: 0 });
    expect((await es.get({ index: names.index, id: ids[0]! }))._version).toBeGreaterThan(versionBefore);
    killGroup(workers!, 'SIGTERM');
    await exited(workers!);
    workers = undefined;
  });

  it('a backfill survives SIGKILL of its workers and of itself, and resumes the same crawl', async () => {
    site = await startSnapshotSite({ port: 0 });
    const names2 = uniqueNames('e2e-backfill');
    const env2 = testEnv(names2, {
      HF_BASE_URL: site.url,
      PAPERLINE_HOST_INTERVAL_MS: '700',
      PAPERLINE_LOCK_MS: '4000',
    });
    try {
      const from = '2024-03-16';
      const to = '2024-03-24'; // a weekend either side: those dates redirect and yield nothing
      workers = startWorkersProcess(env2);
      const started = lastJson<{ crawlId: string; days: number }>(
        (await runCli(['backfill', 'hf', '--from', from, '--to', to, '--json'], env2)).stdout,
      );
      expect(started.days).toBe(9);
      const deadline = Date.now() + 60_000;
      const crawls2 = new CrawlStore(redis, names2.prefix);
      while ((await crawls2.sizes(started.crawlId)).fetched < 2) {
        if (Date.now() > deadline) throw new Error('backfill did not start');
        await sleep(100);
      }
      killGroup(workers, 'SIGKILL');
      await exited(workers);
      expect(await crawls2.openCount(started.crawlId)).toBeGreaterThan(0);

      workers = startWorkersProcess(env2);
      const res = await runCli(
        ['backfill', 'hf', '--from', from, '--to', to, '--wait', '--json', '--progress'],
        env2,
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/\d+\/9 days · .* papers\/s · ETA/);
      const s = lastJson<Summary>(res.stdout);
      expect(s.crawlId).toBe(started.crawlId);
      expect(s).toMatchObject({ fetched: 9, failed: 0 });
      expect(s.indexed + s.unchanged).toBe(truth.length);
      await es.indices.refresh({ index: names2.index });
      expect((await es.count({ index: names2.index })).count).toBe(truth.length);
    } finally {
      if (workers) {
        await stopWorkers(workers);
        workers = undefined;
      }
      await cleanup(redis, es, names2);
    }
  });
});
