import { Queue, type JobsOptions, type ConnectionOptions } from 'bullmq';
import { STAGES, type Stage } from '@paperline/contracts';
import { RedisKeys } from '../redis/keys.js';

/** Default job options per stage. Failed jobs stay inspectable for the configured retention. */
function defaultJobOptions(
  stage: Stage,
  opts: { fetchAttempts: number; failedRetentionSeconds: number },
): JobsOptions {
  return {
    attempts: stage === 'fetch' ? opts.fetchAttempts : 5,
    backoff: { type: 'paperline', delay: 1000 },
    // A crawl's books live in its own state, so completed jobs need not stay long (Redis memory).
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: opts.failedRetentionSeconds },
  };
}

export type StageQueues = { readonly [S in Stage]: Queue };

/** One BullMQ queue per stage under the configured prefix. */
export function createQueues(
  connection: ConnectionOptions,
  prefix: string,
  opts: { fetchAttempts: number; failedRetentionSeconds: number },
): StageQueues {
  const entries = STAGES.map(
    (stage) =>
      [
        stage,
        new Queue(stage, {
          connection,
          prefix: new RedisKeys(prefix).queuePrefix(stage),
          defaultJobOptions: defaultJobOptions(stage, opts),
        }),
      ] as const,
  );
  return Object.fromEntries(entries) as unknown as StageQueues;
}

export async function closeQueues(queues: StageQueues): Promise<void> {
  await Promise.all(STAGES.map((s) => queues[s].close()));
}

export interface StageCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: number;
  prioritized: number;
}

/** Counts per state of one queue. */
export async function jobCounts(queue: Queue): Promise<StageCounts> {
  const c = await queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'failed',
    'completed',
    'paused',
    'prioritized',
  );
  return {
    waiting: c.waiting ?? 0,
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    failed: c.failed ?? 0,
    completed: c.completed ?? 0,
    paused: c.paused ?? 0,
    prioritized: c.prioritized ?? 0,
  };
}

/** Counts per state for every stage. */
export async function stageCounts(queues: StageQueues): Promise<Record<Stage, StageCounts>> {
  const out = {} as Record<Stage, StageCounts>;
  for (const s of STAGES) out[s] = await jobCounts(queues[s]);
  return out;
}
