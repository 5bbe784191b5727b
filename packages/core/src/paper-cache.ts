import type { Redis } from 'ioredis';

/** The Redis key of a paper's dedup cache entry (each source's view, last written hash, version). */
export const paperCacheKey = (prefix: string, id: string): string => `${prefix}:paper:${id}`;

/** Forgets the last written content hash of papers whose write failed: the next sighting writes again. */
export async function forgetWrittenHash(redis: Redis, prefix: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hdel(paperCacheKey(prefix, id), 'hash', 'hashJob');
  await pipe.exec();
}
