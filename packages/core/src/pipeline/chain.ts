import { PaperlineError, type JobOutcome, type Stage } from '@paperline/contracts';
import type { Logger } from '../process/logger.js';
import type { Enqueuer } from './enqueuer.js';
import { isChainEdge, jobIdFor, type Emit } from './routing.js';
import type { Processor } from './processor.js';
import { withTimeLimit } from './time-limit.js';

/** A stage this process runs, as a job of the stage before it may run it in place. */
export interface LocalStage {
  processor: Processor<Stage>;
  /** The stage's own time limit, which a run in place keeps. */
  timeoutMs: number;
}

/**
 * The stages this process runs, by queue: stage chaining. When a process runs consecutive stages
 * of one page's main line (fetch → parse → dedupe → index), a job hands what it emits along that
 * line to the next stage's processor in memory instead of through the queue, as stream processors
 * chain operators, and saves the job's trip through Redis: serializing it, BullMQ's scripts, and
 * the copies on both sides.
 *
 * What the queues guarantee still holds. The upstream job completes only after the stages run in
 * place did, so a crash anywhere in the chain retries the upstream job, and every stage is
 * idempotent. A stage run in place gets the deterministic job id its queued job would have had.
 * Whatever a chained stage cannot finish (a failure, a timeout, a shutdown, a put-back) goes to its
 * queue as the job it would have been, with that stage's own retries and failure records.
 */
export class LocalStages {
  private readonly stages = new Map<Stage, LocalStage>();

  constructor(private readonly enabled: boolean = true) {}

  add(stage: Stage, local: LocalStage): void {
    this.stages.set(stage, local);
  }

  /** Whether jobs of another stage of this process run `to` in place (their chains wait on it). */
  chainsInto(to: Stage): boolean {
    return (
      this.enabled && this.stages.has(to) && [...this.stages.keys()].some((from) => isChainEdge(from, to))
    );
  }

  /** The stage `to`, if a job of `from` runs it in place here. */
  chained(from: Stage, to: Stage): LocalStage | undefined {
    return this.enabled && isChainEdge(from, to) ? this.stages.get(to) : undefined;
  }
}

/** One upstream job's run, as the stages it chains see it. */
export interface ChainRun {
  /** Aborted when the worker shuts down: chained stages end their waits, what is left is queued. */
  shutdown: AbortSignal | undefined;
  log: Logger;
}

export interface ForwardDeps {
  enqueuer: Enqueuer;
  local?: LocalStages;
  /** Called once after each stage run in place, with how it ended (metrics). */
  onOutcome?: (stage: Stage, outcome: JobOutcome, ms: number) => void;
}

/**
 * Passes a stage's emits on: those its process chains run here, in order, the others are added
 * to their queues (the enqueuer's backpressure and crawl books apply to them as before).
 */
export async function forward(from: Stage, emits: readonly Emit[], run: ChainRun, deps: ForwardDeps) {
  const queued = emits.filter((e) => !deps.local?.chained(from, e.stage));
  if (queued.length > 0) await deps.enqueuer.enqueue(from, queued, run.shutdown);
  for (const e of emits) {
    const local = deps.local?.chained(from, e.stage);
    if (local) await runChained(from, e, local, run, deps);
  }
}

/** Runs one emitted job in place; whatever it cannot finish goes to its queue instead. */
async function runChained(from: Stage, emit: Emit, local: LocalStage, run: ChainRun, deps: ForwardDeps) {
  const started = Date.now();
  const log = run.log.child({ queue: emit.stage, chainedFrom: from });
  let result: Awaited<ReturnType<Processor<Stage>>>;
  try {
    // Not parsed against its queue's schema again: the payload is the typed output of the stage
    // before, and schemas check what crosses a process boundary (the runner reads a queued job
    // through one, the enqueuer refuses to queue an invalid one). A run that does not finish here
    // is queued, and so checked, like any other.
    const payload = emit.payload;
    const url = (payload as { url?: string }).url;
    result = await withTimeLimit(
      { stage: emit.stage, ms: local.timeoutMs, ...(url ? { url } : {}) },
      run.shutdown,
      (signal) =>
        local.processor(payload, {
          jobId: jobIdFor(emit.stage, payload as never),
          attempt: 1,
          log,
          signal,
          ...(emit.handOff ? { handOff: emit.handOff } : {}),
        }),
    );
  } catch (err) {
    // Queued as it would have been: the stage's own worker retries it and books its failure.
    log.info(
      {
        code: err instanceof PaperlineError ? err.code : 'UNKNOWN',
        error: err instanceof Error ? err.message : String(err),
      },
      `chained ${emit.stage} did not finish here: queued instead`,
    );
    await deps.enqueuer.enqueue(from, [emit], run.shutdown);
    return;
  }
  if ('delayUntil' in result) {
    await deps.enqueuer.enqueue(from, [emit], run.shutdown);
    return;
  }
  deps.onOutcome?.(emit.stage, { kind: 'done', outcome: result.outcome }, Date.now() - started);
  await forward(emit.stage, result.emit ?? [], run, deps);
}
