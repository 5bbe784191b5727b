import { describe, expect, it, vi } from 'vitest';
import {
  ParseError,
  type DedupeJob,
  type FetchJob,
  type PaperCandidate,
  type ParseJob,
  type Route,
} from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import type { StageContext } from '@paperline/core/pipeline';
import type { ParsedPage } from '@paperline/sources';
import { processParse, type ParseDeps } from './process.js';

const BASE = 'http://127.0.0.1:4567';
const PAGE = `${BASE}/papers/date/2024-03-20`;
const DAILY: Route = { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2024-03-20' } };
const PAPER: Route = { source: 'hf', type: 'hf-paper' };
const NEXT_DAY: Route = { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2024-03-21' } };

const job = (over: Partial<ParseJob> = {}): ParseJob => ({
  crawlId: 'c1',
  url: PAGE,
  finalUrl: PAGE,
  sha256: 'b'.repeat(64),
  contentType: 'text/html; charset=utf-8',
  status: 200,
  fetchedAt: '2024-03-20T12:00:00.000Z',
  depth: 1,
  source: 'hf',
  ...over,
});

const ctx: StageContext = {
  jobId: 'p1',
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
};

const cand = (arxivId: string): PaperCandidate => ({
  source: 'hf',
  url: PAGE,
  fetchedAt: '2024-03-20T12:00:00.000Z',
  parserVersion: 'hf-1',
  arxivId,
  title: `Paper ${arxivId}`,
  authors: ['Ada Lovelace'],
  authorCount: 1,
});

/** Fakes of every dependency; `page` is what the (pure) parser returns, `routes` how links route. */
function fakes(page: Partial<ParsedPage>, routes: Record<string, Route> = {}) {
  const parsed: ParsedPage = { route: DAILY, candidates: [], links: [], ...page };
  const deps = {
    readBody: vi.fn(async () => ({ text: () => '<html>the archived page</html>' })),
    bodyOf: vi.fn((bytes: Buffer, _contentType: string) => ({
      utf8: bytes,
      text: () => `decoded ${bytes.length} bytes`,
    })),
    parse: vi.fn((): ParsedPage => parsed),
    route: vi.fn((url: string): Route | null => routes[url] ?? null),
    markParsed: vi.fn(async () => undefined),
    markYield: vi.fn(async () => undefined),
    quarantine: vi.fn(async (_f: Parameters<ParseDeps['quarantine']>[0]) => undefined),
  } satisfies ParseDeps;
  return deps;
}

const dedupeOf = (emit: unknown[] | undefined) =>
  (emit as Array<{ stage: string; payload: unknown }>)
    .filter((e) => e.stage === 'dedupe')
    .map((e) => e.payload as DedupeJob);
const fetchesOf = (emit: unknown[] | undefined) =>
  (emit as Array<{ stage: string; payload: unknown }>)
    .filter((e) => e.stage === 'fetch')
    .map((e) => e.payload as FetchJob);

describe('processParse', () => {
  it("parses the archived body under the job's source and hands the candidates to dedupe", async () => {
    const deps = fakes({ candidates: [cand('2403.12345'), cand('2403.11111')] });
    const res = await processParse(job(), deps, ctx);
    expect(deps.readBody).toHaveBeenCalledWith('b'.repeat(64), PAGE);
    expect(deps.parse).toHaveBeenCalledWith(
      {
        url: PAGE,
        finalUrl: PAGE,
        body: '<html>the archived page</html>',
        contentType: 'text/html; charset=utf-8',
        fetchedAt: '2024-03-20T12:00:00.000Z',
      },
      'hf',
    );
    expect(res.outcome).toBe('parsed');
    expect(dedupeOf(res.emit)).toEqual([
      { crawlId: 'c1', url: PAGE, candidates: [cand('2403.12345'), cand('2403.11111')] },
    ]);
    expect(deps.markParsed).toHaveBeenCalledWith('c1', PAGE);
    expect(deps.markYield).toHaveBeenCalledWith('c1', 'hf', PAGE, 2);
  });

  it('a body handed over in memory (a chained fetch) is decoded, not read back from the archive', async () => {
    const deps = fakes({ candidates: [cand('2403.12345')] });
    const body = Buffer.from('<html>fresh</html>');
    const res = await processParse(job(), deps, { ...ctx, handOff: { body } });
    expect(deps.readBody).not.toHaveBeenCalled();
    expect(deps.bodyOf).toHaveBeenCalledWith(body, 'text/html; charset=utf-8');
    expect(deps.parse).toHaveBeenCalledWith(
      expect.objectContaining({ body: `decoded ${body.length} bytes`, utf8: body }),
      'hf',
    );
    expect(dedupeOf(res.emit)).toHaveLength(1);
  });

  it('routes each new link once and puts the route in its fetch job; the next page of a listing costs no depth', async () => {
    const paper = `${BASE}/papers/2403.12345`;
    const next = `${BASE}/papers/date/2024-03-21`;
    const deps = fakes(
      { candidates: [cand('2403.12345')], links: [paper, next, paper, PAGE, `${BASE}/elsewhere`] },
      { [paper]: PAPER, [next]: NEXT_DAY },
    );
    const res = await processParse(job(), deps, ctx);
    expect(fetchesOf(res.emit)).toEqual([
      { crawlId: 'c1', url: paper, depth: 0, referrer: PAGE, route: PAPER },
      { crawlId: 'c1', url: next, depth: 1, referrer: PAGE, route: NEXT_DAY },
    ]);
    // Duplicates and the page itself are not routed at all; the unroutable link is dropped.
    expect(deps.route.mock.calls.map(([u]) => u)).toEqual([paper, next, `${BASE}/elsewhere`]);
  });

  it('follows no deeper link once the depth is spent, but still the next page of the listing', async () => {
    const paper = `${BASE}/papers/2403.12345`;
    const next = `${BASE}/papers/date/2024-03-21`;
    const deps = fakes({ links: [paper, next] }, { [paper]: PAPER, [next]: NEXT_DAY });
    const res = await processParse(job({ depth: 0 }), deps, ctx);
    expect(fetchesOf(res.emit).map((f) => f.url)).toEqual([next]);
  });

  it('a reprocessed page follows no link; its dedupe job verifies the index and fetches nothing', async () => {
    const paper = `${BASE}/papers/2403.12345`;
    const deps = fakes({ candidates: [cand('2403.12345')], links: [paper] }, { [paper]: PAPER });
    const res = await processParse(job({ reprocess: true }), deps, ctx);
    expect(fetchesOf(res.emit)).toEqual([]);
    expect(dedupeOf(res.emit)[0]).toMatchObject({ verifyIndex: true, reprocess: true });
    expect(dedupeOf(res.emit)[0]!.rewrite).toBeUndefined();
  });

  it('a rewrite passes on to the dedupe job', async () => {
    const deps = fakes({ candidates: [cand('2403.12345')], links: [] }, {});
    const res = await processParse(job({ reprocess: true, rewrite: true }), deps, ctx);
    expect(dedupeOf(res.emit)[0]).toMatchObject({ reprocess: true, rewrite: true });
  });

  it('sets invalid records aside, each under its own id with its reason; the valid ones go on', async () => {
    const deps = fakes({
      candidates: [cand('2403.33333')],
      rejected: [
        { where: 'dailyPapers[1] (2403.22222)', reason: 'title is empty' },
        { where: 'dailyPapers[4]', reason: 'authors missing' },
      ],
    });
    const res = await processParse(job(), deps, ctx);
    expect(deps.quarantine.mock.calls.map(([f]) => f)).toEqual([
      { jobId: 'p1.q0', crawlId: 'c1', url: PAGE, message: 'dailyPapers[1] (2403.22222): title is empty' },
      { jobId: 'p1.q1', crawlId: 'c1', url: PAGE, message: 'dailyPapers[4]: authors missing' },
    ]);
    expect(dedupeOf(res.emit)[0]!.candidates).toEqual([cand('2403.33333')]);
  });

  it('a dated listing that redirected to another period yields nothing and says nothing of health', async () => {
    const deps = fakes({ redirectedFrom: PAGE });
    const res = await processParse(job({ finalUrl: `${BASE}/papers/date/2024-03-19` }), deps, ctx);
    expect(res).toEqual({ outcome: 'empty', emit: [] });
    expect(deps.markYield).not.toHaveBeenCalled();
    expect(deps.markParsed).toHaveBeenCalledWith('c1', PAGE);
  });

  it('a look-up of given ids (an enrichment batch) goes to dedupe but says nothing of health', async () => {
    const deps = fakes({
      route: { source: 'arxiv', type: 'arxiv-api' },
      candidates: [cand('2403.1')],
      lookup: true,
    });
    const res = await processParse(job({ source: 'arxiv' }), deps, ctx);
    expect(dedupeOf(res.emit)).toHaveLength(1);
    expect(deps.markYield).not.toHaveBeenCalled();
  });

  it('a page of only deletions still goes to dedupe, with the withdrawn ids', async () => {
    const deps = fakes({ route: { source: 'arxiv', type: 'arxiv-oai' }, withdrawnIds: ['2403.00001'] });
    const res = await processParse(job({ source: 'arxiv' }), deps, ctx);
    expect(res.outcome).toBe('empty');
    expect(dedupeOf(res.emit)).toEqual([
      { crawlId: 'c1', url: PAGE, candidates: [], withdrawnIds: ['2403.00001'] },
    ]);
  });

  it('a page the parser cannot read fails with its ParseError, and is not counted as parsed', async () => {
    const deps = fakes({});
    const broken = new ParseError(PAGE, 'no DailyPapers hydration element', { source: 'hf' });
    deps.parse.mockImplementation(() => {
      throw broken;
    });
    await expect(processParse(job(), deps, ctx)).rejects.toBe(broken);
    expect(deps.markParsed).not.toHaveBeenCalled();
  });
});
