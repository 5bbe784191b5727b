import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import type { RedisClient } from '../redis/redis.js';

const COUNT = LuaScript.file('index-writes');

/** How fast an index is written, by every process that writes it. */
export interface WriteActivity {
  /** Documents per second over the window, ending now. */
  docsPerSecond: number;
  /** How long ago any writer last wrote (Infinity: no write in the last minute). */
  idleMs: number;
}

/**
 * The writes of one index, counted in Redis by every indexer process that writes it: the figures
 * each process's refresh policy decides on. Counted per process, the processes of one deployment
 * disagreed about the index they share: two chained processes writing 700 documents a second each
 * never saw the 1,000 of a backfill, and one that paused for half a second set the index back to a
 * 1 s refresh while the other went on bulk-loading.
 */
export class IndexWrites {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    index: string,
    /** The rate's window, in whole seconds. */
    private readonly windowSeconds: number,
  ) {
    this.key = new RedisKeys(prefix).indexWrites(index);
  }

  /** Counts `n` documents this process just wrote; resolves to the index's activity, these included. */
  add(n: number): Promise<WriteActivity> {
    return this.call(n);
  }

  /** The index's activity now. */
  current(): Promise<WriteActivity> {
    return this.call(0);
  }

  /**
   * Counts the rate afresh from the next second on (the time of the last write stays): after a
   * backfill ends, its writes say nothing about the traffic that follows.
   */
  async restart(): Promise<void> {
    await this.call(-1);
  }

  private async call(n: number): Promise<WriteActivity> {
    const [rate, idle] = (await COUNT.run(this.redis, [this.key], [n, this.windowSeconds])) as [
      string,
      string,
    ];
    return { docsPerSecond: Number(rate), idleMs: idle === '-1' ? Number.POSITIVE_INFINITY : Number(idle) };
  }
}
