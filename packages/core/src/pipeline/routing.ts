import type { JobPayloads, Stage } from '@paperline/contracts';
import { shortHash } from '../ids.js';

/**
 * The stage-routing table: what may follow what, and how a job's id is derived. Every enqueue in
 * Paperline goes through this table, so the pipeline's shape is readable in one place.
 *
 * Job ids are deterministic per crawl, so re-running a job (after a crash or a retry) re-adds the
 * same children, which BullMQ ignores while they exist, and "each URL is fetched once per crawl".
 */
export const ROUTES: { readonly [S in Stage]: readonly Stage[] } = {
  fetch: ['parse'],
  parse: ['dedupe', 'fetch'],
  dedupe: ['index', 'embed', 'enrich'],
  // A batch of arXiv look-ups, and the job that takes the next batch while ids still wait.
  enrich: ['fetch', 'enrich'],
  index: [],
  embed: ['index'],
};

/**
 * Forward edges apply backpressure (the producer waits while the target's backlog is over the
 * bound). Edges back to fetch (discovered links, enrichment batches) do not: that would be a cycle
 * and could deadlock. Nor does the edge to embed: a long embedding backlog must never hold up the
 * deduplicator, and so keyword search (its jobs are a paper id and a hash, a few hundred bytes).
 * Nor do edges to enrich: its jobs are a crawl id and a page URL, at most one per page, and an
 * enrichment job adding its successor must never wait on its own queue.
 */
export function isForwardEdge(from: Stage | 'seed', to: Stage): boolean {
  return to !== 'fetch' && to !== 'embed' && to !== 'enrich' && from !== 'seed';
}

/**
 * The edges along which a process that runs both stages may hand a page on in memory (stage
 * chaining, see `LocalStages`): each is the main line of one page, one job to exactly one job, so
 * the job run in place has the id it would have had in the queue.
 */
const CHAIN_EDGES: ReadonlySet<string> = new Set(['fetch>parse', 'parse>dedupe', 'dedupe>index']);

export const isChainEdge = (from: Stage, to: Stage): boolean => CHAIN_EDGES.has(`${from}>${to}`);

const JOB_KEY: { [S in Stage]: (p: JobPayloads[S]) => string } = {
  fetch: (p) => p.url,
  parse: (p) => p.url,
  dedupe: (p) => p.url,
  // One per page of a crawl, and one per successor round.
  enrich: (p) => (p.round ? `${p.url}\nround ${p.round}` : p.url),
  index: (p) => (p.embedding ? `${p.url}\nembedding\n${p.embedding.id}\n${p.embedding.textHash}` : p.url),
  // One job per paper and text per crawl, whichever pages asked for it.
  embed: (p) => `${p.id}\n${p.textHash}`,
};

/** The deterministic BullMQ job id of a payload (no `:` — BullMQ reserves it). */
export function jobIdFor<S extends Stage>(stage: S, payload: JobPayloads[S]): string {
  return `${payload.crawlId}.${stage}.${shortHash(JOB_KEY[stage](payload))}`;
}

/**
 * What a job may hand the next stage in memory when its process chains them (`LocalStages`).
 * It is never queued: a queued job reads the same from where its payload points.
 */
export interface HandOff {
  /** The fetched bytes the parse job's `sha256` names: a chained parse need not read them back from the archive. */
  body?: Buffer;
}

/** A job a stage wants added after it, validated against {@link ROUTES} by the runner. */
export type Emit = { [S in Stage]: { stage: S; payload: JobPayloads[S]; handOff?: HandOff } }[Stage];
