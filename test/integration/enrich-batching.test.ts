import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import type { PaperCandidate } from '@paperline/contracts';
import { createEsClient } from '@paperline/core/es';
import {
  CrawlStore,
  EnrichmentQueue,
  createRuntime,
  jobIdFor,
  startStage,
  waitForCrawl,
  type Emit,
  type Runtime,
} from '@paperline/core/pipeline';
import { dedupeStage, enrichStage } from '@paperline/deduplicator';
import { fetchStage } from '@paperline/fetcher';
import { parseStage } from '@paperline/parser';
import { indexStage } from '@paperline/indexer';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { startArxivApiStub, stubTitle, type ArxivApiStub } from '../helpers/arxiv-api-stub.js';

/**
 * arXiv enrichment batches against real Redis and Elasticsearch: dedupe jobs of many pages, run by
 * two worker runtimes (as two processes would be, sharing only Redis and Elasticsearch), queue
 * new papers' ids; the enrich stage sends them to a local export-API stand-in in batches that fill
 * up, every id is looked up once and merged into the index, and each crawl's books hold its own
 * look-ups.
 */
const names = uniqueNames('enrich');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const crawls = new CrawlStore(redis, names.prefix);
const queue = new EnrichmentQueue(redis, names.prefix);
let stub: ArxivApiStub;
const runtimes: Runtime[] = [];
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  stub = await startArxivApiStub();
  const env = testEnv(names, {
    ARXIV_API_URL: stub.apiUrl,
    ARXIV_BASE_URL: stub.origin,
    PAPERLINE_ENRICH: '1',
    PAPERLINE_ARXIV_INTERVAL_MS: '200',
    PAPERLINE_BULK_WAIT_MS: '10',
  });
  for (const name of ['enrich-a', 'enrich-b']) {
    const rt = createRuntime(name, env);
    runtimes.push(rt);
    for (const def of [fetchStage, parseStage, dedupeStage, enrichStage, indexStage])
      running.push(await startStage(rt, def as never));
  }
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  for (const rt of runtimes) await rt.close();
  await stub?.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

const hfPage = (crawl: string, i: number) => `http://127.0.0.1:9/papers/date/${crawl}-${i}`;

/** A paper as a Hugging Face listing shows it: no arXiv view yet. */
const hfCandidate = (page: string, arxivId: string): PaperCandidate => ({
  source: 'hf',
  url: page,
  fetchedAt: '2025-01-06T08:00:00.000Z',
  parserVersion: 'hf-1',
  arxivId,
  title: `Paper ${arxivId} as Hugging Face shows it`,
  authors: ['Ada Lovelace'],
  authorCount: 1,
  upvotes: 3,
});

/** `n` new-style arXiv ids of one test (`25mm.nnnnn`). */
const arxivIds = (month: number, n: number) =>
  Array.from({ length: n }, (_, i) => `25${String(month).padStart(2, '0')}.${String(10_000 + i)}`);

/** One dedupe job per page, the ids dealt round-robin over the pages (2 or 3 each for 150 over 60). */
function dedupeJobs(crawlId: string, ids: string[], pages: number): Emit[] {
  return Array.from({ length: pages }, (_, p) => {
    const url = hfPage(crawlId, p);
    const own = ids.filter((_, k) => k % pages === p);
    return { stage: 'dedupe', payload: { crawlId, url, candidates: own.map((id) => hfCandidate(url, id)) } };
  });
}

/** Starts a crawl made of these dedupe jobs, as `crawl` starts one of fetch jobs. */
async function startDedupeCrawl(crawlId: string, jobs: Emit[]): Promise<string[]> {
  await crawls.create(crawlId, [], { depth: 0 });
  const jobIds = await runtimes[0]!.enqueuer.enqueue('seed', jobs);
  await crawls.seal(crawlId);
  return jobIds;
}

async function allDone(crawlId: string, jobIds: string[]): Promise<boolean> {
  const states = await Promise.all(jobIds.map((id) => crawls.jobState(crawlId, id)));
  return states.every((s) => s === 'done');
}

interface Doc {
  title: string;
  sources: Array<{ source: string }>;
}

async function docs(ids: string[]): Promise<Map<string, Doc>> {
  await es.indices.refresh({ index: names.index });
  const res = await es.mget<Doc>({ index: names.index, ids: ids.map((id) => `arxiv:${id}`) });
  const out = new Map<string, Doc>();
  for (const d of res.docs) if ('found' in d && d.found) out.set(d._id.slice('arxiv:'.length), d._source!);
  return out;
}

/** Every id merged with its arXiv view: the stub's title, both sources. */
function expectEnriched(found: Map<string, Doc>, ids: string[]): void {
  expect([...found.keys()].sort()).toEqual([...ids].sort());
  for (const id of ids) {
    expect(found.get(id)!.title, id).toBe(stubTitle(id));
    expect(
      found
        .get(id)!
        .sources.map((s) => s.source)
        .sort(),
      id,
    ).toEqual(['arxiv', 'hf']);
  }
}

const requestsSince = (n: number) => stub.requests.slice(n);

describe('arXiv enrichment batches', () => {
  it('150 new papers on 60 pages, deduplicated by two runtimes, are looked up in requests that fill up, each id once', async () => {
    const crawlId = 'cbatch-150';
    const ids = arxivIds(1, 150);
    const before = stub.requests.length;
    // The first request is held: every later id queues behind it, as behind a slow answer.
    const release = stub.hold();
    const jobIds = await startDedupeCrawl(crawlId, dedupeJobs(crawlId, ids, 60));
    await vi.waitFor(
      async () => {
        expect(requestsSince(before).length).toBeGreaterThan(0);
        expect(await allDone(crawlId, jobIds)).toBe(true);
      },
      { timeout: 60_000, interval: 50 },
    );
    // Every page is deduplicated and one request is out: the rest wait, and so does the crawl.
    const first = requestsSince(before)[0]!;
    expect(requestsSince(before)).toHaveLength(1);
    expect(first.length + (await queue.waiting(crawlId))).toBe(150);
    expect((await crawls.summary(crawlId))!.finished).toBe(false);

    release();
    const s = await waitForCrawl(crawls, crawlId, { timeoutMs: 90_000, pollMs: 100 });
    const sent = requestsSince(before);
    process.stderr.write(
      `[enrich] 150 ids from 60 dedupe jobs: ${sent.length} requests of ${sent.map((r) => r.length).join(', ')} ids\n`,
    );
    // Each id asked for once; every request but the first (sent when the first id arrived) and the
    // last (the remainder) carries a full 100.
    expect(sent.flat().sort()).toEqual([...ids].sort());
    expect(Math.max(...sent.map((r) => r.length))).toBeLessThanOrEqual(100);
    expect(sent).toHaveLength(1 + Math.ceil((150 - first.length) / 100));
    for (const r of sent.slice(1, -1)) expect(r).toHaveLength(100);
    // The crawl's books hold its look-ups: each batch fetched and parsed, each paper seen again.
    expect(s).toMatchObject({ failed: 0, fetched: sent.length, parsed: sent.length, duplicates: 150 });
    expectEnriched(await docs(ids), ids);
  });

  it('two crawls at once: a batch holds one crawl only, and each crawl finishes only after its own look-ups', async () => {
    const a = { crawlId: 'cbatch-a', ids: arxivIds(2, 30) };
    const b = { crawlId: 'cbatch-b', ids: arxivIds(3, 30) };
    const before = stub.requests.length;
    const release = stub.hold();
    const jobs = await Promise.all(
      [a, b].map((c) => startDedupeCrawl(c.crawlId, dedupeJobs(c.crawlId, c.ids, 10))),
    );
    await vi.waitFor(
      async () => {
        expect(requestsSince(before).length).toBeGreaterThan(0);
        expect(await allDone(a.crawlId, jobs[0]!)).toBe(true);
        expect(await allDone(b.crawlId, jobs[1]!)).toBe(true);
      },
      { timeout: 60_000, interval: 50 },
    );
    for (const c of [a, b]) expect((await crawls.summary(c.crawlId))!.finished, c.crawlId).toBe(false);
    release();
    for (const c of [a, b]) {
      const s = await waitForCrawl(crawls, c.crawlId, { timeoutMs: 90_000, pollMs: 100 });
      // Finished means looked up: every id of the crawl is in the index with its arXiv view.
      expectEnriched(await docs(c.ids), c.ids);
      const own = requestsSince(before).filter((r) => c.ids.includes(r[0]!));
      expect(s).toMatchObject({ failed: 0, fetched: own.length, duplicates: c.ids.length });
    }
    const sent = requestsSince(before);
    for (const r of sent) {
      const crawlsOfRequest = new Set(r.map((id) => (a.ids.includes(id) ? a.crawlId : b.crawlId)));
      expect(crawlsOfRequest.size, r.join(',')).toBe(1);
    }
    expect(sent.flat().sort()).toEqual([...a.ids, ...b.ids].sort());
  });

  it('a job whose worker died after it took a batch hands the same batch on when it runs again', async () => {
    const crawlId = 'cbatch-crash';
    const ids = arxivIds(4, 5);
    const page = hfPage(crawlId, 0);
    await crawls.create(crawlId, [], { depth: 0 });
    // What the dead worker did: its dedupe job queued the ids, its enrich job took them, and it
    // died before the fetch job was added. BullMQ then gives the enrich job to a live worker.
    const enrichJob = { crawlId, url: page };
    const enrichJobId = jobIdFor('enrich', enrichJob);
    expect(await queue.add(crawlId, `${crawlId}.dedupe.dead`, ids)).toHaveLength(5);
    const taken = await queue.take({
      crawlId,
      jobId: enrichJobId,
      successor: jobIdFor('enrich', { ...enrichJob, round: 1 }),
      slotWaitMs: 0,
      settled: (await queue.inFlight()) ?? '',
    });
    expect(taken).toEqual({ kind: 'taken', ids, more: false });
    expect(await queue.waiting(crawlId)).toBe(0);
    const before = stub.requests.length;
    await runtimes[1]!.enqueuer.enqueue('seed', [{ stage: 'enrich', payload: enrichJob }]);
    await crawls.seal(crawlId);
    const s = await waitForCrawl(crawls, crawlId, { timeoutMs: 60_000, pollMs: 100 });
    expect(requestsSince(before)).toEqual([ids]);
    expect(s).toMatchObject({ failed: 0, fetched: 1 });
    const found = await docs(ids);
    expect([...found.keys()].sort()).toEqual(ids);
    for (const id of ids) expect(found.get(id)!.title).toBe(stubTitle(id));
  });
});
