import { RETRY_LIMIT, listFailed, type FailedSources } from '@paperline/core';

/** Retries one failed job by id, whichever stage it is in; null when no failed job has that id. */
export async function retryJob(
  src: FailedSources,
  jobId: string,
): Promise<{ jobId: string; stage: string } | null> {
  for (const { name, queue } of await src.queues()) {
    const job = await queue.getJob(jobId);
    if (!job || !(await job.isFailed())) continue;
    const records = await src.failures([jobId]);
    const data = (job.data ?? {}) as { crawlId?: unknown };
    const crawlId = records.get(jobId)?.crawlId ?? (typeof data.crawlId === 'string' ? data.crawlId : '');
    if (crawlId) await src.reopen(crawlId, jobId);
    await job.retry('failed');
    return { jobId, stage: name };
  }
  return null;
}

/** Retries every failed job with an error code (optionally of one stage); returns how many. */
export async function retryByCode(src: FailedSources, code: string, stage?: string): Promise<number> {
  const rows = await listFailed(src, { code, ...(stage ? { stage } : {}) }, RETRY_LIMIT);
  const queues = new Map((await src.queues()).map((q) => [q.name, q.queue]));
  let n = 0;
  for (const r of rows) {
    const job = await queues.get(r.stage)?.getJob(r.jobId);
    if (!job) continue;
    if (r.crawlId) await src.reopen(r.crawlId, r.jobId);
    await job.retry('failed');
    n += 1;
  }
  return n;
}
