import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Client } from '@elastic/elasticsearch';
import type { ChildProcess } from 'node:child_process';
import { CrawlStore } from '@paperline/core/pipeline';
import type { CrawlSummary } from '@paperline/contracts';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { RedisKeys } from '@paperline/core/redis';

describe('scheduler', () => {
  const names = uniqueNames('e2e-sched');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const crawls = new CrawlStore(redis, names.prefix);
  /** Every crawl started under this file's prefix. */
  const runs = async (): Promise<CrawlSummary[]> =>
    (await Promise.all((await crawls.recent(1000)).map((id) => crawls.summary(id)))).filter(
      (s): s is CrawlSummary => s !== null,
    );
  const dir = mkdtempSync(join(tmpdir(), 'paperline-sched-'));
  const file = join(dir, 'schedules.json');
  let site: SnapshotSite;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('schedule add | list | remove edit the schedules file', async () => {
    const env = testEnv(names, { PAPERLINE_SCHEDULES_FILE: file });
    writeFileSync(file, '{ "schedules": [] }\n');
    const add = await runCli(
      [
        'schedule',
        'add',
        'nightly',
        '--cron',
        '0 3 * * *',
        '--tz',
        'Europe/Paris',
        '--seed',
        '{hf}/papers/date/{date:-1}',
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    const bad = await runCli(
      ['schedule', 'add', 'x', '--cron', '0 3 * * *', '--tz', 'Mars/Olympus', '--seed', 'a'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown time zone 'Mars/Olympus'");
    const list = lastJson<Array<{ name: string; cron: string; tz: string }>>(
      (await runCli(['schedule', 'list', '--json'], env)).stdout,
    );
    expect(list).toEqual([
      expect.objectContaining({ name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Paris' }),
    ]);
    expect(JSON.parse(readFileSync(file, 'utf8')).schedules).toHaveLength(1);
    expect((await runCli(['schedule', 'remove', 'nightly'], env)).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).schedules).toHaveLength(0);
  });

  it('fires on a short cron, crawls, and never overlaps itself', async () => {
    const seeds = site.days.map((d) => `{hf}/papers/date/${d}`);
    writeFileSync(
      file,
      JSON.stringify({
        schedules: [{ name: 'snap', cron: '*/2 * * * * *', tz: 'UTC', seeds, depth: 0, enabled: true }],
      }),
    );
    const env = testEnv(names, {
      HF_BASE_URL: site.url,
      PAPERLINE_SCHEDULES_FILE: file,
      PAPERLINE_HOST_INTERVAL_MS: '600', // a crawl of 5 pages outlasts the 2 s period
    });
    workers = startWorkersProcess(env);
    const finished: Array<{ startedAt: string; finishedAt: string }> = [];
    const deadline = Date.now() + 90_000;
    while (finished.length < 2) {
      if (Date.now() > deadline) throw new Error('the schedule did not complete two crawls');
      await sleep(500);
      finished.length = 0;
      for (const run of await runs()) {
        expect(run.kind).toBe('schedule:snap');
        if (run.finishedAt) finished.push({ startedAt: run.startedAt, finishedAt: run.finishedAt });
      }
    }
    await stopWorkers(workers);
    workers = undefined;

    const all = (await runs()).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < all.length; i++) {
      expect(all[i - 1]!.finishedAt, 'a run started while the previous one was running').toBeDefined();
      expect(all[i]!.startedAt >= all[i - 1]!.finishedAt!).toBe(true);
    }
    const q = new Queue('schedule', {
      connection: redis,
      prefix: new RedisKeys(names.prefix).queuePrefix('schedule'),
    });
    const outcomes = (await q.getCompleted(0, 200)).map(
      (j) => (j.returnvalue as { outcome: string }).outcome,
    );
    await q.close();
    expect(outcomes).toContain('started');
    expect(outcomes).toContain('skipped-overlap');

    await es.indices.refresh({ index: names.index });
    expect((await es.count({ index: names.index })).count).toBe(snapshotTruth().length);
  });
});
