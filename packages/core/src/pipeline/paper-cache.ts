import type { Redis } from 'ioredis';
import type { PaperCandidate, SourceId } from '@paperline/contracts';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import { unlinkMatching } from '../redis/redis.js';

const COMMIT = LuaScript.file('paper-commit');
const FORGET = LuaScript.file('paper-forget-hash');

/** One paper's entry in the dedup cache. */
export interface CachedPaper {
  /** The revision a write must still find (any other write bumps it); '0' when not cached. */
  rev: string;
  /** Each source's newest view. */
  views: Map<SourceId, PaperCandidate>;
  firstSeenAt?: string;
  /** The content hash last handed to the indexer, and the dedupe job that did it. */
  hash?: string;
  hashJob?: string;
  /** Whether the entry holds what the index had (a paper the cache misses is read from there once). */
  hydrated: boolean;
}

/** What one compare-and-set stores for a paper; absent fields are left as they are. */
interface CacheWrite {
  id: string;
  /** The revision read: the write happens only while it is still the current one. */
  rev: string;
  /** The merge version taken is above this (the indexed version, when filled from the index). */
  versionFloor: number;
  /** New source views (each replaces that source's view). */
  views: PaperCandidate[];
  firstSeenAt?: string;
  hash?: string;
  hashJob?: string;
  /** Marks the entry as holding what the index had. */
  hydrated?: boolean;
}

/**
 * The dedup cache: per paper, each source's newest view, its first-seen time, the content hash last
 * handed to the indexer and a merge version. The deduplicator merges through it; the indexer makes
 * it forget a hash whose write failed. The one module that knows its keys and fields. Entries
 * expire: it is a cache of the index, which is the truth.
 */
export class PaperCache {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** @defaultValue 7 days */
    private readonly ttlSeconds = 7 * 86_400,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  /** Many papers' entries in one pipelined round trip (an entry not cached comes back empty). */
  async read(ids: string[]): Promise<Map<string, CachedPaper>> {
    const out = new Map<string, CachedPaper>();
    if (ids.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.paper(id));
    const res = (await pipe.exec()) ?? [];
    ids.forEach((id, i) => {
      const [err, h] = res[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      out.set(id, decode((h ?? {}) as Record<string, string>));
    });
    return out;
  }

  /**
   * Stores each paper's write in one script call, provided its revision is still the one read.
   * Returns each paper's new merge version, or null for those another write changed first.
   */
  async commit(writes: CacheWrite[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    if (writes.length === 0) return out;
    const args: (string | number)[] = [this.ttlSeconds];
    for (const w of writes) {
      const fields = encode(w);
      args.push(w.rev, w.versionFloor, fields.length, ...fields);
    }
    const keys = writes.map((w) => this.keys.paper(w.id));
    const res = (await COMMIT.run(this.redis, keys, args)) as string[];
    writes.forEach((w, i) => out.set(w.id, res[i] === '-1' ? null : Number(res[i])));
    return out;
  }

  /** Forgets the content hash of papers whose write failed: the next sighting writes again. */
  async forgetWrittenHash(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await FORGET.run(
      this.redis,
      ids.map((id) => this.keys.paper(id)),
      [],
    );
  }

  /** Drops a paper's entry (it was merged into another id). */
  async drop(id: string): Promise<void> {
    await this.redis.del(this.keys.paper(id));
  }

  /** Drops every entry; each paper is read back from the index at its next sighting. */
  async clear(): Promise<void> {
    await unlinkMatching(this.redis, this.keys.papers);
  }
}

function decode(fields: Record<string, string>): CachedPaper {
  const views = new Map<SourceId, PaperCandidate>();
  for (const [k, v] of Object.entries(fields)) {
    if (k.startsWith('src:')) views.set(k.slice(4) as SourceId, JSON.parse(v) as PaperCandidate);
  }
  return {
    rev: fields.rev ?? '0',
    views,
    ...(fields.first ? { firstSeenAt: fields.first } : {}),
    ...(fields.hash ? { hash: fields.hash } : {}),
    ...(fields.hashJob ? { hashJob: fields.hashJob } : {}),
    hydrated: fields.hydrated === '1',
  };
}

function encode(w: CacheWrite): string[] {
  const fields: string[] = [];
  for (const v of w.views) fields.push(`src:${v.source}`, JSON.stringify(v), `at:${v.source}`, v.fetchedAt);
  if (w.firstSeenAt !== undefined) fields.push('first', w.firstSeenAt);
  if (w.hash !== undefined) fields.push('hash', w.hash);
  if (w.hashJob !== undefined) fields.push('hashJob', w.hashJob);
  if (w.hydrated) fields.push('hydrated', '1');
  return fields;
}
