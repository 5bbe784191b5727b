import { RawArchive, ensurePapersIndex } from '@paperline/core/es';
import { EnrichmentQueue, defineStage } from '@paperline/core/pipeline';
import { ARXIV_API_BATCH } from '@paperline/sources';
import { processDedupe, type DedupeDeps } from './process.js';
import { DedupStore } from './store.js';

/** dedupe: a page's candidates → identity, merge and change check; changed papers go on. */
export const dedupeStage = defineStage({
  queue: 'dedupe',
  worker: 'deduplicator',
  concurrency: (cfg) => cfg.concurrency.dedupe,
  timeoutMs: (cfg) => cfg.jobTimeoutMs.dedupe,
  async wire(rt) {
    const { cfg } = rt;
    await ensurePapersIndex(rt.es, cfg.index, cfg.indexLayout);
    const archive = new RawArchive(rt.es, cfg.archiveIndex);
    const store = new DedupStore(rt.redis, rt.es, cfg.index, cfg.queuePrefix);
    // On a new index, new papers are known to be new without searching it (DedupStore.coverIfIndexEmpty).
    await store.coverIfIndexEmpty();
    const enrichment = new EnrichmentQueue(rt.redis, cfg.queuePrefix, { batchSize: ARXIV_API_BATCH });
    const queueEnrichment: NonNullable<DedupeDeps['queueEnrichment']> = (crawlId, jobId, ids) =>
      enrichment.add(crawlId, jobId, ids);
    const deps: DedupeDeps = {
      store,
      markCandidates: (crawlId, pageUrl, ids) => rt.crawls.markCandidates(crawlId, pageUrl, ids),
      recordPagePapers: (url, ids) => archive.setPaperIds(url, ids),
      embed: cfg.embed,
      // arXiv enrichment: ids queued here, batched by the enrich stage (enrich-stage.ts).
      ...(cfg.enrich ? { queueEnrichment } : {}),
    };
    return { deps };
  },
  process: processDedupe,
});
