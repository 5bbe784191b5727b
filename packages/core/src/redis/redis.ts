import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection. Workers wait for Redis forever (`maxRetriesPerRequest: null`, as BullMQ
 * requires); producers such as the CLI fail fast instead of hanging.
 */
export function createRedis(url: string, role: 'worker' | 'producer'): Redis {
  const opts: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 2,
          connectTimeout: 5000,
          retryStrategy: (times) => (times > 3 ? null : Math.min(times * 200, 1000)),
        };
  return new Redis(url, { ...opts, lazyConnect: false });
}

/** Redis URL with any password masked, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** Unlinks every key matching a SCAN pattern (e.g. a key family's); returns how many. */
export async function unlinkMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
