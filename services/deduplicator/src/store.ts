import type { Redis } from 'ioredis';
import { LuaScript, forgetWrittenHash, getPapers, paperCacheKey, type EsClient } from '@paperline/core';
import type { PaperCandidate, SourceId } from '@paperline/contracts';
import { combineSameSource, type StoredSourceRef } from '@paperline/identity';

// KEYS: paper key   ARGV: source, combinedJSON, fetchedAt, nowIso, ttlSeconds, expectedJSON
// Stores the source's combined view if nobody changed it since it was read (else 'retry'), takes a
// new merge version, and returns the state to merge from.
const MERGE = new LuaScript(`
local k = KEYS[1]
local cur = redis.call('HGET', k, 'src:' .. ARGV[1]) or ''
if cur ~= ARGV[6] then return {'retry'} end
redis.call('HSET', k, 'src:' .. ARGV[1], ARGV[2], 'at:' .. ARGV[1], ARGV[3])
-- The merge version orders writes (Elasticsearch external versions): Redis's clock in µs, and
-- always above the last one, so it also exceeds what a delete left behind in the index.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ver = math.max(now, tonumber(redis.call('HGET', k, 'ver') or '0') + 1)
ver = string.format('%.0f', ver)
redis.call('HSET', k, 'ver', ver)
redis.call('HSETNX', k, 'first', ARGV[4])
redis.call('EXPIRE', k, tonumber(ARGV[5]))
return {ver, redis.call('HGET', k, 'first'), redis.call('HGETALL', k)}`);

// KEYS: paper key   ARGV: hash, jobId
// 1 = changed (write it), 0 = unchanged. A job re-run after a crash re-emits what it committed.
const COMMIT = new LuaScript(`
local k = KEYS[1]
if redis.call('HGET', k, 'hash') == ARGV[1] then
  if redis.call('HGET', k, 'hashJob') == ARGV[2] then return 1 end
  return 0
end
redis.call('HSET', k, 'hash', ARGV[1], 'hashJob', ARGV[2])
return 1`);

// KEYS: paper key   ARGV: esVersion, first, hash, ttl, then pairs source, partialJSON, fetchedAt…
// Fills a cold cache entry from the index (Redis is a cache; Elasticsearch is the truth).
const HYDRATE = new LuaScript(`
local k = KEYS[1]
local cur = tonumber(redis.call('HGET', k, 'ver') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', k, 'ver', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSETNX', k, 'first', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSETNX', k, 'hash', ARGV[3]) end
local i = 5
while i + 2 <= #ARGV + 0 do
  local at = redis.call('HGET', k, 'at:' .. ARGV[i])
  if (not at) or at < ARGV[i + 2] then
    redis.call('HSET', k, 'src:' .. ARGV[i], ARGV[i + 1], 'at:' .. ARGV[i], ARGV[i + 2])
  end
  i = i + 3
end
redis.call('HSET', k, 'hydrated', '1')
redis.call('EXPIRE', k, tonumber(ARGV[4]))
return 1`);

function toState([ver, first, flat]: [number | string, string, string[]]): MergeState {
  const partials: PaperCandidate[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i]!.startsWith('src:')) partials.push(JSON.parse(flat[i + 1]!) as PaperCandidate);
  }
  return { version: Number(ver), firstSeenAt: first, partials };
}

export interface MergeState {
  version: number;
  firstSeenAt: string;
  partials: PaperCandidate[];
}

/**
 * The deduplicator's state: per paper, each source's newest view, the last written content hash
 * and a merge version. Kept in Redis as a cache (entries expire); on a miss it is rebuilt from the
 * document in Elasticsearch, so emptying Redis never duplicates a paper.
 */
export class DedupStore {
  constructor(
    private readonly redis: Redis,
    private readonly es: EsClient,
    private readonly alias: string,
    private readonly prefix: string,
    /** @defaultValue 7 days */
    private readonly ttlSeconds = 7 * 86_400,
  ) {}

  private key(id: string): string {
    return paperCacheKey(this.prefix, id);
  }

  /** Loads from the index every paper of `ids` that the cache does not hold. */
  async hydrate(ids: string[]): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hexists(this.key(id), 'hydrated');
    const res = (await pipe.exec()) ?? [];
    const missing = ids.filter((_, i) => res[i]?.[1] !== 1);
    if (missing.length === 0) return;
    const docs = await getPapers(this.es, this.alias, missing);
    for (const id of missing) {
      const d = docs.get(id);
      const args: (string | number)[] = [
        d?.version ?? 0,
        typeof d?.doc.firstSeenAt === 'string' ? d.doc.firstSeenAt : '',
        typeof d?.doc.contentHash === 'string' ? d.doc.contentHash : '',
        this.ttlSeconds,
      ];
      const sources = (d?.doc.sources ?? []) as StoredSourceRef[];
      for (const s of sources) {
        if (s.record) args.push(s.source, JSON.stringify(s.record), s.fetchedAt);
      }
      await HYDRATE.run(this.redis, [this.key(id)], args);
    }
  }

  /** Adds one source's view of a paper and returns everything known to merge. */
  async merge(id: string, partial: PaperCandidate, now: string): Promise<MergeState> {
    for (let attempt = 0; ; attempt++) {
      const current = (await this.redis.hget(this.key(id), `src:${partial.source}`)) ?? '';
      const combined = combineSameSource(current ? (JSON.parse(current) as PaperCandidate) : null, partial);
      const res = (await MERGE.run(
        this.redis,
        [this.key(id)],
        [partial.source, JSON.stringify(combined), combined.fetchedAt, now, this.ttlSeconds, current],
      )) as [number, string, string[]] | ['retry'];
      if (res[0] === 'retry') {
        if (attempt > 20) throw new Error(`merge of ${id}: too much contention`);
        continue; // another job changed this source's view meanwhile: combine again
      }
      return toState(res as [number, string, string[]]);
    }
  }

  /**
   * {@link merge} for many papers at once, in two pipelined round trips instead of two per paper.
   * Each item is one source's view of one paper; a paper's state is the one after its last item.
   * Items that lost a race with another job are merged again one by one.
   */
  async mergeMany(
    items: Array<{ id: string; partial: PaperCandidate }>,
    now: string,
  ): Promise<Map<string, MergeState>> {
    const out = new Map<string, MergeState>();
    if (items.length === 0) return out;
    const reads = this.redis.pipeline();
    for (const { id, partial } of items) reads.hget(this.key(id), `src:${partial.source}`);
    const current = ((await reads.exec()) ?? []).map(([, v]) => (typeof v === 'string' ? v : ''));
    const writes = items.map(({ id, partial }, i) => {
      const cur = current[i]!;
      const combined = combineSameSource(cur ? (JSON.parse(cur) as PaperCandidate) : null, partial);
      return {
        id,
        args: [partial.source, JSON.stringify(combined), combined.fetchedAt, now, this.ttlSeconds, cur],
      };
    });
    const results = await Promise.all(writes.map((w) => MERGE.run(this.redis, [this.key(w.id)], w.args)));
    for (const [i, res] of results.entries()) {
      const { id, partial } = items[i]!;
      const r = res as [number, string, string[]] | ['retry'];
      out.set(
        id,
        r[0] === 'retry' ? await this.merge(id, partial, now) : toState(r as [number, string, string[]]),
      );
    }
    return out;
  }

  /** {@link commit} for many papers in one pipelined round trip; returns the ids that changed. */
  async commitMany(items: Array<{ id: string; hash: string }>, jobId: string): Promise<Set<string>> {
    const res = await Promise.all(
      items.map((it) => COMMIT.run(this.redis, [this.key(it.id)], [it.hash, jobId])),
    );
    return new Set(items.filter((_, i) => Number(res[i]) === 1).map((it) => it.id));
  }

  /** True when `hash` differs from the last written one (then it becomes the last written one). */
  async commit(id: string, hash: string, jobId: string): Promise<boolean> {
    return Number(await COMMIT.run(this.redis, [this.key(id)], [hash, jobId])) === 1;
  }

  /** Forgets the written hash (a write failed): the next sighting writes again. */
  async invalidate(ids: string[]): Promise<void> {
    await forgetWrittenHash(this.redis, this.prefix, ids);
  }

  async partials(id: string): Promise<PaperCandidate[]> {
    const all = await this.redis.hgetall(this.key(id));
    return Object.entries(all)
      .filter(([k]) => k.startsWith('src:'))
      .map(([, v]) => JSON.parse(v) as PaperCandidate);
  }

  async forget(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /** Claims ids for enrichment; returns those not claimed in the last `ttlSeconds`. */
  async claimEnrichment(arxivIds: string[], ttlSeconds = 7 * 86_400): Promise<string[]> {
    const pipe = this.redis.pipeline();
    for (const a of arxivIds) pipe.set(`${this.prefix}:enrich:${a}`, '1', 'EX', ttlSeconds, 'NX');
    const res = (await pipe.exec()) ?? [];
    return arxivIds.filter((_, i) => res[i]?.[1] === 'OK');
  }

  async existing(ids: string[]): Promise<Set<string>> {
    return new Set((await getPapers(this.es, this.alias, ids)).keys());
  }

  /** Alias table: every known key of a paper → its canonical id. */
  async resolveAliases(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.redis.hmget(`${this.prefix}:alias`, ...keys);
  }

  async setAliases(pairs: Array<[key: string, id: string]>): Promise<void> {
    if (pairs.length === 0) return;
    await this.redis.hset(`${this.prefix}:alias`, Object.fromEntries(pairs));
  }
}

export type { SourceId };
