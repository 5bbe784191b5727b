import type { EnrichJob } from '@paperline/contracts';
import type { Emit, StageContext, StageResult, TakeRequest, TakeResult } from '@paperline/core/pipeline';
import { ARXIV_API_ROUTE } from '@paperline/sources';

/** The narrow dependencies of the enrich stage. */
export interface EnrichDeps {
  queue: {
    /** Takes the crawl's next batch if a request may go out now (`EnrichmentQueue.take`). */
    take(req: TakeRequest): Promise<TakeResult>;
    /** The job whose batch is, or last was, the request in flight. */
    inFlight(): Promise<string | null>;
  };
  /** Whether the batch this job took is done with (see {@link batchSettled}). */
  batchSettled(jobId: string): Promise<boolean>;
  /** Whether an enrichment job is gone: failed for good, finished, or no such job. */
  jobGone(jobId: string): Promise<boolean>;
  /** ms until the export API host's politeness slot opens (0: free now). */
  slotWaitMs(): Promise<number>;
  /** The export-API URL(s) that fetch these ids (one, for a batch). */
  batchUrls(ids: string[]): string[];
  /** The job id a payload of this stage gets (the successor's). */
  jobIdOf(job: EnrichJob): string;
  now?: () => number;
}

/** While a batch is in flight its request is not done: look again this often (or when the slot opens). */
export const IN_FLIGHT_POLL_MS = 250;

/**
 * Whether a batch is done with, from the BullMQ states of the enrichment job that took it and of
 * the fetch job it handed the batch to: that fetch job finished (or was given up, or removed long
 * after finishing). While the taker has not finished, the fetch job may not exist yet, so the batch
 * counts as in flight; a taker that failed for good blocks nobody (its batch waits for a retry).
 */
export function batchSettled(takerState: string, fetchState: string): boolean {
  if (takerState === 'failed') return true;
  if (takerState !== 'completed' && takerState !== 'unknown') return false;
  return fetchState === 'completed' || fetchState === 'failed' || fetchState === 'unknown';
}

/** A taken batch → one export-API fetch job, and the successor when ids of the crawl still wait. */
function handOn(
  job: EnrichJob,
  taken: Extract<TakeResult, { kind: 'taken' }>,
  deps: EnrichDeps,
  successor: EnrichJob,
): Emit[] {
  const fetches: Emit[] = deps.batchUrls(taken.ids).map((url) => ({
    stage: 'fetch',
    payload: { crawlId: job.crawlId, url, depth: 0, referrer: job.url, route: ARXIV_API_ROUTE },
  }));
  return taken.more ? [...fetches, { stage: 'enrich', payload: successor }] : fetches;
}

/**
 * Takes the next batch of the crawl's waiting arXiv ids when a request may go out now — the export
 * API host's slot is free and no batch is in flight — and hands it to a fetch job. Otherwise it
 * waits (put back until the slot opens, no attempt used) while it keeps the crawl, or ends when
 * another job of the crawl keeps it or nothing waits. A job re-run after its worker died hands on
 * the batch it took before.
 */
export async function processEnrich(
  job: EnrichJob,
  deps: EnrichDeps,
  ctx: StageContext,
): Promise<StageResult<'enrich'>> {
  const now = deps.now ?? Date.now;
  const successor: EnrichJob = { crawlId: job.crawlId, url: job.url, round: (job.round ?? 0) + 1 };
  const request = { crawlId: job.crawlId, jobId: ctx.jobId, successor: deps.jobIdOf(successor) };
  let goneKeeper: string | undefined;
  for (;;) {
    const inFlight = await deps.queue.inFlight();
    const settled = inFlight && (await deps.batchSettled(inFlight)) ? inFlight : undefined;
    const slotWaitMs = await deps.slotWaitMs();
    const res = await deps.queue.take({
      ...request,
      slotWaitMs,
      ...(settled ? { settled } : {}),
      ...(goneKeeper ? { goneKeeper } : {}),
    });
    switch (res.kind) {
      case 'taken':
        ctx.log.debug({ ids: res.ids.length, more: res.more }, 'took an enrichment batch');
        return { outcome: 'batched', emit: handOn(job, res, deps, successor) };
      case 'keeper':
        // A keeper that is gone (failed for good) is replaced, once, by this job.
        if (goneKeeper === undefined && (await deps.jobGone(res.keeper))) {
          goneKeeper = res.keeper;
          continue;
        }
        return { outcome: 'coalesced' };
      case 'empty':
        return { outcome: 'coalesced' };
      case 'in-flight':
        return { outcome: 'deferred', delayUntil: now() + Math.max(slotWaitMs, IN_FLIGHT_POLL_MS) };
      case 'slot':
        return { outcome: 'deferred', delayUntil: now() + slotWaitMs };
    }
  }
}
