import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { bulkWrite, createEsClient, ensurePapersIndex } from '@paperline/core/es';
import {
  PaperNotFoundError,
  SearchParamsSchema,
  SimilarRequestSchema,
  VectorMissingError,
  findSimilar,
  searchPapers,
  type QueryEmbedder,
  type SearchMode,
} from '@paperline/core/es/search';
import { Embedder } from '@paperline/embeddings';
import { embeddingText, embeddingTextHash } from '@paperline/identity';
import { loadSnapshot } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

/**
 * Relevance of the three search modes on the bundled papers (packages/snapshot-site): paraphrased
 * questions that share no rare word with their paper's title (test/fixtures/paraphrased-questions.json).
 * Each paper is indexed with its title, abstract and vector (computed as the embed stage does); each
 * question is asked in every mode and scores when its paper comes first.
 */
const names = uniqueNames('relevance');
/** An index nothing was embedded in. */
const plain = uniqueNames('relevance-plain');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const { questions } = JSON.parse(
  readFileSync(new URL('../fixtures/paraphrased-questions.json', import.meta.url), 'utf8'),
) as { questions: Array<{ title: string; q: string }> };

const papers = new Map<string, { id: string; title: string; abstract: string }>();
for (const day of loadSnapshot().days)
  for (const { paper } of day.entries)
    papers.set(`arxiv:${paper.id}`, { id: `arxiv:${paper.id}`, title: paper.title, abstract: paper.summary });

let embedder: Embedder;
let embed: QueryEmbedder;

beforeAll(async () => {
  embedder = await Embedder.load();
  embed = async (text) => (await embedder.embed([text]))[0]!;
  await ensurePapersIndex(es, names.index);
  const items = [];
  for (const p of papers.values()) {
    const vector = await embed(embeddingText(p));
    const doc = { ...p, embedding: { vector: Array.from(vector), textHash: embeddingTextHash(p) } };
    items.push({ id: p.id, version: 1, doc });
  }
  const outcomes = await bulkWrite(es, names.index, items);
  expect(outcomes.every((o) => o.result === 'written')).toBe(true);
  await es.indices.refresh({ index: names.index });
});

afterAll(async () => {
  await embedder?.close();
  await cleanup(redis, es, names);
  await cleanup(redis, es, plain);
  redis.disconnect();
  await es.close();
});

/** The id of the paper a question is about (its title starts so; exactly one does). */
function expectedId(titleStart: string): string {
  const found = [...papers.values()].filter((p) => p.title.startsWith(titleStart));
  if (found.length !== 1) throw new Error(`'${titleStart}' names ${found.length} papers of the snapshot`);
  return found[0]!.id;
}

async function firstHits(mode: SearchMode): Promise<boolean[]> {
  const right: boolean[] = [];
  for (const { title, q } of questions) {
    const res = await searchPapers(es, names.index, SearchParamsSchema.parse({ q, mode, size: 1 }), embed);
    right.push(res.hits[0]?.id === expectedId(title));
  }
  return right;
}

describe('paraphrased questions over the bundled papers', () => {
  it('every question is about one paper and shares no rare word with its title', () => {
    const common = new Set([
      'a',
      'an',
      'the',
      'of',
      'to',
      'in',
      'for',
      'with',
      'and',
      'on',
      'is',
      'do',
      'can',
      'from',
      'by',
      'it',
      'we',
      'one',
      'when',
      'what',
      'does',
      'models',
      'model',
      'large',
      'language',
      'llms',
      'llm',
      'not',
    ]);
    const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);
    const sharing = questions
      .map(({ title, q }) => ({
        q,
        shared: [...words(q)].filter(
          (w) => words(papers.get(expectedId(title))!.title).has(w) && !common.has(w),
        ),
      }))
      .filter((x) => x.shared.length > 0);
    expect(sharing).toEqual([]);
    expect(questions.length).toBeGreaterThanOrEqual(25);
  });

  it('semantic and hybrid modes put the right paper first for almost all, clearly more often than keyword mode', async () => {
    const keyword = await firstHits('keyword');
    const semantic = await firstHits('semantic');
    const hybrid = await firstHits('hybrid');
    const rate = (r: boolean[]) => r.filter(Boolean).length / r.length;
    const misses = (r: boolean[]) => questions.filter((_, i) => !r[i]).map((x) => x.title);
    process.stdout.write(
      `first-hit rate over ${questions.length} questions: keyword ${rate(keyword).toFixed(2)}, ` +
        `semantic ${rate(semantic).toFixed(2)}, hybrid ${rate(hybrid).toFixed(2)}; ` +
        `semantic missed ${JSON.stringify(misses(semantic))}, hybrid missed ${JSON.stringify(misses(hybrid))}\n`,
    );
    expect(rate(semantic)).toBeGreaterThanOrEqual(0.8);
    expect(rate(hybrid)).toBeGreaterThanOrEqual(0.8);
    expect(rate(semantic)).toBeGreaterThan(rate(keyword) + 0.3);
    expect(rate(hybrid)).toBeGreaterThan(rate(keyword) + 0.3);
  });

  it("hybrid keeps what keyword search is good at: a paper's own title puts it first", async () => {
    for (const { title } of questions) {
      const own = papers.get(expectedId(title))!.title;
      const res = await searchPapers(
        es,
        names.index,
        SearchParamsSchema.parse({ q: own, mode: 'hybrid', size: 1 }),
        embed,
      );
      expect(res.hits[0]?.id, own).toBe(expectedId(title));
    }
  });

  it('the default is hybrid where vectors exist, keyword where none do (or the model is absent)', async () => {
    const p = SearchParamsSchema.parse({ q: questions[0]!.q });
    expect((await searchPapers(es, names.index, p, embed)).mode).toBe('hybrid');
    expect((await searchPapers(es, names.index, p)).mode).toBe('keyword');
    expect((await searchPapers(es, names.index, { ...p, sort: 'date' }, embed)).mode).toBe('keyword');
    await ensurePapersIndex(es, plain.index);
    const [first] = papers.values();
    await bulkWrite(es, plain.index, [{ id: first!.id, version: 1, doc: first! }]);
    await es.indices.refresh({ index: plain.index });
    const res = await searchPapers(es, plain.index, SearchParamsSchema.parse({ q: first!.title }), embed);
    expect(res).toMatchObject({ mode: 'keyword', total: 1 });
  });

  it('filters apply to the kNN list too: a date range no paper is in leaves semantic and hybrid empty', async () => {
    for (const mode of ['semantic', 'hybrid'] as const) {
      const p = SearchParamsSchema.parse({ q: questions[0]!.q, mode, from: '1990-01-01', to: '1990-12-31' });
      expect((await searchPapers(es, names.index, p, embed)).hits).toEqual([]);
    }
  });
});

describe('similar papers', () => {
  const similar = (req: unknown) => findSimilar(es, names.index, SimilarRequestSchema.parse(req), embed);
  const someone = () => [...papers.values()][3]!;

  it('an abstract pasted in finds its paper first', async () => {
    const hits = await similar({ text: someone().abstract, size: 3 });
    expect(hits[0]?.id).toBe(someone().id);
    expect(hits[0]?.record).not.toHaveProperty('embedding.vector');
  });

  it('papers like one paper leave it out; like several, leave them all out', async () => {
    const one = await similar({ ids: [someone().id], size: 5 });
    expect(one).toHaveLength(5);
    expect(one.map((h) => h.id)).not.toContain(someone().id);
    const given = [...papers.keys()].slice(0, 3);
    const several = await similar({ ids: given, size: 10 });
    expect(several.map((h) => h.id).filter((id) => given.includes(id))).toEqual([]);
  });

  it('an unknown id and a paper without a vector are typed errors naming the paper', async () => {
    await expect(similar({ ids: ['arxiv:9999.99999'] })).rejects.toBeInstanceOf(PaperNotFoundError);
    await bulkWrite(es, names.index, [
      { id: 'arxiv:9999.00001', version: 1, doc: { id: 'arxiv:9999.00001', title: 'Not embedded yet' } },
    ]);
    const refused = await similar({ ids: ['arxiv:9999.00001'] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VectorMissingError);
    expect(refused).toMatchObject({ code: 'VECTOR_MISSING', context: { paperId: 'arxiv:9999.00001' } });
  });
});
