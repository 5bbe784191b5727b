import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import type { RedisClient } from '../redis/redis.js';

const LEASE = LuaScript.file('backfill-holders');

/**
 * Processes that each hold a lease in one Redis sorted set, and renew it, while something is true
 * of them; one not renewed within its length (its process died) runs out. Redis's clock times
 * every lease, so processes on machines whose clocks differ agree.
 */
class LeaseSet {
  /** This process's id in the set: unique across machines and restarts. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    /** How long a lease lasts unless renewed, in ms. */
    private readonly leaseMs: number,
  ) {}

  /** Takes or renews this process's lease; resolves to the number of live leases. */
  hold(): Promise<number> {
    return this.call('hold');
  }

  /** Gives this process's lease up; resolves to the number of live leases left. */
  release(): Promise<number> {
    return this.call('release');
  }

  private async call(op: 'hold' | 'release'): Promise<number> {
    return Number(await LEASE.run(this.redis, [this.key], [op, this.holder, this.leaseMs]));
  }
}

/**
 * The indexer processes that want an index refreshed at the backfill interval, in Redis. The
 * refresh interval belongs to the index, not to one process: decided per process, an indexer that
 * paused for half a second, or one that started, set the index back to its 1 s interval while
 * another went on bulk-loading (and that one, believing the index was still at the backfill
 * interval, never set it again). Each process now holds a lease while it bulk-loads; the index is
 * at the backfill interval while any lease is live.
 */
export class BackfillHolders extends LeaseSet {
  constructor(redis: RedisClient, prefix: string, index: string, leaseMs: number) {
    super(redis, new RedisKeys(prefix).backfillHolders(index), leaseMs);
  }
}

/**
 * The indexer processes writing to an index now: each holds a short lease while it writes. Indexers
 * that share the stage queues write at about the same rate, so one process's rate times their
 * number tells it the index's write rate without adding up rates that are seconds old.
 */
export class IndexWriters extends LeaseSet {
  constructor(redis: RedisClient, prefix: string, index: string, leaseMs: number) {
    super(redis, new RedisKeys(prefix).indexWriters(index), leaseMs);
  }
}
