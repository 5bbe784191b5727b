/** The four pipeline stages, in order. Queue names equal stage names. */
export const STAGES = ['fetch', 'parse', 'dedupe', 'index'] as const;
export type Stage = (typeof STAGES)[number];

/** Worker kinds, as accepted by `workers --only`. */
export const WORKER_KINDS = ['fetcher', 'parser', 'deduplicator', 'indexer'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export const STAGE_OF_WORKER: Record<WorkerKind, Stage> = {
  fetcher: 'fetch',
  parser: 'parse',
  deduplicator: 'dedupe',
  indexer: 'index',
};
