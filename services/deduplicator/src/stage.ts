import { RawArchive, ensurePapersIndex } from '@paperline/core/es';
import { defineStage } from '@paperline/core/pipeline';
import { ARXIV_API_ROUTE, arxivApiUrlsForIds } from '@paperline/sources';
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
    const deps: DedupeDeps = {
      store,
      markCandidates: (crawlId, pageUrl, ids) => rt.crawls.markCandidates(crawlId, pageUrl, ids),
      recordPagePapers: (url, ids) => archive.setPaperIds(url, ids),
      embed: cfg.embed,
      // arXiv enrichment: id_list batches of up to 100 ids; the fetcher keeps to one request per 3 s.
      ...(cfg.enrich
        ? {
            enrich: async (ids: string[]) =>
              arxivApiUrlsForIds(await store.claimEnrichment(ids), cfg.bases.arxivApiUrl).map((url) => ({
                url,
                route: ARXIV_API_ROUTE,
              })),
          }
        : {}),
    };
    return { deps };
  },
  process: processDedupe,
});
