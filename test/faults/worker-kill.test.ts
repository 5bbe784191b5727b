import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { snapshotTruth } from '@paperline/snapshot-site';
import { testEnv } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess } from '../helpers/cli.js';
import { holdBack } from '../helpers/faults-servers.js';
import { RedisKeys } from '@paperline/core/redis';
import {
  RSS_LIMIT_MIB,
  expectEveryPaperOnce,
  faultSiteFixture,
  isAlive,
  sampleWorkerRss,
  waitFor,
  workerPids,
  type Summary,
} from '../helpers/faults.js';

describe('one worker kind (the indexer) SIGKILLed mid-batch, then restarted', () => {
  const fx = faultSiteFixture('f-kill');
  const { names, redis, es, crawls, groups } = fx;

  it('the other workers carry on; the restarted indexer writes every paper exactly once', async () => {
    // Documents wait 1.5 s in the indexer's micro-batch buffer. The last day's listing is held
    // back until a first bulk write, so the kill lands after it, while an index job is active with
    // its documents buffered and not yet written. That day's own paper pages are held back until
    // the indexer is dead, so the others have work left to go on with. Locks expire fast for the
    // takeover.
    const env = testEnv(names, {
      HF_BASE_URL: fx.front.url,
      PAPERLINE_HOST_INTERVAL_MS: '100',
      PAPERLINE_LOCK_MS: '3000',
      PAPERLINE_BULK_WAIT_MS: '1500',
      // The held listing's request waits for the kill, however long that takes on a loaded machine.
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '120000',
      PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: '120000',
    });
    const seeds = fx.site.days.map((d) => `${fx.front.url}/papers/date/${d}`);
    const truth = snapshotTruth();
    const lastDay = fx.site.days.at(-1)!;
    const listingGate = holdBack(fx.front, [`/papers/date/${lastDay}`]);
    const papersGate = holdBack(
      fx.front,
      truth.filter((p) => p.days.length === 1 && p.days[0] === lastDay).map((p) => `/papers/${p.id}`),
    );
    const others = startWorkersProcess(env, 'fetcher,parser,deduplicator');
    let indexer = startWorkersProcess(env, 'indexer');
    groups.push(others, indexer);
    const rss = sampleWorkerRss(() => groups.filter(isAlive));

    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);
    const indexQueue = new Queue('index', {
      connection: redis,
      prefix: new RedisKeys(names.prefix).queuePrefix('index'),
    });

    // Mid-batch: some papers written already, and index jobs active right now.
    await waitFor('the first papers to be written', async () => (await crawls.sizes(crawlId)).written >= 1);
    listingGate.open();
    await waitFor(
      'index jobs active after the first writes',
      async () => (await indexQueue.getJobCounts('active')).active! > 0,
      90_000,
      25,
    );
    const activeAtKill = (await indexQueue.getJobCounts('active')).active!;
    const writtenAtKill = (await crawls.sizes(crawlId)).written;
    expect(workerPids(indexer).has('indexer')).toBe(true);
    killGroup(indexer, 'SIGKILL');
    await exited(indexer);
    expect(await crawls.openCount(crawlId)).toBeGreaterThan(0);

    // Without an indexer the rest of the pipeline keeps going: the held paper pages are fetched and
    // parsed.
    const fetchedAtKill = (await crawls.sizes(crawlId)).fetched;
    const parsedAtKill = (await crawls.sizes(crawlId)).parsed;
    papersGate.open();
    await waitFor('fetching and parsing to go on without the indexer', async () => {
      const fetched = (await crawls.sizes(crawlId)).fetched;
      const parsed = (await crawls.sizes(crawlId)).parsed;
      return fetched > fetchedAtKill && parsed > parsedAtKill;
    });
    expect(isAlive(others)).toBe(true);
    const waitingIndex = await indexQueue.getJobCounts('waiting', 'active');
    await indexQueue.close();

    indexer = startWorkersProcess(env, 'indexer');
    groups.push(indexer);
    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(
      `[faults] indexer kill: ${activeAtKill} index jobs active, ${writtenAtKill} papers written at the kill; ` +
        `index queue while down ${JSON.stringify(waitingIndex)}; summary ${JSON.stringify(s)}\n`,
    );
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds.length + truth.length,
      truth,
    });

    expect(isAlive(others), 'fetcher, parser, deduplicator never stopped').toBe(true);
    expect(isAlive(indexer), 'restarted indexer running').toBe(true);
    const peak = rss.stop();
    process.stderr.write(`[faults] indexer kill: peak RSS MiB ${JSON.stringify(Object.fromEntries(peak))}\n`);
    expect([...peak.keys()].sort()).toEqual(['deduplicator', 'fetcher', 'indexer', 'parser']);
    for (const [kind, mb] of peak) expect(mb, `${kind} RSS`).toBeLessThan(RSS_LIMIT_MIB);
  });
});

describe('the chained worker process (fetch → parse → dedupe → index in one) SIGKILLed mid-chain, then restarted', () => {
  const fx = faultSiteFixture('f-chain');
  const { names, redis, es, crawls, groups } = fx;

  it('the fetch jobs holding their pages are retried, and every paper is written exactly once', async () => {
    // A chained page's documents wait 1.5 s in the indexer's buffer while its fetch job holds the
    // page (the held listing's fetch job runs without waiting on the buffer, so the batch waits
    // its full time): the kill lands when papers are merged and not yet written, before the first
    // bulk write. The last day's listing is held back, so the crawl has work left after the
    // restart. Locks expire fast for the takeover.
    const env = testEnv(names, {
      HF_BASE_URL: fx.front.url,
      PAPERLINE_HOST_INTERVAL_MS: '100',
      PAPERLINE_LOCK_MS: '3000',
      PAPERLINE_BULK_WAIT_MS: '1500',
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '120000',
      PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: '120000',
    });
    const seeds = fx.site.days.map((d) => `${fx.front.url}/papers/date/${d}`);
    const truth = snapshotTruth();
    const listingGate = holdBack(fx.front, [`/papers/date/${fx.site.days.at(-1)!}`]);
    const chainedKinds = 'fetcher,parser,deduplicator,indexer';
    let workers = startWorkersProcess(env, chainedKinds, ['--chain']);
    groups.push(workers);

    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);
    await waitFor(
      'papers merged and not yet written (a chain mid-way)',
      async () => {
        const s = await crawls.sizes(crawlId);
        return s.papers > s.written;
      },
      90_000,
      10,
    );
    const atKill = await crawls.sizes(crawlId);
    expect([...workerPids(workers).keys()]).toEqual([chainedKinds.replaceAll(',', '+')]);
    killGroup(workers, 'SIGKILL');
    await exited(workers);
    expect(await crawls.openCount(crawlId)).toBeGreaterThan(0);

    workers = startWorkersProcess(env, chainedKinds, ['--chain']);
    groups.push(workers);
    listingGate.open();
    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    process.stderr.write(
      `[faults] chained kill: ${atKill.papers} papers merged, ${atKill.written} written at the kill; summary ${JSON.stringify(s)}\n`,
    );
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds.length + truth.length,
      truth,
    });

    // The pages went from stage to stage in memory: no dedupe or index job was queued.
    const keys = new RedisKeys(names.prefix);
    for (const stage of ['dedupe', 'index'] as const) {
      const queue = new Queue(stage, { connection: redis, prefix: keys.queuePrefix(stage) });
      const counts = await queue.getJobCounts();
      expect(
        Object.values(counts).reduce((a, b) => a + b, 0),
        `${stage} ${JSON.stringify(counts)}`,
      ).toBe(0);
      await queue.close();
    }
  });
});
