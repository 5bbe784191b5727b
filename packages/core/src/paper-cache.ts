import type { Redis } from 'ioredis';
import { LuaScript } from './scripts.js';
import { RedisKeys } from './keys.js';

// KEYS: paper keys. Drops the written hash and bumps the revision, so a merge that read the old
// hash before this loses its compare-and-set and reads again. Absent keys stay absent.
const FORGET = new LuaScript(`
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then
    redis.call('HDEL', k, 'hash', 'hashJob')
    redis.call('HINCRBY', k, 'rev', 1)
  end
end
return 1`);

/** Forgets the last written content hash of papers whose write failed: the next sighting writes again. */
export async function forgetWrittenHash(redis: Redis, prefix: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await FORGET.run(
    redis,
    ids.map((id) => new RedisKeys(prefix).paper(id)),
    [],
  );
}
