import {
  ShadowTarget,
  backoffDelay,
  bulkWrite,
  bulkWriteWithShadow,
  createRuntime,
  deletePapers,
  forgetWrittenHash,
  ensurePapersIndex,
  runStageProcess,
  withBulkMetrics,
} from '@paperline/core';
import { BulkBatcher } from './batcher.js';
import { processIndex, type IndexDeps } from './process.js';

const rt = createRuntime('indexer');
const { cfg } = rt;
await ensurePapersIndex(rt.es, cfg.index);
// While `reindex` rebuilds the index, writes also go to the new one (see ShadowTarget).
const shadow = new ShadowTarget(rt.redis, cfg.queuePrefix, cfg.index);
const write = withBulkMetrics(
  (items) => bulkWriteWithShadow(rt.es, cfg.index, shadow, items, (i) => bulkWrite(rt.es, cfg.index, i)),
  rt.metrics,
);
const batcher = new BulkBatcher(write, {
  maxDocs: cfg.bulk.size,
  maxWaitMs: cfg.bulk.waitMs,
  itemRetries: 5,
  retryDelayMs: (n) => backoffDelay(n, { baseMs: 200, maxMs: 5000 }),
});
const deps: IndexDeps = {
  bulk: (items) => batcher.add(items),
  markWritten: (crawlId, ids) => rt.crawls.markWritten(crawlId, ids),
  remove: (ids) => deletePapers(rt.es, cfg.index, ids),
  invalidate: (ids) => forgetWrittenHash(rt.redis, cfg.queuePrefix, ids),
};
runStageProcess(rt, 'index', (job, ctx) => processIndex(job, deps, ctx), {
  concurrency: cfg.concurrency.index,
  beforeClose: () => batcher.drain(),
});
