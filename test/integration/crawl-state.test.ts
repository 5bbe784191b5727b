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
});
