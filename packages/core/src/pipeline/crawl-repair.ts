import type { Job } from 'bullmq';
import type { Stage } from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';

/**
 * Books a job that BullMQ failed for good without its processor seeing the failure, so that its
 * crawl does not wait for it forever. BullMQ fails a job that stalled more than `maxStalledCount`
 * times (its worker kept dying) when a worker next takes it, before any processor runs. The stage
 * worker calls this on each `failed` event; a job still being retried, or one whose processor
 * already recorded its failure (its crawl counts it failed), is left as it is.
 * Returns whether the job was booked.
 */
export async function bookUnseenFailure(
  crawls: CrawlStore,
  stage: Stage,
  job: Job,
  reason: string,
): Promise<boolean> {
  const data = (job.data ?? {}) as { crawlId?: unknown; url?: unknown };
  if (typeof data.crawlId !== 'string' || !job.id) return false;
  if ((await crawls.jobState(data.crawlId, job.id)) !== 'pending') return false;
  if ((await job.getState()) !== 'failed') return false;
  await crawls.recordFailure({
    jobId: job.id,
    crawlId: data.crawlId,
    stage,
    code: 'UNKNOWN',
    message: reason,
    ...(typeof data.url === 'string' ? { url: data.url } : {}),
    at: new Date().toISOString(),
  });
  return true;
}
