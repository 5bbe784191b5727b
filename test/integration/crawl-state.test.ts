import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { CrawlStore } from '@paperline/core/pipeline';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

const names = uniqueNames('crawlstate');
const redis = new Redis(REDIS_URL);
const crawls = new CrawlStore(redis, names.prefix);

afterAll(async () => {
  const es = new Client({ node: ELASTICSEARCH_URL });
  await cleanup(redis, es, names);
  await es.close();
  redis.disconnect();
});

async function finishedCrawl(id: string, papersPerPage: number[], source = 'hf'): Promise<void> {
  await crawls.create(id, [], { depth: 0 });
  for (const [i, n] of papersPerPage.entries()) await crawls.markYield(id, source, `http://x/${id}/${i}`, n);
  await crawls.seal(id);
}

describe('crawl accounting', () => {
  it('counts are idempotent: the same job done twice, the same page parsed twice, count once', async () => {
    await crawls.create('c1', ['http://x/a'], { depth: 0 });
    expect(await crawls.register('c1', ['j1', 'j2'])).toEqual(['j1', 'j2']);
    expect(await crawls.register('c1', ['j1'])).toEqual(['j1']); // still pending: may be re-added
    await crawls.seal('c1');
    await crawls.transition('c1', 'j1', 'done');
    await crawls.transition('c1', 'j1', 'done');
    expect(await crawls.register('c1', ['j1'])).toEqual([]); // done: never run again in this crawl
    await crawls.markParsed('c1', 'http://x/a');
    await crawls.markParsed('c1', 'http://x/a');
    await crawls.markCandidates('c1', 'pageA', ['arxiv:1', 'arxiv:2']);
    await crawls.markCandidates('c1', 'pageB', ['arxiv:2']);
    await crawls.markCandidates('c1', 'pageB', ['arxiv:2']);
    await crawls.markWritten('c1', ['arxiv:1']);
    let s = await crawls.summary('c1');
    expect(s).toMatchObject({ parsed: 1, indexed: 1, unchanged: 1, duplicates: 1, finished: false });
    await crawls.recordFailure({
      jobId: 'j2',
      crawlId: 'c1',
      stage: 'fetch',
      code: 'HTTP_NOT_FOUND',
      message: '404',
      at: new Date().toISOString(),
    });
    s = await crawls.summary('c1');
    expect(s).toMatchObject({ failed: 1, finished: true });
    await crawls.transition('c1', 'j2', 'pending'); // retried
    expect(await crawls.summary('c1')).toMatchObject({ failed: 0, finished: false });
    await crawls.transition('c1', 'j2', 'done');
    expect(await crawls.summary('c1')).toMatchObject({ failed: 0, finished: true });
  });

  it('judges source health when the crawl finishes, not when its summary is read', async () => {
    // Its own source, so that the other test's baseline is left alone.
    for (const id of ['w1', 'w2', 'w3']) await finishedCrawl(id, [20], 'arxiv');
    // Three crawls finished unread: the baseline learned from each.
    await finishedCrawl('w4', [1], 'arxiv');
    expect((await crawls.summary('w4'))?.health?.arxiv).toMatchObject({ status: 'degraded', baseline: 20 });
    // A crawl that finishes by its last job's transition is judged too.
    await crawls.create('w5', [], { depth: 0 });
    await crawls.register('w5', ['j']);
    await crawls.seal('w5');
    await crawls.markYield('w5', 'arxiv', 'http://x/w5', 20);
    expect((await crawls.summary('w5'))?.health).toBeUndefined();
    await crawls.transition('w5', 'j', 'done');
    expect((await crawls.summary('w5'))?.health?.arxiv).toMatchObject({ status: 'ok', pages: 1 });
  });

  it('flags a source that yields far fewer papers than usual, and keeps it out of the baseline', async () => {
    for (const id of ['h1', 'h2', 'h3']) {
      await finishedCrawl(id, [50, 48, 52]);
      expect((await crawls.summary(id))?.health?.hf?.status).toBe('learning');
    }
    await finishedCrawl('h4', [49, 51]);
    expect((await crawls.summary('h4'))?.health?.hf).toMatchObject({ status: 'ok', papersPerPage: 50 });
    await finishedCrawl('bad', [3, 0, 2]);
    const bad = (await crawls.summary('bad'))?.health?.hf;
    expect(bad).toMatchObject({ status: 'degraded', pages: 3 });
    expect(bad!.baseline).toBeGreaterThan(45);
    // Evaluated once; a later healthy crawl is judged against the unchanged baseline.
    expect((await crawls.summary('bad'))?.health?.hf?.status).toBe('degraded');
    await finishedCrawl('h5', [50]);
    expect((await crawls.summary('h5'))?.health?.hf?.status).toBe('ok');
  });

  it('write-behind: what a job adds reaches Redis before its transition, a fetched URL at once', async () => {
    const worker = new CrawlStore(redis, names.prefix, { writeBehind: true, writeBehindMs: 3_600_000 });
    await crawls.create('wb', ['http://x/wb'], { depth: 0 });
    await crawls.register('wb', ['fetch-1']);
    await crawls.seal('wb');
    await worker.markFetched('wb', 'http://x/wb');
    // Another process sees the fetch at once: a retried job must know it ran.
    expect(await crawls.contains('wb', 'fetched', 'http://x/wb')).toBe(true);
    await worker.markParsed('wb', 'http://x/wb');
    await worker.markYield('wb', 'hf', 'http://x/wb', 2);
    await worker.markCandidates('wb', 'http://x/wb', ['arxiv:1', 'arxiv:2']);
    await worker.markWritten('wb', ['arxiv:1', 'arxiv:2']);
    // Held back: another process does not see them yet…
    expect(await crawls.summary('wb')).toMatchObject({ fetched: 1, parsed: 0, indexed: 0, finished: false });
    // …until the job that added them moves; the move that finishes the crawl judges its yield.
    await worker.transition('wb', 'fetch-1', 'done');
    const s = await crawls.summary('wb');
    expect(s).toMatchObject({ fetched: 1, parsed: 1, indexed: 2, unchanged: 0, finished: true });
    expect(s?.health?.hf).toMatchObject({ pages: 1, papersPerPage: 2 });
    await worker.close();
  });

  it('write-behind: what a refused write took is written by the next transition', async () => {
    const r = new Redis(REDIS_URL);
    const worker = new CrawlStore(r, names.prefix, { writeBehind: true, writeBehindMs: 3_600_000 });
    await crawls.create('wb2', [], { depth: 0 });
    await crawls.register('wb2', ['j1', 'j2']);
    await worker.markWritten('wb2', ['arxiv:7']);
    // The worker's next transaction fails (as on a lost connection).
    const real = r.multi.bind(r);
    let refuse = 1;
    r.multi = ((...args: Parameters<typeof real>) => {
      const m = real(...args);
      if (refuse-- > 0) m.exec = () => Promise.reject(new Error('connection lost'));
      return m;
    }) as typeof r.multi;
    await expect(worker.transition('wb2', 'j1', 'done')).rejects.toThrow('connection lost');
    // j1 did not move: its additions are not lost, the next transition writes them first.
    expect(await crawls.jobState('wb2', 'j1')).toBe('pending');
    await worker.transition('wb2', 'j2', 'done');
    expect(await crawls.summary('wb2')).toMatchObject({ indexed: 1 });
    await worker.close();
    r.disconnect();
  });
});
