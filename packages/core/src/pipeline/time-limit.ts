import { TransientError, type Stage } from '@paperline/contracts';

/** A job's time limit: its stage, how long it may run, and its URL (named in the error). */
interface TimeLimit {
  stage: Stage;
  ms: number;
  url?: string;
}

/** The error of a job that ran over its stage's time limit: transient, so it is retried. */
function jobTimeoutError(limit: TimeLimit): TransientError {
  const what = limit.url ? `${limit.stage} job of ${limit.url}` : `${limit.stage} job`;
  return new TransientError('JOB_TIMEOUT', `${what} ran over its time limit of ${limit.ms} ms`, {
    stage: limit.stage,
    context: { ...(limit.url ? { url: limit.url } : {}), limitMs: limit.ms },
  });
}

/**
 * Runs one job's work under a signal of its own, aborted when `shutdown` aborts (the worker is
 * closing: naps and waits end) or when the limit passes. Past the limit the returned promise
 * rejects with `JOB_TIMEOUT` at once, even if `work` does not watch its signal; `work` is then
 * left to settle on its own and its result is dropped.
 */
export async function withTimeLimit<T>(
  limit: TimeLimit,
  shutdown: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const job = new AbortController();
  const forward = () => job.abort(shutdown?.reason);
  if (shutdown?.aborted) forward();
  else shutdown?.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = jobTimeoutError(limit);
      job.abort(err);
      reject(err);
    }, limit.ms);
  });
  const running = work(job.signal);
  try {
    return await Promise.race([running, overrun]);
  } finally {
    clearTimeout(timer);
    shutdown?.removeEventListener('abort', forward);
    // Past the limit nobody waits for it any more; its late failure is not an unhandled one.
    running.catch(() => undefined);
  }
}

/** True for the error a wait ends with when its signal aborts (`timers/promises`, fetch, …). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
