import type { PaperCandidate, SourceId } from '@paperline/contracts';
import { storedView } from '@paperline/identity';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';
import { unlinkMatching, type RedisClient } from '../redis/redis.js';
import { groupBySlot, pipelinePerKey } from '../redis/slots.js';

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
  /** The paper's vector and the hash of the text it was computed from (the embedder's last result). */
  embedding?: StoredEmbedding;
}

/** A paper's sentence embedding as the cache keeps it. */
export interface StoredEmbedding {
  /** Unit length, 384 values (float32). */
  vector: Float32Array;
  /** sha256 of the text it was computed from (`embeddingTextHash`). */
  textHash: string;
}

/** One paper's state for a merge: the cache entry, or, on a miss, what the index had. */
export interface PaperState extends Omit<CachedPaper, 'hydrated'> {
  /** Set when the cache did not hold the paper: what the index had (version 0: nothing). */
  fromIndex?: { version: number };
}

/** A document read from the index: its external version and its source. */
export interface IndexedPaper {
  version: number;
  doc: Record<string, unknown>;
}

/** What a merge (the deduplicator's, or the embedder's) stores for one paper it read as `state`. */
export interface StateWrite {
  id: string;
  state: PaperState;
  /** Source views this write changed (all of them are stored when the state came from the index). */
  views: PaperCandidate[];
  firstSeenAt?: string;
  /** The content hash, and the job, when this write hands the paper to the indexer with new content. */
  hash?: string;
  hashJob?: string;
  embedding?: StoredEmbedding;
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
  embedding?: StoredEmbedding;
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
    private readonly redis: RedisClient,
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
    const res = await pipelinePerKey(
      this.redis,
      ids.map((id) => this.keys.paper(id)),
      (pipe, key) => pipe.hgetall(key),
    );
    ids.forEach((id, i) => out.set(id, decode((res[i] ?? {}) as Record<string, string>)));
    return out;
  }

  /**
   * Reads many papers' states: the cache in one pipelined round trip, and papers the cache does not
   * hold from the index (`readIndex`, one call), which come back with `fromIndex`. Redis is a cache;
   * the index is the truth: every document keeps each source's view, its first-seen time, its
   * content hash and its vector.
   */
  async load(
    ids: string[],
    readIndex: (ids: string[]) => Promise<Map<string, IndexedPaper>>,
  ): Promise<Map<string, PaperState>> {
    const out = new Map<string, PaperState>();
    const missing: string[] = [];
    for (const [id, { hydrated, ...state }] of await this.read(ids)) {
      out.set(id, state);
      if (!hydrated) missing.push(id);
    }
    if (missing.length === 0) return out;
    const docs = await readIndex(missing);
    for (const id of missing) fillFromIndex(out.get(id)!, docs.get(id));
    return out;
  }

  /**
   * Stores the writes of states read by {@link load} in one script call (see {@link commit}); a
   * state that came from the index is stored whole, above the indexed version.
   */
  async commitStates(writes: StateWrite[]): Promise<Map<string, number | null>> {
    return this.commit(
      writes.map(({ id, state, views, firstSeenAt, hash, hashJob, embedding }) => ({
        id,
        rev: state.rev,
        versionFloor: state.fromIndex?.version ?? 0,
        views: state.fromIndex
          ? [...new Map([...state.views, ...views.map((v) => [v.source, v] as const)]).values()]
          : views,
        ...(firstSeenAt !== undefined
          ? { firstSeenAt }
          : state.fromIndex && state.firstSeenAt
            ? { firstSeenAt: state.firstSeenAt }
            : {}),
        ...(hash !== undefined ? { hash } : state.fromIndex && state.hash ? { hash: state.hash } : {}),
        ...(hashJob !== undefined ? { hashJob } : {}),
        ...(embedding
          ? { embedding }
          : state.fromIndex && state.embedding
            ? { embedding: state.embedding }
            : {}),
        ...(state.fromIndex ? { hydrated: true } : {}),
      })),
    );
  }

  /**
   * Stores each paper's write, provided its revision is still the one read: one script call on a
   * single server, one per slot on a cluster (each paper's compare-and-set stands alone). Returns
   * each paper's new merge version, or null for those another write changed first.
   */
  private async commit(writes: CacheWrite[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    const groups = groupBySlot(this.redis, writes, (w) => this.keys.paper(w.id));
    await Promise.all(
      groups.map(async (group) => {
        const args: (string | number)[] = [this.ttlSeconds];
        for (const w of group) {
          const fields = encode(w);
          args.push(w.rev, w.versionFloor, fields.length, ...fields);
        }
        const keys = group.map((w) => this.keys.paper(w.id));
        const res = (await COMMIT.run(this.redis, keys, args)) as string[];
        group.forEach((w, i) => out.set(w.id, res[i] === '-1' ? null : Number(res[i])));
      }),
    );
    return new Map(writes.map((w) => [w.id, out.get(w.id) ?? null]));
  }

  /** Forgets the content hash of papers whose write failed: the next sighting writes again. */
  async forgetWrittenHash(ids: string[]): Promise<void> {
    const keys = ids.map((id) => this.keys.paper(id));
    await Promise.all(
      groupBySlot(this.redis, keys, (k) => k).map((group) => FORGET.run(this.redis, group, [])),
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

/** Fills what the cache lacked from the paper's document (nothing when the index has none either). */
function fillFromIndex(st: PaperState, d: IndexedPaper | undefined): void {
  st.fromIndex = { version: d?.version ?? 0 };
  if (!d) return;
  if (!st.firstSeenAt && typeof d.doc.firstSeenAt === 'string') st.firstSeenAt = d.doc.firstSeenAt;
  if (!st.hash && typeof d.doc.contentHash === 'string') st.hash = d.doc.contentHash;
  const emb = d.doc.embedding as { vector?: number[]; textHash?: string } | undefined;
  if (!st.embedding && emb?.vector && emb.textHash)
    st.embedding = { vector: Float32Array.from(emb.vector), textHash: emb.textHash };
  for (const s of (d.doc.sources ?? []) as Array<{
    source: SourceId;
    fetchedAt: string;
    record?: Record<string, unknown>;
  }>) {
    const cur = st.views.get(s.source);
    if (s.record && (!cur || cur.fetchedAt < s.fetchedAt))
      st.views.set(s.source, storedView(d.doc, s.record));
  }
}

/** A vector as the cache keeps it: its float32 bytes, base64 (2 KB for 384 values). */
const encodeVector = (v: Float32Array): string =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

function decodeVector(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
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
    ...(fields.emb && fields.embHash
      ? { embedding: { vector: decodeVector(fields.emb), textHash: fields.embHash } }
      : {}),
  };
}

function encode(w: CacheWrite): string[] {
  const fields: string[] = [];
  for (const v of w.views) fields.push(`src:${v.source}`, JSON.stringify(v), `at:${v.source}`, v.fetchedAt);
  if (w.firstSeenAt !== undefined) fields.push('first', w.firstSeenAt);
  if (w.hash !== undefined) fields.push('hash', w.hash);
  if (w.hashJob !== undefined) fields.push('hashJob', w.hashJob);
  if (w.hydrated) fields.push('hydrated', '1');
  if (w.embedding) fields.push('emb', encodeVector(w.embedding.vector), 'embHash', w.embedding.textHash);
  return fields;
}
