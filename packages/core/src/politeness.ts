import type { Redis } from 'ioredis';
import { LuaScript } from './scripts.js';

// KEYS: host slot key   ARGV: intervalMs, maxWaitMs
// Reserves the host's next request slot if it is at most maxWaitMs away; returns the wait in ms,
// or -(wait) when the slot is too far away and nothing was reserved.
const RESERVE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nextAt)
local wait = at - now
if wait > tonumber(ARGV[2]) then return -wait end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(at + interval), 'PX', interval + 60000)
return wait`);

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

  async reserve(host: string): Promise<SlotDecision> {
    const interval = this.intervalFor(host);
    if (interval <= 0) return { kind: 'go', waitMs: 0 };
    const r = Number(
      await RESERVE.run(this.redis, [`${this.prefix}:polite:${host}`], [interval, this.maxWaitMs]),
    );
    return r < 0 ? { kind: 'later', delayMs: -r } : { kind: 'go', waitMs: r };
  }

  /** Pushes the host's next slot out (e.g. after a 429 with Retry-After). */
  async pushBack(host: string, delayMs: number): Promise<void> {
    const key = `${this.prefix}:polite:${host}`;
    const until = Date.now() + delayMs;
    const cur = Number((await this.redis.get(key)) ?? 0);
    if (until > cur) await this.redis.set(key, String(until), 'PX', delayMs + 60_000);
  }
}
