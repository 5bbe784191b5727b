import { createRequire } from 'node:module';
import type { RedisClient } from '../redis/redis.js';
import { PaperlineError, PermanentError, TransientError } from '@paperline/contracts';
import type { FetchResult } from '../http/client.js';
import { RedisKeys } from '../redis/keys.js';

interface Robot {
  isDisallowed(url: string, ua?: string): boolean | undefined;
}
// robots-parser is CommonJS (module.exports = function); its typings declare an ESM default.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => Robot;

/** What robots.txt said for one origin; `null` text means "no rules" (allow everything). */

interface CachedRobots {
  text: string | null;
  at: number;
}

interface RobotsOptions {
  /** The product token matched against User-agent lines. @defaultValue 'Paperline' */
  agent?: string;
  /** How long a fetched robots.txt is trusted, shared through Redis. @defaultValue 24 h */
  ttlSeconds?: number;
}

/**
 * The robots.txt of each origin as fetched, shared by every fetcher through Redis for `ttlSeconds`;
 * the one module that reads and writes those keys.
 */
export class RobotsCache {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** @defaultValue 24 h */
    private readonly ttlSeconds = 86_400,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  /** The origin's rules: their text, `null` for none (allow everything), `undefined` when not cached. */
  async get(origin: string): Promise<string | null | undefined> {
    const shared = await this.redis.get(this.keys.robots(origin));
    if (shared === null) return undefined;
    return shared === '' ? null : shared;
  }

  async set(origin: string, text: string | null): Promise<void> {
    await this.redis.set(this.keys.robots(origin), text ?? '', 'EX', this.ttlSeconds);
  }
}

/**
 * robots.txt, obeyed (RFC 9309): fetched once per origin and shared by all fetchers through Redis.
 * A missing robots.txt (4xx) allows everything; an unreachable one (5xx, network) allows nothing
 * for now, so the job is retried later rather than crawling blind.
 */
export class RobotsPolicy {
  private readonly local = new Map<string, CachedRobots>();
  private readonly agent: string;
  private readonly shared: RobotsCache;

  constructor(
    redis: RedisClient,
    prefix: string,
    private readonly fetchRobots: (url: string) => Promise<FetchResult>,
    private readonly decode: (body: Buffer, contentType: string) => { text: string },
    opts: RobotsOptions = {},
  ) {
    this.agent = opts.agent ?? 'Paperline';
    this.shared = new RobotsCache(redis, prefix, opts.ttlSeconds);
  }

  /** Throws ROBOTS_DISALLOWED (permanent) when robots.txt forbids the URL. */
  async check(url: string): Promise<void> {
    const origin = new URL(url).origin;
    const rules = await this.rules(origin);
    if (rules === null) return;
    const robot = robotsParser(`${origin}/robots.txt`, rules);
    if (robot.isDisallowed(url, this.agent)) {
      throw new PermanentError(
        'ROBOTS_DISALLOWED',
        `robots.txt of ${origin} disallows ${url} for ${this.agent}`,
        {
          stage: 'fetch',
          context: { url },
        },
      );
    }
  }

  private async rules(origin: string): Promise<string | null> {
    const mem = this.local.get(origin);
    if (mem && Date.now() - mem.at < 60_000) return mem.text;
    const shared = await this.shared.get(origin);
    if (shared !== undefined) {
      this.local.set(origin, { text: shared, at: Date.now() });
      return shared;
    }
    const text = await this.download(origin);
    await this.shared.set(origin, text);
    this.local.set(origin, { text, at: Date.now() });
    return text;
  }

  private async download(origin: string): Promise<string | null> {
    const url = `${origin}/robots.txt`;
    try {
      const res = await this.fetchRobots(url);
      return this.decode(res.body, res.contentType).text;
    } catch (err) {
      if (err instanceof PaperlineError) {
        if (
          ['HTTP_NOT_FOUND', 'HTTP_CLIENT_ERROR', 'HTTP_BAD_CONTENT_TYPE', 'HTTP_TOO_LARGE'].includes(
            err.code,
          )
        )
          return null;
        if (err.code === 'HTTP_BLOCKED_ADDRESS' || err.code === 'UNSUPPORTED_URL') throw err;
      }
      throw new TransientError(
        'HTTP_CONNECTION',
        `robots.txt of ${origin} is unreachable (${String(err)}); will retry before crawling`,
        {
          stage: 'fetch',
          context: { url },
          cause: err,
        },
      );
    }
  }
}
