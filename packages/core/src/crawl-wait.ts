import type { CrawlSummary } from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';
import type { StageQueues } from './queues.js';
import { STAGES, type Stage } from '@paperline/contracts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  /** @defaultValue 500 */ pollMs?: number;
  /** Give up after this long (0 = never). @defaultValue 0 */ timeoutMs?: number;
  onProgress?: (s: CrawlSummary, open: number) => void;
  /** How often pending jobs are checked against the queues. @defaultValue 5000 */ reconcileMs?: number;
}

/**
 * Blocks until the crawl is finished. Workers may crash and restart meanwhile: the crawl's state
 * lives in Redis. Now and then the pending jobs are checked against the queues so that a job the
 * queue failed without our processor seeing it (e.g. stalled too often) is still accounted for.
 */
export async function waitForCrawl(
  crawls: CrawlStore,
  queues: StageQueues,
  crawlId: string,
  opts: WaitOptions = {},
): Promise<CrawlSummary> {
  const started = Date.now();
  let lastReconcile = Date.now();
  for (;;) {
    const s = await crawls.summary(crawlId);
    if (!s) throw new Error(`no crawl with id ${crawlId}`);
    const open = await crawls.openCount(crawlId);
    opts.onProgress?.(s, open);
    if (s.finished) return s;
    if (opts.timeoutMs && Date.now() - started > opts.timeoutMs) {
      throw new Error(`crawl ${crawlId} not finished after ${opts.timeoutMs} ms (${open} jobs pending)`);
    }
    if (Date.now() - lastReconcile > (opts.reconcileMs ?? 5000)) {
      lastReconcile = Date.now();
      await reconcile(crawls, queues, crawlId);
    }
    await sleep(opts.pollMs ?? 500);
  }
}

function stageOf(jobId: string): Stage | undefined {
  const s = jobId.split('.')[1];
  return STAGES.find((x) => x === s);
}

async function reconcile(crawls: CrawlStore, queues: StageQueues, crawlId: string): Promise<void> {
  const pending = await crawls.pendingJobIds(crawlId);
  if (pending.length > 2000) return;
  for (const jobId of pending) {
    const stage = stageOf(jobId);
    if (!stage) continue;
    const state = await queues[stage].getJobState(jobId);
    if (state === 'failed') {
      const job = await queues[stage].getJob(jobId);
      await crawls.recordFailure({
        jobId,
        crawlId,
        stage,
        code: 'UNKNOWN',
        message: job?.failedReason ?? 'failed in the queue',
        ...(typeof job?.data?.url === 'string' ? { url: job.data.url as string } : {}),
        at: new Date().toISOString(),
      });
    } else if (state === 'completed') {
      await crawls.transition(crawlId, jobId, 'done');
    }
  }
}
