import { backoffDelay } from '@paperline/core/http';
import {
  ShadowTarget,
  bulkWrite,
  bulkWriteWithShadow,
  deletePapers,
  ensurePapersIndex,
  papersTemplate,
  RawArchive,
  type BulkItem,
  type BulkOutcome,
  type BulkRider,
} from '@paperline/core/es';
import { withBulkMetrics } from '@paperline/core/metrics';
import {
  BackfillHolders,
  IndexWriters,
  ChangeFeed,
  defineStage,
  PaperCache,
  stageCounts,
  type Runtime,
} from '@paperline/core/pipeline';
import { BulkBatcher, type BatcherOptions } from './batcher.js';
import { RefreshPolicy } from './refresh.js';
import { indexRefreshControl } from './refresh-control.js';
import { processIndex, type IndexDeps } from './process.js';

/** How often an indexer renews its backfill lease and checks the index's interval against the leases. */
const REFRESH_CHECK_MS = 2000;
/** A backfill lease not renewed for this long (its indexer died) runs out: five missed checks. */
const BACKFILL_LEASE_MS = 5 * REFRESH_CHECK_MS;
/** An indexer that wrote nothing since its last check leaves the writers; a dead one within this. */
const WRITER_LEASE_MS = 2.5 * REFRESH_CHECK_MS;

/**
 * The papers index's refresh interval, switched for backfills by the {@link RefreshPolicy} of every
 * indexer together (their leases in Redis).
 */
async function refreshPolicy(rt: Runtime): Promise<RefreshPolicy> {
  const { cfg } = rt;
  const normalInterval = String(
    (papersTemplate().template.settings as { refresh_interval?: string }).refresh_interval ?? '1s',
  );
  const policy = new RefreshPolicy(
    indexRefreshControl(rt.es, cfg.index),
    new BackfillHolders(rt.redis, cfg.queuePrefix, cfg.index, BACKFILL_LEASE_MS),
    new IndexWriters(rt.redis, cfg.queuePrefix, cfg.index, WRITER_LEASE_MS),
    {
      normalInterval,
      backfillInterval: cfg.backfill.refreshInterval,
      backfillDocsPerSecond: cfg.backfill.docsPerSecond || Number.POSITIVE_INFINITY,
      backfillBacklog: cfg.backfill.backlog || Number.POSITIVE_INFINITY,
      windowMs: 3000,
      exitWindowMs: 1000,
      idleMs: 500,
      checkMs: REFRESH_CHECK_MS,
      onChange: (mode, rate) =>
        rt.log.info({ mode, docsPerSecond: Math.round(rate) }, `index refresh interval: ${mode}`),
      onError: (err) => rt.log.warn({ err }, 'could not change the index refresh interval'),
    },
  );
  await policy.start();
  return policy;
}

/** Tells the policy, every second, how many jobs wait across the stage queues. */
function watchBacklog(rt: Runtime, policy: RefreshPolicy): () => void {
  const timer = setInterval(() => {
    stageCounts(rt.queues).then(
      (counts) => policy.backlog(Object.values(counts).reduce((n, c) => n + c.waiting, 0)),
      (err: unknown) => rt.log.debug({ err }, 'could not read the queue backlog'),
    );
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The process's running jobs, for the batcher to send a batch as soon as all of them wait on it,
 * where the index stage is chained: there a page's whole chain, and its fetch or parse slot, waits
 * for the batch. An indexer of its own keeps its timer: its waiting jobs hold only their
 * documents, and the jobs it takes from its queue meanwhile fill the batch.
 */
function activeJobsWhenChained(rt: Runtime): BatcherOptions['activeJobs'] {
  return {
    get count() {
      return rt.local.chainsInto('index') ? rt.active.count : Number.POSITIVE_INFINITY;
    },
    onEnded: (listener) => rt.active.onEnded(listener),
  };
}

/**
 * Bulk writes through the alias (with their riders), and to the new index too while `reindex`
 * rebuilds it.
 */
function bulkWriter(
  rt: Runtime,
): (items: BulkItem[], riders: readonly BulkRider[]) => Promise<BulkOutcome[]> {
  const { cfg } = rt;
  const shadow = new ShadowTarget(rt.redis, cfg.queuePrefix, cfg.index);
  return (items, riders) =>
    withBulkMetrics(
      (papers) =>
        bulkWriteWithShadow(rt.es, cfg.index, shadow, papers, (i) => bulkWrite(rt.es, cfg.index, i, riders)),
      rt.metrics,
    )(items);
}

/**
 * Writes a job's documents and records its page's paper list on the page's archive record, in the
 * same bulk request when there are documents (one request and one translog sync less per page).
 */
function pageWriter(batcher: BulkBatcher, archive: RawArchive): IndexDeps['bulk'] {
  return async (items, page) => {
    if (!page) return batcher.add(items);
    if (items.length === 0) {
      await archive.setPaperIds(page.url, page.paperIds);
      return [];
    }
    const rider = archive.paperIdsRider(page.url, page.paperIds);
    const [outcomes] = await Promise.all([batcher.add(items, [rider]), rider.recorded]);
    return outcomes;
  };
}

/** index: merged documents → micro-batched bulk writes with external versions. */
export const indexStage = defineStage({
  queue: 'index',
  worker: 'indexer',
  concurrency: (cfg) => cfg.concurrency.index,
  timeoutMs: (cfg) => cfg.jobTimeoutMs.index,
  async wire(rt) {
    const { cfg } = rt;
    await ensurePapersIndex(rt.es, cfg.index, cfg.indexLayout);
    const write = bulkWriter(rt);
    const refresh = await refreshPolicy(rt);
    const batcher = new BulkBatcher(
      async (items, riders) => {
        const outcomes = await write(items, riders);
        refresh.written(outcomes.length);
        return outcomes;
      },
      {
        maxDocs: cfg.bulk.size,
        maxWaitMs: cfg.bulk.waitMs,
        itemRetries: 5,
        retryDelayMs: (n) => backoffDelay(n, { baseMs: 200, maxMs: 5000 }),
        activeJobs: activeJobsWhenChained(rt),
      },
    );
    const stopWatching = cfg.backfill.backlog > 0 ? watchBacklog(rt, refresh) : () => undefined;
    const cache = new PaperCache(rt.redis, cfg.queuePrefix);
    const feed = new ChangeFeed(rt.redis, cfg.queuePrefix, { maxEntries: cfg.feedMaxEntries });
    const deps: IndexDeps = {
      bulk: pageWriter(batcher, new RawArchive(rt.es, cfg.archiveIndex)),
      markWritten: (crawlId, ids) => rt.crawls.markWritten(crawlId, ids),
      remove: (deletes) => deletePapers(rt.es, cfg.index, deletes),
      appendChanges: (changes) => feed.append(changes),
      invalidate: (ids) => cache.forgetWrittenHash(ids),
    };
    return {
      deps,
      async close() {
        stopWatching();
        await batcher.drain();
        await refresh.settle();
      },
    };
  },
  process: processIndex,
});
