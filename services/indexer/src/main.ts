import {
  ShadowTarget,
  backoffDelay,
  bulkWrite,
  bulkWriteWithShadow,
  createRuntime,
  deletePapers,
  forgetWrittenHash,
  ensurePapersIndex,
  papersTemplate,
  runStageProcess,
  withBulkMetrics,
} from '@paperline/core';
import { BulkBatcher } from './batcher.js';
import { RefreshPolicy } from './refresh.js';
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
// A refresh interval suited to backfills (see RefreshPolicy); the template's own when idle.
const normalInterval = String(
  (papersTemplate().template.settings as { refresh_interval?: string }).refresh_interval ?? '1s',
);
const setRefreshInterval = (value: string) =>
  rt.es.indices.putSettings({ index: cfg.index, settings: { index: { refresh_interval: value } } });
// An indexer that died mid-backfill left the longer interval behind.
await setRefreshInterval(normalInterval);
const refresh = new RefreshPolicy(
  {
    setRefreshInterval: async (v) => void (await setRefreshInterval(v)),
    refresh: async () => void (await rt.es.indices.refresh({ index: cfg.index })),
  },
  {
    normalInterval,
    backfillInterval: cfg.backfill.refreshInterval,
    backfillDocsPerSecond: cfg.backfill.docsPerSecond || Number.POSITIVE_INFINITY,
    windowMs: 3000,
    idleMs: 500,
    onChange: (mode, rate) =>
      rt.log.info({ mode, docsPerSecond: Math.round(rate) }, `index refresh interval: ${mode}`),
    onError: (err) => rt.log.warn({ err }, 'could not change the index refresh interval'),
  },
);
const batcher = new BulkBatcher(
  async (items) => {
    const outcomes = await write(items);
    refresh.written(outcomes.length);
    return outcomes;
  },
  {
    maxDocs: cfg.bulk.size,
    maxWaitMs: cfg.bulk.waitMs,
    itemRetries: 5,
    retryDelayMs: (n) => backoffDelay(n, { baseMs: 200, maxMs: 5000 }),
  },
);
const deps: IndexDeps = {
  bulk: (items) => batcher.add(items),
  markWritten: (crawlId, ids) => rt.crawls.markWritten(crawlId, ids),
  remove: (ids) => deletePapers(rt.es, cfg.index, ids),
  invalidate: (ids) => forgetWrittenHash(rt.redis, cfg.queuePrefix, ids),
};
runStageProcess(rt, 'index', (job, ctx) => processIndex(job, deps, ctx), {
  concurrency: cfg.concurrency.index,
  beforeClose: async () => {
    await batcher.drain();
    await refresh.settle();
  },
});
