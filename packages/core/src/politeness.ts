import type { Redis } from 'ioredis';
import { LuaScript } from './scripts.js';
import { RedisKeys } from './keys.js';

// KEYS: host slot key   ARGV: intervalMs
// Takes the host's slot if it is free now (then the next one opens an interval later) and
// returns {1, now}; otherwise returns {0, ms until it opens}. Times are Redis's clock (TIME), so
// fetchers on machines with skewed clocks agree. Taken at the moment of the request, so a request
// that was delayed can never crowd the next one.
const ACQUIRE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return {0, nextAt - now} end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', interval + 60000)
return {1, now}`);

// KEYS: host slot key   ARGV: delayMs
// Moves the host's next slot to `delayMs` from now on Redis's clock, unless it is already later:
// a slot is only ever pushed out, never brought forward. Returns the slot's time after the call.
const PUSH_BACK = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[1])
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + delay <= nextAt then return nextAt end
redis.call('SET', KEYS[1], tostring(now + delay), 'PX', delay + 60000)
return now + delay`);

export type SlotDecision =
  /**
   * The slot is taken: send the request now. `grantedAt` is when Redis granted it (ms since the
   * epoch on Redis's clock); absent when the host has no interval and nothing was taken.
   */
  { kind: 'go'; waitMs: number; grantedAt?: number } | { kind: 'later'; delayMs: number };

/**
 * Per-host politeness shared by every fetcher on every machine: one request per host per interval,
 * scheduled through Redis's clock so machines with skewed clocks still agree.
 */
export class HostLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly intervalFor: (host: string) => number,
    /** A slot further away than this is not held; the job is delayed instead. @defaultValue 2000 */
    private readonly maxWaitMs = 2000,
  ) {}

  /**
   * Waits for the host's next free slot and takes it; when the slot is further away than
   * `maxWaitMs`, takes nothing and says how long to put the job off instead.
   */
  async reserve(host: string): Promise<SlotDecision> {
    const interval = this.intervalFor(host);
    if (interval <= 0) return { kind: 'go', waitMs: 0 };
    let waited = 0;
    for (;;) {
      const [granted, value] = (await ACQUIRE.run(this.redis, [this.#key(host)], [interval])) as [
        number,
        number,
      ];
      if (granted === 1) return { kind: 'go', waitMs: waited, grantedAt: value };
      if (waited + value > this.maxWaitMs) return { kind: 'later', delayMs: value };
      // Small jitter so fetchers waiting for the same slot don't all ask at the same instant.
      const nap = value + Math.floor(Math.random() * 15);
      await new Promise((r) => setTimeout(r, nap));
      waited += nap;
    }
  }

  /**
   * Pushes the host's next slot out to `delayMs` from now (e.g. after a 429 with Retry-After),
   * never earlier than it already is. Returns the slot's time (ms since the epoch, Redis's clock).
   */
  async pushBack(host: string, delayMs: number): Promise<number> {
    return Number(await PUSH_BACK.run(this.redis, [this.#key(host)], [Math.max(0, Math.round(delayMs))]));
  }

  #key(host: string): string {
    return new RedisKeys(this.prefix).polite(host);
  }
}
