/**
 * Experiment: the deduplicator's Redis access pattern. Per dedupe job (one page, 50 papers) the
 * stage awaits ~150 script calls one after another (HYDRATE per missing paper, then MERGE and
 * COMMIT per paper). This replays that pattern with equivalent scripts against the real Redis —
 * sequential as today vs. batched in one pipeline per step — at several job concurrencies, and
 * prints ms per job and papers/s. Keys live under a unique prefix and are deleted at the end.
 *
 *   pnpm exec tsx bench/src/experiments/dedupe-roundtrips.ts [jobs=200]
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@paperline/core/config';
import { LuaScript, RedisKeys, createRedis, unlinkMatching } from '@paperline/core/redis';

const MERGE = new LuaScript(`
local k = KEYS[1]
local at = redis.call('HGET', k, 'at:' .. ARGV[1])
if (not at) or at <= ARGV[3] then redis.call('HSET', k, 'src:' .. ARGV[1], ARGV[2], 'at:' .. ARGV[1], ARGV[3]) end
local ver = redis.call('HINCRBY', k, 'ver', 1)
redis.call('HSETNX', k, 'first', ARGV[4])
redis.call('EXPIRE', k, tonumber(ARGV[5]))
return {ver, redis.call('HGET', k, 'first'), redis.call('HGETALL', k)}`);
const COMMIT = new LuaScript(`
local k = KEYS[1]
if redis.call('HGET', k, 'hash') == ARGV[1] then return 0 end
redis.call('HSET', k, 'hash', ARGV[1], 'hashJob', ARGV[2])
return 1`);
const HYDRATE = new LuaScript(`
local k = KEYS[1]
redis.call('HSET', k, 'hydrated', '1')
redis.call('EXPIRE', k, tonumber(ARGV[1]))
return 1`);

const jobs = Number(process.argv[2] ?? 200);
const cfg = loadConfig(process.env);
const redis = createRedis(cfg, 'worker');
const keys = new RedisKeys(`bench-exp-${randomBytes(3).toString('hex')}`);
const partial = JSON.stringify({
  source: 'hf',
  title: 'x'.repeat(80),
  abstract: 'y'.repeat(900),
  authors: ['a b', 'c d'],
});

async function jobSequential(j: number): Promise<void> {
  const ids = Array.from({ length: 50 }, (_, i) => keys.paper(`${j}-${i}`));
  for (const k of ids) await HYDRATE.run(redis, [k], [3600]);
  for (const k of ids) {
    await MERGE.run(redis, [k], ['hf', partial, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 3600]);
    await COMMIT.run(redis, [k], [`h${j}`, `job${j}`]);
  }
}

async function jobPipelined(j: number): Promise<void> {
  const ids = Array.from({ length: 50 }, (_, i) => keys.paper(`${j}-${i}`));
  await MERGE.run(redis, [ids[0]!], ['hf', partial, '2024', '2024', 3600]); // make sure scripts are loaded
  const step = async (f: (p: ReturnType<typeof redis.pipeline>, k: string) => void) => {
    const p = redis.pipeline();
    for (const k of ids) f(p, k);
    await p.exec();
  };
  const sha = (s: LuaScript) => (s as unknown as { sha: string }).sha;
  await step((p, k) => p.evalsha(sha(HYDRATE), 1, k, 3600));
  await step((p, k) =>
    p.evalsha(sha(MERGE), 1, k, 'hf', partial, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 3600),
  );
  await step((p, k) => p.evalsha(sha(COMMIT), 1, k, `h${j}`, `job${j}`));
}

async function measure(name: string, f: (j: number) => Promise<void>, concurrency: number, base: number) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) await f(base + next++);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${name.padEnd(11)} concurrency ${String(concurrency).padStart(2)}: ${((s * 1000 * concurrency) / jobs).toFixed(1).padStart(7)} ms/job  ${Math.round(
      (jobs * 50) / s,
    )
      .toString()
      .padStart(6)} papers/s\n`,
  );
}

try {
  await HYDRATE.run(redis, [keys.paper('warm')], [60]);
  await COMMIT.run(redis, [keys.paper('warm')], ['h', 'j']);
  let base = 0;
  for (const c of [1, 8, 32]) {
    await measure('sequential', jobSequential, c, (base += jobs));
    await measure('pipelined', jobPipelined, c, (base += jobs));
  }
} finally {
  await unlinkMatching(redis, keys.everything);
  redis.disconnect();
}
