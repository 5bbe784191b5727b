import { Queue } from 'bullmq';
import { DELIVER_QUEUE, SCHEDULE_QUEUE } from '@paperline/contracts';
import { RedisKeys, type RedisClient } from '@paperline/core/redis';
import type { StageQueues } from '@paperline/core/pipeline';
import { stageQueueList, type NamedQueue } from '@paperline/ops';

/**
 * Queues shown when they exist in Redis, but never required (the scheduler and the webhook
 * deliverer may not run); `deliver`'s failed jobs are parked webhook batches.
 */
export const OPTIONAL_QUEUES = [SCHEDULE_QUEUE, DELIVER_QUEUE] as const;

/** Keys BullMQ creates for a queue that has ever been used. */
const MARKERS = ['meta', 'id', 'wait', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'repeat'];

/**
 * The queues the API shows: the four stages always, and optional ones (`schedule`) once they
 * appear in Redis, checked at most every `recheckMs`. Listeners hear of queues that appear.
 */
export class QueueSet {
  private readonly optional = new Map<string, Queue>();
  private readonly listeners: Array<(q: Queue) => void> = [];
  private lastCheck = 0;
  private checking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stages: StageQueues,
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** @defaultValue 30000 */
    private readonly recheckMs = 30_000,
  ) {}

  /** Checks now, then every `recheckMs` in the background. */
  async start(): Promise<void> {
    await this.detect(true);
    this.timer = setInterval(() => void this.detect(true), this.recheckMs);
    this.timer.unref();
  }

  /** Stages first, then the optional queues found so far. */
  async list(): Promise<NamedQueue[]> {
    await this.detect(false);
    return [...stageQueueList(this.stages), ...[...this.optional].map(([name, queue]) => ({ name, queue }))];
  }

  /** Calls `add` for every optional queue, now for those already found and later for new ones. */
  subscribe(add: (q: Queue) => void): void {
    this.listeners.push(add);
    for (const q of this.optional.values()) add(q);
  }

  private detect(force: boolean): Promise<void> {
    if (this.optional.size === OPTIONAL_QUEUES.length) return Promise.resolve();
    if (!force && Date.now() - this.lastCheck < this.recheckMs) return Promise.resolve();
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<void> {
    this.lastCheck = Date.now();
    for (const name of OPTIONAL_QUEUES) {
      if (this.optional.has(name)) continue;
      const keys = new RedisKeys(this.prefix);
      // One queue's keys share its slot, so one EXISTS asks about all of them on a cluster too.
      const found = await this.redis.exists(...MARKERS.map((m) => keys.queue(name, m))).catch(() => 0);
      if (found === 0) continue;
      const queue = new Queue(name, { connection: this.redis, prefix: keys.queuePrefix(name) });
      this.optional.set(name, queue);
      for (const l of this.listeners) l(queue);
    }
  }

  /** Closes the optional queues this set opened (the stage queues belong to the caller). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.optional.values()].map((q) => q.close()));
  }
}
