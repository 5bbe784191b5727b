import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { createEsClient, getPapers, type EsClient } from '@paperline/core/es';
import { RedisKeys, unlinkMatching } from '@paperline/core/redis';
import { PaperCache } from '@paperline/core/pipeline';
import type { PaperCandidate } from '@paperline/contracts';
import { DedupStore } from '@paperline/deduplicator';
import { DedupeAndIndex } from '../helpers/dedupe-index.js';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

// An alias table kept since the index was empty covers it: new papers cost no search of the index
// (their states are still read by id). Emptying Redis takes the cover with it: the index is searched
// again.
const names = uniqueNames('cover');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
/** The store under test, on a client whose searches and reads are counted. */
const counted: EsClient = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const searches = vi.spyOn(counted, 'search');
const reads = vi.spyOn(counted, 'mget');
const store = new DedupStore(redis, counted, names.index, names.prefix);

let stages: DedupeAndIndex;

beforeAll(async () => {
  // Wiring the stage creates the index and, as it is empty, marks the table as covering it.
  stages = await DedupeAndIndex.wire('cover-test', names);
});

afterAll(async () => {
  await stages?.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await Promise.all([es.close(), counted.close()]);
});

const page = (upvotes: number): PaperCandidate[] =>
  Array.from({ length: 50 }, (_, i) => ({
    source: 'hf',
    url: 'http://127.0.0.1:1/papers/date/2024-05-01',
    fetchedAt: `2024-05-01T10:00:${String(upvotes % 60).padStart(2, '0')}.000Z`,
    parserVersion: 'hf-1',
    arxivId: `2405.${String(20000 + i)}`,
    title: `Covered Paper Number ${i}`,
    authors: ['Ada Lovelace'],
    authorCount: 1,
    upvotes,
  }));

/** One page through dedupe (with the counted store) and index; then the index is searchable. */
async function sight(jobId: string, candidates: PaperCandidate[], now = new Date('2024-05-01T12:00:00Z')) {
  searches.mockClear();
  reads.mockClear();
  return stages.sight(jobId, candidates, { store, now: () => now });
}

const upvotesOf = async (id: string) => (await getPapers(es, names.index, [id])).get(id)?.doc.upvotes;

describe('an alias table that covers the index', () => {
  it('a page of new papers costs no search of the index, only the read of their states', async () => {
    expect(await store.coverIfIndexEmpty()).toBe(true);
    const job = await sight('p1', page(1));
    expect(job?.docs).toHaveLength(50);
    expect(searches).not.toHaveBeenCalled();
    expect(reads).toHaveBeenCalledTimes(1);
    expect((await es.count({ index: names.index })).count).toBe(50);
  });

  it('a paper whose alias the table lost is still found by id: merged, not filed again', async () => {
    // As after a Redis failover that lost the last writes: the mark stays, one alias is gone.
    await redis.hdel(new RedisKeys(names.prefix).alias, 'arxiv:2405.20007');
    await new PaperCache(redis, names.prefix).clear();
    const later = new Date('2024-05-02T12:00:00Z');
    const job = await sight(
      'p1b',
      page(1)
        .slice(7, 8)
        .map((c) => ({ ...c, upvotes: 9 })),
      later,
    );
    expect(searches).not.toHaveBeenCalled();
    expect(job?.docs.map((d) => d.id)).toEqual(['arxiv:2405.20007']);
    const doc = (await getPapers(es, names.index, ['arxiv:2405.20007'])).get('arxiv:2405.20007')!.doc;
    // Its first-seen time came back from its document: the state was read, not started afresh.
    expect(doc).toMatchObject({ upvotes: 9, firstSeenAt: '2024-05-01T12:00:00.000Z' });
    expect((await es.count({ index: names.index })).count).toBe(50);
  });

  it('known papers whose cache entries expired are still read from the index, merges kept', async () => {
    await new PaperCache(redis, names.prefix).clear();
    const job = await sight('p2', page(2));
    expect(searches).not.toHaveBeenCalled();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(job?.docs).toHaveLength(50);
    // Written, not refused as older: read from the index, each write is above the indexed version.
    expect(await upvotesOf('arxiv:2405.20000')).toBe(2);
  });

  it('an index that cannot be counted yet leaves a table unmarked, without failing the start-up', async () => {
    const fresh = uniqueNames('cover-down');
    const unready = {
      cluster: { health: () => Promise.reject(new Error('no_shard_available_action_exception')) },
    };
    const store2 = new DedupStore(redis, unready as unknown as EsClient, fresh.index, fresh.prefix);
    try {
      expect(await store2.coverIfIndexEmpty()).toBe(false);
      expect(await redis.exists(new RedisKeys(fresh.prefix).alias)).toBe(0);
    } finally {
      await unlinkMatching(redis, new RedisKeys(fresh.prefix).everything);
    }
  });

  it('emptying Redis takes the cover with it: the index is asked again and nothing is duplicated', async () => {
    await unlinkMatching(redis, new RedisKeys(names.prefix).everything);
    expect(await store.coverIfIndexEmpty()).toBe(false);
    const job = await sight('p3', page(3));
    expect(searches).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(job?.docs).toHaveLength(50);
    expect((await es.count({ index: names.index })).count).toBe(50);
    expect(await upvotesOf('arxiv:2405.20049')).toBe(3);
  });
});
