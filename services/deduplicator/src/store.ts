import type { Redis } from 'ioredis';
import { LuaScript, RedisKeys, forgetWrittenHash, getPapers, type EsClient } from '@paperline/core';
import type { PaperCandidate, SourceId } from '@paperline/contracts';
import type { StoredSourceRef } from '@paperline/identity';

// KEYS: the papers of one page   ARGV: ttlSeconds, then per paper: expectedRev, versionFloor, n,
// then n field/value items. Per paper: if its revision is still the one read, stores the fields,
// takes a new merge version and bumps the revision; else leaves it alone and answers -1 (read
// again). The merge version orders writes (Elasticsearch external versions): Redis's clock in µs,
// always above the last one and above the floor (the indexed version when filled from the index).
const COMMIT_PAGE = new LuaScript(`
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local a = 2
for i, k in ipairs(KEYS) do
  local n = tonumber(ARGV[a + 2])
  local rev = redis.call('HGET', k, 'rev') or '0'
  if rev ~= ARGV[a] then
    out[i] = '-1'
  else
    if n > 0 then redis.call('HSET', k, unpack(ARGV, a + 3, a + 2 + n)) end
    local ver = math.max(now, tonumber(redis.call('HGET', k, 'ver') or '0') + 1, tonumber(ARGV[a + 1]) + 1)
    ver = string.format('%.0f', ver)
    redis.call('HSET', k, 'ver', ver, 'rev', tostring(tonumber(rev) + 1))
    redis.call('EXPIRE', k, ttl)
    out[i] = ver
  end
  a = a + 3 + n
end
return out`);

/** One paper's dedup state as read from the cache (or, on a miss, from the index). */
export interface PaperState {
  /** The revision a write must still find (any other write bumps it). */
  rev: string;
  /** Each source's newest view. */
  views: Map<SourceId, PaperCandidate>;
  firstSeenAt?: string;
  /** The content hash last handed to the indexer, and the dedupe job that did it. */
  hash?: string;
  hashJob?: string;
  /** Set when the cache did not hold the paper: what the index had (version 0: nothing). */
  fromIndex?: { version: number };
}

/** What one paper's merge stores: its new source views and, when its content changed, the hash. */
export interface PaperWrite {
  id: string;
  state: PaperState;
  views: PaperCandidate[];
  firstSeenAt: string;
  /** The content hash, when this job hands the paper to the indexer. */
  written?: string;
}

/** A merge's result: the paper's new merge version, or null when another job changed it first. */
export type CommitResult = { version: number } | null;

/**
 * The deduplicator's state: per paper, each source's newest view, the last written content hash
 * and a merge version. Kept in Redis as a cache (entries expire); on a miss it is rebuilt from the
 * document in Elasticsearch, so emptying Redis never duplicates a paper.
 */
export class DedupStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    private readonly es: EsClient,
    private readonly alias: string,
    private readonly prefix: string,
    /** @defaultValue 7 days */
    private readonly ttlSeconds = 7 * 86_400,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  private key(id: string): string {
    return this.keys.paper(id);
  }

  /**
   * Reads the state of many papers in one pipelined round trip; papers the cache does not hold
   * are read from the index (one mget) and come back with `fromIndex`.
   */
  async load(ids: string[]): Promise<Map<string, PaperState>> {
    const out = new Map<string, PaperState>();
    if (ids.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.key(id));
    const res = (await pipe.exec()) ?? [];
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const [err, h] = res[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      const fields = (h ?? {}) as Record<string, string>;
      const views = new Map<SourceId, PaperCandidate>();
      for (const [k, v] of Object.entries(fields)) {
        if (k.startsWith('src:')) views.set(k.slice(4) as SourceId, JSON.parse(v) as PaperCandidate);
      }
      out.set(id, {
        rev: fields.rev ?? '0',
        views,
        ...(fields.first ? { firstSeenAt: fields.first } : {}),
        ...(fields.hash ? { hash: fields.hash } : {}),
        ...(fields.hashJob ? { hashJob: fields.hashJob } : {}),
      });
      if (fields.hydrated !== '1') missing.push(id);
    });
    if (missing.length === 0) return out;
    // Redis is a cache; Elasticsearch is the truth.
    const docs = await getPapers(this.es, this.alias, missing);
    for (const id of missing) {
      const st = out.get(id)!;
      const d = docs.get(id);
      st.fromIndex = { version: d?.version ?? 0 };
      if (!d) continue;
      if (!st.firstSeenAt && typeof d.doc.firstSeenAt === 'string') st.firstSeenAt = d.doc.firstSeenAt;
      if (!st.hash && typeof d.doc.contentHash === 'string') st.hash = d.doc.contentHash;
      for (const s of (d.doc.sources ?? []) as StoredSourceRef[]) {
        const cur = st.views.get(s.source);
        if (s.record && (!cur || cur.fetchedAt < s.fetchedAt)) st.views.set(s.source, s.record);
      }
    }
    return out;
  }

  /**
   * Stores the merges of one page in a single script call: each paper's new source views, its
   * first-seen time and, when it changed, its content hash, provided nobody wrote the paper since
   * {@link load} read it. Returns each paper's new merge version, or null for those that lost the
   * race (the caller reads them again and merges once more).
   */
  async commitPage(writes: PaperWrite[], jobId: string): Promise<Map<string, CommitResult>> {
    const out = new Map<string, CommitResult>();
    if (writes.length === 0) return out;
    const args: (string | number)[] = [this.ttlSeconds];
    for (const w of writes) {
      const fields: string[] = [];
      for (const v of w.views)
        fields.push(`src:${v.source}`, JSON.stringify(v), `at:${v.source}`, v.fetchedAt);
      if (!w.state.firstSeenAt) fields.push('first', w.firstSeenAt);
      if (w.written !== undefined) fields.push('hash', w.written, 'hashJob', jobId);
      else if (w.state.fromIndex && w.state.hash) fields.push('hash', w.state.hash);
      if (w.state.fromIndex) fields.push('hydrated', '1');
      args.push(w.state.rev, w.state.fromIndex?.version ?? 0, fields.length, ...fields);
    }
    const res = (await COMMIT_PAGE.run(
      this.redis,
      writes.map((w) => this.key(w.id)),
      args,
    )) as string[];
    writes.forEach((w, i) => out.set(w.id, res[i] === '-1' ? null : { version: Number(res[i]) }));
    return out;
  }

  /** Forgets the written hash (a write failed): the next sighting writes again. */
  async invalidate(ids: string[]): Promise<void> {
    await forgetWrittenHash(this.redis, this.prefix, ids);
  }

  async forget(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /** Claims ids for enrichment; returns those not claimed in the last `ttlSeconds`. */
  async claimEnrichment(arxivIds: string[], ttlSeconds = 7 * 86_400): Promise<string[]> {
    const pipe = this.redis.pipeline();
    for (const a of arxivIds) pipe.set(this.keys.enrichClaim(a), '1', 'EX', ttlSeconds, 'NX');
    const res = (await pipe.exec()) ?? [];
    return arxivIds.filter((_, i) => res[i]?.[1] === 'OK');
  }

  async existing(ids: string[]): Promise<Set<string>> {
    return new Set((await getPapers(this.es, this.alias, ids)).keys());
  }

  /** Alias table: every known key of a paper → its canonical id. */
  async resolveAliases(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.redis.hmget(this.keys.alias, ...keys);
  }

  async setAliases(pairs: Array<[key: string, id: string]>): Promise<void> {
    if (pairs.length === 0) return;
    await this.redis.hset(this.keys.alias, Object.fromEntries(pairs));
  }
}

export type { SourceId };
