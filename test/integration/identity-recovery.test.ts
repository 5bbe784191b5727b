import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { bulkWrite, createEsClient, getPapers } from '@paperline/core/es';
import { RedisKeys, unlinkMatching } from '@paperline/core/redis';
import type { PaperCandidate } from '@paperline/contracts';
import { buildRecord, storedView, titleFingerprint } from '@paperline/identity';
import { DedupStore } from '@paperline/deduplicator';
import { DedupeAndIndex } from '../helpers/dedupe-index.js';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

// The contract: Redis holds a cache of identity, Elasticsearch the truth. Each case indexes a
// paper, empties this file's Redis keys, and sights the paper again under another of its keys.
const names = uniqueNames('identity');
const keys = new RedisKeys(names.prefix);
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
let stages: DedupeAndIndex;

beforeAll(async () => {
  stages = await DedupeAndIndex.wire('identity-test', names);
});

afterAll(async () => {
  await stages?.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

const cand = (over: Partial<PaperCandidate>): PaperCandidate => ({
  source: 'hf',
  url: 'http://127.0.0.1:1/papers/date/2024-03-20',
  fetchedAt: '2024-03-20T10:00:00.000Z',
  parserVersion: 'hf-1',
  title: 'Untitled',
  authors: ['Ada Lovelace'],
  authorCount: 1,
  ...over,
});

/** One page through dedupe and, when it hands papers on, index; then the index is searchable. */
const sight = (...args: Parameters<DedupeAndIndex['sight']>) => stages.sight(...args);

/** Redis loses everything this file keeps there (its prefix only). */
const emptyRedis = () => unlinkMatching(redis, keys.everything);

/** The ids of every document carrying this title's fingerprint. */
async function docsWithTitle(title: string): Promise<string[]> {
  const res = await es.search<{ id: string }>({
    index: names.index,
    query: { term: { titleFingerprint: titleFingerprint(title) } },
    _source: ['id'],
  });
  return res.hits.hits.map((h) => h._source!.id).sort();
}

const aliasInRedis = (key: string) => redis.hget(keys.alias, key);

describe('identity after Redis is emptied', () => {
  it('a title-only paper is merged when its arXiv id arrives', async () => {
    const title = 'Recovering Identity From The Index Alone';
    const first = await sight('a1', [cand({ title, upvotes: 3 })]);
    const titleId = first!.docs[0]!.id;
    expect(titleId).toBe(`title:${titleFingerprint(title)}`);
    await emptyRedis();

    const second = await sight('a2', [
      cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70001', title: `${title}.` }),
    ]);
    expect(second?.deletes).toEqual([expect.objectContaining({ id: titleId, into: 'arxiv:2403.70001' })]);
    expect(await docsWithTitle(title)).toEqual(['arxiv:2403.70001']);
    const doc = (await getPapers(es, names.index, ['arxiv:2403.70001'])).get('arxiv:2403.70001')!.doc;
    expect(doc.upvotes).toBe(3); // the title-only paper's Hugging Face view moved over
    expect(await aliasInRedis(titleId)).toBe('arxiv:2403.70001');
  });

  it("each source's view comes back whole from a document that stores what it shares with the record once", async () => {
    const id = 'arxiv:2403.70010';
    const arxiv = cand({
      source: 'arxiv',
      parserVersion: 'arxiv-1',
      arxivId: '2403.70010',
      title: 'Views Stored Once',
      abstract: 'What arXiv says.',
    });
    const hf = cand({
      arxivId: '2403.70010',
      title: 'Views stored once',
      abstract: 'What HF says.',
      upvotes: 7,
    });
    await sight('v1', [arxiv]);
    await sight('v2', [hf]);
    type Stored = Record<string, unknown> & { sources: Array<{ record: Record<string, unknown> }> };
    const read = async () => (await getPapers(es, names.index, [id])).get(id)!.doc as Stored;
    const [arxivStored, hfStored] = (await read()).sources.map((s) => s.record);
    expect(arxivStored).not.toHaveProperty('abstract'); // the record's own abstract
    expect(hfStored!.abstract).toBe('What HF says.');
    await emptyRedis();

    const later = { ...arxiv, fetchedAt: '2024-03-22T10:00:00.000Z', comments: 'Accepted.' };
    await sight('v3', [later]);
    const doc = await read();
    expect(doc.sources.map((s) => storedView(doc, s.record))).toEqual([later, hf]);
    expect(doc.upvotes).toBe(7);
  });

  it('a title-only sighting of an identified paper joins it instead of filing a new document', async () => {
    const title = 'An Identified Paper Sighted Later Without Its Id';
    await sight('b1', [cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70002', title })]);
    await emptyRedis();

    const again = await sight('b2', [cand({ title, upvotes: 11 })]);
    expect(again?.docs.map((d) => d.id)).toEqual(['arxiv:2403.70002']);
    expect(await docsWithTitle(title)).toEqual(['arxiv:2403.70002']);
    const doc = (await getPapers(es, names.index, ['arxiv:2403.70002'])).get('arxiv:2403.70002')!.doc;
    expect(doc.upvotes).toBe(11);
    expect(await aliasInRedis(`title:${titleFingerprint(title)}`)).toBe('arxiv:2403.70002');
  });

  it('a title-only paper is merged when its DOI arrives', async () => {
    const title = 'A Journal Paper That Never Went To arXiv';
    const first = await sight('c1', [cand({ title, upvotes: 2 })]);
    const titleId = first!.docs[0]!.id;
    await emptyRedis();

    const second = await sight('c2', [cand({ title, doi: '10.1234/Journal.5678', upvotes: 4 })]);
    expect(second?.deletes).toEqual([
      expect.objectContaining({ id: titleId, into: 'doi:10.1234/journal.5678' }),
    ]);
    expect(await docsWithTitle(title)).toEqual(['doi:10.1234/journal.5678']);
    expect(await aliasInRedis(titleId)).toBe('doi:10.1234/journal.5678');
  });

  it('a DOI-only sighting joins the arXiv-identified paper that carries that DOI', async () => {
    const title = 'A Preprint Later Published In A Journal';
    const arxiv = cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70003', title });
    await sight('d1', [{ ...arxiv, doi: '10.5555/published.1' }]);
    await emptyRedis();

    const again = await sight('d2', [
      cand({ title: 'Its Journal Title Differs', doi: '10.5555/PUBLISHED.1', upvotes: 4 }),
    ]);
    expect(again?.docs.map((d) => d.id)).toEqual(['arxiv:2403.70003']);
    const docs = await getPapers(es, names.index, ['arxiv:2403.70003', 'doi:10.5555/published.1']);
    expect([...docs.keys()]).toEqual(['arxiv:2403.70003']);
    expect(docs.get('arxiv:2403.70003')!.doc.upvotes).toBe(4);
    expect(await aliasInRedis('doi:10.5555/published.1')).toBe('arxiv:2403.70003');
  });

  it('two identified papers sharing a title: a title-only sighting joins the one seen first', async () => {
    const title = 'Introduction';
    const at = (iso: string) => ({ now: () => new Date(iso) });
    // The later paper has the smaller id, so neither id order nor index order can pass this.
    await sight(
      'e1',
      [cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70009', title })],
      at('2024-03-01T00:00:00Z'),
    );
    await sight(
      'e2',
      [cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70004', title })],
      at('2024-03-02T00:00:00Z'),
    );
    await emptyRedis();

    const again = await sight('e3', [cand({ title, upvotes: 1 })]);
    expect(again?.docs.map((d) => d.id)).toEqual(['arxiv:2403.70009']);
    expect(await docsWithTitle(title)).toEqual(['arxiv:2403.70004', 'arxiv:2403.70009']);
  });

  it('a title-only duplicate left by the old gap is folded in at the next sighting with the id', async () => {
    const title = 'A Paper Filed Twice Before Identity Was Recovered';
    const arxiv = cand({ source: 'arxiv', parserVersion: 'arxiv-1', arxivId: '2403.70005', title });
    await sight('g1', [arxiv], { now: () => new Date('2024-03-01T00:00:00Z') });
    // The duplicate, seen after the identified paper: only the key's own document can answer.
    const titleId = `title:${titleFingerprint(title)}`;
    const times = { firstSeenAt: '2024-03-02T00:00:00.000Z', updatedAt: '2024-03-02T00:00:00.000Z' };
    const stale = buildRecord(titleId, [cand({ title, upvotes: 6 })], times);
    await bulkWrite(es, names.index, [{ id: titleId, version: 1, doc: stale }]);
    await es.indices.refresh({ index: names.index });
    await emptyRedis();

    const again = await sight('g2', [{ ...arxiv, fetchedAt: '2024-03-21T10:00:00.000Z' }]);
    expect(again?.deletes).toEqual([expect.objectContaining({ id: titleId, into: 'arxiv:2403.70005' })]);
    expect(await docsWithTitle(title)).toEqual(['arxiv:2403.70005']);
    const doc = (await getPapers(es, names.index, ['arxiv:2403.70005'])).get('arxiv:2403.70005')!.doc;
    expect(doc.upvotes).toBe(6);
  });

  it('a page of 50 new papers costs at most one index search; known papers cost none', async () => {
    const counted = createEsClient({ nodes: [ELASTICSEARCH_URL] });
    const searches = vi.spyOn(counted, 'search');
    const store = new DedupStore(redis, counted, names.index, names.prefix);
    const page = Array.from({ length: 50 }, (_, i) =>
      cand({ arxivId: `2404.${String(10000 + i)}`, title: `A New Paper Number ${i}` }),
    );
    try {
      await sight('f1', page, { store });
      expect(searches).toHaveBeenCalledTimes(1);
      searches.mockClear();
      await sight('f2', page, { store });
      expect(searches).not.toHaveBeenCalled();
    } finally {
      await counted.close();
    }
  });
});
