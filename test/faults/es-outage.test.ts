import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { unlinkMatching, RedisKeys } from '@paperline/core/redis';
import { CrawlStore } from '@paperline/core/pipeline';
import { REDIS_URL, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { holdBack, startFaultSite, type FaultSite } from '../helpers/faults-servers.js';
import {
  LONG,
  RSS_LIMIT_MIB,
  expectEveryPaperOnce,
  isAlive,
  sampleWorkerRss,
  startOwnElasticsearch,
  waitFor,
  type OwnElasticsearch,
  type Summary,
} from '../helpers/faults.js';

/** Port of this test's own Elasticsearch (transport on 9370-9469); the shared 9200 is never touched. */
const ES_PORT = Number(process.env.PAPERLINE_FAULTS_ES_PORT ?? 9270);
/** How long Elasticsearch stays down before it is started again (its start-up comes on top). */
const OUTAGE_MS = LONG ? 60_000 : 15_000;

describe(`Elasticsearch stopped mid-crawl for ${OUTAGE_MS / 1000} s, then started again`, () => {
  const names = uniqueNames('f-es');
  const redis = new Redis(REDIS_URL);
  const crawls = new CrawlStore(redis, names.prefix);
  let site: SnapshotSite;
  let front: FaultSite;
  let own: OwnElasticsearch;
  let es: Client;
  let stackDir: string;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    front = await startFaultSite({ upstream: site.url });
    stackDir = await mkdtemp(join(tmpdir(), 'paperline-faults-es-'));
    own = await startOwnElasticsearch(ES_PORT, stackDir);
    es = new Client({ node: own.url });
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await front?.close();
    await site?.close();
    await unlinkMatching(redis, new RedisKeys(names.prefix).everything);
    redis.disconnect();
    await es?.close();
    await own?.stop();
    if (stackDir) await rm(stackDir, { recursive: true, force: true });
  });

  it('loses nothing, duplicates nothing, and every worker rides it out', async () => {
    const env = testEnv(names, {
      ELASTICSEARCH_URL: own.url,
      HF_BASE_URL: front.url,
      PAPERLINE_HOST_INTERVAL_MS: '150',
      PAPERLINE_LOCK_MS: '5000',
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '60000',
    });
    const seeds = site.days.map((d) => `${front.url}/papers/date/${d}`);
    // The last day's listing (5 papers only it has) is held back until Elasticsearch is down, so
    // its archiving, parsing and index writes all have to wait out the outage.
    const listingGate = holdBack(front, [`/papers/date/${site.days.at(-1)!}`]);
    const truth = snapshotTruth();
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
    const rss = sampleWorkerRss(() => (workers ? [workers] : []));

    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);

    // Some papers written, most pages still to fetch: stop Elasticsearch now.
    await waitFor('the first papers to be written', async () => (await crawls.sizes(crawlId)).written >= 3);
    const { fetched, written } = await crawls.sizes(crawlId);
    const before = { fetched, written };
    const downAt = Date.now();
    await own.stop();
    listingGate.open();
    expect(before.fetched).toBeLessThan(seeds.length + truth.length);
    expect(before.written).toBeLessThan(truth.length);

    await sleep(OUTAGE_MS);
    expect(isAlive(workers), 'workers survived the outage').toBe(true);
    // Nothing failed for good while Elasticsearch was away.
    const failedDuring = (await crawls.sizes(crawlId)).failed;
    const restartAt = Date.now();
    await own.start();
    const upAt = Date.now();

    const waited = await runCli(['wait', crawlId, '--json'], env);
    const finishedAt = Date.now();
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(
      `[faults] es outage: written before ${before.written}, fetched before ${before.fetched}; ` +
        `down ${((upAt - downAt) / 1000).toFixed(1)} s (stopped ${((restartAt - downAt) / 1000).toFixed(1)} s + ` +
        `start-up ${((upAt - restartAt) / 1000).toFixed(1)} s); finished ${((finishedAt - upAt) / 1000).toFixed(1)} s after ` +
        `it was back; summary ${JSON.stringify(s)}\n`,
    );
    expect(failedDuring).toBe(0);
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds.length + truth.length,
      truth,
    });

    expect(isAlive(workers), 'workers still running').toBe(true);
    const peak = rss.stop();
    process.stderr.write(`[faults] es outage: peak RSS MiB ${JSON.stringify(Object.fromEntries(peak))}\n`);
    expect(peak.size).toBe(4);
    for (const [kind, mb] of peak) expect(mb, `${kind} RSS`).toBeLessThan(RSS_LIMIT_MIB);
  });
});
