import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { CrawlSummary } from '@paperline/contracts';
import { MetricsRecorder } from './recorder.js';
import { readMetrics } from './reader.js';
import { foldPaperTotals } from './papers.js';
import { newCrawlId } from '../ids.js';
import { RedisKeys } from '../redis/keys.js';
import { unlinkMatching } from '../redis/redis.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `t-metrics-${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  await unlinkMatching(redis, new RedisKeys(prefix).everything);
  redis.disconnect();
});

const summary = (crawlId: string, s: Partial<CrawlSummary>): CrawlSummary => ({
  crawlId,
  fetched: 0,
  parsed: 0,
  indexed: 0,
  embedded: 0,
  unchanged: 0,
  duplicates: 0,
  failed: 0,
  finished: false,
  startedAt: '',
  seeds: [],
  ...s,
});

describe('metrics through real Redis', () => {
  it('two recorders flush into one aggregate that the reader sees', async () => {
    const a = new MetricsRecorder(redis, prefix, { flushMs: 60_000 });
    const b = new MetricsRecorder(redis, prefix, { flushMs: 60_000 });
    a.observeJob('parse', { kind: 'done', outcome: 'parsed' }, 12);
    b.observeJob('parse', { kind: 'done', outcome: 'parsed' }, 20);
    b.countFetchResponse('127.0.0.1:4000', 304);
    await Promise.all([a.close(), b.close()]);
    const snap = await readMetrics(redis, prefix);
    const h = snap.histograms['paperline_job_duration_seconds']![0]!;
    expect(h).toMatchObject({ labels: { stage: 'parse', outcome: 'parsed' }, count: 2 });
    expect(h.sum).toBeCloseTo(0.032);
    expect(snap.counters['paperline_fetch_responses_total']).toEqual([
      { labels: { host: '127.0.0.1:4000', status_class: '3xx' }, value: 1 },
    ]);
  });

  it('folds crawl books into paper totals that only grow, counting each gain once', async () => {
    const [c1, c2] = [newCrawlId(), newCrawlId()];
    const running = summary(c1, { indexed: 3, duplicates: 1, unchanged: 5 });
    expect(await foldPaperTotals(redis, prefix, [running])).toEqual({
      indexed: 3,
      unchanged: 0,
      duplicate: 1,
    });
    // Folding the same books again adds nothing; the crawl finishing adds its unchanged count.
    expect(await foldPaperTotals(redis, prefix, [running])).toEqual({
      indexed: 3,
      unchanged: 0,
      duplicate: 1,
    });
    const done = { ...running, indexed: 4, unchanged: 2, finished: true };
    const other = summary(c2, { indexed: 1, finished: true });
    expect(await foldPaperTotals(redis, prefix, [other, done])).toEqual({
      indexed: 5,
      unchanged: 2,
      duplicate: 1,
    });
    expect(await foldPaperTotals(redis, prefix, [other, done])).toEqual({
      indexed: 5,
      unchanged: 2,
      duplicate: 1,
    });
    // Crawls older than the horizon are neither folded nor remembered.
    const old = summary(newCrawlId(new Date('2000-01-01')), { indexed: 100, finished: true });
    expect(await foldPaperTotals(redis, prefix, [old])).toEqual({ indexed: 5, unchanged: 2, duplicate: 1 });
    expect(await redis.hlen(new RedisKeys(prefix).metric('papers_folded'))).toBe(2);
  });
});
