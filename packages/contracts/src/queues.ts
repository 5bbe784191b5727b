/**
 * The pipeline stages, in order (`enrich` follows `dedupe` and leads back to `fetch`: arXiv look-ups
 * in batches; `embed` follows `index`: a paper's vector comes after it is searchable). Queue names
 * equal stage names.
 */
export const STAGES = ['fetch', 'parse', 'dedupe', 'enrich', 'index', 'embed'] as const;
export type Stage = (typeof STAGES)[number];

/** Worker kinds, as accepted by `workers --only`. */
export const WORKER_KINDS = ['fetcher', 'parser', 'deduplicator', 'indexer', 'embedder'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

/** Everything `workers` can run: the stages, the scheduler and the webhook deliverer. */
export const SERVICE_KINDS = [...WORKER_KINDS, 'scheduler', 'webhooks'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** The queue scheduled crawls fire on (not a pipeline stage). */
export const SCHEDULE_QUEUE = 'schedule';

/**
 * The queue of webhook batch deliveries (not a pipeline stage: no crawl, no routes). Its failed
 * jobs are parked deliveries, listed and retried by `failed` / `retry` like a stage's.
 */
export const DELIVER_QUEUE = 'deliver';

/** Parses `--only a,b` (every kind when absent), refusing unknown names and listing the valid ones. */
export function parseServiceKinds(only: string | undefined): ServiceKind[] {
  if (!only) return [...SERVICE_KINDS];
  const kinds = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = kinds.filter((k) => !(SERVICE_KINDS as readonly string[]).includes(k));
  if (bad.length)
    throw new Error(`unknown worker kind(s): ${bad.join(', ')} (choose from ${SERVICE_KINDS.join(', ')})`);
  return kinds as ServiceKind[];
}
