import { describe, expect, it, vi } from 'vitest';
import type { EnrichJob, FetchJob } from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import type { StageContext, TakeRequest, TakeResult } from '@paperline/core/pipeline';
import { IN_FLIGHT_POLL_MS, batchSettled, processEnrich, type EnrichDeps } from './enrich-process.js';

const PAGE = 'http://127.0.0.1:4567/papers/date/2024-03-20';
const API = 'http://127.0.0.1:4569/api/query';
const NOW = 1_700_000_000_000;
const JOB_ID = 'c1.enrich.aaaa';

const ctx: StageContext = {
  jobId: JOB_ID,
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
};

/** An enrich stage whose queue answers `results` in turn, and whose other answers are given. */
function fakes(
  results: TakeResult[],
  opts: { inFlight?: string | null; settled?: boolean; slotWaitMs?: number; gone?: string[] } = {},
) {
  const requests: TakeRequest[] = [];
  const deps = {
    queue: {
      take: vi.fn(async (req: TakeRequest) => {
        requests.push(req);
        const next = results.shift();
        if (!next) throw new Error('no more scripted answers');
        return next;
      }),
      inFlight: vi.fn(async () => opts.inFlight ?? null),
    },
    batchSettled: vi.fn(async (_jobId: string) => opts.settled ?? false),
    jobGone: vi.fn(async (jobId: string) => (opts.gone ?? []).includes(jobId)),
    slotWaitMs: vi.fn(async () => opts.slotWaitMs ?? 0),
    batchUrls: (ids: string[]) => [`${API}?id_list=${ids.join(',')}&max_results=${ids.length}`],
    jobIdOf: (job: EnrichJob) => `${job.crawlId}.enrich.round${job.round ?? 0}`,
    now: () => NOW,
  } satisfies EnrichDeps;
  return { deps, requests };
}

const job = (over: Partial<EnrichJob> = {}): EnrichJob => ({ crawlId: 'c1', url: PAGE, ...over });
type Emitted = Array<{ stage: string; payload: unknown }> | undefined;
const fetchesOf = (emit: Emitted) =>
  (emit ?? []).filter((e) => e.stage === 'fetch').map((e) => e.payload as FetchJob);
const successorsOf = (emit: Emitted) =>
  (emit ?? []).filter((e) => e.stage === 'enrich').map((e) => e.payload as EnrichJob);

describe('processEnrich', () => {
  it('hands a taken batch to one export-API fetch job of its crawl, already routed', async () => {
    const { deps } = fakes([{ kind: 'taken', ids: ['2403.00001', '2403.00002'], more: false }]);
    const res = await processEnrich(job(), deps, ctx);
    expect(res).toEqual({
      outcome: 'batched',
      emit: [
        {
          stage: 'fetch',
          payload: {
            crawlId: 'c1',
            url: `${API}?id_list=2403.00001,2403.00002&max_results=2`,
            depth: 0,
            referrer: PAGE,
            route: { source: 'arxiv', type: 'arxiv-api' },
          },
        },
      ],
    });
  });

  it('adds its successor, the next round of the same page, when ids of the crawl still wait', async () => {
    const { deps, requests } = fakes([{ kind: 'taken', ids: ['2403.00001'], more: true }]);
    const res = await processEnrich(job({ round: 2 }), deps, ctx);
    expect(fetchesOf(res.emit)).toHaveLength(1);
    expect(successorsOf(res.emit)).toEqual([{ crawlId: 'c1', url: PAGE, round: 3 }]);
    // The successor's id is what the queue names as the crawl's keeper.
    expect(requests[0]).toMatchObject({ crawlId: 'c1', jobId: JOB_ID, successor: 'c1.enrich.round3' });
  });

  it('asks with the time until the slot opens, and replaces the in-flight batch only once it is settled', async () => {
    const inFlight = fakes([{ kind: 'in-flight', job: 'c9.enrich.x' }], {
      inFlight: 'c9.enrich.x',
      settled: false,
      slotWaitMs: 1800,
    });
    await processEnrich(job(), inFlight.deps, ctx);
    expect(inFlight.deps.batchSettled).toHaveBeenCalledWith('c9.enrich.x');
    expect(inFlight.requests[0]!.slotWaitMs).toBe(1800);
    expect(inFlight.requests[0]!.settled).toBeUndefined();

    const done = fakes([{ kind: 'taken', ids: ['2403.00001'], more: false }], {
      inFlight: 'c9.enrich.x',
      settled: true,
    });
    await processEnrich(job(), done.deps, ctx);
    expect(done.requests[0]!.settled).toBe('c9.enrich.x');
  });

  it('waits for the slot: put back until it opens, no attempt used', async () => {
    const { deps } = fakes([{ kind: 'slot' }], { slotWaitMs: 2400 });
    expect(await processEnrich(job(), deps, ctx)).toEqual({ outcome: 'deferred', delayUntil: NOW + 2400 });
  });

  it('waits while a batch is in flight: looks again when the slot opens, and at least after a short poll', async () => {
    const later = fakes([{ kind: 'in-flight', job: 'c2.enrich.y' }], {
      inFlight: 'c2.enrich.y',
      slotWaitMs: 2900,
    });
    expect(await processEnrich(job(), later.deps, ctx)).toEqual({
      outcome: 'deferred',
      delayUntil: NOW + 2900,
    });
    const free = fakes([{ kind: 'in-flight', job: 'c2.enrich.y' }], {
      inFlight: 'c2.enrich.y',
      slotWaitMs: 0,
    });
    expect(await processEnrich(job(), free.deps, ctx)).toEqual({
      outcome: 'deferred',
      delayUntil: NOW + IN_FLIGHT_POLL_MS,
    });
  });

  it('ends at once when another job keeps the crawl, or nothing waits', async () => {
    const kept = fakes([{ kind: 'keeper', keeper: 'c1.enrich.other' }]);
    expect(await processEnrich(job(), kept.deps, ctx)).toEqual({ outcome: 'coalesced' });
    expect(kept.deps.jobGone).toHaveBeenCalledWith('c1.enrich.other');
    expect(kept.requests).toHaveLength(1);
    const empty = fakes([{ kind: 'empty' }]);
    expect(await processEnrich(job(), empty.deps, ctx)).toEqual({ outcome: 'coalesced' });
  });

  it('replaces a keeper that is gone (failed for good), once', async () => {
    const { deps, requests } = fakes(
      [
        { kind: 'keeper', keeper: 'c1.enrich.dead' },
        { kind: 'taken', ids: ['2403.00001'], more: false },
      ],
      { gone: ['c1.enrich.dead'] },
    );
    const res = await processEnrich(job(), deps, ctx);
    expect(res.outcome).toBe('batched');
    expect(requests.map((r) => r.goneKeeper)).toEqual([undefined, 'c1.enrich.dead']);

    const twice = fakes(
      [
        { kind: 'keeper', keeper: 'c1.enrich.dead' },
        { kind: 'keeper', keeper: 'c1.enrich.dead2' },
      ],
      { gone: ['c1.enrich.dead', 'c1.enrich.dead2'] },
    );
    expect(await processEnrich(job(), twice.deps, ctx)).toEqual({ outcome: 'coalesced' });
    expect(twice.requests).toHaveLength(2);
  });
});

describe('batchSettled', () => {
  it('a batch is in flight until the job that took it finished and its fetch job is done', () => {
    for (const taker of ['waiting', 'active', 'delayed', 'prioritized']) {
      expect(batchSettled(taker, 'unknown'), taker).toBe(false); // its fetch job may not exist yet
    }
    for (const fetch of ['waiting', 'active', 'delayed', 'prioritized']) {
      expect(batchSettled('completed', fetch), fetch).toBe(false);
    }
    for (const fetch of ['completed', 'failed', 'unknown']) {
      expect(batchSettled('completed', fetch), fetch).toBe(true);
      expect(batchSettled('unknown', fetch), `removed taker, ${fetch}`).toBe(true);
    }
    // A taker that failed for good holds its batch for a retry; it blocks nobody meanwhile.
    expect(batchSettled('failed', 'unknown')).toBe(true);
  });
});
