import { PermanentError, TransientError, type Change, type IndexJob } from '@paperline/contracts';
import type { BulkItem, BulkOutcome, PaperDelete } from '@paperline/core/es';
import type { StageContext, StageResult } from '@paperline/core/pipeline';

/** The narrow dependencies of the index stage. */
export interface IndexDeps {
  /**
   * Writes the documents; with `page`, also records the page's paper list on its archive record
   * (and fails when that fails: the job is retried, its writes are then superseded no-ops).
   */
  bulk: (items: BulkItem[], page?: { url: string; paperIds: string[] }) => Promise<BulkOutcome[]>;
  markWritten: (crawlId: string, ids: string[]) => Promise<void>;
  /** Removes documents of papers that were merged into another id (each at its merge's version). */
  remove: (deletes: PaperDelete[]) => Promise<unknown>;
  /**
   * Appends what Elasticsearch took to the change feed; returns how many were appended (a change
   * not newer than its paper's last entry is dropped).
   */
  appendChanges: (changes: Change[]) => Promise<number>;

  /** Forgets the dedup hash of papers whose write failed, so a later sighting writes again. */
  invalidate: (ids: string[]) => Promise<void>;
  /** The clock of deletes enqueued before they carried a version (µs). @defaultValue Date.now() × 1000 */
  nowMicros?: () => number;
}

/** A merge delete of the job: the old id, the paper it lives on as, and the version of that merge. */
interface MergeDelete {
  id: string;
  into?: string;
  version: number;
  /** False for a delete enqueued before deletes carried a version: it is sent without one. */
  versioned: boolean;
}

/** The job's deletes; a bare id (enqueued by an older version) gets its feed version from the clock. */
function mergeDeletes(job: IndexJob, nowMicros: () => number): MergeDelete[] {
  return (job.deletes ?? []).map((d) =>
    typeof d === 'string'
      ? { id: d, version: nowMicros(), versioned: false }
      : { id: d.id, into: d.into, version: d.version, versioned: true },
  );
}

/**
 * The feed's record of what Elasticsearch took: each document written (or superseded: a newer
 * version is there, whose own append may not have happened yet) and a tombstone per delete, even
 * when the document was already gone or is at a version as new (a re-run after a crash between the
 * delete and the append finds its own delete there). The feed drops whatever is not newer than its
 * paper's last entry, so a superseded change never lands after the newer one.
 */
function changesOf(job: IndexJob, taken: BulkOutcome[], deletes: MergeDelete[]): Change[] {
  const docs = new Map(job.docs.map((d) => [d.id, d]));
  const changes: Change[] = taken.map(({ id }) => {
    const d = docs.get(id)!;
    return d.withdrawnReason
      ? { id, op: 'withdrawn', version: d.version, reason: d.withdrawnReason }
      : { id, op: 'upsert', version: d.version };
  });
  for (const d of deletes) {
    const reason = d.into ? `merged into ${d.into}` : 'merged into another paper';
    changes.push({ id: d.id, op: 'deleted', version: d.version, reason });
  }
  return changes;
}

/**
 * Writes a job's documents through the shared micro-batcher and removes the documents of papers
 * merged into another id. Every item's outcome is accounted for: written (or superseded by a newer
 * version), retried when the cluster pushed back, or failed with its reason — never dropped
 * silently. What Elasticsearch took goes to the change feed before the job completes.
 */
export async function processIndex(
  job: IndexJob,
  deps: IndexDeps,
  ctx: StageContext,
): Promise<StageResult<'index'>> {
  let outcomes: BulkOutcome[];
  try {
    outcomes = await deps.bulk(
      job.docs.map((d) => ({ id: d.id, version: d.version, doc: d.doc })),
      job.pagePaperIds ? { url: job.url, paperIds: job.pagePaperIds } : undefined,
    );
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
  const deletes = mergeDeletes(job, deps.nowMicros ?? (() => Date.now() * 1000));
  await deps.remove(deletes.map((d) => (d.versioned ? { id: d.id, version: d.version } : { id: d.id })));
  const taken = outcomes.filter((o) => o.result === 'written' || o.result === 'superseded');
  // Before the job completes: a crash before this line runs the job again, and appends then.
  const appended = await deps.appendChanges(changesOf(job, taken, deletes));
  const ok = taken.map((o) => o.id);
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
  ctx.log.debug({ written: ok.length, appended }, 'indexed');
  return { outcome: 'indexed' };
}
