import type { EmbedJob } from '@paperline/contracts';
import type { PaperState, StageContext, StageResult, StoredEmbedding } from '@paperline/core/pipeline';
import {
  buildRecord,
  embeddingText,
  embeddingTextHash,
  storedDocument,
  withdrawalReason,
} from '@paperline/identity';

/** The narrow dependencies of the embed stage. */
export interface EmbedDeps {
  /** The paper's state: the dedup cache, or on a miss its document in the index. */
  load(id: string): Promise<PaperState>;
  /**
   * Stores the vector with the paper's state, provided nobody wrote the paper since `state` was
   * read (compare-and-set), and hands out a new merge version; null when another write came first.
   */
  attach(id: string, state: PaperState, embedding: StoredEmbedding): Promise<number | null>;
  /** One unit-length vector for one text (the model, loaded once per process). */
  embed(text: string): Promise<Float32Array>;
  markEmbedded(crawlId: string, paperIds: string[]): Promise<void>;
  now?: () => Date;
}

/** How often a compare-and-set lost to other writes may be tried again before the job is retried. */
const MAX_ATTEMPTS = 20;

/**
 * Computes a paper's vector and hands the whole document, vector included, to the indexer at a new
 * merge version, so the external-version rule orders it with every other write of the paper. The
 * job ends `stale` when the paper's text no longer has the job's hash (a newer merge queued its own
 * job) or the paper is gone (merged into another id).
 */
export async function processEmbed(
  job: EmbedJob,
  deps: EmbedDeps,
  ctx: StageContext,
): Promise<StageResult<'embed'>> {
  let vector: Float32Array | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await deps.load(job.id);
    if (state.views.size === 0) return stale(ctx, job, 'the paper is unknown');
    const now = (deps.now?.() ?? new Date()).toISOString();
    const record = buildRecord(job.id, [...state.views.values()], {
      firstSeenAt: state.firstSeenAt ?? now,
      updatedAt: now,
    });
    if (embeddingTextHash(record) !== job.textHash) return stale(ctx, job, 'its text changed since');
    // A re-run (after a crash, or a lost compare-and-set) reuses the vector already computed.
    vector ??=
      state.embedding?.textHash === job.textHash
        ? state.embedding.vector
        : await deps.embed(embeddingText(record));
    const embedding = { vector, textHash: job.textHash };
    const version = await deps.attach(job.id, state, embedding);
    if (version === null) continue;
    const doc = storedDocument({
      ...record,
      embedding: { vector: Array.from(vector), textHash: job.textHash },
    });
    await deps.markEmbedded(job.crawlId, [job.id]);
    const withdrawnReason = withdrawalReason(record);
    return {
      outcome: 'embedded',
      emit: [
        {
          stage: 'index',
          payload: {
            crawlId: job.crawlId,
            url: job.url,
            docs: [{ id: job.id, version, doc, ...(withdrawnReason ? { withdrawnReason } : {}) }],
            // Its own job id: the page's merge has an index job of the same url.
            embedding: { id: job.id, textHash: job.textHash },
          },
        },
      ],
    };
  }
  throw new Error(`embedding of ${job.id}: too much contention (${MAX_ATTEMPTS} lost compare-and-sets)`);
}

function stale(ctx: StageContext, job: EmbedJob, why: string): StageResult<'embed'> {
  ctx.log.debug({ paperId: job.id }, `no vector needed: ${why}`);
  return { outcome: 'stale' };
}
