import type { Worker } from 'bullmq';
import type { z } from 'zod';
import {
  JOB_SCHEMAS,
  PermanentError,
  STAGES,
  type JobPayloads,
  type Stage,
  type WorkerKind,
} from '@paperline/contracts';
import type { PaperlineConfig } from '../config/config.js';
import { ROUTES } from './routing.js';
import type { Runtime } from './runtime.js';
import { createStageWorker, type Processor, type StageContext, type StageResult } from './runner.js';

/** A stage's narrow dependencies, and what must be released when its process stops. */
export interface StageWiring<D> {
  deps: D;
  /** Runs after the worker stopped taking jobs and its active jobs finished (e.g. flush a buffer). */
  close?: () => Promise<void>;
}

/**
 * One pipeline stage, declared once: the queue it consumes, that queue's payload schema, its
 * concurrency setting and time limit, how its dependencies are built from a runtime, and its
 * processor. The
 * worker runtime and the tests build a stage the same way, through `wire(runtime)`.
 */
export interface StageDefinition<S extends Stage = Stage, D = unknown> {
  /** The queue this stage consumes (queue names equal stage names). */
  readonly queue: S;
  /** The process kind that runs it (`paperline workers --only <worker>`). */
  readonly worker: WorkerKind;
  readonly payload: z.ZodType<JobPayloads[S]>;
  /** Whether this configuration runs the stage at all (always, when absent). */
  enabled?(cfg: PaperlineConfig): boolean;
  concurrency(cfg: PaperlineConfig): number;
  /** How long one run of a job may take; past it the job fails with `JOB_TIMEOUT` and is retried. */
  timeoutMs(cfg: PaperlineConfig): number;
  wire(rt: Runtime): Promise<StageWiring<D>>;
  process(payload: JobPayloads[S], deps: D, ctx: StageContext): Promise<StageResult<S>>;
}

/** Declares a stage; the payload schema is the queue's own from the contracts. */
export function defineStage<S extends Stage, D>(
  def: Omit<StageDefinition<S, D>, 'payload'>,
): StageDefinition<S, D> {
  return { ...def, payload: JOB_SCHEMAS[def.queue] as unknown as z.ZodType<JobPayloads[S]> };
}

/** A stage of any queue, with its dependencies' type erased (as the registry holds them). */
export type AnyStageDefinition = StageDefinition<Stage, unknown>;

/** A set of stage definitions that `checkRegistry` found complete and consistent with the routing table. */
export type StageRegistry = ReadonlyMap<Stage, AnyStageDefinition>;

/**
 * Refuses a registry in which a queue of the routing table has no stage or two, or a stage has
 * no route: such a pipeline would strand jobs. Returns the stages by queue.
 */
export function checkRegistry(defs: readonly AnyStageDefinition[]): StageRegistry {
  const byQueue = new Map<Stage, AnyStageDefinition>();
  const problems: string[] = [];
  for (const def of defs) {
    if (byQueue.has(def.queue)) problems.push(`queue '${def.queue}' has two stages`);
    if (!(def.queue in ROUTES)) problems.push(`stage '${def.queue}' has no route`);
    byQueue.set(def.queue, def);
  }
  for (const queue of STAGES) if (!byQueue.has(queue)) problems.push(`queue '${queue}' has no stage`);
  if (problems.length > 0)
    throw new PermanentError('CONFIG_INVALID', `stage registry: ${problems.join('; ')}`, { stage: 'config' });
  return byQueue;
}

/** A stage's worker running in this process. */
interface RunningStage {
  readonly worker: Worker;
  /** Stops taking jobs, lets active ones finish, then releases the stage's own resources. */
  stop(): Promise<void>;
}

/**
 * Starts the stages' workers on this runtime, each with the dependencies its definition wires.
 * Every stage is wired, and so known to the process's {@link Runtime.local} stages, before any
 * worker takes a job: a job that finishes at once chains into every stage of the process, not
 * only into those started before it.
 */
export async function startStages(rt: Runtime, defs: readonly AnyStageDefinition[]): Promise<RunningStage[]> {
  const wired: Array<() => RunningStage> = [];
  for (const def of defs) wired.push(await wireStage(rt, def));
  return wired.map((start) => start());
}

/** Starts one stage's worker on this runtime (see {@link startStages}). */
export async function startStage<S extends Stage, D>(
  rt: Runtime,
  def: StageDefinition<S, D>,
): Promise<RunningStage> {
  return (await wireStage(rt, def))();
}

/** Wires a stage and makes it known to the process's chained stages; returns what starts its worker. */
async function wireStage<S extends Stage, D>(
  rt: Runtime,
  def: StageDefinition<S, D>,
): Promise<() => RunningStage> {
  const { deps, close } = await def.wire(rt);
  const concurrency = def.concurrency(rt.cfg);
  const timeoutMs = def.timeoutMs(rt.cfg);
  const processor = (payload: JobPayloads[S], ctx: StageContext) => def.process(payload, deps, ctx);
  rt.local.add(def.queue, { processor: processor as Processor<Stage>, timeoutMs });
  return () => {
    const worker = createStageWorker(def.queue, processor, {
      connection: rt.queueRedis,
      prefix: rt.cfg.queuePrefix,
      concurrency,
      timeoutMs,
      lockMs: rt.cfg.lockMs,
      crawls: rt.crawls,
      enqueuer: rt.enqueuer,
      local: rt.local,
      active: rt.active,
      log: rt.log,
      onOutcome: (s, outcome, ms) => rt.metrics.observeJob(s, outcome, ms),
    });
    rt.log.info({ queue: def.queue, concurrency, timeoutMs, prefix: rt.cfg.queuePrefix }, 'worker started');
    return {
      worker,
      async stop() {
        await worker.close();
        await close?.();
      },
    };
  };
}
