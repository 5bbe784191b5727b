import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { EmbedJob, IndexJob, PaperCandidate } from '@paperline/contracts';
import { createEsClient, getPapers } from '@paperline/core/es';
import { createRuntime, type Runtime, type StageWiring } from '@paperline/core/pipeline';
import { DedupStore, dedupeStage, processDedupe, type DedupeDeps } from '@paperline/deduplicator';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { embedStage, processEmbed, type EmbedDeps } from '@paperline/embedder';
import { embeddingTextHash } from '@paperline/identity';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { stageContext } from '../helpers/stage-context.js';

/**
 * The external-version rule on every write path, against real Redis and Elasticsearch: the
 * embedder's document is ordered with the deduplicator's by merge version, later merges keep the
 * vector, and the vector survives the loss of the dedup cache.
 */
const names = uniqueNames('embed');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const ID = 'arxiv:2403.54321';
const PAGE = 'http://127.0.0.1:9/papers/date/2024-03-20';
const ctx = stageContext;

let rt: Runtime;
let dedupe: StageWiring<DedupeDeps>;
let index: StageWiring<IndexDeps>;
let embed: StageWiring<EmbedDeps>;

beforeAll(async () => {
  rt = createRuntime('embed-test', testEnv(names, { PAPERLINE_BULK_WAIT_MS: '10', PAPERLINE_EMBED: '1' }));
  dedupe = await dedupeStage.wire(rt);
  index = await indexStage.wire(rt);
  embed = await embedStage.wire(rt);
});

afterAll(async () => {
  for (const w of [dedupe, index, embed]) await w?.close?.();
  await rt?.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

let seen = 0;
const cand = (over: Partial<PaperCandidate> = {}): PaperCandidate => ({
  source: 'hf',
  url: PAGE,
  // Each sighting is newer than the last, so its view replaces the stored one.
  fetchedAt: new Date(Date.UTC(2024, 2, 20, 10, 0, seen++)).toISOString(),
  parserVersion: 'hf-1',
  arxivId: '2403.54321',
  title: 'Running Neural Networks on Microcontrollers',
  abstract: 'We fit convolutional networks into 256 KB of SRAM.',
  authors: ['Ada Lovelace'],
  authorCount: 1,
  upvotes: 1,
  ...over,
});

/** One dedupe job: its index job (written unless told not to) and its embed jobs. */
async function merge(c: PaperCandidate, jobId: string, write = true) {
  const res = await processDedupe({ crawlId: 'ce', url: PAGE, candidates: [c] }, dedupe.deps, ctx(jobId));
  const indexJob = res.emit?.find((e) => e.stage === 'index')?.payload as IndexJob | undefined;
  if (indexJob && write) await processIndex(indexJob, index.deps, ctx(`i-${jobId}`));
  const embedJobs = (res.emit ?? []).filter((e) => e.stage === 'embed').map((e) => e.payload as EmbedJob);
  return { indexJob, embedJobs };
}

/** One embed job: its outcome and the index job it emitted (written unless told not to). */
async function embedOne(job: EmbedJob, jobId: string, write = true) {
  const res = await processEmbed(job, embed.deps, ctx(jobId));
  const indexJob = res.emit?.find((e) => e.stage === 'index')?.payload as IndexJob | undefined;
  if (indexJob && write) await processIndex(indexJob, index.deps, ctx(`i-${jobId}`));
  return { outcome: res.outcome, indexJob };
}

const stored = async () => (await getPapers(es, names.index, [ID])).get(ID)!;
const embeddingOf = async () =>
  (await stored()).doc.embedding as { vector: number[]; textHash: string } | undefined;

describe('the vector and the external-version rule', () => {
  it('the paper is indexed first, without a vector; the embed job writes the whole document with it', async () => {
    const first = await merge(cand(), 'd1');
    expect(first.indexJob?.docs.map((d) => d.id)).toEqual([ID]);
    expect(await embeddingOf()).toBeUndefined();
    expect(first.embedJobs).toEqual([
      { crawlId: 'ce', url: PAGE, id: ID, textHash: embeddingTextHash(cand()) },
    ]);

    const done = await embedOne(first.embedJobs[0]!, 'e1');
    expect(done.outcome).toBe('embedded');
    const doc = await stored();
    expect(doc.version).toBeGreaterThan(first.indexJob!.docs[0]!.version);
    expect(doc.doc.title).toBe(cand().title);
    const emb = (await embeddingOf())!;
    expect(emb.textHash).toBe(embeddingTextHash(cand()));
    expect(emb.vector).toHaveLength(384);
    expect(Math.hypot(...emb.vector)).toBeCloseTo(1, 4);
    expect(await rt.crawls.sizes('ce')).toMatchObject({ embedded: 1 });
  });

  it('a later merge keeps the vector, and asks for no new one while the text is the same', async () => {
    const before = (await embeddingOf())!;
    const later = await merge(cand({ upvotes: 42 }), 'd2');
    expect(later.embedJobs).toEqual([]);
    const doc = await stored();
    expect(doc.doc.upvotes).toBe(42);
    expect(doc.doc.embedding).toEqual(before);
  });

  it('an older embed result never overwrites a newer merge', async () => {
    // A new abstract: the merge asks for a vector; the embedder computes it but its write is late.
    const renamed = cand({ abstract: 'We fit transformers into 320 KB of SRAM.' });
    const m3 = await merge(renamed, 'd3');
    const late = await embedOne(m3.embedJobs[0]!, 'e3', false);
    expect(late.outcome).toBe('embedded');
    // Meanwhile a newer merge (more upvotes) is written; it already carries the new vector from the cache.
    await merge(cand({ abstract: renamed.abstract, upvotes: 99 }), 'd4');
    const newer = await stored();
    // The late embed write arrives: its version is older, Elasticsearch refuses it (counted superseded).
    await processIndex(late.indexJob!, index.deps, ctx('i-late'));
    const after = await stored();
    expect(after.version).toBe(newer.version);
    expect(after.doc.upvotes).toBe(99);
    expect((after.doc.embedding as { textHash: string }).textHash).toBe(embeddingTextHash(renamed));
  });

  it('an embed job for a text that was replaced since writes nothing', async () => {
    const before = await stored();
    const outdated = { crawlId: 'ce', url: PAGE, id: ID, textHash: embeddingTextHash(cand()) };
    expect((await embedOne(outdated, 'e-old')).outcome).toBe('stale');
    expect((await stored()).version).toBe(before.version);
  });

  it('after the dedup cache is lost, the vector comes back from the index with the next merge', async () => {
    const before = (await embeddingOf())!;
    await new DedupStore(redis, es, names.index, names.prefix).clear();
    const m = await merge(cand({ abstract: 'We fit transformers into 320 KB of SRAM.', upvotes: 100 }), 'd5');
    expect(m.embedJobs).toEqual([]);
    const doc = await stored();
    expect(doc.doc.upvotes).toBe(100);
    expect(doc.doc.embedding).toEqual(before);
  });
});
