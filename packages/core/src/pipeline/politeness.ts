import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/redis.js';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import type { PaperlineConfig } from '../config/config.js';

const ACQUIRE = LuaScript.file('polite-acquire');
const PUSH_BACK = LuaScript.file('polite-push-back');
const PEEK = LuaScript.file('polite-peek');

/**
 * The gap between two requests to a host: `PAPERLINE_HOST_INTERVAL_MS`, and for arXiv's hosts (site,
 * export API, OAI-PMH), which ask for a longer one, the larger of that and
 * `PAPERLINE_ARXIV_INTERVAL_MS`.
 */
export function hostIntervals(cfg: PaperlineConfig): (host: string) => number {
  const arxivHosts = new Set(
    [cfg.bases.arxivBaseUrl, cfg.bases.arxivApiUrl, cfg.bases.oaiBaseUrl].map((u) => new URL(u).host),
  );
  return (host) =>
    arxivHosts.has(host) ? Math.max(cfg.hostIntervalMs, cfg.arxivIntervalMs) : cfg.hostIntervalMs;
}

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
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly intervalFor: (host: string) => number,
    /** A slot further away than this is not held; the job is delayed instead. @defaultValue 2000 */
    private readonly maxWaitMs = 2000,
  ) {}

  /**
   * Waits for the host's next free slot and takes it; when the slot is further away than
   * `maxWaitMs`, takes nothing and says how long to put the job off instead. The wait ends with
   * an AbortError when `signal` aborts.
   */
  async reserve(host: string, signal?: AbortSignal): Promise<SlotDecision> {
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
      await sleep(nap, undefined, { signal });
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

  /**
   * How long until the host's next slot opens, on Redis's clock (0: free now), without taking it:
   * for a producer that wants its work to reach the host the moment a request may go out.
   */
  async peek(host: string): Promise<number> {
    return Number(await PEEK.run(this.redis, [this.#key(host)], []));
  }

  #key(host: string): string {
    return new RedisKeys(this.prefix).polite(host);
  }
}
