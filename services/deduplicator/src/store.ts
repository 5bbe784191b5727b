import { RedisKeys, type RedisClient } from '@paperline/core/redis';
import { Coalescer, getPapers, type EsClient, type StoredPaper } from '@paperline/core/es';
import { PaperCache, type PaperState } from '@paperline/core/pipeline';
import type { PaperCandidate, SourceId } from '@paperline/contracts';
import { findKeysInIndex } from './keys-in-index.js';

/** One paper's dedup state as read from the cache (or, on a miss, from the index). */
export type { PaperState };

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
 * and a merge version, kept in the dedup cache ({@link PaperCache}); on a miss it is rebuilt from
 * the document in Elasticsearch, so emptying Redis never duplicates a paper. Also the alias table
 * (its gaps filled from the index's key fields), which this store alone reads and writes.
 */
export class DedupStore {
  private readonly keys: RedisKeys;
  private readonly cache: PaperCache;
  /** Reads of papers the cache lacks: one mget out at a time, the pages that come meanwhile in the next. */
  private readonly indexReads = new Coalescer((pages: string[][]) => this.readPages(pages), {
    maxInFlight: 1,
    maxItems: 16,
  });

  constructor(
    private readonly redis: RedisClient,
    private readonly es: EsClient,
    private readonly alias: string,
    prefix: string,
    /** How long a cache entry outlives its last write. @defaultValue 7 days */
    ttlSeconds?: number,
  ) {
    this.keys = new RedisKeys(prefix);
    this.cache = new PaperCache(redis, prefix, ttlSeconds);
  }

  /**
   * Reads the state of many papers in one pipelined round trip; papers the cache does not hold
   * are read from the index (one mget, shared with the pages of this process that read meanwhile)
   * and come back with `fromIndex`.
   */
  async load(ids: string[]): Promise<Map<string, PaperState>> {
    return this.cache.load(ids, (missing) => this.indexReads.submit(missing));
  }

  /** One mget for the papers of several pages: each page's documents. */
  private async readPages(pages: string[][]): Promise<Map<string, StoredPaper>[]> {
    const docs = await getPapers(this.es, this.alias, [...new Set(pages.flat())]);
    const handedOut = new Set<string>();
    return pages.map((ids) => {
      const page = new Map<string, StoredPaper>();
      for (const id of ids) {
        const d = docs.get(id);
        if (!d) continue;
        // A paper on two of the pages: each merges its own copy, as with reads of its own.
        page.set(id, handedOut.has(id) ? structuredClone(d) : d);
        handedOut.add(id);
      }
      return page;
    });
  }

  /**
   * Stores the merges of one page in a single script call: each paper's new source views, its
   * first-seen time and, when it changed, its content hash, provided nobody wrote the paper since
   * {@link load} read it. Returns each paper's new merge version, or null for those that lost the
   * race (the caller reads them again and merges once more).
   */
  async commitPage(writes: PaperWrite[], jobId: string): Promise<Map<string, CommitResult>> {
    const versions = await this.cache.commitStates(
      writes.map(({ id, state, views, firstSeenAt, written }) => ({
        id,
        state,
        views,
        ...(state.firstSeenAt ? {} : { firstSeenAt }),
        ...(written !== undefined ? { hash: written, hashJob: jobId } : {}),
      })),
    );
    return new Map([...versions].map(([id, v]) => [id, v === null ? null : { version: v }]));
  }

  /** Drops a paper's cache entry (it was merged into another id). */
  async forget(id: string): Promise<void> {
    await this.cache.drop(id);
  }

  async existing(ids: string[]): Promise<Set<string>> {
    return new Set((await getPapers(this.es, this.alias, ids)).keys());
  }

  /**
   * Alias table: every known key of a paper → its canonical id. When the table covers the index
   * ({@link coverIfIndexEmpty}), a key it lacks belongs to no paper. Otherwise the keys it lacks (a
   * new paper, or Redis emptied) are looked up in the index, all in one search, and what it finds
   * is written back; null for a key no paper has.
   */
  async resolveAliases(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const ids = await this.redis.hmget(this.keys.alias, ...keys, this.coverField);
    const covered = ids.pop() !== null;
    const missing = keys.filter((_, i) => ids[i] === null);
    if (missing.length === 0 || covered) return ids;
    // Redis is a cache; Elasticsearch is the truth.
    const found = await findKeysInIndex(this.es, this.alias, missing);
    await this.learnAliases(found);
    return keys.map((k, i) => ids[i] ?? found.get(k) ?? null);
  }

  /**
   * Marks the alias table as covering the index when the index has no document yet, and says
   * whether it does. Every paper reaches the index only after the deduplicator wrote its keys
   * here, so a table kept since the index was empty holds every key of every document: a key it
   * lacks is a new paper's, and a page of new papers costs no search of the index. (Their states
   * are still read from it by id, which also recovers a paper whose alias a Redis failover lost.)
   * The mark is a field of the table's own hash, so it goes with the table (Redis emptied,
   * {@link clear}, an eviction) and the index is searched again. Called at start-up; an index that
   * cannot be counted (its shard not started yet, Elasticsearch away) leaves the table unmarked,
   * which only costs the searches.
   */
  async coverIfIndexEmpty(): Promise<boolean> {
    if (await this.redis.hexists(this.keys.alias, this.coverField)) return true;
    if (!(await this.indexIsEmpty().catch(() => false))) return false;
    await this.redis.hsetnx(this.keys.alias, this.coverField, new Date().toISOString());
    return true;
  }

  /** The index has no document, counting those written since its last refresh. */
  private async indexIsEmpty(): Promise<boolean> {
    // Another worker may have just created the index: its shard must be up to be counted.
    await this.es.cluster.health({ index: this.alias, wait_for_status: 'yellow', timeout: '30s' });
    if ((await this.es.count({ index: this.alias })).count > 0) return false;
    await this.es.indices.refresh({ index: this.alias });
    return (await this.es.count({ index: this.alias })).count === 0;
  }

  /** The alias table's field that marks it as covering this index (no key starts with `~`). */
  private get coverField(): string {
    return `~covers:${this.alias}`;
  }

  /** Fills the alias table's gaps from the index, never over an alias another job set meanwhile. */
  private async learnAliases(found: Map<string, string>): Promise<void> {
    if (found.size === 0) return;
    const pipe = this.redis.pipeline();
    for (const [key, id] of found) pipe.hsetnx(this.keys.alias, key, id);
    await pipe.exec();
  }

  async setAliases(pairs: Array<[key: string, id: string]>): Promise<void> {
    if (pairs.length === 0) return;
    await this.redis.hset(this.keys.alias, Object.fromEntries(pairs));
  }

  /**
   * Empties this state in Redis: the cache and the alias table. Nothing is lost: each paper's
   * aliases, views and hash are read back from the index at its next sighting.
   */
  async clear(): Promise<void> {
    await this.cache.clear();
    await this.redis.del(this.keys.alias);
  }
}

export type { SourceId };
