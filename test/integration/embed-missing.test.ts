import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { IndexJob, PaperCandidate } from '@paperline/contracts';
import { createEsClient, getPapers } from '@paperline/core/es';
import {
  createRuntime,
  startStage,
  waitForCrawl,
  type Runtime,
  type StageWiring,
} from '@paperline/core/pipeline';
import { dedupeStage, processDedupe, type DedupeDeps } from '@paperline/deduplicator';
import { embedStage } from '@paperline/embedder';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { embeddingTextHash } from '@paperline/identity';
import { startEmbedMissing } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { stageContext } from '../helpers/stage-context.js';

/**
 * `embed --missing` against real Redis and Elasticsearch with the real model: papers indexed while
 * the embed stage was off get their vectors through the embedder's queue, a second run queues
 * nothing, and a paper whose text changed while the stage was off gets a new vector.
 */
const names = uniqueNames('embedmiss');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const PAGE = 'http://127.0.0.1:9/papers/date/2024-03-21';
const ctx = stageContext;

/** Papers of different lengths, so the embedder's batches mix them. */
const PAPERS = [
  ['2403.10001', 'Sparse Mixtures', 'Routing tokens to experts.'],
  ['2403.10002', 'Long Context Retrieval', 'We retrieve passages from a million-token context. '.repeat(6)],
  [
    '2403.10003',
    'Tiny Vision Models',
    'A convolutional network of 300 KB classifies images on a microcontroller.',
  ],
  ['2403.10004', 'Graph Transformers at Scale', 'Attention over graph neighbourhoods. '.repeat(15)],
] as const;
const IDS = PAPERS.map(([arxivId]) => `arxiv:${arxivId}`);

let sighting = 0;
const cand = ([arxivId, title, abstract]: readonly [string, string, string]): PaperCandidate => ({
  source: 'hf',
  url: PAGE,
  fetchedAt: new Date(Date.UTC(2024, 2, 21, 10, 0, sighting++)).toISOString(),
  parserVersion: 'hf-1',
  arxivId,
  title,
  abstract,
  authors: ['Grace Hopper'],
  authorCount: 1,
});

/** The pipeline while the embed stage is off: documents are written without vectors. */
let off: Runtime;
let dedupe: StageWiring<DedupeDeps>;
let index: StageWiring<IndexDeps>;
/** The pipeline with the embedder: what `embed --missing` hands its jobs to. */
let rt: Runtime;
let workers: Array<{ stop(): Promise<void> }> = [];

async function indexWithoutVectors(papers: PaperCandidate[], jobId: string): Promise<void> {
  const res = await processDedupe(
    { crawlId: 'c-off', url: PAGE, candidates: papers },
    dedupe.deps,
    ctx(jobId),
  );
  expect(res.emit?.some((e) => e.stage === 'embed')).toBe(false);
  const job = res.emit?.find((e) => e.stage === 'index')?.payload as IndexJob;
  await processIndex(job, index.deps, ctx(`i-${jobId}`));
  await es.indices.refresh({ index: names.index });
}

async function embeddings(): Promise<Map<string, { vector: number[]; textHash: string } | undefined>> {
  const docs = await getPapers(es, names.index, IDS);
  return new Map(
    IDS.map((id) => [id, docs.get(id)?.doc.embedding as { vector: number[]; textHash: string } | undefined]),
  );
}

async function runToTheEnd(crawlId: string) {
  const summary = await waitForCrawl(rt.crawls, crawlId, { pollMs: 100, timeoutMs: 120_000 });
  await es.indices.refresh({ index: names.index });
  return summary;
}

beforeAll(async () => {
  off = createRuntime('embedmiss-off', testEnv(names, { PAPERLINE_BULK_WAIT_MS: '10' }));
  dedupe = await dedupeStage.wire(off);
  index = await indexStage.wire(off);
  rt = createRuntime(
    'embedmiss',
    testEnv(names, { PAPERLINE_BULK_WAIT_MS: '10', PAPERLINE_EMBED: '1', PAPERLINE_EMBED_CONCURRENCY: '4' }),
  );
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const w of [dedupe, index]) await w?.close?.();
  await rt?.close();
  await off?.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

describe('embed --missing', () => {
  let crawlId: string;

  it('queues one embed job per paper indexed without a vector, under a crawl of its own', async () => {
    await indexWithoutVectors(PAPERS.map(cand), 'd1');
    expect([...(await embeddings()).values()]).toEqual([undefined, undefined, undefined, undefined]);

    const start = await startEmbedMissing(rt, { pageSize: 3 }); // two pages of the point in time
    expect(start).toMatchObject({ resumed: false, found: 4, enqueued: 4 });
    crawlId = start.crawlId!;
    expect(await rt.crawls.summary(crawlId)).toMatchObject({ kind: 'embed-missing', finished: false });
    const waiting = await rt.queues.embed.getWaiting();
    expect(waiting.map((j) => j.data).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      PAPERS.map((p, i) => ({ crawlId, url: PAGE, id: IDS[i], textHash: embeddingTextHash(cand(p)) })),
    );
  });

  it('run again before the embedder took them: the same crawl, nothing queued twice', async () => {
    const again = await startEmbedMissing(rt);
    expect(again).toMatchObject({ crawlId, resumed: true, found: 4, enqueued: 0 });
    expect(await rt.queues.embed.getWaitingCount()).toBe(4);
  });

  it('the embedder writes every vector; a run after that finds nothing', async () => {
    workers = [await startStage(rt, indexStage), await startStage(rt, embedStage)];
    const summary = await runToTheEnd(crawlId);
    expect(summary).toMatchObject({ finished: true, embedded: 4, failed: 0 });
    for (const [i, emb] of [...(await embeddings()).values()].entries()) {
      expect(emb?.textHash).toBe(embeddingTextHash(cand(PAPERS[i]!)));
      expect(emb?.vector).toHaveLength(384);
      expect(Math.hypot(...emb!.vector)).toBeCloseTo(1, 4);
    }
    expect(await startEmbedMissing(rt)).toMatchObject({
      crawlId: null,
      resumed: false,
      found: 0,
      enqueued: 0,
    });
  });

  it('a paper whose abstract changed while the stage was off gets a vector of its new text', async () => {
    const [arxivId, title] = PAPERS[0];
    const changed = cand([arxivId, title, 'Routing tokens to experts, with a learned capacity per expert.']);
    await indexWithoutVectors([changed], 'd2');
    const old = (await embeddings()).get(IDS[0]!)!;
    expect(old.textHash).not.toBe(embeddingTextHash(changed)); // the old vector is kept meanwhile

    const start = await startEmbedMissing(rt);
    expect(start).toMatchObject({ resumed: false, found: 1, enqueued: 1 });
    expect(start.crawlId).not.toBe(crawlId);
    expect(await runToTheEnd(start.crawlId!)).toMatchObject({ embedded: 1, failed: 0 });
    const now = (await embeddings()).get(IDS[0]!)!;
    expect(now.textHash).toBe(embeddingTextHash(changed));
    expect(now.vector).not.toEqual(old.vector);
    expect((await startEmbedMissing(rt)).found).toBe(0);
  });
});
