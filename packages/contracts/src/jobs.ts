import { z } from 'zod';
import { PaperCandidateSchema, SourceIdSchema } from './record.js';
import type { FailureCode } from './errors.js';
import type { Stage } from './queues.js';
import { RouteSchema } from './route.js';

const crawlId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'crawlId must be 1-64 of [A-Za-z0-9_-]');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

/** Work for the fetcher: one URL of one crawl. */
export const FetchJobSchema = z.object({
  crawlId,
  url: z.url(),
  /** Links still to follow from what this page discovers. */
  depth: z.number().int().min(0).max(10),
  /** URL of the page that led here, if any. */
  referrer: z.url().optional(),
  /**
   * The URL's route, decided once by whoever enqueued it (seeds, discovered links, enrichment).
   * Every producer sets it; it is optional only so that jobs enqueued by a version without it
   * still run after an upgrade (the fetcher then routes the URL itself).
   */
  route: RouteSchema.optional(),
});
export type FetchJob = z.infer<typeof FetchJobSchema>;

/** Work for the parser: a reference to an archived body, never the body itself. */
export const ParseJobSchema = z.object({
  crawlId,
  url: z.url(),
  finalUrl: z.url(),
  sha256,
  contentType: z.string(),
  status: z.number().int(),
  fetchedAt: z.iso.datetime({ offset: true }),
  depth: z.number().int().min(0).max(10),
  source: SourceIdSchema,
  /** Re-parse of an archived page (no network): documents missing from the index are rebuilt. */
  reprocess: z.boolean().optional(),
  /** Every paper the page yields is written again, changed or not (`reprocess --rewrite`). */
  rewrite: z.boolean().optional(),
});
export type ParseJob = z.infer<typeof ParseJobSchema>;

/** Work for the deduplicator: the validated candidates one page yielded. */
export const DedupeJobSchema = z.object({
  crawlId,
  url: z.url(),
  candidates: z.array(PaperCandidateSchema).max(5000),
  /** Check that unchanged papers are really in the index, and write those that are not. */
  verifyIndex: z.boolean().optional(),
  /** Part of a reprocess (re-parsed archived pages): nothing is fetched, so no arXiv enrichment. */
  reprocess: z.boolean().optional(),
  /** Every paper of the page is written again, even when its content is unchanged. */
  rewrite: z.boolean().optional(),
  /** Papers the source reports withdrawn or deleted (marked, never removed). */
  withdrawnIds: z.array(z.string().min(1)).max(5000).optional(),
});
export type DedupeJob = z.infer<typeof DedupeJobSchema>;

/**
 * Work for the enrichment batcher: the deduplicator queued arXiv ids of this crawl for a look-up in
 * the export API. The ids wait in Redis, not in the job, so that the ids of many pages (and of
 * many deduplicator processes) join one `id_list` request; the job keeps its crawl open until
 * they are handed to a fetch job, and takes a batch when a request may go out.
 */
export const EnrichJobSchema = z.object({
  crawlId,
  /** The page whose papers were queued (a successor job keeps its page's URL). */
  url: z.url(),
  /**
   * Absent for the job a dedupe job adds; n + 1 for the successor a job of round n adds when it
   * took a batch and ids of its crawl still wait.
   */
  round: z.number().int().min(1).optional(),
});
export type EnrichJob = z.infer<typeof EnrichJobSchema>;

/** Work for the indexer: merged documents to write, each with its ordering version. */
export const IndexJobSchema = z.object({
  crawlId,
  url: z.url(),
  docs: z
    .array(
      z.object({
        id: z.string().min(1),
        /** External version: a later merge always has a higher one. */
        version: z.number().int().positive(),
        /** The document, or its JSON already serialized (the deduplicator sends that: no re-encoding). */
        doc: z.union([z.string().startsWith('{'), z.record(z.string(), z.unknown())]),
        /**
         * Set when the document marks the paper withdrawn: why, in words (`withdrawalReason` of the
         * record). The change feed records the write as a `withdrawn` tombstone with this reason.
         */
        withdrawnReason: z.string().min(1).max(500).optional(),
      }),
    )
    .max(5000),
  /**
   * Papers merged into another paper: their documents go (the paper lives on under `into`). The
   * delete is a write of that merge: `version` is the surviving paper's merge version, so a late
   * write of the old id is refused, and the change feed records a `deleted` tombstone. A bare id is
   * what a version before the change feed enqueued (deleted without a version).
   */
  deletes: z
    .array(
      z.union([
        z.string().min(1),
        z.object({
          id: z.string().min(1),
          into: z.string().min(1),
          version: z.number().int().positive(),
        }),
      ]),
    )
    .max(5000)
    .optional(),
  /**
   * Every paper the page yielded, changed or not (set by the deduplicator): the indexer records
   * them on the page's URL record in the archive, in the bulk request that writes the documents,
   * so that a later 304 of the page counts them without parsing it.
   */
  pagePaperIds: z.array(z.string().min(1)).max(5000).optional(),
  /**
   * Set by the embedder: this job writes that paper's new vector. Its job id then differs from the
   * index job of the page's own merge, which has the same `url`.
   */
  embedding: z.object({ id: z.string().min(1), textHash: sha256 }).optional(),
});
export type IndexJob = z.infer<typeof IndexJobSchema>;

/**
 * Work for the embedder: one paper whose embedded text (title and abstract) changed. The text
 * itself does not travel: the embedder reads the paper's current state and embeds only while its
 * text still has this hash (a newer merge with other text has queued its own job).
 */
export const EmbedJobSchema = z.object({
  crawlId,
  /** The page whose merge asked for the vector (the index job that follows carries it). */
  url: z.url(),
  id: z.string().min(1),
  /** sha256 of the embedded text (`embeddingText` of the record), lowercase hex. */
  textHash: sha256,
});
export type EmbedJob = z.infer<typeof EmbedJobSchema>;

export const JOB_SCHEMAS = {
  fetch: FetchJobSchema,
  parse: ParseJobSchema,
  dedupe: DedupeJobSchema,
  enrich: EnrichJobSchema,
  index: IndexJobSchema,
  embed: EmbedJobSchema,
} as const;

export interface JobPayloads {
  fetch: FetchJob;
  parse: ParseJob;
  dedupe: DedupeJob;
  enrich: EnrichJob;
  index: IndexJob;
  embed: EmbedJob;
}

/** What a job of each queue reports when its stage finished it (the `outcome` label of job metrics). */
export interface JobOutcomes {
  fetch: 'fetched' | 'not-modified';
  parse: 'parsed' | 'empty';
  dedupe: 'changed' | 'unchanged';
  /**
   * `batched`: it handed ids of its crawl to a fetch job; `coalesced`: another enrichment job of
   * its crawl took its ids, or will.
   */
  enrich: 'batched' | 'coalesced';
  index: 'indexed';
  /** `stale`: the paper's text changed since the job was queued (its newer job embeds it). */
  embed: 'embedded' | 'stale';
}

/** How one run of a job ended: done with its stage's outcome, or failed with a code. */
export type JobOutcome<S extends Stage = Stage> =
  { kind: 'done'; outcome: JobOutcomes[S] } | { kind: 'failed'; code: FailureCode };
