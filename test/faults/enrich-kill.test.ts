import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import type { PaperCandidate } from '@paperline/contracts';
import {
  CrawlStore,
  EnrichmentQueue,
  createRuntime,
  jobIdFor,
  type Emit,
  type Runtime,
} from '@paperline/core/pipeline';
import { ARXIV_API_ROUTE, arxivApiUrlsForIds } from '@paperline/sources';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { isAlive, waitFor, waitForStageWorkers, workerPids, type Summary } from '../helpers/faults.js';
import { startArxivApiStub, stubTitle, type ArxivApiStub } from '../helpers/arxiv-api-stub.js';
import { startFreezeProxy, type FreezeProxy } from '../helpers/redis-freeze-proxy.js';

/** The script an enrichment job takes its batch with: the proxy freezes the worker right after it. */
const TAKE_SCRIPT = readFileSync(new URL('../../packages/core/lua/enrich-take.lua', import.meta.url), 'utf8');
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

const arxivIds = (n: number) => Array.from({ length: n }, (_, i) => `2505.${String(20_000 + i)}`);

describe('a deduplicator SIGKILLed while it holds a partial enrichment batch', () => {
  const names = uniqueNames('f-enrich');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const crawls = new CrawlStore(redis, names.prefix);
  const queue = new EnrichmentQueue(redis, names.prefix);
  const groups: ChildProcess[] = [];
  let stub: ArxivApiStub;
  let proxy: FreezeProxy;
  let seeder: Runtime;

  beforeAll(async () => {
    stub = await startArxivApiStub();
    // The worker to be killed runs the script by its SHA from its first call (not the script's
    // text after a NOSCRIPT), so the proxy sees the SHA.
    await redis.script('LOAD', TAKE_SCRIPT);
    proxy = await startFreezeProxy(REDIS_URL, TAKE_SHA);
  });

  afterAll(async () => {
    // SIGKILL: a worker still frozen behind the proxy (the test failed before killing it) could
    // not finish a graceful stop, which waits on Redis.
    for (const g of groups) killGroup(g, 'SIGKILL');
    await Promise.all(groups.map(exited));
    await seeder?.close();
    await proxy?.close();
    await stub?.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('loses no id: another deduplicator process hands the same batch on, and every id is looked up once', async () => {
    const env = testEnv(names, {
      ARXIV_API_URL: stub.apiUrl,
      ARXIV_BASE_URL: stub.origin,
      PAPERLINE_ENRICH: '1',
      PAPERLINE_ARXIV_INTERVAL_MS: '200',
      PAPERLINE_LOCK_MS: '2000',
    });
    seeder = createRuntime('enrich-kill-test', env);
    const crawlId = 'cenrich-kill';
    const ids = arxivIds(150);
    const page = (i: number) => `http://127.0.0.1:9/papers/date/kill-${i}`;
    const dedupeJob = (i: number, own: string[]): Emit => ({
      stage: 'dedupe',
      payload: {
        crawlId,
        url: page(i),
        candidates: own.map((arxivId): PaperCandidate => ({
          source: 'hf',
          url: page(i),
          fetchedAt: '2025-05-06T08:00:00.000Z',
          parserVersion: 'hf-1',
          arxivId,
          title: `Paper ${arxivId} as Hugging Face shows it`,
          authors: ['Ada Lovelace'],
          authorCount: 1,
        })),
      },
    });

    // The rest of the pipeline, and the deduplicator to be killed, whose Redis goes through the proxy.
    const rest = startWorkersProcess(env, 'fetcher,parser,indexer');
    const doomed = startWorkersProcess({ ...env, REDIS_URL: proxy.url }, 'deduplicator');
    groups.push(rest, doomed);
    await waitForStageWorkers(REDIS_URL, names.prefix, ['fetch', 'parse', 'index', 'dedupe', 'enrich']);

    // A first page of three new papers: the doomed worker queues them and takes them as a batch.
    await crawls.create(crawlId, [], { depth: 0 });
    const first = ids.slice(0, 3);
    await seeder.enqueuer.enqueue('seed', [dedupeJob(0, first)]);
    await proxy.frozen;

    // Frozen right after the take: the batch is recorded under its enrich job, which is active,
    // and no fetch job for it exists. It is held by that worker alone. The take reached Redis on
    // the worker's connection, which Redis may serve after this one: wait until it has run.
    const enrichJobId = jobIdFor('enrich', { crawlId, url: page(0) });
    let held: Awaited<ReturnType<EnrichmentQueue['taken']>> = null;
    await waitFor(
      "the frozen worker's take to be recorded",
      async () => {
        held = await queue.taken(enrichJobId);
        return held !== null;
      },
      10_000,
    );
    expect(held).toEqual({ crawlId, ids: first });
    const url = arxivApiUrlsForIds(first, stub.apiUrl)[0]!;
    const fetchJobId = jobIdFor('fetch', { crawlId, url, depth: 0, route: ARXIV_API_ROUTE });
    expect(await crawls.jobState(crawlId, fetchJobId)).toBeUndefined();
    expect(await seeder.queues.enrich.getJobState(enrichJobId)).toBe('active');
    expect(stub.requests).toEqual([]);
    expect(workerPids(doomed).has('deduplicator')).toBe(true);
    killGroup(doomed, 'SIGKILL');
    await exited(doomed);

    // Another deduplicator process; the other 57 pages arrive meanwhile.
    const survivor = startWorkersProcess(env, 'deduplicator');
    groups.push(survivor);
    const pages = Array.from({ length: 57 }, (_, p) =>
      dedupeJob(
        p + 1,
        ids.slice(3).filter((_, k) => k % 57 === p),
      ),
    );
    await seeder.enqueuer.enqueue('seed', pages);
    await crawls.seal(crawlId);

    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(
      `[faults] enrichment kill: held ${first.length} ids at the kill; requests of ` +
        `${stub.requests.map((r) => r.length).join(', ')} ids; summary ${JSON.stringify(s)}\n`,
    );
    // The held batch went out as it was taken, first, and every other id once, in full batches.
    expect(stub.requests[0]).toEqual(first);
    expect(stub.requests.flat().sort()).toEqual([...ids].sort());
    expect(Math.max(...stub.requests.map((r) => r.length))).toBeLessThanOrEqual(100);
    expect(s).toMatchObject({ failed: 0, fetched: stub.requests.length, duplicates: 150 });
    expect(isAlive(survivor), 'the other deduplicator still running').toBe(true);

    // `wait` returned once every paper was in the index with its arXiv view.
    await es.indices.refresh({ index: names.index });
    const res = await es.mget<{ title: string; sources: Array<{ source: string }> }>({
      index: names.index,
      ids: ids.map((id) => `arxiv:${id}`),
    });
    for (const d of res.docs) {
      expect('found' in d && d.found, d._id).toBe(true);
      const doc = (d as { _source: { title: string; sources: Array<{ source: string }> } })._source;
      expect(doc.title, d._id).toBe(stubTitle(d._id.slice('arxiv:'.length)));
      expect(doc.sources.map((x) => x.source).sort(), d._id).toEqual(['arxiv', 'hf']);
    }
    await stopWorkers(survivor);
  });
});
