import type { Queue } from 'bullmq';
import type { FailureRecord } from './crawl-state.js';

/** Failed jobs read per queue (the newest first); older ones are left for the CLI's `failed`. */
export const FAILED_SAMPLE = 500;

/** Failed jobs per queue a bulk retry looks at. */
export const RETRY_LIMIT = 10_000;

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

/** What listing and retrying failed jobs needs. */
export interface FailedSources {
  queues: () => Promise<ReadonlyArray<{ name: string; queue: Queue }>>;
  failures: (jobIds: string[]) => Promise<Map<string, FailureRecord>>;
  /** Records set aside as invalid (no job to retry: fix the parser, then `reprocess`). */
  quarantined?: () => Promise<FailureRecord[]>;
  /** Marks a job of a crawl pending again, so the crawl reopens. */
  reopen: (crawlId: string, jobId: string) => Promise<void>;
}

/** Failed jobs of every queue, with their error code from the failure records. */
export async function listFailed(
  src: FailedSources,
  filter: { stage?: string; code?: string; crawl?: string },
  limit = FAILED_SAMPLE,
): Promise<FailedRow[]> {
  const rows: FailedRow[] = [];
  for (const { name, queue } of await src.queues()) {
    if (filter.stage && filter.stage !== name) continue;
    const jobs = (await queue.getFailed(0, limit - 1)).filter((j) => j?.id);
    const records = await src.failures(jobs.map((j) => j.id!));
    for (const j of jobs) {
      const rec = records.get(j.id!);
      const data = (j.data ?? {}) as { crawlId?: unknown; url?: unknown };
      const row: FailedRow = {
        jobId: j.id!,
        stage: name,
        crawlId: rec?.crawlId ?? (typeof data.crawlId === 'string' ? data.crawlId : ''),
        url: rec?.url ?? (typeof data.url === 'string' ? data.url : ''),
        code: rec?.code ?? 'UNKNOWN',
        message: rec?.message ?? j.failedReason ?? '',
        attempts: j.attemptsMade,
        failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : '',
      };
      if ((!filter.code || row.code === filter.code) && (!filter.crawl || row.crawlId === filter.crawl))
        rows.push(row);
    }
  }
  for (const q of (await src.quarantined?.()) ?? []) {
    if (filter.stage && filter.stage !== q.stage) continue;
    if ((filter.code && q.code !== filter.code) || (filter.crawl && q.crawlId !== filter.crawl)) continue;
    rows.push({
      jobId: q.jobId,
      stage: q.stage,
      crawlId: q.crawlId,
      url: q.url ?? '',
      code: q.code,
      message: q.message,
      attempts: 0,
      failedAt: q.at,
    });
  }
  return rows;
}
