import type { RedisClient } from '../redis/redis.js';
import { RedisKeys } from '../redis/keys.js';
import { METRIC_LIST, decodeLabels, type HistogramDef, type MetricDef } from './catalog.js';

/** One label set of a counter, summed over every worker. */
interface CounterSample {
  labels: Record<string, string>;
  value: number;
}

/** One label set of a histogram: cumulative bucket counts (the last bound is +Inf). */
interface HistogramSample {
  labels: Record<string, string>;
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

/** The aggregated worker metrics at one moment, by metric name. */
export interface MetricsSnapshot {
  counters: Record<string, CounterSample[]>;
  histograms: Record<string, HistogramSample[]>;
}

function parseHistogram(def: HistogramDef, hash: Record<string, string>): HistogramSample[] {
  const byLabels = new Map<string, { counts: number[]; sum: number }>();
  for (const [field, raw] of Object.entries(hash)) {
    const bar = field.lastIndexOf('|');
    if (bar < 0) continue;
    const lk = field.slice(0, bar);
    const part = field.slice(bar + 1);
    const v = Number(raw);
    if (!Number.isFinite(v)) continue;
    let e = byLabels.get(lk);
    if (!e) byLabels.set(lk, (e = { counts: new Array<number>(def.buckets.length + 1).fill(0), sum: 0 }));
    if (part === 'sum') e.sum = v;
    else {
      const i = Number(part);
      if (Number.isInteger(i) && i >= 0 && i <= def.buckets.length) e.counts[i] = v;
    }
  }
  return [...byLabels.entries()].map(([lk, e]) => {
    let running = 0;
    const buckets = e.counts.map((c, i) => {
      running += c;
      return { le: i < def.buckets.length ? def.buckets[i]! : Number.POSITIVE_INFINITY, count: running };
    });
    return { labels: decodeLabels(lk), buckets, sum: e.sum, count: running };
  });
}

/** Turns the raw Redis hashes (by metric name) into samples. Pure: the unit tests call it. */
export function parseMetricHashes(
  raw: Readonly<Record<string, Record<string, string>>>,
  defs: readonly MetricDef[] = METRIC_LIST,
): MetricsSnapshot {
  const out: MetricsSnapshot = { counters: {}, histograms: {} };
  for (const def of defs) {
    const hash = raw[def.name] ?? {};
    if (def.kind === 'histogram') out.histograms[def.name] = parseHistogram(def, hash);
    else {
      out.counters[def.name] = Object.entries(hash)
        .map(([lk, v]) => ({ labels: decodeLabels(lk), value: Number(v) }))
        .filter((s) => Number.isFinite(s.value));
    }
  }
  return out;
}

/** Reads every worker metric in one round trip. */
export async function readMetrics(
  redis: RedisClient,
  prefix: string,
  defs: readonly MetricDef[] = METRIC_LIST,
): Promise<MetricsSnapshot> {
  const pipe = redis.pipeline();
  const keys = new RedisKeys(prefix);
  for (const def of defs) pipe.hgetall(keys.metric(def.name));
  const res = (await pipe.exec()) ?? [];
  const raw: Record<string, Record<string, string>> = {};
  defs.forEach((def, i) => {
    const [err, value] = res[i] ?? [null, {}];
    if (err) throw err;
    raw[def.name] = (value ?? {}) as Record<string, string>;
  });
  return parseMetricHashes(raw, defs);
}
