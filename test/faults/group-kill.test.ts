import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { RedisKeys } from '@paperline/core/redis';
import { snapshotTruth } from '@paperline/snapshot-site';
import { testEnv } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess } from '../helpers/cli.js';
import { holdBack } from '../helpers/faults-servers.js';
import {
  descendantPids,
  expectEveryPaperOnce,
  faultSiteFixture,
  isAlive,
  waitFor,
  type Summary,
} from '../helpers/faults.js';

const FETCH_CONCURRENCY = 4;

/** Gone, or a zombie that nothing has reaped yet: either way it runs no more. */
function dead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

describe('two worker groups share a crawl; one is SIGKILLed whole', () => {
  const fx = faultSiteFixture('f-group');
  const { names, redis, es, crawls, groups } = fx;

  it('the other group takes over the jobs the dead one held, and the crawl ends with every paper once', async () => {
    // Every paper page is held at the site until the kill, so the fetch jobs of both groups are
    // active and waiting on it: more of them than one group can hold means both hold some.
    const env = testEnv(names, {
      HF_BASE_URL: fx.front.url,
      PAPERLINE_LOCK_MS: '3000',
      PAPERLINE_FETCH_CONCURRENCY: String(FETCH_CONCURRENCY),
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '120000',
      PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: '120000',
    });
    const truth = snapshotTruth();
    const papersGate = holdBack(
      fx.front,
      truth.map((p) => `/papers/${p.id}`),
    );

    // Two process trees, as two machines would run them: each a whole `paperline workers`.
    const doomed = startWorkersProcess(env);
    const survivor = startWorkersProcess(env);
    groups.push(doomed, survivor);
    const seeds = fx.site.days.map((d) => `${fx.front.url}/papers/date/${d}`);
    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);

    const fetchQueue = new Queue('fetch', {
      connection: redis,
      prefix: new RedisKeys(names.prefix).queuePrefix('fetch'),
    });
    await waitFor(
      'both groups to hold fetch jobs at the gate',
      async () => (await fetchQueue.getJobCounts('active')).active! > FETCH_CONCURRENCY,
      120_000,
      50,
    );
    const activeAtKill = (await fetchQueue.getJobCounts('active')).active!;
    const doomedPids = descendantPids(doomed.pid!);
    killGroup(doomed, 'SIGKILL');
    await exited(doomed);
    expect(doomedPids.length).toBeGreaterThan(0);
    await waitFor('every process of the killed group to be gone', () => doomedPids.every(dead));
    papersGate.open();

    const waited = await runCli(['wait', crawlId, '--json'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    const stalled = (await fetchQueue.getJobCounts('failed')).failed!;
    await fetchQueue.close();
    process.stderr.write(
      `[faults] group kill: ${activeAtKill} fetch jobs active at the kill (${FETCH_CONCURRENCY} per group); summary ${JSON.stringify(s)}\n`,
    );
    expect(stalled).toBe(0);
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds.length + truth.length,
      truth,
    });
    expect(await crawls.openCount(crawlId)).toBe(0);
    expect(isAlive(survivor), 'the surviving group kept running').toBe(true);
  });
});
