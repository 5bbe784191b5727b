import type { Redis } from 'ioredis';
import { LuaScript } from './scripts.js';

// KEYS: host slot key   ARGV: intervalMs
// Takes the host's slot if it is free now (then the next one opens an interval later) and
// returns 0; otherwise returns how many ms until it opens. Taken at the moment of the request,
// so a request that was delayed can never crowd the next one.
const ACQUIRE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return nextAt - now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', interval + 60000)
return 0`);

export type SlotDecision = { kind: 'go'; waitMs: number } | { kind: 'later'; delayMs: number };

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
      const wait = Number(await ACQUIRE.run(this.redis, [`${this.prefix}:polite:${host}`], [interval]));
      if (wait === 0) return { kind: 'go', waitMs: waited };
      if (waited + wait > this.maxWaitMs) return { kind: 'later', delayMs: wait };
      // Small jitter so fetchers waiting for the same slot don't all ask at the same instant.
      const nap = wait + Math.floor(Math.random() * 15);
      await new Promise((r) => setTimeout(r, nap));
      waited += nap;
    }
  }

  /** Pushes the host's next slot out (e.g. after a 429 with Retry-After). */
  async pushBack(host: string, delayMs: number): Promise<void> {
    const key = `${this.prefix}:polite:${host}`;
    const until = Date.now() + delayMs;
    const cur = Number((await this.redis.get(key)) ?? 0);
    if (until > cur) await this.redis.set(key, String(until), 'PX', delayMs + 60_000);
  }
}
