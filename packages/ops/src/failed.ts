import type { Job } from 'bullmq';
import type { CrawlStore, FailureRecord } from '@paperline/core/pipeline';
import type { NamedQueue } from './queues.js';

/** Failed jobs per queue that `failed` lists and a retry by filter takes, the newest first. */
export const FAILED_LIMIT = 10_000;

/** One failed job with the failure record its stage wrote. */
export interface FailedRow {
  jobId: string;
  stage: string;
  crawlId: string;
  url: string;
  code: string;
  message: string;
  attempts: number;
  failedAt: string;
}

/** Which failed jobs: every field given must match. */
export interface FailedFilter {
  stage?: string;
  code?: string;
  crawl?: string;
}

/** Where failed jobs are read from. */
export interface FailedDeps {
  /** The queues whose failed jobs count. */
  queues: readonly NamedQueue[];
  crawls: Pick<CrawlStore, 'failures' | 'quarantined'>;
}

/** A failed job of a queue, and how it is listed. */
export interface FailedJob {
  job: Job;
  row: FailedRow;
}

/** How a failed job is listed: its stage's failure record first, the job's own data otherwise. */
export function failedRow(job: Job, stage: string, rec: FailureRecord | undefined): FailedRow {
  const data = (job.data ?? {}) as { crawlId?: unknown; url?: unknown };
  return {
    jobId: job.id!,
    stage,
    crawlId: rec?.crawlId ?? (typeof data.crawlId === 'string' ? data.crawlId : ''),
    url: rec?.url ?? (typeof data.url === 'string' ? data.url : ''),
    code: rec?.code ?? 'UNKNOWN',
    message: rec?.message ?? job.failedReason ?? '',
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : '',
  };
}

function matches(row: Pick<FailedRow, 'stage' | 'code' | 'crawlId'>, filter: FailedFilter): boolean {
  return (
    (!filter.stage || row.stage === filter.stage) &&
    (!filter.code || row.code === filter.code) &&
    (!filter.crawl || row.crawlId === filter.crawl)
  );
}

/** The failed jobs of the queues that match, up to `limit` per queue. */
export async function failedJobs(
  deps: FailedDeps,
  filter: FailedFilter,
  limit = FAILED_LIMIT,
): Promise<FailedJob[]> {
  const out: FailedJob[] = [];
  for (const { name, queue } of deps.queues) {
    if (filter.stage && filter.stage !== name) continue;
    const jobs = (await queue.getFailed(0, limit - 1)).filter((j) => j?.id);
    const records = await deps.crawls.failures(jobs.map((j) => j.id!));
    for (const job of jobs) {
      const row = failedRow(job, name, records.get(job.id!));
      if (matches(row, filter)) out.push({ job, row });
    }
  }
  return out;
}

/** The failed job with this id, in whichever of the queues holds it; null when none does. */
export async function failedJob(deps: FailedDeps, jobId: string): Promise<FailedJob | null> {
  for (const { name, queue } of deps.queues) {
    const job = await queue.getJob(jobId);
    if (!job || !(await job.isFailed())) continue;
    const records = await deps.crawls.failures([jobId]);
    return { job, row: failedRow(job, name, records.get(jobId)) };
  }
  return null;
}

/**
 * Failed jobs of every queue (up to `limit` per queue), with their error code from the failure
 * records, then the records set aside as invalid (no job to retry: fix the parser, then
 * `reprocess`).
 */
export async function listFailed(
  deps: FailedDeps,
  filter: FailedFilter = {},
  limit = FAILED_LIMIT,
): Promise<FailedRow[]> {
  const rows = (await failedJobs(deps, filter, limit)).map((f) => f.row);
  for (const q of await deps.crawls.quarantined()) {
    const row: FailedRow = {
      jobId: q.jobId,
      stage: q.stage,
      crawlId: q.crawlId,
      url: q.url ?? '',
      code: q.code,
      message: q.message,
      attempts: 0,
      failedAt: q.at,
    };
    if (matches(row, filter)) rows.push(row);
  }
  return rows;
}
