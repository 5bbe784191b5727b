import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import type { RedisClient } from '../redis/redis.js';

const LEASE = LuaScript.file('backfill-holders');

/**
 * The indexer processes that want an index refreshed at the backfill interval, in Redis. The
 * refresh interval belongs to the index, not to one process: decided per process, an indexer that
 * paused for half a second, or one that started, set the index back to its 1 s interval while
 * another went on bulk-loading (and that one, believing the index was still at the backfill
 * interval, never set it again). Each process now holds a lease while it bulk-loads; the index is
 * at the backfill interval while any lease is live. A lease not renewed within its length (its
 * holder died) runs out.
 */
export class BackfillHolders {
  private readonly key: string;
  /** This process's holder id: unique across machines and restarts. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    index: string,
    /** How long a lease lasts unless renewed, in ms. */
    private readonly leaseMs: number,
  ) {
    this.key = new RedisKeys(prefix).backfillHolders(index);
  }

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
