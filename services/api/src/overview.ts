import type { Metrics, Queue } from 'bullmq';
import type { CrawlSummary } from '@paperline/contracts';
import type { PaperResult } from '@paperline/core/metrics';
import type { CrawlStore, StageCounts } from '@paperline/core/pipeline';
import { listFailed, status, type NamedQueue } from '@paperline/ops';

/** Minutes of throughput shown per stage. */
export const THROUGHPUT_MINUTES = 15;

/** Failed jobs read per queue (the newest first) for the failure groups; `failed` lists more. */
export const FAILED_SAMPLE = 500;

/** Recent crawls shown. */
export const OVERVIEW_CRAWLS = 10;

/** Counts per state of one queue (core's `jobCounts`). */
export type JobCounts = StageCounts;

export interface StageOverview {
  name: string;
  counts: JobCounts;
  /** waiting + delayed + active (+ paused, prioritized): work not done yet. */
  backlog: number;
  throughput: {
    /** Jobs completed per minute, oldest first, the current minute last. */
    perMinute: number[];
    /** Jobs completed over the whole window. */
    total: number;
    /** Jobs failed (final failures) over the whole window. */
    failed: number;
  };
}

export interface FailureGroup {
  stage: string;
  code: string;
  count: number;
  lastMessage: string;
  lastUrl: string;
  lastAt: string;
}

export interface CrawlOverview extends CrawlSummary {
  /** Jobs of this crawl in any stage: registered so far, and not finished yet. */
  jobs: { registered: number; pending: number };
  /** Share of registered jobs finished (done or failed), 0..1; 1 once the crawl is finished. */
  progress: number;
}

/** What the overview page shows, and what `/api/overview` returns. */
export interface Overview {
  generatedAt: string;
  prefix: string;
  stages: StageOverview[];
  failures: { total: number; sampled: number; byCode: FailureGroup[] };
  crawls: CrawlOverview[];
  papers: Record<PaperResult, number>;
}

/** What the overview reads from. */
export interface OverviewSources {
  prefix: string;
  /** Every queue shown, stages first (plus `schedule` when it exists). */
  queues: () => Promise<readonly NamedQueue[]>;
  crawls: Pick<CrawlStore, 'recent' | 'summary' | 'failures' | 'quarantined'>;
  jobs: (crawlId: string) => Promise<{ registered: number; pending: number }>;
  papers: (summaries: CrawlSummary[]) => Promise<Record<PaperResult, number>>;
  now?: () => number;
}

/**
 * Per-minute counts for the last `minutes` minutes (oldest first), from BullMQ's metrics.
 *
 * BullMQ keeps `count` (all time), and at the first job of a new minute pushes what the minute of
 * `prevTS` gathered, then zeros for minutes without jobs; so `data[i]` is the minute
 * `minute(prevTS) - 1 - i`, and the minute of `prevTS` itself holds `count - prevCount`.
 */
export function perMinute(m: Metrics, now: number, minutes = THROUGHPUT_MINUTES): number[] {
  const out = new Array<number>(minutes).fill(0);
  if (!m.meta.prevTS) return out;
  const last = Math.floor(m.meta.prevTS / 60_000);
  const current = Math.floor(now / 60_000);
  for (let k = 0; k < minutes; k++) {
    const minute = current - (minutes - 1 - k);
    if (minute === last) out[k] = Math.max(0, m.meta.count - m.meta.prevCount);
    else if (minute < last) out[k] = m.data[last - 1 - minute] ?? 0;
  }
  return out;
}

/** Jobs completed per minute over the window, and final failures over the whole window. */
async function throughput(queue: Queue, now: number): Promise<StageOverview['throughput']> {
  const [completed, failed] = await Promise.all([
    queue.getMetrics('completed', 0, THROUGHPUT_MINUTES),
    queue.getMetrics('failed', 0, THROUGHPUT_MINUTES),
  ]);
  const series = perMinute(completed, now);
  return {
    perMinute: series,
    total: series.reduce((a, b) => a + b, 0),
    failed: perMinute(failed, now).reduce((a, b) => a + b, 0),
  };
}

function stageOverview(name: string, counts: JobCounts, flow: StageOverview['throughput']): StageOverview {
  return {
    name,
    counts,
    backlog: counts.waiting + counts.delayed + counts.active + counts.paused + counts.prioritized,
    throughput: flow,
  };
}

/** Failed jobs grouped by stage and error code, the most frequent first. */
export function groupFailures(
  rows: ReadonlyArray<{ stage: string; code: string; message: string; url: string; failedAt: string }>,
): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const r of rows) {
    const key = `${r.stage}\u0000${r.code}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        stage: r.stage,
        code: r.code,
        count: 1,
        lastMessage: r.message,
        lastUrl: r.url,
        lastAt: r.failedAt,
      });
      continue;
    }
    g.count += 1;
    if (r.failedAt > g.lastAt)
      Object.assign(g, { lastMessage: r.message, lastUrl: r.url, lastAt: r.failedAt });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** Everything the overview shows, read in a handful of round trips. */
export async function collectOverview(
  src: OverviewSources,
  opts: { crawls?: number } = {},
): Promise<Overview> {
  const now = src.now?.() ?? Date.now();
  const ops = { queues: await src.queues(), crawls: src.crawls };
  const [current, flows, failedRows] = await Promise.all([
    status(ops, { crawls: opts.crawls ?? OVERVIEW_CRAWLS }),
    Promise.all(ops.queues.map((q) => throughput(q.queue, now))),
    listFailed(ops, {}, FAILED_SAMPLE),
  ]);
  const stages = ops.queues.map((q, i) => stageOverview(q.name, current.queues[q.name]!, flows[i]!));
  const summaries = current.crawls;
  const [jobs, papers] = await Promise.all([
    Promise.all(summaries.map((s) => src.jobs(s.crawlId))),
    src.papers(summaries),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    prefix: src.prefix,
    stages,
    failures: {
      total: stages.reduce((n, s) => n + s.counts.failed, 0),
      sampled: failedRows.length,
      byCode: groupFailures(failedRows),
    },
    crawls: summaries.map((s, i) => {
      const j = jobs[i] ?? { registered: 0, pending: 0 };
      const progress = s.finished ? 1 : j.registered > 0 ? (j.registered - j.pending) / j.registered : 0;
      return { ...s, jobs: j, progress: Math.round(progress * 1000) / 1000 };
    }),
    papers,
  };
}
