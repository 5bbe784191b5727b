import { RawArchive, createRuntime, ensurePapersIndex, runStageProcess } from '@paperline/core';
import { processDedupe, type DedupeDeps } from './process.js';
import { DedupStore } from './store.js';

const rt = createRuntime('deduplicator');
const { cfg } = rt;
await ensurePapersIndex(rt.es, cfg.index);
const archive = new RawArchive(rt.es, cfg.archiveIndex);
const deps: DedupeDeps = {
  store: new DedupStore(rt.redis, rt.es, cfg.index, cfg.queuePrefix),
  markCandidates: (crawlId, pageKey, ids) => rt.crawls.markCandidates(crawlId, pageKey, ids),
  recordPagePapers: (url, ids) => archive.setPaperIds(url, ids),
};
runStageProcess(rt, 'dedupe', (job, ctx) => processDedupe(job, deps, ctx), {
  concurrency: cfg.concurrency.dedupe,
});
