import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ChangeEntry, IndexJob, PaperCandidate } from '@paperline/contracts';
import { createEsClient, getPapers } from '@paperline/core/es';
import { ChangeFeed, createRuntime, type Runtime, type StageWiring } from '@paperline/core/pipeline';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { buildRecord, withdrawalReason } from '@paperline/identity';
import { readChanges, type ChangeView } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { stageContext } from '../helpers/stage-context.js';

/**
 * The change feed's guarantee under concurrency, against real Redis and Elasticsearch: several
 * indexers ("processes": each its own runtime, batcher and connections) write shuffled versions of
 * the same papers, some jobs crash between the write and the append and run again, and a consumer
 * pages through the feed with a small limit meanwhile. The consumer must see exactly what the feed
 * holds after its cursor (a skipped entry would show there), every paper's newest version, and,
 * last for each paper, the state Elasticsearch ends with.
 */
const names = uniqueNames('feed');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const feed = new ChangeFeed(redis, names.prefix);
const PAGE = 'http://127.0.0.1:9/papers/date/2025-01-20';
const WRITERS = 3;
const PAPERS = 24;
const VERSIONS = 5;
const ctx = stageContext;

const runtimes: Runtime[] = [];
const indexers: Array<StageWiring<IndexDeps>> = [];

beforeAll(async () => {
  for (let i = 0; i < WRITERS; i++) {
    const rt = createRuntime(`feed-test-${i}`, testEnv(names, { PAPERLINE_BULK_WAIT_MS: '5' }));
    runtimes.push(rt);
    indexers.push(await indexStage.wire(rt));
  }
});

afterAll(async () => {
  for (const w of indexers) await w.close?.();
  for (const rt of runtimes) await rt.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

const arxivId = (n: number) => `2501.${String(10000 + n)}`;

/** Version k of paper n as the deduplicator would hand it over: a whole record, its merge version. */
function versionOf(
  n: number,
  k: number,
  opts: { withdrawn?: boolean; title?: string } = {},
): IndexJob['docs'][number] {
  const c: PaperCandidate = {
    source: 'hf',
    url: PAGE,
    fetchedAt: new Date(Date.UTC(2025, 0, 20, 10, k)).toISOString(),
    parserVersion: 'hf-1',
    ...(opts.title ? {} : { arxivId: arxivId(n) }),
    title: opts.title ?? `Paper ${n} on feeds`,
    authors: ['Ada Lovelace'],
    authorCount: 1,
    upvotes: k,
    ...(opts.withdrawn ? { withdrawn: true } : {}),
  };
  const id = opts.title ? `title:${opts.title.toLowerCase().replace(/\W+/g, '-')}` : `arxiv:${arxivId(n)}`;
  const record = buildRecord(id, [c], { firstSeenAt: c.fetchedAt, updatedAt: c.fetchedAt });
  const reason = withdrawalReason(record);
  // Merge versions are Redis time in µs: 1e15 and up; versions of one paper only grow.
  return {
    id,
    version: 1e15 + n * 1000 + k,
    doc: JSON.stringify(record),
    ...(reason ? { withdrawnReason: reason } : {}),
  };
}

const indexJob = (docs: IndexJob['docs'], deletes?: IndexJob['deletes']): IndexJob => ({
  crawlId: 'cfeed',
  url: PAGE,
  docs,
  ...(deletes ? { deletes } : {}),
});

/** Changes the indexers appended, as the feed told them (counted apart from any read). */
let appended = 0;
const counting = (deps: IndexDeps): IndexDeps => ({
  ...deps,
  appendChanges: async (changes) => {
    const n = await deps.appendChanges(changes);
    appended += n;
    return n;
  },
});

/** Deterministic shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * One indexer "process" working through its jobs, a few at a time. A job marked to crash fails
 * between Elasticsearch's answer and the feed append, and is run again after the others, as BullMQ
 * retries it.
 */
async function writer(deps: IndexDeps, jobs: Array<{ job: IndexJob; crash: boolean }>): Promise<void> {
  const retries: IndexJob[] = [];
  const crashing: IndexDeps = {
    ...deps,
    appendChanges: () => Promise.reject(new Error('killed before the append')),
  };
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const { job, crash } = jobs[next++]!;
      if (crash) {
        await expect(processIndex(job, crashing, ctx('crash'))).rejects.toThrow(/killed/);
        retries.push(job);
      } else await processIndex(job, deps, ctx('run'));
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  for (const job of retries) await processIndex(job, deps, ctx('retry'));
}

/** Pages through the feed with a small limit until `done()` and nothing is left, waiting for more. */
async function consume(after: string, done: () => boolean): Promise<ChangeView[]> {
  const seen: ChangeView[] = [];
  const signal = new AbortController().signal;
  let cursor = after;
  for (;;) {
    const finished = done(); // read before the page: what was written before it is in this page
    const page = await readChanges({ feed, papers: es, alias: names.index }, { after: cursor, limit: 7 });
    seen.push(...page.entries);
    cursor = page.next;
    if (page.entries.length === 0) {
      if (finished) return seen;
      await feed.waitForMore(cursor, { signal, timeoutMs: 250 });
    }
  }
}

const plain = (e: ChangeEntry) => ({
  cursor: e.cursor,
  id: e.id,
  op: e.op,
  version: e.version,
  reason: e.reason,
});

describe('the change feed under concurrent indexers', () => {
  it('a consumer sees every write once, in a per-paper order of growing versions, the final state last', async () => {
    // Before the consumer starts: the first version of every paper, and two title-only papers.
    // (Older than the merges that will adopt them, as merge versions are.)
    const titles = ['A Paper First Seen By Title', 'Another Title Only Paper'].map((title, i) => ({
      ...versionOf(PAPERS + i, 0, { title }),
      version: 1e15 - 10 + i,
    }));
    await processIndex(
      indexJob([...Array.from({ length: PAPERS }, (_, n) => versionOf(n, 0)), ...titles]),
      counting(indexers[0]!.deps),
      ctx('warm-up'),
    );
    // The consumer starts in the middle of what is there.
    const before = await feed.read(undefined, 1000);
    expect(before.entries).toHaveLength(PAPERS + 2);
    const startsAfter = Math.floor(PAPERS / 2) + 1;
    const start = before.entries[startsAfter - 1]!.cursor;

    // Versions 1..VERSIONS-1 of every paper, shuffled; every third paper ends withdrawn; the two
    // title-only papers are merged into papers 0 and 1 (their documents deleted at those merges).
    const jobs: Array<{ job: IndexJob; crash: boolean }> = [];
    for (let n = 0; n < PAPERS; n++) {
      for (let k = 1; k < VERSIONS; k++) {
        const doc = versionOf(n, k, { withdrawn: n % 3 === 0 && k === VERSIONS - 1 });
        const deletes =
          n < 2 && k === 2 ? [{ id: titles[n]!.id, into: doc.id, version: doc.version }] : undefined;
        jobs.push({ job: indexJob([doc], deletes), crash: (n * VERSIONS + k) % 7 === 0 });
      }
    }
    const order = shuffled(jobs, 20250120);
    let writing = WRITERS;
    const consumer = consume(start, () => writing === 0);
    await Promise.all(
      indexers.map((w, i) =>
        writer(
          counting(w.deps),
          order.filter((_, j) => j % WRITERS === i),
        ).finally(() => writing--),
      ),
    );
    const seen = await consumer;

    // 1. Nothing skipped, nothing twice: exactly the feed's contents after the start cursor.
    const stream = await feed.read(start, 10_000);
    expect(seen.map(plain)).toEqual(stream.entries.map(plain));
    // Every entry appended since the start is there once: the cursors are distinct and as many as
    // the changes the writers appended, counted apart from any read (a skip would show here).
    expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
    expect(seen.length).toBe(appended - startsAfter);

    // 2. Per paper, versions only grow along the feed.
    const byPaper = new Map<string, ChangeView[]>();
    for (const e of seen) byPaper.set(e.id, [...(byPaper.get(e.id) ?? []), e]);
    for (const [id, entries] of byPaper) {
      const versions = entries.map((e) => e.version);
      expect(versions, id).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size, id).toBe(versions.length);
    }

    // 3. Every paper's final version was seen, and its last entry is what Elasticsearch holds.
    const ids = Array.from({ length: PAPERS }, (_, n) => `arxiv:${arxivId(n)}`);
    const docs = await getPapers(es, names.index, [...ids, ...titles.map((t) => t.id)]);
    for (let n = 0; n < PAPERS; n++) {
      const final = versionOf(n, VERSIONS - 1, { withdrawn: n % 3 === 0 });
      const last = byPaper.get(final.id)!.at(-1)!;
      const inIndex = docs.get(final.id)!;
      expect(inIndex.version, final.id).toBe(final.version);
      expect(last.version, final.id).toBe(inIndex.version);
      if (n % 3 === 0) {
        expect(last, final.id).toMatchObject({ op: 'withdrawn', reason: 'withdrawn on hf' });
        expect(last.record, final.id).toBeUndefined();
      } else {
        // The record attached when the consumer read it is the latest state.
        expect(last, final.id).toMatchObject({ op: 'upsert', recordVersion: inIndex.version });
        expect(last.record?.upvotes, final.id).toBe(VERSIONS - 1);
      }
    }
    for (const [n, t] of titles.entries()) {
      expect(docs.has(t.id), t.id).toBe(false);
      expect(byPaper.get(t.id)!.at(-1), t.id).toMatchObject({
        op: 'deleted',
        reason: `merged into arxiv:${arxivId(n)}`,
      });
    }
  });
});
