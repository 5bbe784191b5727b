import { RawArchive, createRuntime, ensurePapersIndex, runStageProcess } from '@paperline/core';
import { arxivApiUrlsForIds } from '@paperline/sources';
import { processDedupe, type DedupeDeps } from './process.js';
import { DedupStore } from './store.js';

const rt = createRuntime('deduplicator');
const { cfg } = rt;
await ensurePapersIndex(rt.es, cfg.index);
const archive = new RawArchive(rt.es, cfg.archiveIndex);
const store = new DedupStore(rt.redis, rt.es, cfg.index, cfg.queuePrefix);
const deps: DedupeDeps = {
  store,
  markCandidates: (crawlId, pageKey, ids) => rt.crawls.markCandidates(crawlId, pageKey, ids),
  recordPagePapers: (url, ids) => archive.setPaperIds(url, ids),
  // arXiv enrichment: id_list batches of up to 100 ids; the fetcher keeps to one request per 3 s.
  ...(cfg.enrich
    ? {
        enrich: async (ids: string[]) =>
          arxivApiUrlsForIds(await store.claimEnrichment(ids), cfg.bases.arxivApiUrl),
      }
    : {}),
};
runStageProcess(rt, 'dedupe', (job, ctx) => processDedupe(job, deps, ctx), {
  concurrency: cfg.concurrency.dedupe,
});
