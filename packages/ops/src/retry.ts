import type { CrawlStore } from '@paperline/core/pipeline';
import { failedJob, failedJobs, type FailedDeps, type FailedFilter, type FailedJob } from './failed.js';

/** What retrying reads and changes. */
export interface RetryDeps extends FailedDeps {
  crawls: Pick<CrawlStore, 'failures' | 'quarantined' | 'transition'>;
}

/** One failed job by id, or every failed job a filter matches (`{}`: all of them). */
export type RetrySelection = { jobId: string } | FailedFilter;

/** A job put back in its queue. */
export interface RetriedJob {
  jobId: string;
  stage: string;
}

/**
 * Puts failed jobs back in their queues, each after reopening its crawl (its job is pending
 * again, so `wait` waits for it). A filter takes up to `FAILED_LIMIT` jobs per queue; records
 * quarantined as invalid are no jobs and are left alone. Returns the jobs retried: none when no
 * failed job has the id given.
 */
export async function retryFailed(deps: RetryDeps, selection: RetrySelection): Promise<RetriedJob[]> {
  const found =
    'jobId' in selection
      ? [await failedJob(deps, selection.jobId)].filter((f): f is FailedJob => f !== null)
      : await failedJobs(deps, selection);
  const retried: RetriedJob[] = [];
  for (const { job, row } of found) {
    if (row.crawlId) await deps.crawls.transition(row.crawlId, row.jobId, 'pending');
    await job.retry('failed');
    retried.push({ jobId: row.jobId, stage: row.stage });
  }
  return retried;
}
