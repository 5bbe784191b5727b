import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  METRIC_LIST,
  PAPERS_METRIC,
  type HistogramDef,
  type MetricsSnapshot,
  type PaperResult,
} from '@paperline/core/metrics';
import type { JobCounts } from './overview.js';
import { memo } from './memo.js';

/** Where `/metrics` reads the cluster-wide values from at each scrape. */
export interface PromSources {
  /** Job counts per queue and state. */
  queueCounts: () => Promise<ReadonlyArray<{ name: string; counts: JobCounts }>>;
  /** Worker metrics aggregated in Redis. */
  workerMetrics: () => Promise<MetricsSnapshot>;
  /** Paper totals folded from crawl books. */
  papers: () => Promise<Record<PaperResult, number>>;
  /** Per source, the health of its latest finished crawl (optional). */
  sourceHealth?: () => Promise<Array<{ source: string; degraded: boolean; papersPerPage: number }>>;
}

type Values = Array<{ value: number; labels: Record<string, string | number>; metricName: string }>;

/**
 * A histogram whose buckets come from the Redis aggregate instead of local observations:
 * prom-client cannot set bucket counts, so both of its read paths are replaced.
 */
class AggregatedHistogram extends Histogram<string> {
  constructor(
    private readonly def: HistogramDef,
    registry: Registry,
    private readonly read: () => Promise<MetricsSnapshot>,
  ) {
    super({
      name: def.name,
      help: def.help,
      labelNames: [...def.labels],
      buckets: [...def.buckets],
      registers: [registry],
    });
  }

  private async values(): Promise<Values> {
    const snap = await this.read();
    const out: Values = [];
    for (const s of snap.histograms[this.def.name] ?? []) {
      for (const b of s.buckets) {
        const le = b.le === Number.POSITIVE_INFINITY ? '+Inf' : String(b.le);
        out.push({ value: b.count, labels: { ...s.labels, le }, metricName: `${this.def.name}_bucket` });
      }
      out.push({ value: s.sum, labels: s.labels, metricName: `${this.def.name}_sum` });
      out.push({ value: s.count, labels: s.labels, metricName: `${this.def.name}_count` });
    }
    return out;
  }

  /** Used by `registry.metrics()` (text format). */
  async getForPromString() {
    return {
      name: this.def.name,
      help: this.def.help,
      type: 'histogram',
      aggregator: 'sum',
      values: await this.values(),
    };
  }

  override async get() {
    return { ...(await super.get()), values: await this.values() };
  }
}

/**
 * The Prometheus registry of the API process: queue gauges, the worker metrics summed over the
 * cluster, paper totals and this process's own metrics. Everything cluster-wide is read at scrape
 * time in `collect()` callbacks.
 */
export function createPromRegistry(src: PromSources, opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const snapshot = memo(src.workerMetrics, 1000);

  new Gauge({
    name: 'paperline_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { name, counts } of await src.queueCounts()) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
      }
    },
  });

  for (const def of METRIC_LIST) {
    if (def.kind === 'histogram') {
      new AggregatedHistogram(def, registry, snapshot);
      continue;
    }
    new Counter({
      name: def.name,
      help: def.help,
      labelNames: [...def.labels],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of (await snapshot()).counters[def.name] ?? []) this.inc(s.labels, s.value);
      },
    });
  }

  if (src.sourceHealth) {
    const health = src.sourceHealth;
    new Gauge({
      name: 'paperline_source_degraded',
      help: "1 when a source's latest finished crawl yielded far fewer papers per page than usual",
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const h of await health()) this.set({ source: h.source }, h.degraded ? 1 : 0);
      },
    });
    new Gauge({
      name: 'paperline_source_papers_per_page',
      help: "Papers per listing page in a source's latest finished crawl",
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const h of await health()) this.set({ source: h.source }, h.papersPerPage);
      },
    });
  }

  new Counter({
    name: PAPERS_METRIC.name,

    help: PAPERS_METRIC.help,
    labelNames: [...PAPERS_METRIC.labels],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [result, n] of Object.entries(await src.papers())) this.inc({ result }, n);
    },
  });
  return registry;
}
