import { describe, expect, it } from 'vitest';
import { PermanentError } from '@paperline/contracts';
import { WORKER_METRICS, decodeLabels, encodeLabels, statusClass } from './catalog.js';
import { RedisKeys } from '../redis/keys.js';
import { MetricsRecorder, type MetricsPipeline, type MetricsSink } from './recorder.js';
import { parseMetricHashes } from './reader.js';
import { bulkReason, withBulkMetrics, withFetchMetrics } from './instrument.js';
import type { FetchResult } from '../http/client.js';

/** A sink that applies pipelines to in-memory hashes, like Redis would; can be told to fail. */
class FakeRedis implements MetricsSink {
  hashes = new Map<string, Map<string, number>>();
  pipelines = 0;
  failNext = false;

  pipeline(): MetricsPipeline {
    const ops: Array<[string, string, number]> = [];
    return {
      hincrby: (k, f, n) => ops.push([k, f, n]),
      hincrbyfloat: (k, f, n) => ops.push([k, f, n]),
      exec: async () => {
        this.pipelines += 1;
        if (this.failNext) {
          this.failNext = false;
          throw new Error('connection lost');
        }
        for (const [k, f, n] of ops) {
          const h = this.hashes.get(k) ?? new Map<string, number>();
          h.set(f, (h.get(f) ?? 0) + n);
          this.hashes.set(k, h);
        }
        return ops.map((): [Error | null, unknown] => [null, 1]);
      },
    };
  }

  raw(prefix: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [k, h] of this.hashes) {
      out[k.slice(new RedisKeys(prefix).metric('').length)] = Object.fromEntries(
        [...h].map(([f, v]) => [f, String(v)]),
      );
    }
    return out;
  }
}

describe('MetricsRecorder', () => {
  it('aggregates in memory and writes each field once per flush', async () => {
    const redis = new FakeRedis();
    const rec = new MetricsRecorder(redis, 'p', { flushMs: 60_000 });
    for (let i = 0; i < 5; i++) rec.observeJob('fetch', { kind: 'done', outcome: 'fetched' }, 30);
    rec.observeJob('fetch', { kind: 'failed', code: 'HTTP_NOT_FOUND' }, 2000);
    rec.countFetchResponse('example.org', 200);
    rec.countFetchResponse('example.org', 200);
    rec.countFetchResponse('example.org', undefined);
    expect(redis.pipelines).toBe(0);
    await rec.flush();
    expect(redis.pipelines).toBe(1);
    const dur = redis.hashes.get(new RedisKeys('p').metric('paperline_job_duration_seconds'))!;
    const ok = encodeLabels(['stage', 'outcome'], { stage: 'fetch', outcome: 'fetched' });
    expect(dur.get(`${ok}|3`)).toBe(5); // 0.03 s falls in the 0.05 bucket (index 3)
    expect(dur.get(`${ok}|sum`)).toBeCloseTo(0.15);
    const fetches = redis.hashes.get(new RedisKeys('p').metric('paperline_fetch_responses_total'))!;
    expect(fetches.get('host=example.org,status_class=2xx')).toBe(2);
    expect(fetches.get('host=example.org,status_class=error')).toBe(1);
    expect(
      redis.hashes
        .get(new RedisKeys('p').metric('paperline_job_failures_total'))!
        .get('stage=fetch,code=HTTP_NOT_FOUND'),
    ).toBe(1);
    await rec.flush(); // nothing new: no round trip
    expect(redis.pipelines).toBe(1);
    await rec.close();
  });

  it('keeps values whose write failed for the next flush, so nothing is lost or doubled', async () => {
    const redis = new FakeRedis();
    const warnings: unknown[] = [];
    const rec = new MetricsRecorder(redis, 'p', {
      flushMs: 60_000,
      log: { warn: (o: unknown) => warnings.push(o) },
    });
    rec.countBulkItemFailures('mapper_parsing_exception', 2);
    redis.failNext = true;
    await rec.flush();
    expect(redis.hashes.size).toBe(0);
    expect(warnings).toHaveLength(1);
    rec.countBulkItemFailures('mapper_parsing_exception', 1);
    await rec.close();
    expect(
      redis.hashes
        .get(new RedisKeys('p').metric('paperline_bulk_item_failures_total'))!
        .get('reason=mapper_parsing_exception'),
    ).toBe(3);
  });

  it('sums several processes into one histogram with cumulative buckets', async () => {
    const redis = new FakeRedis();
    const a = new MetricsRecorder(redis, 'p', { flushMs: 60_000 });
    const b = new MetricsRecorder(redis, 'p', { flushMs: 60_000 });
    a.observeJob('index', { kind: 'done', outcome: 'indexed' }, 4);
    b.observeJob('index', { kind: 'done', outcome: 'indexed' }, 400);
    b.observeJob('index', { kind: 'done', outcome: 'indexed' }, 500_000);
    await Promise.all([a.close(), b.close()]);
    const snap = parseMetricHashes(redis.raw('p'));
    const [h] = snap.histograms['paperline_job_duration_seconds']!;
    expect(h!.labels).toEqual({ stage: 'index', outcome: 'indexed' });
    expect(h!.count).toBe(3);
    expect(h!.sum).toBeCloseTo(500.404);
    const le = (x: number) => h!.buckets.find((bk) => bk.le === x)!.count;
    expect(le(0.005)).toBe(1);
    expect(le(0.5)).toBe(2);
    expect(le(120)).toBe(2);
    expect(le(Number.POSITIVE_INFINITY)).toBe(3);
  });

  it('never throws on odd input', () => {
    const rec = new MetricsRecorder(new FakeRedis(), 'p', { flushMs: 60_000, maxPending: 2 });
    expect(() => {
      rec.observe(WORKER_METRICS.bulkDuration, {}, Number.NaN);
      rec.inc(WORKER_METRICS.bulkItemFailures, { reason: 'x' }, -1);
      for (let i = 0; i < 5; i++) rec.countFetchResponse(`h${i}`, 200);
    }).not.toThrow();
    expect(rec.pendingFields).toBe(2);
    expect(rec.dropped).toBe(3);
    void rec.close();
  });
});

describe('labels and instrumentation', () => {
  it('round-trips label values with separators in them', () => {
    const enc = encodeLabels(['host', 'status_class'], { host: 'a,b=c|d:80', status_class: '2xx' });
    expect(decodeLabels(enc)).toEqual({ host: 'a,b=c|d:80', status_class: '2xx' });
    expect(statusClass(304)).toBe('3xx');
    expect(statusClass(undefined)).toBe('error');
  });

  it('counts fetch responses by status class, HTTP errors by their status', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const metrics = { countFetchResponse: (h: string, s: number | undefined) => seen.push([h, s]) };
    const ok = { status: 200 } as FetchResult;
    const client = {
      fetch: async (url: string) => {
        if (url.endsWith('/missing'))
          throw new PermanentError('HTTP_NOT_FOUND', '404', { context: { url, status: 404 } });
        if (url.endsWith('/down')) throw new Error('ECONNREFUSED');
        return ok;
      },
    };
    const wrapped = withFetchMetrics(client, metrics);
    await expect(wrapped.fetch('http://a.test/x')).resolves.toBe(ok);
    await expect(wrapped.fetch('http://a.test/missing')).rejects.toThrow('404');
    await expect(wrapped.fetch('http://b.test:81/down')).rejects.toThrow('ECONNREFUSED');
    expect(seen).toEqual([
      ['a.test', 200],
      ['a.test', 404],
      ['b.test:81', undefined],
    ]);
  });

  it('times bulk requests and counts failed items by error type', async () => {
    const bulk: number[] = [];
    const fails: Array<[string, number]> = [];
    const metrics = {
      observeBulk: (ms: number) => bulk.push(ms),
      countBulkItemFailures: (r: string, n = 1) => fails.push([r, n]),
    };
    const write = withBulkMetrics(
      async (items) => [
        { id: items[0]!.id, result: 'written' as const },
        {
          id: 'b',
          result: 'failed' as const,
          status: 400,
          reason: 'mapper_parsing_exception: failed to parse',
        },
        {
          id: 'c',
          result: 'retry' as const,
          status: 429,
          reason: 'es_rejected_execution_exception: queue full',
        },
      ],
      metrics,
    );
    await write([{ id: 'a', version: 1, doc: {} }]);
    expect(bulk).toHaveLength(1);
    expect(fails).toEqual([
      ['mapper_parsing_exception', 1],
      ['es_rejected_execution_exception', 1],
    ]);
    expect(bulkReason('weird\u0000type: x')).toBe('other');
  });
});
