import {
  JOB_SCHEMAS,
  PaperlineError,
  type JobOutcomes,
  type JobPayloads,
  type Stage,
} from '@paperline/contracts';
import type { Logger } from '../process/logger.js';
import type { Emit, HandOff } from './routing.js';

/**
 * What a stage's processor returns: its outcome and the jobs that follow, or — not now — a time
 * to put the job back until (politeness), without using an attempt.
 */
export type StageResult<S extends Stage = Stage> =
  { outcome: JobOutcomes[S]; emit?: Emit[] } | { outcome: 'deferred'; delayUntil: number; emit?: never };

export interface StageContext {
  jobId: string;
  attempt: number;
  log: Logger;
  /**
   * Aborted when the worker shuts down or the job runs over its stage's time limit: naps and
   * waits end on it.
   */
  signal: AbortSignal;
  /** What the stage before handed over in memory, when this run is chained to its job. */
  handOff?: HandOff;
}

export type Processor<S extends Stage> = (
  payload: JobPayloads[S],
  ctx: StageContext,
) => Promise<StageResult<S>>;

/**
 * A job's payload as its queue's schema reads it; an invalid one fails for good with
 * `INVALID_PAYLOAD`, naming the stage, the field and its URL.
 */
export function checkedPayload<S extends Stage>(stage: S, data: unknown): JobPayloads[S] {
  const parsed = JOB_SCHEMAS[stage].safeParse(data);
  if (parsed.success) return parsed.data as JobPayloads[S];
  const issue = parsed.error.issues[0];
  const url = typeof data === 'object' && data !== null ? (data as { url?: unknown }).url : undefined;
  throw new PaperlineError(
    'INVALID_PAYLOAD',
    `invalid ${stage} job payload at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'unknown'}`,
    'permanent',
    { stage, context: { url: typeof url === 'string' ? url : undefined } },
  );
}
