import { EnrichmentQueue, HostLimiter, defineStage, hostIntervals, jobIdFor } from '@paperline/core/pipeline';
import { ARXIV_API_BATCH, ARXIV_API_ROUTE, arxivApiUrlsForIds } from '@paperline/sources';
import { batchSettled, processEnrich, type EnrichDeps } from './enrich-process.js';

/** Enrichment jobs are a few Redis calls each and never wait inside a run. */
const ENRICH_CONCURRENCY = 4;
const ENRICH_JOB_TIMEOUT_MS = 30_000;

/**
 * enrich: a crawl's arXiv ids queued by the deduplicator → export-API batches of up to 100 ids, one
 * request in flight at a time, each sent when the API host's politeness slot opens. Runs in the
 * deduplicator's processes; off with `PAPERLINE_ENRICH=0`.
 */
export const enrichStage = defineStage({
  queue: 'enrich',
  worker: 'deduplicator',
  enabled: (cfg) => cfg.enrich,
  concurrency: () => ENRICH_CONCURRENCY,
  timeoutMs: () => ENRICH_JOB_TIMEOUT_MS,
  async wire(rt) {
    const { cfg } = rt;
    const queue = new EnrichmentQueue(rt.redis, cfg.queuePrefix, { batchSize: ARXIV_API_BATCH });
    const limiter = new HostLimiter(rt.redis, cfg.queuePrefix, hostIntervals(cfg));
    const apiHost = new URL(cfg.bases.arxivApiUrl).host;
    const batchUrls = (ids: string[]) => arxivApiUrlsForIds(ids, cfg.bases.arxivApiUrl);
    const deps: EnrichDeps = {
      queue,
      async batchSettled(jobId) {
        const batch = await queue.taken(jobId);
        const url = batch && batchUrls(batch.ids)[0];
        if (!batch || !url) return true;
        const fetchJob = jobIdFor('fetch', { crawlId: batch.crawlId, url, depth: 0, route: ARXIV_API_ROUTE });
        const [taker, fetch] = await Promise.all([
          rt.queues.enrich.getJobState(jobId),
          rt.queues.fetch.getJobState(fetchJob),
        ]);
        return batchSettled(taker, fetch);
      },
      async jobGone(jobId) {
        const state = await rt.queues.enrich.getJobState(jobId);
        return state === 'failed' || state === 'completed' || state === 'unknown';
      },
      slotWaitMs: () => limiter.peek(apiHost),
      batchUrls,
      jobIdOf: (job) => jobIdFor('enrich', job),
    };
    return { deps };
  },
  process: processEnrich,
});
