import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

/**
 * `paperline embed --missing` as a user runs it: papers crawled while the embed stage was off get
 * their vectors from the embedder once it runs, with progress on stderr; a second run queues
 * nothing.
 */
describe('embed --missing', () => {
  const names = uniqueNames('e2e-embedmiss');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const truth = snapshotTruth();
  let site: SnapshotSite;
  let workers: ChildProcess | undefined;
  let off: NodeJS.ProcessEnv;
  let on: NodeJS.ProcessEnv;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    off = testEnv(names, { HF_BASE_URL: site.url });
    on = testEnv(names, { HF_BASE_URL: site.url, PAPERLINE_EMBED: '1', PAPERLINE_EMBED_CONCURRENCY: '4' });
  });

  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await site.close().catch(() => undefined);
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  const withVectors = async () => {
    await es.indices.refresh({ index: names.index });
    return (await es.count({ index: names.index, query: { exists: { field: 'embedding.vector' } } })).count;
  };

  it('refuses without --missing, and with the embed stage off', async () => {
    const bare = await runCli(['embed'], on);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('INVALID_PAYLOAD');
    expect(bare.stderr).toContain('--missing');
    const disabled = await runCli(['embed', '--missing'], off);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toContain('CONFIG_INVALID');
  });

  it('queues one job per paper crawled while the stage was off, and waits for them with progress', async () => {
    workers = startWorkersProcess(off);
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const crawl = await runCli(['crawl', ...seeds, '--wait', '--json'], off);
    expect(crawl.code, crawl.stderr).toBe(0);
    await stopWorkers(workers);
    expect(await withVectors()).toBe(0);

    const queued = await runCli(['embed', '--missing', '--json'], on);
    expect(queued.code, queued.stderr).toBe(0);
    const start = lastJson<{ crawlId: string; found: number; enqueued: number }>(queued.stdout);
    expect(start).toMatchObject({ found: truth.length, enqueued: truth.length, resumed: false });

    workers = startWorkersProcess(on, 'indexer,embedder');
    const waited = await runCli(['embed', '--missing', '--wait', '--progress'], on);
    expect(waited.code, waited.stderr).toBe(0);
    // The same crawl, resumed: nothing queued twice.
    expect(waited.stderr).toContain(`0 newly queued (crawl ${start.crawlId}, resumed)`);
    expect(waited.stderr).toMatch(/ (\d+)\/\1 papers · [0-9.]+ papers\/s · ETA \d+s · failed 0\n/);
    expect(waited.stdout).toContain(`embed --missing ${start.crawlId}: embedded ${truth.length}, failed 0`);
    expect(await withVectors()).toBe(truth.length);

    const again = await runCli(['embed', '--missing'], on);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('0');
    expect(again.stderr).toContain('0 papers without a current vector');
  });
});
