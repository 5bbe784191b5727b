import { LuaScript, RedisKeys, type RedisClient } from '@paperline/core/redis';

/** Renews a lease only while its holder still has it (one key: safe on Redis Cluster). */
const RENEW = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
);
/** Drops a lease only when its holder still has it. */
const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
);

/** Where an endpoint's follower is: its cursor in the change feed and the delivery last handed over. */
export interface WebhookState {
  /** undefined: the endpoint has not started yet. */
  cursor: string | undefined;
  /** The id of the `deliver` job of the last batch, if any. */
  job: string | undefined;
}

/**
 * The one owner of the webhook followers' Redis state (`RedisKeys.webhook`): each endpoint's cursor
 * and last job, and the lease that lets exactly one process follow an endpoint at a time.
 */
export class WebhookCursors {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async state(endpoint: string): Promise<WebhookState> {
    const h = await this.redis.hgetall(this.keys.webhook(endpoint).state);
    return { cursor: h.cursor, job: h.job };
  }

  /** Moves the cursor past a batch, recording the job it was handed to (none: nothing matched the filter). */
  async advance(endpoint: string, cursor: string, job?: string): Promise<void> {
    await this.redis.hset(this.keys.webhook(endpoint).state, { cursor, ...(job ? { job } : {}) });
  }

  /** Takes the endpoint's lease for `ttlMs` if nobody holds it; true when `holder` has it now. */
  async acquire(endpoint: string, holder: string, ttlMs: number): Promise<boolean> {
    const key = this.keys.webhook(endpoint).lease;
    const res = await this.redis.set(key, holder, 'PX', ttlMs, 'NX');
    return res === 'OK' || (await this.renew(endpoint, holder, ttlMs));
  }

  /** Extends a lease `holder` still has; false when it lost it (expired, taken over). */
  async renew(endpoint: string, holder: string, ttlMs: number): Promise<boolean> {
    const res = await RENEW.run(this.redis, [this.keys.webhook(endpoint).lease], [holder, ttlMs]);
    return Number(res) === 1;
  }

  async release(endpoint: string, holder: string): Promise<void> {
    await RELEASE.run(this.redis, [this.keys.webhook(endpoint).lease], [holder]);
  }

  /** Who follows the endpoint now, if anyone. */
  async holder(endpoint: string): Promise<string | null> {
    return this.redis.get(this.keys.webhook(endpoint).lease);
  }
}
