import { PermanentError, TransientError, type IndexJob } from '@paperline/contracts';
import type { BulkItem, BulkOutcome } from '@paperline/core/es';
import type { StageContext, StageResult } from '@paperline/core/pipeline';

/** The narrow dependencies of the index stage. */
export interface IndexDeps {
  bulk: (items: BulkItem[]) => Promise<BulkOutcome[]>;
  markWritten: (crawlId: string, ids: string[]) => Promise<void>;
  /** Removes documents of papers that were merged into another id. */
  remove: (ids: string[]) => Promise<void>;

  /** Forgets the dedup hash of papers whose write failed, so a later sighting writes again. */
  invalidate: (ids: string[]) => Promise<void>;
}

/**
 * Writes a job's documents through the shared micro-batcher. Every item's outcome is accounted
 * for: written (or superseded by a newer version), retried when the cluster pushed back, or
 * failed with its reason — never dropped silently.
 */
export async function processIndex(
  job: IndexJob,
  deps: IndexDeps,
  ctx: StageContext,
): Promise<StageResult<'index'>> {
  let outcomes: BulkOutcome[];
  try {
    outcomes = await deps.bulk(job.docs.map((d) => ({ id: d.id, version: d.version, doc: d.doc })));
  } catch (err) {
    throw new TransientError(
      'INDEX_UNAVAILABLE',
      `bulk write of ${job.docs.length} papers failed: ${String(err)}`,
      {
        stage: 'index',
        cause: err,
        context: { url: job.url },
      },
    );
  }
  if (job.deletes?.length) await deps.remove(job.deletes);
  const ok = outcomes.filter((o) => o.result === 'written' || o.result === 'superseded').map((o) => o.id);
  await deps.markWritten(job.crawlId, ok);
  const retry = outcomes.filter((o) => o.result === 'retry');
  const failed = outcomes.filter((o) => o.result === 'failed');
  if (failed.length > 0 || retry.length > 0) await deps.invalidate([...failed, ...retry].map((o) => o.id));
  if (failed.length > 0) {
    const reasons = failed.map((o) => `${o.id}: ${'reason' in o ? o.reason : ''}`).join('; ');
    throw new PermanentError(
      'INDEX_ITEM_FAILED',
      `${failed.length} of ${job.docs.length} papers rejected by Elasticsearch: ${reasons}`,
      {
        stage: 'index',
        context: { url: job.url, paperId: failed[0]!.id },
      },
    );
  }
  if (retry.length > 0) {
    throw new TransientError(
      'INDEX_UNAVAILABLE',
      `${retry.length} papers still pushed back by Elasticsearch (429/5xx)`,
      {
        stage: 'index',
        context: { url: job.url },
      },
    );
  }
  ctx.log.debug({ written: ok.length }, 'indexed');
  return { outcome: 'indexed' };
}
